"""`Parameter`: a leaf tensor that a `Module` registers as one of its learnable weights."""
from ..tensor import Tensor


class Parameter(Tensor):
    """`Parameter(data, requires_grad=True)`: shares `data`'s storage, is always a leaf."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor, got {type(data).__name__}")
        self._init(data._data, data.dtype, data.device, data._backend, data._version)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
