"""`Variable`: PyTorch's pre-0.4 wrapper, kept (as in PyTorch) for the code that still uses it.

Since PyTorch 0.4 every Tensor is a Variable: `Variable(t, requires_grad=True)` returns a new
leaf Tensor sharing `t`'s storage, `isinstance(t, Variable)` holds for every Tensor, and the old
`volatile=True` flag does nothing (use `with no_grad():`).
"""
import warnings

from ..tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)

    def __call__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect; use "
                          "`with minigrad.no_grad():` instead", UserWarning, stacklevel=2)
        return data.detach().requires_grad_(requires_grad)


class Variable(metaclass=_VariableMeta):
    """`Variable(tensor, requires_grad=False, volatile=False)`: a leaf Tensor sharing
    `tensor`'s storage (see the module docstring)."""
