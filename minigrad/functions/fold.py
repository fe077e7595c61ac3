"""Sliding-window rearrangements: unfold (im2col), fold (col2im), pixel_shuffle and
pixel_unshuffle.

unfold is a gather of the (zero-padded) input at every window position and fold is the
matching scatter-add, so each is the other's gradient and both are differentiable to any order
on every device; the pixel shuffles are reshapes and permutations.
"""
import math

import numpy as np

from ..creation import tensor, zeros
from ..errors import InvalidArgumentError, ShapeError
from ..tensor import Tensor
from .indexing import index_put
from .shape import pad


def _pair(value, name, op):
    if isinstance(value, (int, np.integer)):
        return (int(value), int(value))
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ShapeError(f"{op}: {name} must be an int or a pair of ints, got {value}")
    return value


def _window_args(kernel_size, dilation, padding, stride, op):
    k = _pair(kernel_size, "kernel_size", op)
    d = _pair(dilation, "dilation", op)
    p = _pair(padding, "padding", op)
    s = _pair(stride, "stride", op)
    if min(k) < 1 or min(d) < 1 or min(s) < 1 or min(p) < 0:
        raise InvalidArgumentError(
            f"{op}: kernel_size, dilation and stride must be positive and padding "
            f"non-negative, got kernel_size={k}, dilation={d}, padding={p}, "
            f"stride={s}")
    return k, d, p, s


def _blocks(size, k, d, p, s):
    """Window positions per spatial dim for an (unpadded) size."""
    return tuple((size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))


def _window_index(blocks, k, d, s, device):
    """Row and column (in the padded input) of each kernel tap at each window position:
    two int64 tensors of shape (kh * kw, L), taps in row-major order, positions likewise."""
    taps_r, taps_c = np.meshgrid(np.arange(k[0]) * d[0], np.arange(k[1]) * d[1], indexing="ij")
    pos_r, pos_c = np.meshgrid(np.arange(blocks[0]) * s[0], np.arange(blocks[1]) * s[1],
                               indexing="ij")
    rows = taps_r.reshape(-1, 1) + pos_r.reshape(1, -1)
    cols = taps_c.reshape(-1, 1) + pos_c.reshape(1, -1)
    return tensor(rows, device=device), tensor(cols, device=device)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * kh * kw, L), L the number of
    window positions; unbatched (C, H, W) input gives (C * kh * kw, L)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unfold: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise ShapeError(f"unfold: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                         f"shape {tuple(input.shape)}")
    if input.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    k, d, p, s = _window_args(kernel_size, dilation, padding, stride, "unfold")
    n, c = input.shape[0], input.shape[1]
    blocks = _blocks(tuple(input.shape[2:]), k, d, p, s)
    if min(blocks) < 1:
        raise ShapeError(f"unfold: the {k} kernel (dilation {d}) does not fit the padded input "
                         f"of spatial size {tuple(input.shape[2:])} with padding {p}")
    padded = pad(input, (p[1], p[1], p[0], p[0])) if any(p) else input
    rows, cols = _window_index(blocks, k, d, s, input.device)
    cols_out = padded[:, :, rows, cols]  # (N, C, kh * kw, L)
    return cols_out.reshape((n, c * k[0] * k[1], blocks[0] * blocks[1]))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into an image, summing where windows overlap:
    (N, C * kh * kw, L) -> (N, C, H, W) with (H, W) = output_size; unbatched (C * kh * kw, L)
    gives (C, H, W). The adjoint of unfold."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fold: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ShapeError(f"fold: expected a 2-D (C * kh * kw, L) or 3-D (N, C * kh * kw, L) "
                         f"input, got shape {tuple(input.shape)}")
    if input.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding,
                    stride).squeeze(0)
    out_hw = _pair(output_size, "output_size", "fold")
    k, d, p, s = _window_args(kernel_size, dilation, padding, stride, "fold")
    n, ckk, length = input.shape
    taps = k[0] * k[1]
    if ckk % taps:
        raise ShapeError(f"fold: expected size of input's dimension 1 ({ckk}) to be divisible "
                         f"by the product of kernel_size ({taps})")
    blocks = _blocks(out_hw, k, d, p, s)
    if min(blocks) < 1 or math.prod(blocks) != length:
        raise ShapeError(f"fold: given output_size={out_hw}, kernel_size={k}, dilation={d}, "
                         f"padding={p}, stride={s}, expected size of input's dimension 2 to be "
                         f"{math.prod(blocks)}, but got {length}")
    c = ckk // taps
    rows, cols = _window_index(blocks, k, d, s, input.device)
    padded_hw = (out_hw[0] + 2 * p[0], out_hw[1] + 2 * p[1])
    canvas = zeros((n, c) + padded_hw, dtype=input.dtype, device=input.device)
    values = input.reshape((n, c, taps, length))
    out = index_put(canvas, (slice(None), slice(None), rows, cols), values, accumulate=True)
    if any(p):
        out = out[:, :, p[0]:p[0] + out_hw[0], p[1]:p[1] + out_hw[1]]
    return out


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r), r = upscale_factor."""
    r = int(upscale_factor)
    if not isinstance(input, Tensor) or input.ndim < 3:
        raise ShapeError(f"pixel_shuffle: expected a tensor of at least 3 dims, got "
                         f"{getattr(input, 'shape', type(input).__name__)}")
    *lead, c, h, w = input.shape
    if r < 1 or c % (r * r):
        raise ShapeError(f"pixel_shuffle: expected the channel dim ({c}) to be divisible by the "
                         f"square of upscale_factor ({r})")
    lead = tuple(lead)
    m = len(lead)
    x = input.reshape(lead + (c // (r * r), r, r, h, w))
    x = x.permute(tuple(range(m)) + (m, m + 3, m + 1, m + 4, m + 2))
    return x.reshape(lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W), r = downscale_factor."""
    r = int(downscale_factor)
    if not isinstance(input, Tensor) or input.ndim < 3:
        raise ShapeError(f"pixel_unshuffle: expected a tensor of at least 3 dims, got "
                         f"{getattr(input, 'shape', type(input).__name__)}")
    *lead, c, h, w = input.shape
    if r < 1 or h % r or w % r:
        raise ShapeError(f"pixel_unshuffle: expected height ({h}) and width ({w}) to be "
                         f"divisible by downscale_factor ({r})")
    lead = tuple(lead)
    m = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(tuple(range(m)) + (m, m + 2, m + 4, m + 1, m + 3))
    return x.reshape(lead + (c * r * r, h // r, w // r))


__all__ = ["fold", "pixel_shuffle", "pixel_unshuffle", "unfold"]
