"""Elementwise math, predicate, logical and bitwise kernels (numpy ufuncs).

Operands of the binary kernels are arrays of one dtype or Python scalars of the same kind (the
op layer coerces them); integer division by zero is refused above this layer.
"""
import numpy as np

from ._quiet import quiet_module_kernels


def sin(a): return np.sin(a)
def cos(a): return np.cos(a)
def tan(a): return np.tan(a)
def asin(a): return np.arcsin(a)
def acos(a): return np.arccos(a)
def atan(a): return np.arctan(a)
def sinh(a): return np.sinh(a)
def cosh(a): return np.cosh(a)
def asinh(a): return np.arcsinh(a)
def acosh(a): return np.arccosh(a)
def atanh(a): return np.arctanh(a)
def floor(a): return np.floor(a)
def ceil(a): return np.ceil(a)
def trunc(a): return np.trunc(a)
def log2(a): return np.log2(a)
def log10(a): return np.log10(a)
def log1p(a): return np.log1p(a)
def exp2(a): return np.exp2(a)
def expm1(a): return np.expm1(a)
def isinf(a): return np.isinf(a)
def isfinite(a): return np.isfinite(a)
def isposinf(a): return np.isposinf(a)
def isneginf(a): return np.isneginf(a)
def atan2(a, b): return np.arctan2(a, b)
def hypot(a, b): return np.hypot(a, b)
def copysign(a, b): return np.copysign(a, b)
def logical_and(a, b): return np.logical_and(a, b)
def logical_or(a, b): return np.logical_or(a, b)
def logical_xor(a, b): return np.logical_xor(a, b)
def bitwise_and(a, b): return np.bitwise_and(a, b)
def bitwise_or(a, b): return np.bitwise_or(a, b)
def bitwise_xor(a, b): return np.bitwise_xor(a, b)


def round_half_even(a):
    """Round to the nearest integer, ties to even (as PyTorch and numpy)."""
    return np.rint(a)


def fmod(a, b):
    """The remainder of truncated division (sign of `a`)."""
    return np.fmod(a, b)


def remainder(a, b):
    """The remainder of floored division (sign of `b`)."""
    return np.remainder(a, b)


def floor_divide(a, b):
    """Floored division; for floats the quotient numpy and PyTorch both compute from fmod."""
    return np.floor_divide(a, b)


def left_shift(a, b):
    """a << b for int64; shifts outside [0, 64) give 0, as PyTorch."""
    shift = np.asarray(b, dtype=np.int64)
    out = np.left_shift(a, np.clip(shift, 0, 63))
    return np.where((shift < 0) | (shift > 63), 0, out).astype(np.result_type(a, b), copy=False)


def right_shift(a, b):
    """a >> b for int64 (arithmetic); shifts outside [0, 64) give the sign (0 or -1)."""
    shift = np.asarray(b, dtype=np.int64)
    outside = (shift < 0) | (shift > 63)
    return np.right_shift(a, np.where(outside, 63, shift)).astype(np.result_type(a, b),
                                                                   copy=False)


# inf/nan are results here, as in PyTorch: no numpy RuntimeWarning from any kernel above.
quiet_module_kernels(globals())
