"""The rest of torch.nn.functional's everyday layers: gumbel_softmax, alpha and feature-alpha
dropout, power-average (LP) pooling, the *_with_indices pooling forms, 3-d adaptive max
pooling and max unpooling, fractional max pooling and the triplet loss with a custom distance.

All are Tensor-op compositions (gather, scatter, avg_pool, softmax), so they run on every
device and their gradients come from those ops: max pooling routes the gradient to the first
maximum of each window, as PyTorch.
"""
import math

import numpy as np

from .. import dtypes
from .._args import int_tuple
from ..creation import tensor, zeros
from ..errors import InvalidArgumentError, ShapeError
from ..tensor import Tensor
from . import adaptive_max_pool, pool, pool3d
from .activation import relu, softmax
from .adaptive_max_pool import _window_positions
from .dropout import _check as _check_dropout
from .loss import _reduce
from .normalization_extra import pairwise_distance
from .pool import _adaptive_size, _unpool_size

# SELU's negative saturation, -scale * alpha: the value alpha dropout sets dropped units to
_SELU_SATURATION = 1.7580993408473766


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax distribution over dim: softmax((logits + g) / tau), g
    Gumbel(0, 1) noise; hard=True returns the one-hot of its argmax with the soft sample's
    gradient (straight-through)."""
    if not isinstance(logits, Tensor) or not logits.dtype.is_floating_point:
        raise TypeError("gumbel_softmax: logits must be a floating point Tensor")
    noise = -logits.detach().new_empty(tuple(logits.shape)).exponential_().log()
    soft = softmax((logits + noise) / tau, dim)
    if not hard:
        return soft
    index = soft.argmax(dim, keepdim=True)
    one_hot = zeros(tuple(logits.shape), dtype=logits.dtype, device=logits.device).scatter(
        dim, index, value=1.0)
    return one_hot - soft.detach() + soft


def _alpha_dropout(input, p, training, inplace, name, mask_shape):
    _check_dropout(input, p, name)
    if not training or p == 0:
        return input
    if p == 1:
        return input.mul_(0.0) if inplace else input * 0.0
    b = input._backend
    keep = input._new(b.astype(b.lt(b.uniform(mask_shape, dtypes.float64.numpy, None), 1.0 - p),
                               input.dtype.numpy))
    # scale and shift so that a SELU-normalised input keeps zero mean and unit variance
    a = 1.0 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))
    shift = (keep - 1) * (_SELU_SATURATION * a) + _SELU_SATURATION * a * p
    if inplace:
        return input.mul_(keep * a).add_(shift)
    return input * (keep * a) + shift


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped units take SELU's saturation value and the result is
    rescaled to keep zero mean and unit variance. Off unless training=True."""
    return _alpha_dropout(input, p, training, inplace, "alpha_dropout", tuple(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels (dims 2... share one draw per (N, C))."""
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if input.ndim >= 2 else \
        tuple(input.shape)
    return _alpha_dropout(input, p, training, inplace, "feature_alpha_dropout", mask_shape)


def _lp_pool(op, avg, input, norm_type, kernel_size, stride, ceil_mode, dims):
    kernel = int_tuple(kernel_size, dims, "kernel_size", op, allow_one=True)
    powered = input.pow(norm_type)
    out = avg(powered, kernel, stride, 0, ceil_mode)
    # the sign and relu keep a negative mean (from negative inputs) from giving NaN, as PyTorch
    return (out.sign() * relu(out.abs())).mul(math.prod(kernel)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The power-average pool: (sum over each window of x ** p) ** (1 / p)."""
    return _lp_pool("lp_pool1d", pool.avg_pool1d, input, norm_type, kernel_size, stride,
                    ceil_mode, 1)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The power-average pool over 2-d windows."""
    return _lp_pool("lp_pool2d", pool.avg_pool2d, input, norm_type, kernel_size, stride,
                    ceil_mode, 2)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The power-average pool over 3-d windows."""
    return _lp_pool("lp_pool3d", pool3d.avg_pool3d, input, norm_type, kernel_size, stride,
                    ceil_mode, 3)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(values, indices) of max_pool1d, whatever return_indices says."""
    return pool.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(values, indices) of max_pool2d, whatever return_indices says."""
    return pool.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(values, indices) of max_pool3d, whatever return_indices says."""
    return pool3d.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool.adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool.adaptive_max_pool2d(input, output_size, True)


def _check_volume(op, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected input to be a Tensor, got {type(input).__name__}")
    if input.ndim not in (4, 5):
        raise ShapeError(f"{op}: expected a 4-D (C, D, H, W) or 5-D (N, C, D, H, W) input, got "
                         f"shape {tuple(input.shape)}")
    if not input.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating point input, got dtype {input.dtype}")
    if 0 in input.shape[-4:]:
        raise ShapeError(f"{op}: expected non-zero sizes in all dims except the batch dim, got "
                         f"shape {tuple(input.shape)}")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling of an (N, C, D, H, W) or (C, D, H, W) input to output_size (an int or a
    triple, None keeping that size); with return_indices also the flat position
    (d * H + h) * W + w of each maximum."""
    op = "adaptive_max_pool3d"
    _check_volume(op, input)
    sizes = tuple(input.shape[-3:])
    if isinstance(output_size, (tuple, list)) and len(output_size) == 3:
        # None keeps that input size, as in PyTorch
        output_size = tuple(n if o is None else o for o, n in zip(output_size, sizes))
    out = _adaptive_size(op, output_size, sizes)
    lead = tuple(input.shape[:-3])
    plane = input.reshape(lead + (math.prod(sizes),))
    if 0 in out:
        values = plane[..., :0].reshape(lead + out)
        return (values, values.detach().long()) if return_indices else values
    depth, rows, cols = (_window_positions(n, o) for n, o in zip(sizes, out))
    table = (depth[:, None, None, :, None, None] * sizes[1]
             + rows[None, :, None, None, :, None]) * sizes[2] + cols[None, None, :, None, None, :]
    table = tensor(table.reshape(out + (-1,)), device=input.device)
    windows = plane[..., table]
    values, which = windows.max(dim=-1)
    if not return_indices:
        return values
    return values, table.expand(windows.shape).gather(-1, which.unsqueeze(-1)).squeeze(-1)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool3d(input, output_size, True)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d: zeros of shape (N, C, *output_size) with input's
    values at the flat volume positions `indices`."""
    op = "max_unpool3d"
    _check_volume(op, input)
    if not isinstance(indices, Tensor) or indices.dtype is not dtypes.int64:
        raise TypeError(f"{op}: expected indices to be an int64 Tensor")
    if tuple(indices.shape) != tuple(input.shape):
        raise ValueError(f"{op}: indices must have the input's shape {tuple(input.shape)}, got "
                         f"{tuple(indices.shape)}")
    kernel = int_tuple(kernel_size, 3, "kernel_size", op, allow_one=True)
    stride = kernel if stride is None else int_tuple(stride, 3, "stride", op, allow_one=True)
    padding = int_tuple(padding, 3, "padding", op, allow_one=True)
    size = _unpool_size(op, tuple(input.shape[-3:]), kernel, stride, padding, output_size)
    volume = math.prod(size)
    if indices.numel():
        low, high = int(indices.amin().item()), int(indices.amax().item())
        if low < 0 or high >= volume:
            raise InvalidArgumentError(f"{op}: index {low if low < 0 else high} in indices is "
                                       f"outside the output volume of size {size}")
    lead = tuple(input.shape[:-3])
    out = zeros(lead + (volume,), dtype=input.dtype, device=input.device)
    out = out.scatter(-1, indices.reshape(lead + (-1,)), input.reshape(lead + (-1,)))
    return out.reshape(lead + size)


def _fractional_starts(samples, in_size, out_size, pool_size):
    """(N, C, out_size) window starts from one uniform sample per (N, C), as PyTorch."""
    if out_size == 1:
        return np.full(samples.shape + (1,), in_size - pool_size, dtype=np.int64)
    kind = samples.dtype.type
    alpha = kind(in_size - pool_size) / kind(out_size - 1)
    i = np.arange(out_size - 1).astype(samples.dtype)
    starts = ((i + samples[..., None]) * alpha).astype(np.int64) - \
        (samples[..., None] * alpha).astype(np.int64)
    last = np.full(samples.shape + (1,), in_size - pool_size, dtype=np.int64)
    return np.concatenate([starts, last], -1)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling (Graham, 2014): kernel_size windows at pseudo-random start
    positions (from `_random_samples`, (N, C, 2) uniform values in [0, 1), drawn when None)
    reaching output_size (or input size * output_ratio)."""
    op = "fractional_max_pool2d"
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 3-D or 4-D input")
    if output_size is None and output_ratio is None:
        raise ValueError("fractional_max_pool2d requires specifying either an output_size or "
                         "an output_ratio")
    kernel = int_tuple(kernel_size, 2, "kernel_size", op, allow_one=True)
    batched = input if input.ndim == 4 else input.unsqueeze(0)
    n, c, height, width = batched.shape
    if output_size is None:
        ratio = (output_ratio, output_ratio) if isinstance(output_ratio, (int, float)) else \
            tuple(output_ratio)
        output_size = (int(height * ratio[0]), int(width * ratio[1]))
    out = int_tuple(output_size, 2, "output_size", op, allow_one=True)
    if out[0] + kernel[0] - 1 > height or out[1] + kernel[1] - 1 > width:
        raise InvalidArgumentError(f"{op}: output_size {out} + kernel_size {kernel} - 1 is too "
                                   f"large for the input of size {(height, width)}")
    if _random_samples is None:
        samples = batched.detach().new_empty((n, c, 2)).uniform_()
    else:
        samples = _random_samples
    # PyTorch computes the starts in the input's float type; so do we, to pick the same ones
    values = samples.detach().cpu().numpy().astype(input.dtype.numpy).reshape(n, c, 2)
    # PyTorch: sample 0 places the columns, sample 1 the rows
    cols = _fractional_starts(values[..., 0], width, out[1], kernel[1])   # (N, C, oW)
    rows = _fractional_starts(values[..., 1], height, out[0], kernel[0])  # (N, C, oH)
    window_rows = rows[..., :, None] + np.arange(kernel[0])               # (N, C, oH, kH)
    window_cols = cols[..., :, None] + np.arange(kernel[1])               # (N, C, oW, kW)
    table = window_rows[:, :, :, None, :, None] * width + window_cols[:, :, None, :, None, :]
    table = tensor(table.reshape(n, c, out[0] * out[1], -1), device=input.device)
    plane = batched.reshape(n, c, 1, height * width).expand(n, c, out[0] * out[1],
                                                             height * width)
    windows = plane.gather(-1, table)
    maxima, which = windows.max(-1)
    result = maxima.reshape(n, c, out[0], out[1])
    indices = table.gather(-1, which.unsqueeze(-1)).reshape(n, c, out[0], out[1])
    if input.ndim == 3:
        result, indices = result.squeeze(0), indices.squeeze(0)
    return (result, indices) if return_indices else result


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """max(d(anchor, positive) - d(anchor, negative) + margin, 0) with a distance function of
    your choice (default pairwise_distance); swap uses min(d(a, n), d(p, n))."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater "
                         f"than 0, got {margin} instead")
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        if not isinstance(t, Tensor):
            raise TypeError(f"triplet_margin_with_distance_loss: {name} must be a Tensor")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(f"The anchor, positive, and negative tensors are expected to have the "
                         f"same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                         f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    positive_distance = distance(anchor, positive)
    negative_distance = distance(anchor, negative)
    if swap:
        negative_distance = negative_distance.minimum(distance(positive, negative))
    losses = (margin + positive_distance - negative_distance).clamp_min(0)
    return _reduce(losses, reduction)
