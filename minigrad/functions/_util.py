"""Helpers shared by the op files: argument coercion, broadcasting, reducing to a shape."""
import numpy as np

from .. import dtypes
from ..errors import ShapeError
from ..tensor import Tensor, check_same_device

Number = (bool, int, float, np.bool_, np.integer, np.floating)


def broadcast_shapes(*shapes, op="operation"):
    """numpy's broadcast result shape, or ValueError naming the shapes that do not fit."""
    ndim = max(len(s) for s in shapes)
    result = []
    for i in range(-ndim, 0):
        sizes = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(sizes) > 1:
            listed = " and ".join(str(tuple(s)) for s in shapes)
            raise ShapeError(f"{op}: shapes {listed} are not broadcastable (dimension {ndim + i} "
                             f"has sizes {sorted(sizes)})")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def as_python_scalar(value, dtype):
    """A Python number of `dtype`'s kind (so numpy treats it as a weak scalar); an int is
    wrapped into an integer dtype's range first, as PyTorch casts it (int8 tensor + 300 adds
    44)."""
    if dtype is dtypes.bool_:
        return bool(value)
    if dtype.category == 1:
        return dtypes.wrap_int(value, dtype)
    return float(value)


def result_type(a, b):
    """The dtype of a binary op between tensors, as PyTorch: a 0-d tensor next to a tensor with
    dims counts only where its category is higher (float32 (n,) with float64 () gives float32,
    int8 (n,) with int64 () gives int8, int8 (n,) with float64 () gives float64)."""
    if (a.ndim == 0) != (b.ndim == 0):
        dims, zero = (b, a) if a.ndim == 0 else (a, b)
        return dtypes.combine(dims.dtype, zero.dtype)
    return dtypes.promote(a.dtype, b.dtype)


def coerce_pair(a, b, op):
    """Bring two operands (Tensors or Python numbers) to one dtype for a binary op.

    Returns (a, b, dtype); numbers stay Python scalars of the result's kind.
    """
    a_is_t, b_is_t = isinstance(a, Tensor), isinstance(b, Tensor)
    if a_is_t and b_is_t:
        dtype = a._dtype
        if dtype is b._dtype and a._device is b._device and a._data.shape == b._data.shape:
            return a, b, dtype  # the common case: nothing to check, promote or convert
        if a._device != b._device:
            # as in PyTorch, a 0-d cpu tensor joins a tensor on another device like a number
            if a.ndim == 0 and a._device.type == "cpu":
                a = a.to(b._device)
            elif b.ndim == 0 and b._device.type == "cpu":
                b = b.to(a._device)
        check_same_device([a, b], op)
        dtype = result_type(a, b)
        broadcast_shapes(a.shape, b.shape, op=op)
    elif a_is_t or b_is_t:
        t, s = (a, b) if a_is_t else (b, a)
        if not isinstance(s, Number):
            raise TypeError(f"{op}: expected a Tensor or a number, got {type(s).__name__}")
        dtype = dtypes.scalar_dtype(s, t._dtype)
    else:
        raise TypeError(f"{op}: expected at least one Tensor operand")
    if a_is_t:
        a = a if a._dtype is dtype else a.to(dtype=dtype)
    else:
        a = as_python_scalar(a, dtype)
    if b_is_t:
        b = b if b._dtype is dtype else b.to(dtype=dtype)
    else:
        b = as_python_scalar(b, dtype)
    return a, b, dtype


def to_float(t):
    """Integer and bool tensors become the default float dtype (as PyTorch's exp, log, ...)."""
    return t if t.dtype.is_floating_point else t.to(dtype=dtypes.default_float)


def sum_to(grad, shape):
    """Sum `grad` over the dimensions that broadcasting added or stretched to get `shape`."""
    shape = tuple(shape)
    if grad._data.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and grad.shape[lead + i] != 1)
    out = grad.sum(dim=axes, keepdim=False) if axes else grad
    return out.reshape(shape)


def keepdim_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))
