"""Array creation, copies and host transfer on the CPU (storage is a numpy array)."""
import numpy as np

from ..reduced import bfloat16_bits, bfloat16_values
from ._quiet import quiet


@quiet
def from_numpy(array, dtype):
    """A new C-contiguous backend array holding `array` converted to `dtype` (a numpy dtype)."""
    return np.array(array, dtype=dtype, copy=True, order="C")


def to_numpy(a):
    """A C-contiguous host copy of `a` (callers may flatten it in place)."""
    return np.array(a, copy=True, order="C")


def full(shape, dtype, value):
    """A new array of `shape` and `dtype` with every element `value`."""
    return np.full(shape, value, dtype=dtype)


def arange(start, stop, step, dtype):
    return np.arange(start, stop, step, dtype=dtype)


@quiet
def astype(a, dtype):
    """`a` converted to `dtype`; out-of-range floats give what C casts give (as PyTorch)."""
    return a.astype(dtype)


def bfloat16_from_float32(a):
    """float32 `a` -> a new uint16 array of bfloat16 bit patterns (round to nearest even)."""
    return bfloat16_bits(a)


def float32_from_bfloat16(a):
    """uint16 bfloat16 bit patterns `a` -> a new float32 array of their values."""
    return bfloat16_values(a)


def copy(a):
    """A C-contiguous copy (what `contiguous()` relies on)."""
    return np.array(a, copy=True, order="C")


@quiet
def copy_into(dst, src):
    """Write `src` (broadcast to dst's shape, cast to dst's dtype) into `dst` in place."""
    np.copyto(dst, src, casting="unsafe")


def setitem(a, index, value):
    """`a[index] = value` in place."""
    a[index] = value
