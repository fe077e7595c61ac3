"""The CPU backend: numpy arrays as storage, numpy and Numba kernels.

Every public name here is a kernel that other backends export under the same name.
"""
from .creation import (arange, astype, copy, copy_into, from_numpy, full, normal, setitem,
                       to_numpy, uniform)
from .elementwise import (abs, add, div, eq, exp, ge, gt, le, log, logical_not, lt, maximum,
                          minimum, mul, ne, neg, pow, relu, sigmoid, sign, sqrt, sub, tanh,
                          where)
from .linalg import matmul
from .reduce import amax, amin, argmax, argmin, sum
from .shape import (broadcast_to, concatenate, getitem, index_add, is_contiguous, pad, permute,
                    reshape)

name = "cpu"
