"""Array creation, copies and host transfer on the cuda device (storage: DeviceNDArray).

`from_numpy` and `to_numpy` are the only host<->device copies of tensor data; each is counted
(see `minigrad.cuda.transfer_count`).
"""
import math

import numpy as np
from numba import cuda

from . import _copy
from ._array import buffer, empty
from ._device import count_transfer
from ._index import errors, setitem as _setitem
from ._launch import launch_1d


@cuda.jit(cache=True)
def _arange_kernel(out, start, step, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = start + i * step


def from_numpy(array, dtype):
    """A new C-contiguous device array holding `array` converted to `dtype` (a numpy dtype)."""
    host = np.asarray(array, dtype=dtype, order="C")  # ascontiguousarray would make 0-d 1-d
    if host.size == 0:
        return empty(host.shape, host.dtype)
    count_transfer()
    return cuda.to_device(host)


def to_numpy(a):
    """A C-contiguous host copy of `a` (callers may flatten it in place).

    A synchronisation point: an out-of-range device index met by an earlier indexing kernel is
    raised here as IndexError.
    """
    errors.raise_pending()
    return _copy.to_host(a)


def full(shape, dtype, value):
    """A new array of `shape` and `dtype` with every element `value`."""
    out = empty(shape, dtype)
    _copy.fill(out, value)
    return out


def arange(start, stop, step, dtype):
    """Values start, start + step, ... below stop (above it for a negative step), as numpy's
    arange: computed in int64 when all three are integers, else in float64, then cast."""
    if all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
        n, start, step = len(range(start, stop, step)), np.int64(start), np.int64(step)
    else:
        n = max(0, math.ceil((stop - start) / step))
        start, step = np.float64(start), np.float64(step)
    out = empty((n,), dtype)
    launch_1d(_arange_kernel, n, buffer(out), start, step, n)
    return out


def astype(a, dtype):
    """`a` converted to `dtype`. A narrowing integer conversion keeps each element's low bytes
    (two's complement wrap-around, as a C cast) by reading them in place rather than by the
    store's conversion, which the simulator refuses for values out of range."""
    dtype = np.dtype(dtype)
    if a.dtype.kind in "iu" and dtype.kind in "iu" and dtype.itemsize < a.dtype.itemsize \
            and a.size:
        ratio = a.dtype.itemsize // dtype.itemsize
        words = _copy.copy(a).reshape(a.size).view(dtype)  # little-endian: low bytes first
        return _copy.copy(words[::ratio], dtype).reshape(a.shape)
    return _copy.copy(a, dtype)


@cuda.jit(cache=True)
def _bfloat16_kernel(out, bits, n):
    """out[i] = the bfloat16 pattern of the float32 whose bits are bits[i] (uint32)."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        u = bits[i]
        if (u & 0x7FFFFFFF) > 0x7F800000:
            out[i] = 0x7FC0  # every NaN becomes the quiet NaN, as PyTorch's conversion
        else:
            out[i] = (u + 0x7FFF + ((u >> 16) & 1)) >> 16  # round to nearest even


@cuda.jit(cache=True)
def _widen_bfloat16_kernel(out, bits, n):
    """out[i] (uint32) = bits[i] << 16: the float32 bits of a bfloat16 pattern."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = bits[i]
        out[i] = out[i] << 16  # shifted in the uint32 slot: a uint16 would lose the bits


def bfloat16_from_float32(a):
    """float32 `a` -> a new uint16 array of bfloat16 bit patterns (round to nearest even)."""
    out = empty(a.shape, np.uint16)
    if a.size:
        words = _copy.copy(a, np.float32).reshape(a.size).view(np.uint32)
        launch_1d(_bfloat16_kernel, a.size, out.reshape(a.size), words, a.size)
    return out


def float32_from_bfloat16(a):
    """uint16 bfloat16 bit patterns `a` -> a new float32 array of their values."""
    words = empty((a.size,), np.uint32)
    if a.size:
        launch_1d(_widen_bfloat16_kernel, a.size, words, _copy.copy(a).reshape(a.size),
                  a.size)
    return words.view(np.float32).reshape(a.shape)


def copy(a):
    """A C-contiguous copy (what `contiguous()` relies on)."""
    return _copy.copy(a)


def copy_into(dst, src):
    """Write `src` (an array broadcast to dst's shape, or a scalar; cast to dst's dtype) into
    `dst` in place."""
    if getattr(src, "__cuda_ndarray__", False):
        _copy.copy_into(dst, src)
    else:
        _copy.fill(dst, src)


def setitem(a, index, value):
    """`a[index] = value` in place (see `_index.setitem`)."""
    _setitem(a, index, value)
