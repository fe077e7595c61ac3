"""Special functions beyond the elementwise op codes: erfc and erfinv, each a grid-stride
kernel over a contiguous copy of the input (the same scalar code as the cpu backend's)."""
import numpy as np
from numba import cuda

from .._special_scalar import erfinv_scalar
from . import _math as m
from ._array import buffer, empty, numel
from ._copy import contiguous
from ._launch import launch_1d

_erfinv = cuda.jit(device=True)(erfinv_scalar)


@cuda.jit(cache=True)
def _erfc_kernel(out, a, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = m.erfc(np.float64(a[i]))


@cuda.jit(cache=True)
def _erfinv_kernel(out, a, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = _erfinv(np.float64(a[i]))


def _map(kernel, a):
    a = contiguous(a)
    out = empty(a.shape, a.dtype)
    n = numel(a.shape)
    if n:
        launch_1d(kernel, n, buffer(out), buffer(a), n)
    return out


def erfc(a):
    """1 - erf(a), elementwise, of a float array (CUDA's erfc, in float64)."""
    return _map(_erfc_kernel, a)


def erfinv(a):
    """The inverse error function, elementwise, of a float array; +-inf at +-1, NaN outside
    [-1, 1]. Computed in float64 and stored in a's dtype."""
    return _map(_erfinv_kernel, a)
