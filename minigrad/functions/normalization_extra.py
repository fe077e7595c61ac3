"""Normalisations over other axes than batch norm's: layer_norm, group_norm, instance_norm and
rms_norm, and the vector normalisations normalize, cosine_similarity and pairwise_distance.

All are compositions of differentiable Tensor ops (means, centring, a power, affine scaling), so
they run on every device and are differentiable to any order. Statistics use the biased
variance (divide by the count), as PyTorch's normalisations do.
"""
import math

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import no_grad
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor, _normalize_dim
from ._util import broadcast_shapes
from .elementwise import sqrt, where
from .norms import vector_norm as _any_order_norm


def _check_input(input, name, min_dims=1):
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise DTypeError(f"{name}: input must be a floating point Tensor, got "
                         f"{getattr(input, 'dtype', type(input).__name__)}")
    if input.ndim < min_dims:
        raise ShapeError(f"{name}: expected input with at least {min_dims} dims, got shape "
                         f"{tuple(input.shape)}")


def _check_param(t, what, shape, input, name):
    if t is None:
        return
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor or None, got {type(t).__name__}")
    if tuple(t.shape) != tuple(shape):
        raise ShapeError(f"{name}: {what} must have shape {tuple(shape)}, got "
                         f"{tuple(t.shape)}")


def _standardize(x, dims, eps):
    """(x - mean) / sqrt(var + eps) over `dims`, the variance biased."""
    centered = x - x.mean(dim=dims, keepdim=True)
    var = (centered * centered).mean(dim=dims, keepdim=True)
    return centered * (var + eps) ** -0.5


def _normalized_dims(input, normalized_shape, name):
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(int(n) for n in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise ShapeError(f"{name}: normalized_shape {normalized_shape} must be non-empty and "
                         f"equal the trailing dims of the input, got input shape "
                         f"{tuple(input.shape)}")
    return normalized_shape, tuple(range(input.ndim - k, input.ndim))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing dims `normalized_shape` (mean 0, variance 1 per sample),
    then scale by `weight` and shift by `bias` (each of shape normalized_shape) if given."""
    _check_input(input, "layer_norm")
    shape, dims = _normalized_dims(input, normalized_shape, "layer_norm")
    _check_param(weight, "weight", shape, input, "layer_norm")
    _check_param(bias, "bias", shape, input, "layer_norm")
    out = _standardize(input, dims, eps)
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing dims `normalized_shape`, times `weight`.
    eps=None uses the machine epsilon of the input's dtype, as PyTorch."""
    _check_input(input, "rms_norm")
    shape, dims = _normalized_dims(input, normalized_shape, "rms_norm")
    _check_param(weight, "weight", shape, input, "rms_norm")
    if eps is None:
        eps = float(np.finfo(input.dtype.numpy).eps)
    out = input * ((input * input).mean(dim=dims, keepdim=True) + eps) ** -0.5
    return out if weight is None else out * weight


def _channel_view(t, ndim):
    """A (C,) tensor shaped (1, C, 1, ...) to broadcast against (N, C, *) input."""
    return t.reshape((1, t.shape[0]) + (1,) * (ndim - 2))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise (N, C, *) input over each group of C / num_groups channels (and all spatial
    positions) per sample, then apply the per-channel `weight` and `bias` (C,) if given."""
    _check_input(input, "group_norm", 2)
    n, c = input.shape[0], input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise ShapeError(f"group_norm: expected the number of channels ({c}) to be divisible "
                         f"by num_groups ({num_groups})")
    _check_param(weight, "weight", (c,), input, "group_norm")
    _check_param(bias, "bias", (c,), input, "group_norm")
    if n * c // num_groups * math.prod(input.shape[2:]) == 1:
        raise ShapeError(f"group_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {tuple(input.shape)} in {num_groups} groups")
    if input.numel() == 0:
        out = input * 1
    else:
        grouped = input.reshape((n, num_groups, -1))
        out = _standardize(grouped, (2,), eps).reshape(tuple(input.shape))
    if weight is not None:
        out = out * _channel_view(weight, input.ndim)
    return out if bias is None else out + _channel_view(bias, input.ndim)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise (N, C, *) input per sample and channel over the spatial dims.

    use_input_stats=True uses each instance's own statistics and, for the running statistics
    that are given, updates them in place with the statistics averaged over the batch
    (running = (1 - momentum) * running + momentum * batch, the variance unbiased);
    use_input_stats=False normalises with running_mean and running_var instead.
    """
    _check_input(input, "instance_norm", 3)
    c = input.shape[1]
    for t, what in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_param(t, what, (c,), input, "instance_norm")
    spatial = tuple(range(2, input.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var must be given when "
                             "use_input_stats=False")
        out = (input - _channel_view(running_mean, input.ndim)) * \
            (_channel_view(running_var, input.ndim) + eps) ** -0.5
    else:
        count = math.prod(input.shape[2:])
        if count <= 1:
            raise ShapeError(f"instance_norm: expected more than 1 spatial element when "
                             f"training, got input of shape {tuple(input.shape)}")
        out = _standardize(input, spatial, eps)
        with no_grad():
            if running_mean is not None:
                mean = input.mean(dim=spatial).mean(dim=0)
                running_mean.mul_(1 - momentum).add_(mean.to(dtype=running_mean.dtype),
                                                     alpha=momentum)
            if running_var is not None:
                var = input.var(dim=spatial, correction=1).mean(dim=0)
                running_var.mul_(1 - momentum).add_(var.to(dtype=running_var.dtype),
                                                    alpha=momentum)
    if weight is not None:
        out = out * _channel_view(weight, input.ndim)
    return out if bias is None else out + _channel_view(bias, input.ndim)


def vector_norm(x, p, dim, keepdim=False):
    """The p-norm along `dim` (an int or tuple), with a finite gradient at the zero vector
    (0, as PyTorch's). p is any number or +-math.inf; p <= 0 (0 counts the non-zeros, a negative
    p is the harmonic-like norm) is the general vector norm's."""
    if p <= 0:
        return _any_order_norm(x, p, dim, keepdim)
    if p == math.inf:
        return x.abs().amax(dim=dim, keepdim=keepdim)
    if p == 1:
        return x.abs().sum(dim=dim, keepdim=keepdim)
    powered = (x * x) if p == 2 else x.abs() ** p
    total = powered.sum(dim=dim, keepdim=keepdim)
    nonzero = total != 0  # NaN counts as nonzero: a NaN norm stays NaN, as PyTorch
    # the root's gradient is infinite at 0: take it of 1 there and put 0 back by the mask
    safe = where(nonzero, total, 1.0)
    root = sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return where(nonzero, root, 0.0)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along `dim`."""
    _check_input(input, "normalize", 0)
    if out is not None:
        raise ValueError("normalize: out= is not supported; use the returned tensor")
    dim = _normalize_dim(dim, input.ndim)
    norm = vector_norm(input, float(p), dim, keepdim=True) if input.ndim else input.abs()
    return input / norm.clamp(min=eps)


def _clamped_value(norm, eps):
    """norm's values clamped below at eps, with norm's own gradient: torch clamps the norms in
    place outside autograd, so a clamped norm still passes its gradient on."""
    return norm + (norm.clamp(min=eps) - norm).detach()


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along `dim`, after broadcasting
    x1 and x2 together."""
    _check_input(x1, "cosine_similarity", 0)
    _check_input(x2, "cosine_similarity", 0)
    shape = broadcast_shapes(tuple(x1.shape), tuple(x2.shape), op="cosine_similarity")
    dtype = dtypes.promote(x1.dtype, x2.dtype)
    x1, x2 = x1.to(dtype=dtype).expand(shape), x2.to(dtype=dtype).expand(shape)
    if not shape:
        x1, x2 = x1.reshape(1), x2.reshape(1)
        dim = 0
    dim = _normalize_dim(dim, len(shape) or 1)
    n1 = _clamped_value(vector_norm(x1, 2, dim, keepdim=True), eps)
    n2 = _clamped_value(vector_norm(x2, 2, dim, keepdim=True), eps)
    out = ((x1 / n1) * (x2 / n2)).sum(dim=dim)
    return out.reshape(()) if not shape else out


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim (x1 and x2 broadcast together)."""
    _check_input(x1, "pairwise_distance", 0)
    _check_input(x2, "pairwise_distance", 0)
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        diff = diff.reshape(1)
    return vector_norm(diff, float(p), diff.ndim - 1, keepdim=keepdim)


__all__ = ["cosine_similarity", "group_norm", "instance_norm", "layer_norm", "normalize",
           "pairwise_distance", "rms_norm", "vector_norm"]
