"""Elementwise kernels with numpy broadcasting and dtype rules. Either operand of a binary op may
be a Python scalar.

Three kernels serve every op (the op is a runtime code: the branch is uniform across the grid,
and one compiled kernel per dtype and rank replaces one per op): binary array-array, binary
array-scalar, and unary (with up to two parameters). Operands may be any strided views; the
output is a new C-contiguous array. Bool operands are read as uint8 (numba's arithmetic on
booleans is not closed under every op the kernels contain).

Constants that enter arithmetic are passed in typed as the data: a bare float literal would make
float32 kernels compute in float64.
"""
import builtins

import numpy as np
from numba import cuda

from . import _math as m
from ._array import (broadcast_strides, buffer, coalesce, contiguous_strides, element_strides,
                     empty, numel, reinterpret, remember_plan)
from ._copy import copy, fill
from ._launch import launch_1d
from ._strided import offset, offsets2, offsets3

# binary op codes; the comparisons (EQ and after) give bool results
ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE = range(13)
# unary op codes
NEG, ABS, SIGN, RELU, EXP, LOG, SQRT, TANH, SIGMOID, ERF, ELU, SOFTPLUS, CLAMPED_LOG = range(13)

_abs = builtins.abs  # this module's `abs` is the kernel wrapper below

_FLOAT_OPS = {EXP, LOG, SQRT, TANH, SIGMOID, ERF, ELU, SOFTPLUS, CLAMPED_LOG}


@cuda.jit(device=True)
def _store_binary(op, out, i, x, y):
    """out[i] = op(x, y). Each branch stores its own result, so an int64 sum is never rounded
    through the float64 that a common return type of all branches would be."""
    if op == ADD:
        out[i] = x + y
    elif op == SUB:
        out[i] = x - y
    elif op == MUL:
        out[i] = x * y
    elif op == DIV:
        out[i] = x / y
    elif op == POW:
        out[i] = x ** y
    elif op == MAXIMUM:  # a NaN on either side wins, as numpy's maximum
        if x >= y or x != x:
            out[i] = x
        else:
            out[i] = y
    elif op == MINIMUM:
        if x <= y or x != x:
            out[i] = x
        else:
            out[i] = y
    elif op == EQ:
        out[i] = x == y
    elif op == NE:
        out[i] = x != y
    elif op == LT:
        out[i] = x < y
    elif op == LE:
        out[i] = x <= y
    elif op == GT:
        out[i] = x > y
    else:
        out[i] = x >= y


@cuda.jit(cache=True)
def _binary_kernel(op, out, a, a_strides, b, b_strides, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        ia, ib = offsets2(i, shape, a_strides, b_strides)
        _store_binary(op, out, i, a[ia], b[ib])


@cuda.jit(cache=True)
def _binary_scalar_kernel(op, out, a, a_strides, scalar, scalar_first, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        x = a[offset(i, shape, a_strides)]
        if scalar_first:
            _store_binary(op, out, i, scalar, x)
        else:
            _store_binary(op, out, i, x, scalar)


@cuda.jit(device=True)
def _store_unary(op, out, i, x, p0, p1):
    """out[i] = op(x); p0 and p1 are the op's parameters (typed as x)."""
    if op == NEG:
        out[i] = -x
    elif op == ABS:
        out[i] = _abs(x)
    elif op == SIGN:  # 0 and NaN give 0, as PyTorch's sign
        if x > 0:
            out[i] = 1
        elif x < 0:
            out[i] = -1
        else:
            out[i] = 0
    elif op == RELU:
        if x > 0 or x != x:
            out[i] = x
        else:
            out[i] = 0
    elif op == EXP:
        out[i] = m.exp(x)
    elif op == LOG:
        out[i] = m.log(x)
    elif op == SQRT:
        out[i] = m.sqrt(x)
    elif op == TANH:
        out[i] = m.tanh(x)
    elif op == SIGMOID:  # p0 = 1; exp(-|x|) never overflows
        e = m.exp(-_abs(x))
        if x >= 0:
            out[i] = p0 / (p0 + e)
        else:
            out[i] = e / (p0 + e)
    elif op == ERF:
        out[i] = m.erf(x)
    elif op == ELU:  # p0 = alpha
        if x > 0:
            out[i] = x
        else:
            out[i] = p0 * m.expm1(x)
    elif op == SOFTPLUS:  # p0 = beta, p1 = threshold
        z = x * p0
        if z > p1:
            out[i] = x
        elif z > 0:
            out[i] = (z + m.log1p(m.exp(-z))) / p0
        else:
            out[i] = m.log1p(m.exp(z)) / p0
    else:  # CLAMPED_LOG, p0 = floor
        v = m.log(x)
        if v < p0:
            out[i] = p0
        else:
            out[i] = v


@cuda.jit(cache=True)
def _unary_kernel(op, out, a, a_strides, shape, n, p0, p1):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        _store_unary(op, out, i, a[offset(i, shape, a_strides)], p0, p1)


@cuda.jit(cache=True)
def _where_kernel(out, cond, c_strides, a, a_strides, b, b_strides, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        ic, ia, ib = offsets3(i, shape, c_strides, a_strides, b_strides)
        if cond[ic]:
            out[i] = a[ia]
        else:
            out[i] = b[ib]


# ---- host side --------------------------------------------------------------------------------

def is_scalar(x):
    return isinstance(x, (bool, int, float, np.generic))


def _cast(a, dtype):
    return a if a.dtype == dtype else copy(a, dtype)


def _readable(a):
    """Bool arrays are read as uint8 by the kernels."""
    return reinterpret(a, np.uint8) if a.dtype == np.bool_ else a


def _scalar_for(value, dtype):
    return (np.dtype(np.uint8) if dtype == np.bool_ else dtype).type(value)


def _result_dtype(op, dtype):
    """The dtype an op computes in: true division of integers gives float64, as numpy."""
    return np.dtype(np.float64) if op == DIV and dtype.kind != "f" else dtype


_binary_plans = {}


def _binary_plan(op, a, b):
    """(computing dtype, output dtype, output shape, coalesced shape, strides of a, strides of
    b) for op(a, b): a function of the operands' dtypes, shapes and strides, so remembered."""
    key = (op, a.dtype, a.shape, element_strides(a), b.dtype, b.shape, element_strides(b))
    plan = _binary_plans.get(key)
    if plan is None:
        dtype = _result_dtype(op, np.result_type(a.dtype, b.dtype))
        out_shape = tuple(np.broadcast_shapes(a.shape, b.shape))
        # an operand cast to the computing dtype is a new C-contiguous copy
        sa = element_strides(a) if a.dtype == dtype else contiguous_strides(a.shape)
        sb = element_strides(b) if b.dtype == dtype else contiguous_strides(b.shape)
        shape, (sx, sy) = coalesce(out_shape, broadcast_strides(a.shape, sa, out_shape),
                                   broadcast_strides(b.shape, sb, out_shape))
        out_dtype = np.dtype(np.bool_) if op >= EQ else dtype
        plan = remember_plan(_binary_plans, key, (dtype, out_dtype, out_shape, shape, sx, sy))
    return plan


def binary(op, a, b):
    """op(a, b) with numpy's broadcasting and type promotion; either operand may be a Python
    scalar, which is weak (it does not widen the array's dtype within its kind)."""
    if is_scalar(b):
        return _binary_scalar(op, a, b, scalar_first=False)
    if is_scalar(a):
        return _binary_scalar(op, b, a, scalar_first=True)
    dtype, out_dtype, out_shape, shape, sx, sy = _binary_plan(op, a, b)
    out = empty(out_shape, out_dtype)
    n = numel(out_shape)
    x, y = _readable(_cast(a, dtype)), _readable(_cast(b, dtype))
    launch_1d(_binary_kernel, n, op, buffer(out), buffer(x), sx, buffer(y), sy, shape, n)
    return out


def _binary_scalar(op, array, scalar, scalar_first):
    if is_scalar(array):
        raise TypeError("an elementwise kernel needs at least one device array operand")
    dtype, out_dtype, shape, strides = _binary_scalar_plan(op, array, scalar)
    out = empty(array.shape, out_dtype)
    n = numel(array.shape)
    x = _readable(_cast(array, dtype))
    launch_1d(_binary_scalar_kernel, n, op, buffer(out), buffer(x), strides,
              _scalar_for(scalar, dtype), scalar_first, shape, n)
    return out


_binary_scalar_plans = {}


def _binary_scalar_plan(op, array, scalar):
    """(computing dtype, output dtype, coalesced shape, strides) for op(array, scalar). numpy's
    promotion with a scalar depends on its type, not its value (NEP 50), so this is remembered
    by the scalar's type."""
    key = (op, array.dtype, type(scalar), array.shape, element_strides(array))
    plan = _binary_scalar_plans.get(key)
    if plan is None:
        dtype = _result_dtype(op, np.result_type(array.dtype, scalar))
        strides = element_strides(array) if array.dtype == dtype else \
            contiguous_strides(array.shape)  # a cast operand is a new C-contiguous copy
        shape, (strides,) = coalesce(array.shape, strides)
        plan = remember_plan(_binary_scalar_plans, key, (
            dtype, np.dtype(np.bool_) if op >= EQ else dtype, shape, strides))
    return plan


def unary(op, a, p0=0, p1=0):
    """op(a) for the unary op codes; float ops turn integer input into float64, as numpy."""
    if a.dtype == np.bool_:
        raise TypeError("this elementwise op is not defined for bool arrays")
    if op in _FLOAT_OPS and a.dtype.kind != "f":
        a = copy(a, np.float64)
    out = empty(a.shape, a.dtype)
    n = numel(out.shape)
    shape, (strides,) = coalesce(a.shape, element_strides(a))
    launch_1d(_unary_kernel, n, op, buffer(out), buffer(a), strides, shape, n,
              *_typed_params(a.dtype, p0, p1))
    return out


_params = {}


def _typed_params(dtype, p0, p1):
    """(p0, p1) as scalars of `dtype` (remembered: building numpy scalars is slow)."""
    key = (dtype, p0, p1)
    try:
        return _params[key]
    except KeyError:
        typed = (dtype.type(p0), dtype.type(p1))
        if p0 == p0 and p1 == p1:  # a NaN key would never be found again
            remember_plan(_params, key, typed)
        return typed


def _operand_array(x, dtype):
    """A device array of `dtype` for a where() operand (a scalar becomes one element, read
    with stride 0)."""
    if is_scalar(x):
        one = empty((), dtype)
        fill(one, x)
        return one
    return _cast(x, dtype)


def add(a, b): return binary(ADD, a, b)
def sub(a, b): return binary(SUB, a, b)
def mul(a, b): return binary(MUL, a, b)
def div(a, b): return binary(DIV, a, b)
def pow(a, b): return binary(POW, a, b)
def maximum(a, b): return binary(MAXIMUM, a, b)
def minimum(a, b): return binary(MINIMUM, a, b)
def eq(a, b): return binary(EQ, a, b)
def ne(a, b): return binary(NE, a, b)
def lt(a, b): return binary(LT, a, b)
def le(a, b): return binary(LE, a, b)
def gt(a, b): return binary(GT, a, b)
def ge(a, b): return binary(GE, a, b)


def logical_not(a):
    return binary(EQ, a, False if a.dtype == np.bool_ else 0)


def neg(a): return unary(NEG, a)
def abs(a): return unary(ABS, a)
def sign(a): return unary(SIGN, a)
def relu(a): return unary(RELU, a)
def exp(a): return unary(EXP, a)
def log(a): return unary(LOG, a)
def sqrt(a): return unary(SQRT, a)
def tanh(a): return unary(TANH, a)


def sigmoid(a):
    """1 / (1 + exp(-a)), computed without overflow for large |a|."""
    return unary(SIGMOID, a, 1)


def where(condition, a, b):
    """`a` where `condition`, else `b`, all three broadcast together; the result takes the dtype
    of the first array among a and b (as the cpu backend)."""
    arrays = [x for x in (a, b) if not is_scalar(x)]
    dtype = arrays[0].dtype if arrays else np.result_type(a, b)
    cond = condition if condition.dtype == np.bool_ else copy(condition, np.bool_)
    x, y = _operand_array(a, dtype), _operand_array(b, dtype)
    out = empty(np.broadcast_shapes(cond.shape, x.shape, y.shape), dtype)
    n = numel(out.shape)
    strides = [broadcast_strides(t.shape, element_strides(t), out.shape) for t in (cond, x, y)]
    shape, (sc, sx, sy) = coalesce(out.shape, *strides)
    launch_1d(_where_kernel, n, buffer(out), buffer(cond), sc, buffer(x), sx, buffer(y), sy,
              shape, n)
    return out
