"""Differentiable operations, one file per family; each is a `Function` plus a plain function."""
from .conversion import clone, contiguous, result_type, to
from .elementwise import (abs, add, bitwise_not, eq, exp, ge, gt, isnan, le, log, logical_not,
                          lt, maximum, minimum, mul, ne, neg, pow, relu, sigmoid, sign, sqrt,
                          sub, tanh, where)
from .indexing import getitem, index_put, index_put_indices, setitem_
from .products import matmul
from .view_dtype import view_dtype
from .reduce import all, amax, amin, any, argmax, argmin, max, mean, min, std, sum, var
from .shape import (broadcast_to, cat, chunk, expand, flatten, narrow, pad, permute, reshape,
                    split, squeeze, stack, t, transpose, unsqueeze, view)

# ---- layers family: activations used as Tensor methods ----------------------------------------
from .activation import log_softmax, softmax
from .activation_extra import erf, erfc, erfinv, hardshrink, prelu
# ---- the PyTorch operator breadth: math, scans and sorting, indexing, linalg, bitwise ----
from .math import (acos, acosh, addcdiv, addcmul, asin, asinh, atan, atan2, atanh, ceil, clamp,
                   clamp_max, clamp_min, copysign, cos, cosh, div, divide, exp2, expm1, floor,
                   floor_divide, fmax, fmin, fmod, frac, hypot, isfinite, isinf, isneginf,
                   isposinf, lerp, log1p, log2, log10, logaddexp, logical_and, logical_or,
                   logical_xor, nan_to_num, reciprocal, remainder, round, rsqrt, sgn, sin, sinh,
                   square, tan, true_divide, trunc, xlogy)
from .bitwise import (bitwise_and, bitwise_left_shift, bitwise_or, bitwise_right_shift,
                      bitwise_xor)
from .rearrange import (diag, diag_embed, diagonal, flip, fliplr, flipud, index_select, meshgrid,
                        movedim, moveaxis, narrow_copy, repeat, repeat_interleave, roll, rot90,
                        swapaxes, swapdims, tile, trace, tril, triu, unflatten, unfold)
from .gather_scatter import (argwhere, gather, index_add, masked_fill, masked_scatter,
                             masked_select, nonzero, scatter, scatter_add, scatter_reduce, take,
                             where)
from .scan import cummax, cummin, cumprod, cumsum, logcumsumexp
from .sort import argsort, kthvalue, median, mode, msort, sort, topk
from .reduce_more import (allclose, aminmax, bincount, count_nonzero, equal, histc, isclose,
                          logsumexp, prod, std_mean, unique, var_mean)
from .norms import matrix_norm, norm, vector_norm
from .contractions import (addmm, addmv, baddbmm, bmm, cross, dot, einsum, ger, kron, mm, mv,
                           outer, tensordot, vdot)
from .decompositions import cholesky, det, inv, logdet, qr, slogdet, solve, svd, svdvals
# ---- more of the PyTorch surface: losses, searching and sampling, fills ----
from .fill import (apply_, bernoulli, bernoulli_, cauchy_, exponential_, fill_diagonal_,
                   geometric_, index_fill, log_normal_, map_, normal, normal_, random_, uniform_)
from .search_sample import bucketize, cdist, multinomial, searchsorted, unbind
from .everyday import column_stack, dstack, hstack, vstack
from .combining import block_diag, broadcast_tensors, cartesian_prod
from .everyday import (atleast_1d, atleast_2d, atleast_3d, channels_last, check_memory_format,
                       contiguous_format, cov, diff, heaviside, isin, logit, nanmean, nanmedian,
                       nansum, preserve_format, quantile, select, signbit)
