"""Inverted dropout: zero elements (or whole channels) with probability p and scale the kept ones
by 1 / (1 - p), so the expected value is unchanged and evaluation needs no rescaling.

Masks are drawn from the device's default generator with the backend's `uniform` kernel, so
`minigrad.manual_seed` makes them reproducible. The result is input * mask, whose gradient
(grad * mask) is twice differentiable.
"""
import warnings

from .. import dtypes
from ..tensor import Tensor


def _check(input, p, name):
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise TypeError(f"{name}: input must be a floating point Tensor, got "
                        f"{getattr(input, 'dtype', type(input).__name__)}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: dropout probability has to be between 0 and 1, but got {p}")


def _apply_mask(input, mask_shape, p, inplace):
    """input * mask, mask of `mask_shape` (broadcast to the input) holding 0 with probability p
    and 1 / (1 - p) otherwise."""
    b = input._backend
    # drawn in float64 whatever the input's dtype, so a seed gives the same mask for both
    keep = b.lt(b.uniform(mask_shape, dtypes.float64.numpy, None), 1.0 - p)
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = input._new(b.mul(b.astype(keep, input.dtype.numpy), scale))
    return input.mul_(mask) if inplace else input * mask


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p (training only); the rest are scaled by 1/(1-p)."""
    _check(input, p, "dropout")
    if not training or p == 0.0:
        return input
    return _apply_mask(input, tuple(input.shape), p, inplace)


def _feature_dropout(input, p, training, inplace):
    """Zero whole channels: the mask has shape (N, C, 1, ..., 1)."""
    if not training or p == 0.0:
        return input
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _apply_mask(input, mask_shape, p, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or unbatched (C, L) input with probability p."""
    _check(input, p, "dropout1d")
    if input.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    if input.ndim == 3:
        return _feature_dropout(input, p, training, inplace)
    if not training or p == 0.0:
        return input
    return _apply_mask(input, (input.shape[0], 1), p, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability p.

    As PyTorch, 3-D input is taken as (N, C, L) (channel-wise 1-D dropout) with a warning, and
    other ranks with at least 2 dims get a deprecation warning.
    """
    _check(input, p, "dropout2d")
    if input.ndim < 2:
        raise ValueError(f"dropout2d: expected (N, C, H, W) input, got shape "
                         f"{tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn("dropout2d: received a 3-D input; it is interpreted as (N, C, L) and "
                      "whole channels are dropped (use dropout1d for that)", stacklevel=2)
    elif input.ndim != 4:
        warnings.warn(f"dropout2d: received a {input.ndim}-D input; dropout2d is meant for "
                      "(N, C, H, W) input (use dropout for element-wise dropout)", stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or unbatched (C, D, H, W) input with
    probability p."""
    _check(input, p, "dropout3d")
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: received a {input.ndim}-D input; dropout3d is meant for "
                      "(N, C, D, H, W) or (C, D, H, W) input", stacklevel=2)
    if input.ndim == 4:
        if not training or p == 0.0:
            return input
        return _apply_mask(input, (input.shape[0], 1, 1, 1), p, inplace)
    return _feature_dropout(input, p, training, inplace)


__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d"]
