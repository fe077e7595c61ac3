"""The math functions kernels call, total on every input as IEEE 754 arithmetic is.

On a GPU these are the `math` functions numba lowers to CUDA's libdevice (log(0) = -inf,
sqrt(-1) = nan, exp(1000) = inf). The simulator runs kernels as Python, where `math.log(0)`
raises instead, so there the same names are numpy's ufuncs, which follow IEEE 754 on the numpy
scalars that simulated kernels handle. Kernels import the names from here, never from `math`.
"""
import math

import numpy as np

from ._array import SIMULATOR

erf = math.erf  # total in Python too

if SIMULATOR:
    exp, expm1, log, log1p, sqrt, tanh = np.exp, np.expm1, np.log, np.log1p, np.sqrt, np.tanh
else:
    exp, expm1, log, log1p, sqrt, tanh = (math.exp, math.expm1, math.log, math.log1p, math.sqrt,
                                          math.tanh)
