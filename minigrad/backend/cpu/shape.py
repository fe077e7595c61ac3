"""Shape kernels: views where numpy can give them, copies otherwise."""
import numpy as np


def reshape(a, shape):
    return np.reshape(a, shape)


def permute(a, axes):
    return np.transpose(a, axes)


def broadcast_to(a, shape):
    return np.broadcast_to(a, shape)


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
