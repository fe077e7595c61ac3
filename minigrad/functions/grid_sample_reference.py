"""grid_sample composed of Tensor ops, for 4-D and 5-D input and every mode: the reference the
kernels are tested against and what F.grid_sample's second derivatives differentiate.

Per spatial axis, each output point reads a few integer taps (nearest: one; bilinear
(trilinear): two; bicubic: four) found on the host from the detached coordinates, with weights
that are Tensor ops of the grid, so the result is differentiable to any order in both the input
and the grid. The coordinate rules are PyTorch's: bilinear and nearest pad the point (border
clips, reflection mirrors, with the derivative that implies); bicubic pads each tap.
"""
import itertools

import numpy as np

from ..backend import _grid_sample_scalar as rules
from ..creation import arange, tensor
from .elementwise import where

_PADDINGS = {"zeros": rules.ZEROS, "border": rules.BORDER, "reflection": rules.REFLECTION}
_CUBIC_A = -0.75


def _unnormalize(coord, size, align_corners):
    """[-1, 1] grid coordinates to input pixel coordinates."""
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, low2, high2):
    """Reflect coordinates into [low2 / 2, high2 / 2] (PyTorch's reflect_coordinates)."""
    if low2 == high2:
        return coord * 0
    lo, span = low2 / 2, (high2 - low2) / 2
    distance = (coord - lo).abs()
    flips_np = np.floor(distance.detach().numpy() / span)  # piecewise constant: no gradient
    flips = tensor(flips_np, dtype=coord.dtype, device=coord.device)
    extra = distance - flips * span
    even = tensor(flips_np % 2 == 0, device=coord.device)
    return where(even, extra + lo, span - extra + lo)


def _clip(x, size):
    """x clamped to [0, size - 1], with no gradient on or beyond the bounds (as PyTorch's
    clip_coordinates_set_grad)."""
    inside = (x > 0) * (x < size - 1)
    return where(inside, x, x.detach().clamp(0, size - 1))


def _padded_pixels(coord, size, padding_mode, align_corners):
    x = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        return _clip(x, size)
    if padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        return _clip(x, size)
    return x


def _cubic_weights(t):
    """Keys' cubic convolution weights (A = -0.75) of the taps at distances 1 + t, t, 1 - t,
    2 - t (PyTorch's get_cubic_upsample_coefficients)."""
    a = _CUBIC_A

    def outer(x):  # 1 <= |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def inner(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1
    return [outer(t + 1), inner(t), inner(1 - t), outer((1 - t) + 1)]


def _axis_taps(coord, size, mode, padding_mode, align_corners):
    """[(index (numpy int), valid (numpy bool), weight Tensor or None (1))] of one axis."""
    if mode == "bicubic":
        x = _unnormalize(coord, size, align_corners)
        origin = np.floor(x.detach().numpy())
        weights = _cubic_weights(x - tensor(origin, dtype=x.dtype, device=x.device))
        pad = np.vectorize(lambda p: rules.pad(p, size, _PADDINGS[padding_mode],
                                               align_corners, np.float64(0))[0],
                           otypes=[float])
        taps = []
        for k, weight in enumerate(weights):
            position = pad(origin + (k - 1)) if origin.size else origin
            index = position.astype(np.int64)
            taps.append((index, (position >= 0) & (position < size), weight))
        return taps
    x = _padded_pixels(coord, size, padding_mode, align_corners)
    xs = x.detach().numpy()
    if mode == "nearest":
        index = np.rint(xs)
        return [(np.nan_to_num(index).astype(np.int64), (index >= 0) & (index < size), None)]
    origin = np.floor(xs)
    t = x - tensor(origin, dtype=x.dtype, device=x.device)  # differentiable in the grid
    index = np.nan_to_num(origin).astype(np.int64)
    return [(index + k, (origin + k >= 0) & (origin + k < size), weight)
            for k, weight in ((0, 1 - t), (1, t))]


def grid_sample_reference(input, grid, mode="bilinear", padding_mode="zeros",
                          align_corners=None):
    """grid_sample of (N, C, H, W) input at grid (N, Ho, Wo, 2), or of (N, C, D, H, W) input at
    grid (N, Do, Ho, Wo, 3), in Tensor ops (checked arguments): every combination of the axes'
    taps is gathered with host-computed indices and weighted by the product of their weights."""
    align_corners = bool(align_corners)
    n, c = input.shape[:2]
    sizes = tuple(input.shape[2:])  # (D,) H, W
    grid = grid.to(dtype=input.dtype)
    # grid's last dim lists x (the last input dim) first
    axes = [_axis_taps(grid[..., len(sizes) - 1 - d], size, mode, padding_mode, align_corners)
            for d, size in enumerate(sizes)]
    flat = input.reshape((n, c, -1)).transpose(1, 2)  # (N, spatial, C)
    batch_index = arange(n, device=input.device).reshape((n,) + (1,) * len(sizes))
    out = 0
    for taps in itertools.product(*axes):
        index = np.zeros(taps[0][0].shape, dtype=np.int64)
        valid = np.ones(taps[0][0].shape, dtype=bool)
        weight = None
        for (axis_index, axis_valid, axis_weight), size in zip(taps, sizes):
            index = index * size + axis_index
            valid &= axis_valid
            if axis_weight is not None:
                weight = axis_weight if weight is None else weight * axis_weight
        gathered = flat[batch_index, tensor(np.where(valid, index, 0), device=input.device)]
        term = gathered * tensor(valid[..., None], dtype=flat.dtype, device=flat.device)
        out = out + (term if weight is None else term * weight.unsqueeze(-1))
    return out.permute((0, len(sizes) + 1) + tuple(range(1, len(sizes) + 1)))


__all__ = ["grid_sample_reference"]
