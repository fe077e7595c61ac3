"""The rest of PyTorch's everyday top-level names, gathered for `minigrad/__init__.py`: the
top-level layer forms, the extra math, shape and linear-algebra helpers, factories, settings,
and the in-place top-level functions (`minigrad.relu_(x)` is `x.relu_()`)."""
# ruff: noqa: F401  (the names are imported to be re-exported; see __all__ at the end)
from .functions.surface_layers import (
    adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d, batch_norm, bilinear,
    binary_cross_entropy_with_logits, channel_shuffle, conv1d, conv2d, conv3d, conv_transpose1d,
    conv_transpose2d, conv_transpose3d, cosine_embedding_loss, dropout, dropout_, embedding,
    feature_dropout, feature_dropout_, group_norm, hinge_embedding_loss, instance_norm, kl_div,
    layer_norm, margin_ranking_loss, max_pool1d, max_pool1d_with_indices, max_pool2d, max_pool3d,
    pdist, pixel_shuffle, pixel_unshuffle, poisson_nll_loss, triplet_margin_loss)
from .functions.surface_layers import ctc_loss, rms_norm
from .functions.surface_copies import (
    alias_copy, chain_matmul, constant_pad_nd, detach_copy, diagonal_copy, expand_copy, isreal,
    permute_copy, select_copy, slice_copy, split_copy, split_with_sizes_copy, squeeze_copy,
    t_copy, transpose_copy, unbind_copy, unfold_copy, unsafe_chunk, unsafe_split,
    unsafe_split_with_sizes, unsqueeze_copy, view_copy)
from .functions.surface_math import (deg2rad, float_power, frexp, gcd, lcm, ldexp, logaddexp2,
                                     nextafter, rad2deg, sinc)
from .functions.surface_special import digamma, i0, lgamma, mvlgamma, polygamma
from .functions.surface_shape import (broadcast_shapes, combinations, diagflat,
                                      diagonal_scatter, dsplit, fill, hsplit, index_copy, put,
                                      ravel, rsub, select_scatter, slice_scatter,
                                      split_with_sizes, take_along_dim, tensor_split,
                                      unique_consecutive, unravel_index, vander, vsplit)
from .functions.surface_linalg import (addbmm, addr, cholesky, corrcoef, cumulative_trapezoid,
                                       dist, histogram, inner, matrix_exp, matrix_power,
                                       nanquantile, pinverse, qr, renorm, svd, trapezoid, trapz)
from .surface_creation import (asarray, bartlett_window, binomial, blackman_window,
                               hamming_window, hann_window, kaiser_window, poisson, range,
                               scalar_tensor)
from .surface_settings import (get_default_device, get_float32_matmul_precision,
                               get_num_interop_threads, is_complex, is_conj, is_inference,
                               is_neg, is_nonzero, is_same_size, is_signed, is_warn_always_enabled,
                               seed, set_float32_matmul_precision, set_flush_denormal,
                               set_num_interop_threads, set_warn_always, typename)
from .surface_settings import (get_deterministic_debug_mode, is_storage, layout,
                               set_deterministic_debug_mode, strided)
from .functions.math import acosh as arccosh, asinh as arcsinh, atanh as arctanh
from .functions.rnn import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell
from .functions.norms import matrix_norm as _matrix_norm, vector_norm as _vector_norm
from .functions.surface_nn import alpha_dropout as _alpha_dropout
from .functions.surface_nn import feature_alpha_dropout as _feature_alpha_dropout
from ._print_options import set_printoptions
from .autograd.anomaly import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                               set_anomaly_enabled)
from .autograd.grad_mode import is_inference_mode_enabled
from .tensor import Tensor


def detach(input):
    """A tensor sharing input's storage, cut from the autograd graph."""
    return _tensor(input, "detach").detach()


def _tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _method_function(method):
    """minigrad.<method>(input, *args) as input.<method>(*args) (or the property's value)."""
    def function(input, *args, **kwargs):
        value = getattr(_tensor(input, method), method)
        return value(*args, **kwargs) if callable(value) else value
    function.__name__ = function.__qualname__ = method
    function.__doc__ = f"`input.{method}` as a function."
    return function


positive, real, conj, resolve_conj, resolve_neg, adjoint, get_device = (
    _method_function(name) for name in ("positive", "real", "conj", "resolve_conj",
                                        "resolve_neg", "adjoint", "get_device"))
newaxis = None


def alpha_dropout(input, p, train):
    """torch.alpha_dropout(input, p, train): every argument required."""
    return _alpha_dropout(input, p, _flag(train, "alpha_dropout"))


def alpha_dropout_(input, p, train):
    return _alpha_dropout(input, p, _flag(train, "alpha_dropout_"), inplace=True)


def feature_alpha_dropout(input, p, train):
    return _feature_alpha_dropout(input, p, _flag(train, "feature_alpha_dropout"))


def feature_alpha_dropout_(input, p, train):
    return _feature_alpha_dropout(input, p, _flag(train, "feature_alpha_dropout_"),
                                  inplace=True)


def _flag(train, op):
    if not isinstance(train, bool):
        raise TypeError(f"{op}(): argument 'train' must be bool, not {type(train).__name__}")
    return train


def nuclear_norm(input, dim=None, keepdim=False):
    """The sum of the singular values of the matrices over dim (default the last two; cpu
    only, as the SVD)."""
    if isinstance(dim, bool):  # nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    return _matrix_norm(input, "nuc", (-2, -1) if dim is None else tuple(dim), keepdim)


def frobenius_norm(input, dim, keepdim=False):
    """The 2-norm of input's elements over dim."""
    return _vector_norm(input, 2, dim, keepdim)


def _inplace_function(method):
    """minigrad.<method>(input, *args) as input.<method>(*args)."""
    def function(input, *args, **kwargs):
        return getattr(_tensor(input, method), method)(*args, **kwargs)
    function.__name__ = function.__qualname__ = method
    function.__doc__ = f"In place: `input.{method}(...)`."
    return function


# PyTorch's top-level in-place functions; each forwards to the Tensor method of its name
INPLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_max_", "clamp_min_",
    "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_",
    "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_",
    "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_",
    "reciprocal_", "relu_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
    "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_", "addmv_")
INPLACE = {name: _inplace_function(name) for name in INPLACE_FUNCTIONS}


def index_put(input, indices, values, accumulate=False):
    """Out of place: a copy of input with values written (or added) at the index tensors."""
    return _tensor(input, "index_put").index_put(indices, values, accumulate)
globals().update(INPLACE)
__all__ = sorted(name for name in globals() if not name.startswith("_")
                 and name not in ("Tensor", "INPLACE", "INPLACE_FUNCTIONS"))
