"""The math functions kernels call, total on every input as IEEE 754 arithmetic is.

On a GPU these are the `math` functions numba lowers to CUDA's libdevice (log(0) = -inf,
sqrt(-1) = nan, exp(1000) = inf). The simulator runs kernels as Python, where `math.log(0)`
and `math.asin(2)` raise instead, so there the same names are numpy's ufuncs, which follow
IEEE 754 on the numpy scalars that simulated kernels handle. Kernels import the names from
here, never from `math`.
"""
import math

import numpy as np

from ._array import SIMULATOR

# total in Python too
erf, erfc = math.erf, math.erfc
# The nearest integer below (above) x, as an integer on both sides (numba types math.floor of a
# float as int64): defined for finite x only, so callers handle inf and nan first.
floor, ceil = math.floor, math.ceil

if SIMULATOR:
    exp, expm1, log, log1p, log2, log10, sqrt = (np.exp, np.expm1, np.log, np.log1p, np.log2,
                                                 np.log10, np.sqrt)
    sin, cos, tan, asin, acos, atan = np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan
    sinh, cosh, tanh, asinh, acosh, atanh = (np.sinh, np.cosh, np.tanh, np.arcsinh, np.arccosh,
                                             np.arctanh)
    pow, atan2, hypot, copysign, fmod = np.power, np.arctan2, np.hypot, np.copysign, np.fmod
    isinf = np.isinf
else:
    exp, expm1, log, log1p, log2, log10, sqrt = (math.exp, math.expm1, math.log, math.log1p,
                                                 math.log2, math.log10, math.sqrt)
    sin, cos, tan, asin, acos, atan = math.sin, math.cos, math.tan, math.asin, math.acos, \
        math.atan
    sinh, cosh, tanh, asinh, acosh, atanh = (math.sinh, math.cosh, math.tanh, math.asinh,
                                             math.acosh, math.atanh)
    pow, atan2, hypot, copysign, fmod = math.pow, math.atan2, math.hypot, math.copysign, \
        math.fmod
    isinf = math.isinf
