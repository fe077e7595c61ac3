"""Nearest-neighbour resizing of (N, C, L), (N, C, H, W) and (N, C, D, H, W) inputs:
`interpolate(mode='nearest')` and the deprecated `upsample` / `upsample_nearest`.

Output position i along a spatial dim reads input position min(floor(i * scale), in - 1), with
PyTorch's scale and float32 arithmetic, so the chosen indices match PyTorch exactly. The resize
is a gather along each resized dim (indexing): its backward scatter-adds the gradient back, and
the backward of that is the gather again, so the op is twice differentiable.
"""
import math
import warnings
from collections.abc import Sequence

import numpy as np

from .. import dtypes
from ..autograd.function import rename_grad_fn
from ..creation import tensor
from ..tensor import Tensor
from ..errors import InputDimsNotImplementedError, ShapeError


def _source_indices(in_size, out_size, scale_factor):
    """Input index read by each output index along one dim (None when it is the identity).

    The index arithmetic is host-side work on sizes, not tensor data. PyTorch uses the user's
    scale factor (as 1 / scale_factor) when one was given, else in_size / out_size, in float32.
    """
    if out_size == in_size:
        return None
    if out_size == 2 * in_size:
        return np.arange(out_size, dtype=np.int64) // 2
    if scale_factor is not None and scale_factor > 0:
        step = np.float32(1.0 / scale_factor)
    else:
        step = np.float32(in_size) / np.float32(out_size)
    src = np.floor(np.arange(out_size, dtype=np.float32) * step).astype(np.int64)
    return np.minimum(src, in_size - 1)


def _per_dim(value, count, what):
    """A number or a sequence of `count` numbers as a tuple of `count` values."""
    if isinstance(value, Sequence):
        value = tuple(value)
        if len(value) != count:
            raise ValueError(f"interpolate: {what} {value} must have one entry per spatial "
                             f"dimension of the input ({count})")
        return value
    return (value,) * count


def _output_sizes(input, size, scale_factor, recompute_scale_factor):
    """(output sizes, scale factors the index rule uses or None per dim)."""
    spatial = tuple(input.shape[2:])
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: exactly one of size and scale_factor must be given")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an "
                             "explicit size")
        sizes = tuple(int(s) for s in _per_dim(size, len(spatial), "size"))
        scales = (None,) * len(spatial)
    else:
        factors = tuple(float(f) for f in _per_dim(scale_factor, len(spatial), "scale_factor"))
        sizes = tuple(math.floor(n * f) for n, f in zip(spatial, factors))
        scales = (None,) * len(spatial) if recompute_scale_factor else factors
    if any(s <= 0 for s in sizes) or any(n <= 0 for n in spatial):
        raise ShapeError(f"interpolate: input and output sizes must be positive, got output "
                         f"sizes {sizes} for input of spatial shape {spatial}")
    return sizes, scales


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (all dims after N, C) of `input` to `size`, or by `scale_factor`
    (output = floor(input size * scale_factor)); each may be one number or one per spatial dim.
    Only mode='nearest' is supported.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if mode != "nearest":
        raise ValueError(f"interpolate: only mode='nearest' is supported, got mode={mode!r}")
    if align_corners is not None:
        raise ValueError("interpolate: align_corners can only be set with the interpolating "
                         "modes (linear, bilinear, bicubic, trilinear), not 'nearest'")
    if antialias:
        raise ValueError("interpolate: antialias is only supported by the bilinear and bicubic "
                         "modes, not 'nearest'")
    if input.ndim not in (3, 4, 5):
        raise InputDimsNotImplementedError(
            f"interpolate: expected a 3-D (N, C, L), 4-D (N, C, H, W) or 5-D "
            f"(N, C, D, H, W) input, got shape {tuple(input.shape)}")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    out = input
    for d, (in_size, out_size, scale) in enumerate(zip(input.shape[2:], sizes, scales)):
        src = _source_indices(in_size, out_size, scale)
        if src is not None:
            index = tensor(src, dtype=dtypes.int64, device=input.device)
            out = out[(slice(None),) * (d + 2) + (index,)]
    out = out if out is not input else input.clone()
    return rename_grad_fn(out, f"UpsampleNearest{input.ndim - 2}DBackward0")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of `interpolate`."""
    warnings.warn("upsample is deprecated; use interpolate instead", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated alias of `interpolate(..., mode='nearest')`."""
    warnings.warn("upsample_nearest is deprecated; use interpolate instead", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


__all__ = ["interpolate", "upsample", "upsample_nearest"]
