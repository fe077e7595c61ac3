"""Elementwise kernels with numpy broadcasting. Either operand may be a Python scalar."""
import builtins

import numpy as np

add = np.add
sub = np.subtract
mul = np.multiply
neg = np.negative
exp = np.exp
log = np.log
sqrt = np.sqrt
abs = np.abs
tanh = np.tanh
sign = np.sign
maximum = np.maximum
minimum = np.minimum
eq = np.equal
ne = np.not_equal
lt = np.less
le = np.less_equal
gt = np.greater
ge = np.greater_equal
logical_not = np.logical_not


def div(a, b):
    return np.true_divide(a, b)


def pow(a, b):
    return np.power(a, b)


def sigmoid(a):
    """1 / (1 + exp(-a)), computed without overflow for large |a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def relu(a):
    return np.maximum(a, builtins.abs(a.dtype.type(0)))


def where(condition, a, b):
    out = np.where(condition, a, b)
    dtype = next((x.dtype for x in (a, b) if isinstance(x, np.ndarray)), out.dtype)
    return out.astype(dtype, copy=False)
