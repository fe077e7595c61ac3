"""`Parameter`: a leaf tensor that a `Module` registers as one of its learnable weights."""
from ..creation import empty
from ..device import Device
from ..tensor import Tensor


class Parameter(Tensor):
    """`Parameter(data, requires_grad=True)`: shares `data`'s storage, is always a leaf."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor, got {type(data).__name__}")
        self._init(data._data, data.dtype, data.device, data._backend, data._version)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class UninitializedTensorMixin:
    """A parameter or buffer of a lazy module whose shape is not known yet.

    It holds no values; `materialize(shape)` gives it (zero-filled) storage of that shape and
    turns it, the same object, into its `cls_to_become` (Parameter or Tensor), so references
    already taken (by an optimizer, say) stay valid. Until then it can be moved and cast
    (`to`, as Module.to does), but anything that needs its shape or values raises.
    """

    __slots__ = ()
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Give this tensor storage of `shape` (zeros) on `device` with `dtype` (by default
        its own) and make it a `cls_to_become`."""
        device = self.device if device is None else device
        dtype = self.dtype if dtype is None else dtype
        data = empty(tuple(shape), dtype=dtype, device=device)
        self._data, self._dtype, self._device, self._backend = \
            data._data, data._dtype, data._device, data._backend
        self._leaf_node = None
        self.__class__ = self.cls_to_become

    def _uninitialized(self, what):
        return RuntimeError(
            f"Can't use the {what} of an uninitialized parameter or buffer. This happens with "
            "a lazy module (LazyLinear, LazyConv2d, ...) before its first forward call: run "
            "the model once on a batch of input (a dry run) to initialize it, or load a "
            "state_dict into it.")

    @property
    def shape(self):
        raise self._uninitialized("shape")

    @property
    def ndim(self):
        raise self._uninitialized("number of dimensions")

    def size(self, dim=None):
        raise self._uninitialized("size")

    def dim(self):
        raise self._uninitialized("number of dimensions")

    def numel(self):
        raise self._uninitialized("number of elements")

    def numpy(self):
        raise self._uninitialized("values")

    def __len__(self):
        raise self._uninitialized("length")

    def detach(self):
        return self

    def to(self, *args, device=None, dtype=None, copy=False):
        """The same uninitialized tensor for another device and/or dtype."""
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, (str, Device)):
                device = arg
            else:
                dtype = arg
        return type(self)(requires_grad=self.requires_grad,
                          device=self.device if device is None else device,
                          dtype=self.dtype if dtype is None else dtype)

    def __deepcopy__(self, memo):
        copied = type(self)(requires_grad=self.requires_grad, device=self.device,
                            dtype=self.dtype)
        memo[id(self)] = copied
        return copied

    def __repr__(self):
        return f"<{type(self).__name__}>"


def _empty_like_init(device, dtype):
    return empty(0, dtype=dtype, device="cpu" if device is None else device)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """`UninitializedParameter(requires_grad=True, device=None, dtype=None)`: a Parameter of a
    lazy module before its shape is known; becomes a Parameter on `materialize`."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(_empty_like_init(device, dtype), requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """`UninitializedBuffer(requires_grad=False, device=None, dtype=None)`: a buffer of a lazy
    module (BatchNorm's running statistics) before its shape is known."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None):
        data = _empty_like_init(device, dtype)
        self._init(data._data, data.dtype, data.device, data._backend)
        if requires_grad:
            self.requires_grad_(True)


def is_lazy(tensor):
    """Whether `tensor` is an uninitialized parameter or buffer of a lazy module."""
    return isinstance(tensor, UninitializedTensorMixin)


class Buffer(Tensor):
    """`Buffer(data=None, *, persistent=True)`: a tensor that, assigned as a Module attribute,
    is registered as a buffer (part of `state_dict()` when persistent), as PyTorch's
    `nn.Buffer`. Shares `data`'s storage."""

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer expects a Tensor, got {type(data).__name__}")
        self._init(data._data, data.dtype, data.device, data._backend, data._version)
        self.requires_grad_(data.requires_grad)
        self.persistent = bool(persistent)
