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
    """fn applied element by element (in float64 / Python numbers) over broadcast operands."""
    arrays = np.broadcast_arrays(*(np.asarray(x) for x in operands))
    out = np.empty(arrays[0].shape, dtype=object)
    for index in np.ndindex(*out.shape):
        out[index] = fn(*(a[index].item() for a in arrays))
    return out


def _floating(fn, *operands):
    dtype = _dtype_of(*operands)
    with np.errstate(all="ignore"):
        return _elementwise(fn, *operands).astype(np.float64).astype(dtype)


# ---- elementwise: numpy's own arithmetic is the definition --------------------------------------

def add(a, b):
    return np.add(a, b)


def sub(a, b):
    return np.subtract(a, b)


def mul(a, b):
    return np.multiply(a, b)


def div(a, b):
    with np.errstate(all="ignore"):
        return np.true_divide(a, b)


def pow(a, b):
    with np.errstate(all="ignore"):
        return np.power(a, b)


def maximum(a, b):
    return np.maximum(a, b)


def minimum(a, b):
    return np.minimum(a, b)


def eq(a, b):
    return np.equal(a, b)


def ne(a, b):
    return np.not_equal(a, b)


def lt(a, b):
    return np.less(a, b)


def le(a, b):
    return np.less_equal(a, b)


def gt(a, b):
    return np.greater(a, b)


def ge(a, b):
    return np.greater_equal(a, b)


def logical_not(a):
    return np.logical_not(a)


def neg(a):
    return np.negative(a)


def abs(a):
    return np.abs(a)


def sign(a):
    """-1, 0 or 1; NaN gives 0 (PyTorch's sign)."""
    out = np.sign(a)
    return np.where(np.isnan(out), out.dtype.type(0), out) if out.dtype.kind == "f" else out


def relu(a):
    return np.maximum(a, a.dtype.type(0))


def exp(a):
    with np.errstate(all="ignore"):
        return np.exp(a)


def log(a):
    with np.errstate(all="ignore"):
        return np.log(a)


def sqrt(a):
    with np.errstate(all="ignore"):
        return np.sqrt(a)


def tanh(a):
    return np.tanh(a)


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
    return np.where(condition, a, b).astype(_dtype_of(a, b), copy=False)


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
