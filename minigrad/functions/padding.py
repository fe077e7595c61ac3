"""F.pad with every PyTorch mode: constant, reflect, replicate and circular, and the padding
layers' functional core.

The non-constant modes pad the last 1, 2 or 3 dims by gathering along each padded dim with a
precomputed index (reflect: mirrored without repeating the edge; replicate: the edge repeated;
circular: wrapped around). A gather's gradient is a scatter-add and that scatter-add's gradient
is the gather again, so every mode is differentiable to any order on every device; the index
arithmetic is on sizes only and costs nothing per element.
"""
import numpy as np

from ..creation import tensor
from ..errors import ModeNotImplementedError, ShapeError
from ..tensor import Tensor
from .shape import pad as _constant_pad

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(size, before, after, mode):
    """Which input position each output position along one dim reads."""
    positions = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    if mode == "circular":
        # as PyTorch: negative amounts crop first, and the padding wraps around what is left
        lo, hi = max(-before, 0), size - max(-after, 0)
        kept = np.arange(-max(before, 0), hi - lo + max(after, 0))
        return lo + kept % (hi - lo)
    period = 2 * (size - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
    if period == 0:
        return np.zeros_like(positions)
    folded = np.abs(positions) % period
    return np.where(folded < size, folded, period - folded)


def _check_amounts(input, pad, mode):
    dims = len(pad) // 2
    if len(pad) % 2 or not 1 <= dims <= 3:
        raise ShapeError(f"pad: mode {mode!r} pads the last 1, 2 or 3 dims: expected 2, 4 or 6 "
                         f"amounts, got {len(pad)}")
    if input.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"pad: {dims}-D {mode} padding expects a {dims + 1}-D or {dims + 2}-D "
                         f"input (unbatched or batched), got shape {tuple(input.shape)}")
    for i in range(dims):
        size = input.shape[input.ndim - 1 - i]
        before, after = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (before >= size or after >= size):
            raise ShapeError(f"pad: reflect padding amounts must be smaller than the padded "
                             f"dim: got ({before}, {after}) for dim {input.ndim - 1 - i} of "
                             f"size {size}")
        if mode == "circular" and (before > size or after > size):
            raise ShapeError(f"pad: circular padding amounts may wrap around at most once: got "
                             f"({before}, {after}) for dim {input.ndim - 1 - i} of size {size}")
        if size == 0 or size + before + after < 0:
            raise ShapeError(f"pad: cannot {mode}-pad dim {input.ndim - 1 - i} of size {size} "
                             f"by ({before}, {after})")


def pad(input, pad, mode="constant", value=None):
    """PyTorch's F.pad: `pad` lists (before, after) amounts from the LAST dim backwards.

    mode "constant" fills with `value` (0 when None) and takes any number of dims; "reflect",
    "replicate" and "circular" pad the last 1-3 dims of an unbatched or batched input, reflect
    by less than the dim's size, circular by at most its size. Negative amounts crop.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    if mode not in _MODES:
        raise ModeNotImplementedError(f"pad: mode must be one of {_MODES}, got {mode!r}")
    amounts = tuple(int(p) for p in pad)
    if mode == "constant":
        return _constant_pad(input, amounts, "constant", 0.0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"pad: a fill value is only meaningful in 'constant' mode, got "
                         f"value={value} with mode={mode!r}")
    _check_amounts(input, amounts, mode)
    out = input
    for i in range(len(amounts) // 2):
        dim = input.ndim - 1 - i
        before, after = amounts[2 * i], amounts[2 * i + 1]
        if before == 0 and after == 0:
            continue
        index = _source_index(input.shape[dim], before, after, mode)
        out = out[(slice(None),) * dim + (tensor(index, device=input.device),)]
    return out if out is not input else input.clone()


__all__ = ["pad"]
