"""Elementwise math, predicate, logical and bitwise kernels, twins of the cpu backend's.

Five kernels, each with a runtime op code (uniform across the grid): float unary math, float
binary math, integer binary ops (division, remainder, bitwise, shifts), predicates on floats
(bool results) and logical ops (bool results). Integer and float code live in separate kernels
because bitwise operators do not type on floats. Operands may be strided views or Python
scalars (a scalar becomes a one-element array read with stride 0); outputs are C-contiguous.
Bool operands are read as uint8.
"""
import builtins

import numpy as np
from numba import cuda

from . import _math as m
from ._array import (broadcast_strides, buffer, coalesce, element_strides, empty,
                     numel, reinterpret)
from ._copy import copy, fill
from ._launch import launch_1d
from ._strided import offset, offsets2

_abs = builtins.abs

(SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH, ATANH, FLOOR, CEIL, TRUNC, ROUND,
 LOG2, LOG10, LOG1P, EXP2, EXPM1) = range(20)
ATAN2, HYPOT, COPYSIGN, FMOD, REMAINDER, FLOOR_DIVIDE, AND, OR, XOR, LSHIFT, RSHIFT = range(11)
ISINF, ISFINITE, ISPOSINF, ISNEGINF = range(4)


_INTEGRAL_FROM = 4503599627370496.0  # 2**52: every float64 (and float32) this large is integral


@cuda.jit(device=True)
def _to_float(r, x):
    """The integer `r` that floor/ceil (of _math) or int() returned, in x's type, with x's sign at 0
    (numpy's ceil(-0.5) is -0.0)."""
    out = x * 0 + r
    if out == 0:
        out = m.copysign(out, x)
    return out


@cuda.jit(device=True)
def _floor(x):
    # _math.floor gives an integer: only safe below 2**52, where floats can have fractions
    if not _abs(x) < _INTEGRAL_FROM:
        return x  # integral already, inf or nan
    return _to_float(m.floor(x), x)


@cuda.jit(device=True)
def _ceil(x):
    if not _abs(x) < _INTEGRAL_FROM:
        return x
    return _to_float(m.ceil(x), x)


@cuda.jit(device=True)
def _trunc(x):
    if not _abs(x) < _INTEGRAL_FROM:
        return x
    return _to_float(int(x), x)  # int() truncates (math.trunc is missing on numpy float32)


@cuda.jit(device=True)
def _round_half_even(x):
    if not _abs(x) < _INTEGRAL_FROM:
        return x
    r = _floor(x)
    d = x - r  # exact for floats
    if d > 0.5 or (d == 0.5 and m.fmod(r, 2.0) != 0):
        r += 1
    if r == 0:
        r = m.copysign(r, x)  # -0.4 rounds to -0.0, as numpy's rint
    return r


@cuda.jit(device=True)
def _float_unary(op, x, two):
    if op == SIN:
        return m.sin(x)
    if op == COS:
        return m.cos(x)
    if op == TAN:
        return m.tan(x)
    if op == ASIN:
        return m.asin(x)
    if op == ACOS:
        return m.acos(x)
    if op == ATAN:
        return m.atan(x)
    if op == SINH:
        return m.sinh(x)
    if op == COSH:
        return m.cosh(x)
    if op == ASINH:
        return m.asinh(x)
    if op == ACOSH:
        return m.acosh(x)
    if op == ATANH:
        return m.atanh(x)
    if op == FLOOR:
        return _floor(x)
    if op == CEIL:
        return _ceil(x)
    if op == TRUNC:
        return _trunc(x)
    if op == ROUND:
        return _round_half_even(x)
    if op == LOG2:
        return m.log2(x)
    if op == LOG10:
        return m.log10(x)
    if op == LOG1P:
        return m.log1p(x)
    if op == EXP2:
        return m.pow(two, x)
    return m.expm1(x)


@cuda.jit(cache=True)
def _float_unary_kernel(op, out, a, a_strides, shape, n, two):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = _float_unary(op, a[offset(i, shape, a_strides)], two)


@cuda.jit(device=True)
def _float_remainder(x, y):
    r = m.fmod(x, y)
    if r != 0:
        if (r < 0) != (y < 0):
            r += y
    else:
        r = m.copysign(r, y)
    return r


@cuda.jit(device=True)
def _float_floor_divide(x, y):
    """numpy's and PyTorch's floored quotient: from fmod, so that it agrees with remainder."""
    if y == 0:
        return x / y
    r = m.fmod(x, y)
    q = (x - r) / y
    if r != 0 and (y < 0) != (r < 0):
        q -= 1
    if q != 0:
        f = _floor(q)  # q is integral up to rounding: take the nearest integer
        if q - f > 0.5:
            f += 1
        return f
    return m.copysign(q * 0, x / y)


@cuda.jit(device=True)
def _float_binary(op, x, y):
    if op == ATAN2:
        return m.atan2(x, y)
    if op == HYPOT:
        return m.hypot(x, y)
    if op == COPYSIGN:
        return m.copysign(x, y)
    if op == FMOD:
        return m.fmod(x, y)
    if op == REMAINDER:
        return _float_remainder(x, y)
    return _float_floor_divide(x, y)


@cuda.jit(cache=True)
def _float_binary_kernel(op, out, a, a_strides, b, b_strides, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        ia, ib = offsets2(i, shape, a_strides, b_strides)
        out[i] = _float_binary(op, a[ia], b[ib])


@cuda.jit(device=True)
def _int_binary(op, x, y):
    """Integer ops; the op layer refuses a zero divisor before launch."""
    if op == FMOD:
        r = x % y  # floored (Python's rule); truncated division's remainder has x's sign
        if r != 0 and (r < 0) != (x < 0):
            r -= y
        return r
    if op == REMAINDER:
        return x % y
    if op == FLOOR_DIVIDE:
        return x // y
    if op == AND:
        return x & y
    if op == OR:
        return x | y
    if op == XOR:
        return x ^ y
    if op == LSHIFT:
        if y < 0 or y > 63:
            return x * 0
        return x << y
    if y < 0 or y > 63:  # RSHIFT: only the sign is left
        return x >> 63
    return x >> y


@cuda.jit(cache=True)
def _int_binary_kernel(op, out, a, a_strides, b, b_strides, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        ia, ib = offsets2(i, shape, a_strides, b_strides)
        out[i] = _int_binary(op, a[ia], b[ib])


@cuda.jit(device=True)
def _predicate(op, x):
    if op == ISINF:
        return m.isinf(x)
    if op == ISFINITE:
        return not (m.isinf(x) or x != x)
    if op == ISPOSINF:
        return m.isinf(x) and x > 0
    return m.isinf(x) and x < 0


@cuda.jit(cache=True)
def _predicate_kernel(op, out, a, a_strides, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = _predicate(op, a[offset(i, shape, a_strides)])


@cuda.jit(cache=True)
def _logical_kernel(op, out, a, a_strides, b, b_strides, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        ia, ib = offsets2(i, shape, a_strides, b_strides)
        x = a[ia] != 0
        y = b[ib] != 0
        if op == AND:
            out[i] = x and y
        elif op == OR:
            out[i] = x or y
        else:
            out[i] = x != y


# ---- host side --------------------------------------------------------------------------------

def _is_scalar(x):
    return isinstance(x, (bool, int, float, np.generic))


def _array(x, dtype):
    """A device array of `dtype`: a cast copy if needed; a scalar becomes a 0-d array."""
    if _is_scalar(x):
        one = empty((), dtype)
        fill(one, x)
        return one
    return x if x.dtype == dtype else copy(x, dtype)


def _readable(a):
    return reinterpret(a, np.uint8) if a.dtype == np.bool_ else a


def _common_dtype(a, b):
    arrays = [x.dtype for x in (a, b) if not _is_scalar(x)]
    if not arrays:
        raise TypeError("an elementwise kernel needs at least one device array operand")
    return np.result_type(*arrays) if len(arrays) == 2 else arrays[0]


def _launch_binary(kernel, op, a, b, dtype, out_dtype):
    x, y = _readable(_array(a, dtype)), _readable(_array(b, dtype))
    out = empty(np.broadcast_shapes(x.shape, y.shape), out_dtype)
    n = numel(out.shape)
    if n:
        shape, (sx, sy) = coalesce(out.shape,
                                   broadcast_strides(x.shape, element_strides(x), out.shape),
                                   broadcast_strides(y.shape, element_strides(y), out.shape))
        target = _readable(out)
        launch_1d(kernel, n, op, buffer(target), buffer(x), sx, buffer(y), sy, shape, n)
    return out


def _launch_unary(kernel, op, a, out_dtype, *extra):
    out = empty(a.shape, out_dtype)
    n = numel(out.shape)
    if n:
        shape, (strides,) = coalesce(a.shape, element_strides(a))
        launch_1d(kernel, n, op, buffer(out), buffer(a), strides, shape, n, *extra)
    return out


def _float_math(op, a):
    return _launch_unary(_float_unary_kernel, op, a, a.dtype, a.dtype.type(2))


def sin(a): return _float_math(SIN, a)
def cos(a): return _float_math(COS, a)
def tan(a): return _float_math(TAN, a)
def asin(a): return _float_math(ASIN, a)
def acos(a): return _float_math(ACOS, a)
def atan(a): return _float_math(ATAN, a)
def sinh(a): return _float_math(SINH, a)
def cosh(a): return _float_math(COSH, a)
def asinh(a): return _float_math(ASINH, a)
def acosh(a): return _float_math(ACOSH, a)
def atanh(a): return _float_math(ATANH, a)
def floor(a): return _float_math(FLOOR, a)
def ceil(a): return _float_math(CEIL, a)
def trunc(a): return _float_math(TRUNC, a)
def round_half_even(a): return _float_math(ROUND, a)
def log2(a): return _float_math(LOG2, a)
def log10(a): return _float_math(LOG10, a)
def log1p(a): return _float_math(LOG1P, a)
def exp2(a): return _float_math(EXP2, a)
def expm1(a): return _float_math(EXPM1, a)


def _binary(op, a, b):
    dtype = _common_dtype(a, b)
    kernel = _float_binary_kernel if dtype.kind == "f" else _int_binary_kernel
    return _launch_binary(kernel, op, a, b, dtype, dtype)


def atan2(a, b): return _binary(ATAN2, a, b)
def hypot(a, b): return _binary(HYPOT, a, b)
def copysign(a, b): return _binary(COPYSIGN, a, b)
def fmod(a, b): return _binary(FMOD, a, b)
def remainder(a, b): return _binary(REMAINDER, a, b)
def floor_divide(a, b): return _binary(FLOOR_DIVIDE, a, b)
def bitwise_and(a, b): return _binary(AND, a, b)
def bitwise_or(a, b): return _binary(OR, a, b)
def bitwise_xor(a, b): return _binary(XOR, a, b)
def left_shift(a, b): return _binary(LSHIFT, a, b)
def right_shift(a, b): return _binary(RSHIFT, a, b)


def _predicate_of(op, a):
    return _launch_unary(_predicate_kernel, op, _readable(a), np.bool_)


def isinf(a): return _predicate_of(ISINF, a)
def isfinite(a): return _predicate_of(ISFINITE, a)
def isposinf(a): return _predicate_of(ISPOSINF, a)
def isneginf(a): return _predicate_of(ISNEGINF, a)


def _logical(op, a, b):
    return _launch_binary(_logical_kernel, op, a, b, _common_dtype(a, b), np.bool_)


def logical_and(a, b): return _logical(AND, a, b)
def logical_or(a, b): return _logical(OR, a, b)
def logical_xor(a, b): return _logical(XOR, a, b)
