"""Differentiable operations, one file per family; each is a `Function` plus a plain function."""
from ..creation import full_like
from .conversion import clone, contiguous, to
from .elementwise import (abs, add, bitwise_not, clamp, div, eq, exp, ge, gt, isnan, le, log,
                          logical_not, lt, maximum, minimum, mul, ne, neg, pow, relu, sigmoid,
                          sign, sqrt, sub, tanh, where)
from .indexing import getitem, index_put, index_put_indices, setitem_
from .linalg import matmul
from .reduce import all, amax, amin, any, argmax, argmin, max, mean, min, std, sum, var
from .shape import (broadcast_to, cat, chunk, expand, flatten, narrow, pad, permute, reshape,
                    split, squeeze, stack, t, transpose, unsqueeze, view)

# ---- layers family: activations used as Tensor methods ----------------------------------------
from .activation import log_softmax, softmax
from .activation_extra import erf, erfc, erfinv, hardshrink, prelu
