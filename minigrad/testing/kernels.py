"""Naive references for the backend kernels of `minigrad.backend.contract`, on numpy arrays.

Each follows the contract's definition directly, element by element where numpy has no single
obvious call, so that tests check every backend's kernels (cpu and cuda alike) against these
instead of against each other. Results have the dtype the contract gives: that of the array
operand (bool for comparisons).
"""
import math

import numpy as np


def _dtype_of(*operands):
    """The dtype of the array operands (a Python scalar takes the array's kind)."""
    return next(x.dtype for x in operands if isinstance(x, np.ndarray))


def _elementwise(fn, *operands):
    """fn applied element by element, to Python numbers (float64, int, bool), over the
    broadcast operands: an object array of the results."""
    arrays = np.broadcast_arrays(*(np.asarray(x) for x in operands))
    out = np.empty(arrays[0].shape, dtype=object)
    for index in np.ndindex(*out.shape):
        out[index] = fn(*(a[index].item() for a in arrays))
    return out


def _as(values, dtype):
    """Python results stored in `dtype`: floats rounded once from float64 (exact for + - * /
    in float32 too), integers wrapped to 64 bits as the hardware wraps them."""
    dtype = np.dtype(dtype)
    if dtype.kind == "i":
        values = _wrap_int64(values)
    with np.errstate(all="ignore"):
        return values.astype(dtype)


def _wrap_int64(values):
    flat = values.reshape(-1)
    for k, v in enumerate(flat):
        if isinstance(v, int) and not isinstance(v, bool):
            flat[k] = (v + 2 ** 63) % 2 ** 64 - 2 ** 63
    return values


def _floating(fn, *operands):
    """fn over float64 values, stored in the operands' float dtype (float64 for integers)."""
    dtype = _dtype_of(*operands)
    return _as(_elementwise(lambda *v: fn(*(float(x) for x in v)), *operands),
               dtype if dtype.kind == "f" else np.float64)


def _promoted(a, b):
    """numpy's promotion of two operands (a Python scalar adapts to the array's kind), and the
    operands converted to it (so that 0.1 next to float32 is float32's 0.1, as in numpy)."""
    dtype = np.result_type(a, b)
    return dtype, np.asarray(a).astype(dtype), np.asarray(b).astype(dtype)


def _is_nan(v):
    return v != v


def _ieee_div(x, y):
    if y == 0:
        if x == 0 or _is_nan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _ieee_pow(x, y):
    """x ** y with C's pow special cases where Python's math.pow raises instead: 0 to a
    negative power is an infinity, a negative base to a fractional power NaN, overflow an
    infinity."""
    odd_integer = float(y).is_integer() and math.fmod(y, 2) != 0
    try:
        return math.pow(x, y)
    except ValueError:
        if x == 0:
            return math.copysign(math.inf, x) if odd_integer else math.inf
        return math.nan
    except OverflowError:
        return -math.inf if x < 0 and odd_integer else math.inf


def _ieee_exp(v):
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _ieee_log(v):
    if v > 0:
        return math.log(v)
    return -math.inf if v == 0 else math.nan


# ---- elementwise: one Python expression per element, stored in numpy's promoted dtype -----------

def _arithmetic(fn, a, b):
    dtype, a, b = _promoted(a, b)
    if dtype.kind == "f":
        return _as(_elementwise(lambda x, y: fn(float(x), float(y)), a, b), dtype)
    return _as(_elementwise(fn, a, b), dtype)


def add(a, b):
    return _arithmetic(lambda x, y: x + y, a, b)


def sub(a, b):
    return _arithmetic(lambda x, y: x - y, a, b)


def mul(a, b):
    return _arithmetic(lambda x, y: x * y, a, b)


def div(a, b):
    """True division: float results, float64 unless an operand is float32 (numpy's rule)."""
    dtype, a, b = _promoted(a, b)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    return _as(_elementwise(lambda x, y: _ieee_div(float(x), float(y)), a, b), dtype)


def pow(a, b):
    dtype, a, b = _promoted(a, b)
    if dtype.kind == "f":
        return _as(_elementwise(lambda x, y: _ieee_pow(float(x), float(y)), a, b), dtype)
    return _as(_elementwise(lambda x, y: x ** y, a, b), dtype)


def maximum(a, b):
    """The larger operand; NaN if either is NaN."""
    return _arithmetic(lambda x, y: x + y if _is_nan(x) or _is_nan(y) else (x if x >= y else y),
                       a, b)


def minimum(a, b):
    return _arithmetic(lambda x, y: x + y if _is_nan(x) or _is_nan(y) else (x if x <= y else y),
                       a, b)


def _comparison(fn, a, b):
    _, a, b = _promoted(a, b)
    return _elementwise(fn, a, b).astype(np.bool_)


def eq(a, b):
    return _comparison(lambda x, y: x == y, a, b)


def ne(a, b):
    return _comparison(lambda x, y: x != y, a, b)


def lt(a, b):
    return _comparison(lambda x, y: x < y, a, b)


def le(a, b):
    return _comparison(lambda x, y: x <= y, a, b)


def gt(a, b):
    return _comparison(lambda x, y: x > y, a, b)


def ge(a, b):
    return _comparison(lambda x, y: x >= y, a, b)


def logical_not(a):
    return _elementwise(lambda x: not x, a).astype(np.bool_)


def _same_dtype(fn, a):
    return _as(_elementwise(fn, a), a.dtype)


def neg(a):
    return _same_dtype(lambda x: -x, a)


def abs(a):
    return _same_dtype(lambda x: -x if x < 0 else x + 0, a)


def sign(a):
    """-1, 0 or 1; NaN gives 0 (PyTorch's sign)."""
    return _same_dtype(lambda x: (x > 0) - (x < 0), a)


def relu(a):
    """a where a > 0 (and NaN, which propagates), else 0."""
    return _same_dtype(lambda x: x if x > 0 or _is_nan(x) else type(x)(0), a)


def exp(a):
    return _floating(_ieee_exp, a)


def log(a):
    return _floating(_ieee_log, a)


def sqrt(a):
    return _floating(lambda v: math.sqrt(v) if v >= 0 or v != v else math.nan, a)


def tanh(a):
    return _floating(math.tanh, a)


def sigmoid(a):
    def one(v):
        if math.isnan(v) or v > -700:
            return 1.0 / (1.0 + math.exp(-v))
        return 0.0  # exp(-v) would overflow; the limit
    return _floating(one, a)


def erf(a):
    return _floating(math.erf, a)


def elu(a, alpha):
    return _floating(lambda v: v if v > 0 else alpha * math.expm1(v), a)


def softplus(a, beta, threshold):
    def one(v):
        z = v * beta
        return v if z > threshold else math.log1p(math.exp(z)) / beta if z < 700 else v
    return _floating(one, a)


def clamped_log(a, floor):
    return _floating(lambda v: max(math.log(v), floor) if v > 0 else floor, a)


def where(condition, a, b):
    """a where condition holds, else b, in the dtype of the array operand(s)."""
    return _as(_elementwise(lambda c, x, y: x if c else y, condition, a, b), _dtype_of(a, b))


# ---- reductions ----------------------------------------------------------------------------------

def sum(a, axes, keepdims):
    return np.sum(a, axis=axes, keepdims=keepdims, dtype=a.dtype if a.dtype.kind == "f" else None)


def amax(a, axes, keepdims):
    return np.amax(a, axis=axes, keepdims=keepdims)


def amin(a, axes, keepdims):
    return np.amin(a, axis=axes, keepdims=keepdims)


def argmax(a, axis, keepdims):
    return np.argmax(a, axis=axis, keepdims=keepdims).astype(np.int64)


def argmin(a, axis, keepdims):
    return np.argmin(a, axis=axis, keepdims=keepdims).astype(np.int64)


# ---- creation, shape and indexing ----------------------------------------------------------------

def full(shape, dtype, value):
    return np.full(shape, value, dtype=dtype)


def arange(start, stop, step, dtype):
    return np.arange(start, stop, step).astype(dtype)


def astype(a, dtype):
    return a.astype(dtype)


def copy_into(dst, src):
    dst[...] = src


def reshape(a, shape):
    return np.reshape(a, shape)


def permute(a, axes):
    return np.transpose(a, axes)


def getitem(a, index):
    return np.asarray(a[index])


def setitem(a, index, value):
    a[index] = value


def index_add(shape, index, values):
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, index, values)
    return out


def concatenate(arrays, axis):
    return np.concatenate(arrays, axis=axis)


def pad(a, pad_width, value):
    out = np.full(tuple(s + lo + hi for s, (lo, hi) in zip(a.shape, pad_width)), value, a.dtype)
    out[tuple(slice(lo, lo + s) for s, (lo, _) in zip(a.shape, pad_width))] = a
    return out


# ---- linear algebra ------------------------------------------------------------------------------

def linear_forward(x, weight, bias):
    """x @ weight.T + bias, each output a sum of products in float64."""
    out = np.einsum("ni,oi->no", x.astype(np.float64), weight.astype(np.float64))
    if bias is not None:
        out = out + bias.astype(np.float64)
    return out.astype(x.dtype)


def linear_relu_forward(x, weight, bias):
    """relu(x @ weight.T + bias), rounded to x's dtype before the relu, as the unfused ops."""
    return relu(linear_forward(x, weight, bias))
