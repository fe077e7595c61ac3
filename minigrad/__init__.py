"""minigrad: a small, readable deep-learning framework with reverse-mode autograd.

    import minigrad
    x = minigrad.randn(3, 4, requires_grad=True)
    (x.tanh() ** 2).sum().backward()
    x.grad  # d/dx of the sum
"""
from . import _threads  # first of all: before Numba starts its thread pool
from . import _malloc  # noqa: F401  (freed memory kept for the next step: see the module)
from . import _keywords, _out
import math as _math
from . import dtypes as _dtypes
# Layering, one direction: tensor <- autograd <- functions <- tensor_methods <- nn, optim, ...
from .tensor import Size, Tensor
from . import autograd, cuda
from . import tensor_methods  # next: attaches the operator and op methods to Tensor
from .autograd import (Function, enable_grad, grad, gradcheck, gradgradcheck, inference_mode,
                       is_grad_enabled, no_grad, set_grad_enabled)
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, tensor, zeros, zeros_like)
from .determinism import (are_deterministic_algorithms_enabled,
                          is_deterministic_algorithms_warn_only_enabled,
                          use_deterministic_algorithms)
from .device import Device, device
from .dtypes import (DType, bfloat16, bool_ as bool, can_cast, finfo, float16, float32, float64,
                     iinfo, int8, int16, int32, int64, promote_types, uint8)
from .functions import (abs, all, amax, amin, any, argmax, argmin, broadcast_to, cat, chunk,
                        clamp, clone, exp, expand, flatten, log, matmul, max, maximum, mean,
                        min, minimum, narrow, permute, relu, reshape, sigmoid, sign, split,
                        sqrt, squeeze, stack, std, sum, tanh, transpose, unsqueeze, var, where)
# the PyTorch operator breadth: elementwise math, bitwise
from .functions import (acos, acosh, add, addcdiv, addcmul, asin, asinh, atan, atan2, atanh,
                        bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or,
                        bitwise_right_shift, bitwise_xor, ceil, clamp_max, clamp_min, copysign,
                        cos, cosh, div, divide, exp2, expm1, floor, floor_divide, fmax, fmin,
                        fmod, frac, hypot, isfinite, isinf, isnan, isneginf, isposinf, lerp,
                        log1p, log2, log10, logaddexp, logical_and, logical_not, logical_or,
                        logical_xor, mul, nan_to_num, neg, pow, reciprocal, remainder, round,
                        rsqrt, sgn, sin, sinh, square, sub, tan, true_divide, trunc, xlogy)
from .functions import (argwhere, diag, diag_embed, diagonal, flip, fliplr, flipud, gather,
                        index_add, index_select, masked_fill, masked_scatter, masked_select,
                        meshgrid, movedim, moveaxis, narrow_copy, nonzero, repeat_interleave,
                        roll, rot90, scatter, scatter_add, scatter_reduce, swapaxes, swapdims,
                        take, tile, trace, tril, triu, unflatten, where)
from .functions import (allclose, aminmax, argsort, bincount, count_nonzero, cummax, cummin,
                        cumprod, cumsum, histc, isclose, kthvalue, logcumsumexp, logsumexp,
                        median, mode, msort, norm, prod, sort, std_mean, topk, unique, var_mean)
from .functions import (addmm, addmv, baddbmm, bmm, cross, det, dot, einsum, ger, kron, logdet,
                        mm, mv, outer, slogdet, tensordot, vdot)
from .functions import inv as inverse
from .functions import bucketize, cdist, index_fill, multinomial, searchsorted, unbind
from .functions import (atleast_1d, atleast_2d, atleast_3d, channels_last, contiguous_format,
                        cov, diff, heaviside, isin, logit, nanmean, nanmedian, nansum,
                        preserve_format, quantile, select, signbit)
from .functions.everyday import memory_format
from .functions import result_type
from .random import Generator, get_rng_state, initial_seed, manual_seed, set_rng_state
from .printing import get_printoptions
from .serialization import load, save
# ---- layers family: activations and special functions at the top level ----------------------
from .functions.activation import log_softmax, softmax
from .functions.activation_extra import (celu, celu_, erf, erfc, erfinv, hardshrink, prelu,
                                         rrelu, rrelu_, selu, selu_, threshold, threshold_)
from .functions.normalization_extra import cosine_similarity, pairwise_distance
# ---- end of layers family block ---------------------------------------------------------------
from . import tensor_types
from .tensor_types import (BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor,
                           FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor)
from . import linalg  # torch.linalg
from . import nn, optim  # last: they build on everything above (minigrad.nn as torch.nn)
from . import accelerator, backends, data, utils  # torch.accelerator, .backends, .utils
from . import distributions  # torch.distributions
from . import amp  # torch.amp
from .amp import autocast
# more of torch's top-level names that published programs reach for
from .functions import bernoulli, equal, normal, t
from .functions import eq, ge, gt, le, lt, ne
from .functions import column_stack, dstack, hstack, vstack
from .functions import block_diag, broadcast_tensors, cartesian_prod
from .creation import logspace, randint_like, tril_indices, triu_indices
from .backend.cpu._parallel import get_num_threads, set_num_threads

cuda.amp = amp  # torch.cuda.amp.GradScaler / autocast, the older spelling
float = float32
double = float64
long = int64
int = int32
short = int16
half = float16
clip = clamp
negative, absolute, multiply, subtract = neg, abs, mul, sub
arcsin, arccos, arctan, arctan2, fix = asin, acos, atan, atan2, trunc

greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
concat = concatenate = cat
row_stack = vstack
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan

__version__ = "0.1.0"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of `input`."""
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def clamp_(input, min=None, max=None):
    return input.clamp_(min, max)


def get_default_dtype():
    """The dtype of floating point tensors made without one (float32 unless changed)."""
    return _dtypes.default_float


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """PyTorch's `torch.compile`: minigrad has no graph compiler, so this returns `model` (a
    module or function) itself, which computes the same results; used as a decorator (with or
    without arguments) it leaves the function unchanged."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"compile: expected a module or a callable, got "
                           f"{type(model).__name__}")
    return model


def set_default_dtype(d):
    """Make the floating point dtype `d` the one of tensors and Python floats made without a
    dtype, as `torch.set_default_dtype`."""
    _dtypes.set_default_float(d)


def __getattr__(name):
    raise tensor_types.missing_attribute(__name__, name)


# ---- the rest of PyTorch's everyday top level: layer forms, math, shape helpers, settings ----
from .surface_top_level import *  # noqa: E402,F401,F403

# Last: `axis=`/`keepdims=` on every dim-taking Tensor method and minigrad.* function.
for _name, _fn in _keywords.numpy_keyword_versions(vars(Tensor)).items():
    setattr(Tensor, _name, _fn)
globals().update(_keywords.numpy_keyword_versions(globals()))
# and out= on the functions that take it in PyTorch
globals().update(_out.out_versions(globals()))
