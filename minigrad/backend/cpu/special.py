"""Special functions numpy lacks: erfc (full relative precision in the tails, where 1 - erf
rounds to 0) and erfinv."""
import math

import numba
import numpy as np

from .._special_scalar import erfinv_scalar

_erfinv = numba.njit(cache=True)(erfinv_scalar)


@numba.njit(cache=True)
def _erfc_into(src, dst):
    for i in range(src.size):
        dst[i] = math.erfc(np.float64(src[i]))


@numba.njit(cache=True)
def _erfinv_into(src, dst):
    for i in range(src.size):
        dst[i] = _erfinv(np.float64(src[i]))


def _map(kernel, a):
    flat = np.ascontiguousarray(a).reshape(-1)
    out = np.empty_like(flat)
    kernel(flat, out)
    return out.reshape(a.shape)


def erfc(a):
    """1 - erf(a), elementwise, of a float array (libm's erfc, in float64)."""
    return _map(_erfc_into, a)


def erfinv(a):
    """The inverse error function, elementwise, of a float array; +-inf at +-1, NaN outside
    [-1, 1]. Computed in float64 and stored in a's dtype."""
    return _map(_erfinv_into, a)
