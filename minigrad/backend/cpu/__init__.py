"""The CPU backend: numpy arrays as storage, numpy and Numba kernels.

Every public name here is a kernel of the contract in `minigrad.backend.contract`, which every
backend implements with the same signatures.
"""
from .activation import elu, erf, leaky_relu, leaky_relu_backward, relu_backward, softplus
from .normalization import batch_norm_backward, batch_norm_eval, batch_norm_forward
from .conv import conv2d_backward_input, conv2d_backward_weight, conv2d_forward
from .conv_relu import conv2d_relu_forward
from .creation import (arange, astype, bfloat16_from_float32, copy, copy_into,
                       float32_from_bfloat16, from_numpy, full, setitem, to_numpy)
from .elementwise import (abs, add, div, eq, exp, ge, gt, le, log, logical_not, lt, maximum,
                          minimum, mul, ne, neg, pow, relu, sigmoid, sign, sqrt, sub, tanh,
                          where)
from .decompositions import cholesky, det, inv, qr, slogdet, solve, svd
from .elementwise_math import (acos, acosh, asin, asinh, atan, atan2, atanh, bitwise_and,
                               bitwise_or, bitwise_xor, ceil, copysign, cos, cosh, exp2, expm1,
                               floor, floor_divide, fmod, hypot, isfinite, isinf, isneginf,
                               isposinf, left_shift, log1p, log2, log10, logical_and, logical_or,
                               logical_xor, remainder, right_shift, round_half_even, sin, sinh,
                               tan, trunc)
from .ctc_loss import ctc_loss_backward, ctc_loss_forward
from .grid_sample import (grid_sample2d_backward, grid_sample2d_forward,
                          grid_sample3d_backward, grid_sample3d_forward)
from .linalg import linear_forward, linear_relu_forward, matmul
from .cross_entropy import cross_entropy_backward, cross_entropy_forward
from .loss import clamped_log
from .optim import (adam_multi_tensor_step, adam_step, rmsprop_multi_tensor_step, rmsprop_step,
                    sgd_multi_tensor_step, sgd_step)
from .pool import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward,
                   avg_pool2d_backward, avg_pool2d_forward, gather_by_plane_indices,
                   max_pool2d_forward, scatter_by_plane_indices)
from .pad import pad_modes_backward, pad_modes_forward
from .ownership import sole_owner
from .random import init_normal, init_uniform, normal, uniform
from .reduce import amax, amin, argmax, argmin, sum
from .resample import resample2d_backward, resample2d_forward
from .special import erfc, erfinv
from .scan import cummax, cummin, cumprod, cumsum, logcumsumexp, sort
from .scatter import scatter_reduce
from .shape import (broadcast_to, concatenate, getitem, index_add, is_contiguous, pad, permute,
                    reshape, storage_offset, view_dtype)

name = "cpu"
