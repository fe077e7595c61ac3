"""Activation kernels numpy lacks: erf (for exact GELU), ELU and a stable softplus."""
import math

import numba
import numpy as np


@numba.njit(cache=True)
def _erf_into(src, dst):
    for i in range(src.size):
        dst[i] = math.erf(src[i])


def erf(a):
    """The error function, elementwise (libm's erf: accurate to about 1 ulp)."""
    flat = np.ascontiguousarray(a).reshape(-1)
    out = np.empty_like(flat)
    _erf_into(flat, out)
    return out.reshape(a.shape)


def elu(a, alpha):
    """a where a > 0, else alpha * (exp(a) - 1) (expm1 keeps precision near 0)."""
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))


def softplus(a, beta, threshold):
    """log(1 + exp(beta * a)) / beta, or `a` itself where beta * a > threshold.

    Written as max(z, 0) + log1p(exp(-|z|)) so that no exp overflows for large |z|.
    """
    z = a * beta
    smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, a, smooth)
