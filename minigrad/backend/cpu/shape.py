"""Shape kernels: views where numpy can give them, copies otherwise."""
import numpy as np


def reshape(a, shape):
    return np.reshape(a, shape)


def permute(a, axes):
    return np.transpose(a, axes)


def broadcast_to(a, shape):
    return np.broadcast_to(a, shape)


def _memory_start(a):
    """The address where the memory `a` views begins: its owning array's, or the buffer's that
    numpy collapsed a chain of views onto (as_strided views hold their array one step down)."""
    base = a.base
    if isinstance(base, np.ndarray):
        return _memory_start(base)
    inner = getattr(base, "base", None)
    if isinstance(inner, np.ndarray):
        return _memory_start(inner)
    interface = getattr(base, "__array_interface__", None)
    if isinstance(interface, dict):
        return interface["data"][0]
    return a.__array_interface__["data"][0]


def storage_offset(a):
    """Elements of a's dtype between the start of the memory `a` views and its element 0."""
    if a.size == 0:
        return 0
    return (a.__array_interface__["data"][0] - _memory_start(a)) // a.dtype.itemsize


def view_dtype(a, dtype):
    """a's memory read as `dtype`; a different element size rescales the last dim (the caller
    checked PyTorch's conditions: last stride 1, sizes and strides divisible)."""
    dtype = np.dtype(dtype)
    if a.size == 0 and a.ndim and a.dtype.itemsize != dtype.itemsize:
        shape = a.shape[:-1] + (a.shape[-1] * a.dtype.itemsize // dtype.itemsize,)
        return np.empty(shape, dtype)  # nothing to share; numpy refuses some empty layouts
    return a.view(dtype)


def getitem(a, index):
    out = a[index]
    return out if isinstance(out, np.ndarray) else np.asarray(out)


def _is_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (np.ndarray, list)) for i in items)


def index_add(shape, index, values):
    """zeros(shape) with `values` added at `index`; repeated indices accumulate."""
    out = np.zeros(shape, dtype=values.dtype)
    if _is_advanced(index):
        np.add.at(out, index, values)
    else:
        out[index] += values
    return out


def concatenate(arrays, axis):
    return np.concatenate(arrays, axis=axis)


def pad(a, pad_width, value):
    """Constant padding; `pad_width` is ((before, after), ...) per axis, all >= 0."""
    return np.pad(a, pad_width, mode="constant", constant_values=value)


def is_contiguous(a):
    return a.flags.c_contiguous
