"""Adaptive max pooling in 1-d and 2-d (F.adaptive_max_pool1d / 2d, with return_indices).

Along each axis output i covers the input window [floor(i * size / out), ceil((i + 1) * size /
out)). The windows' flat input positions depend on the sizes alone, so they are computed once on
the host as an (out..., K) table (K the largest window, shorter windows repeat their last
position, which cannot change a maximum); the pooling is then a gather of the flattened input
plane with that table and a max over K, all Tensor ops, so it runs on every device, routes the
gradient to the first maximum of each window (as PyTorch) and is differentiable to any order.
"""
import numpy as np

from ..creation import tensor
from .pool import _adaptive_size, _check_input


def _window_positions(in_size, out_size):
    """(out_size, K) input positions of each output's window, the last one repeated."""
    i = np.arange(out_size)
    starts = (i * in_size) // out_size
    ends = -((-(i + 1) * in_size) // out_size)  # ceil
    width = int((ends - starts).max()) if out_size else 1
    return np.minimum(starts[:, None] + np.arange(width)[None, :], ends[:, None] - 1)


def _flat_table(in_sizes, out_sizes):
    """(out..., K) flat positions in the input plane of each output's window, row-major."""
    if len(in_sizes) == 1:
        return _window_positions(in_sizes[0], out_sizes[0])
    rows = _window_positions(in_sizes[0], out_sizes[0])  # (oH, kH)
    cols = _window_positions(in_sizes[1], out_sizes[1])  # (oW, kW)
    flat = rows[:, None, :, None] * in_sizes[1] + cols[None, :, None, :]  # (oH, oW, kH, kW)
    return flat.reshape(out_sizes[0], out_sizes[1], -1)


def _adaptive_max_pool(op, dims, input, output_size, return_indices):
    _check_input(input, dims, op)
    in_sizes = tuple(input.shape[-dims:])
    out_sizes = _adaptive_size(op, output_size, in_sizes)
    lead = tuple(input.shape[:-dims])
    plane = input.reshape(lead + (int(np.prod(in_sizes)),))
    if 0 in out_sizes:  # nothing to pool: empty results of the right shape
        values = plane.sum(dim=-1, keepdim=True)[..., :0].reshape(lead + tuple(out_sizes))
        return (values, values.detach().long()) if return_indices else values
    table = tensor(_flat_table(in_sizes, out_sizes), device=input.device)
    windows = plane[..., table]  # (lead..., out..., K)
    values, which = windows.max(dim=-1)
    if not return_indices:
        return values
    indices = table.expand(windows.shape).gather(-1, which.unsqueeze(-1)).squeeze(-1)
    return values, indices


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of an (N, C, L) or (C, L) input to length `output_size`; with
    return_indices also the position in L of each maximum (int64)."""
    return _adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling of an (N, C, H, W) or (C, H, W) input to `output_size` (an int or an
    (oH, oW) pair, None keeping that input size); with return_indices also the flat position
    h * W + w of each maximum (int64)."""
    return _adaptive_max_pool("adaptive_max_pool2d", 2, input, output_size, return_indices)


__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d"]
