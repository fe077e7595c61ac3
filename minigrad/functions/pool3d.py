"""3-d pooling: max_pool3d, avg_pool3d and adaptive_avg_pool3d, as PyTorch defines them.

A 3-d window is a box, and the max or the sum over a box is the max or sum over its depth of
the max or sum over each depth slice's 2-d window; the divisor of an average (the box's size,
counting padding or not, clipped by ceil_mode) is the product of the per-dim divisors. So each
is the 2-d pooling (on every depth slice at once) followed by the 1-d pooling along depth, on
the existing kernels of every device; adaptive average pooling likewise (2-d over the slices,
then 1-d along depth). The composition picks the same argmax as PyTorch: the first in
(d, h, w) order.
"""
from .._args import int_tuple
from ..autograd.function import rename_grad_fn
from ..creation import arange
from ..errors import ShapeError
from ..tensor import Tensor
from .pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d,
                   max_pool2d)


def _batched(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (4, 5):
        raise ShapeError(f"{op}: expected a 4-D (C, D, H, W) or 5-D (N, C, D, H, W) input, got "
                         f"shape {tuple(input.shape)}")
    return input if input.ndim == 5 else input.unsqueeze(0)


def _triples(op, kernel_size, stride, padding, dilation=1):
    kernel = int_tuple(kernel_size, 3, "kernel_size", op, minimum=1)
    stride = kernel if stride is None or stride == [] or stride == () else \
        int_tuple(stride, 3, "stride", op, minimum=1)
    padding = int_tuple(padding, 3, "padding", op, minimum=0)
    dilation = int_tuple(dilation, 3, "dilation", op, minimum=1)
    return kernel, stride, padding, dilation


def _depth_last(y, n, c):
    """(N * C, D, Ho, Wo) -> (N * C, Ho * Wo, D): depth as the 1-d pooling's length."""
    d, ho, wo = y.shape[1:]
    return y.permute((0, 2, 3, 1)).reshape((n * c, ho * wo, d)), (ho, wo)


def _depth_back(y, n, c, hw):
    """(N * C, Ho * Wo, Do) -> (N, C, Do, Ho, Wo)."""
    do = y.shape[2]
    return y.reshape((n * c,) + hw + (do,)).permute((0, 3, 1, 2)).reshape((n, c, do) + hw)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of an (N, C, D, H, W) or (C, D, H, W) input; stride defaults to
    kernel_size. return_indices also returns the argmax positions as flat indices
    d * H * W + h * W + w into each input plane (int64)."""
    op = "max_pool3d"
    x = _batched(input, op)
    kernel, stride, padding, dilation = _triples(op, kernel_size, stride, padding, dilation)
    n, c, d, h, w = x.shape
    planes, plane_index = max_pool2d(x.reshape((n * c, d, h, w)), kernel[1:], stride[1:],
                                     padding[1:], dilation[1:], ceil_mode, return_indices=True)
    columns, hw = _depth_last(planes, n, c)
    out, depth_index = max_pool1d(columns, kernel[0], stride[0], padding[0], dilation[0],
                                  ceil_mode, return_indices=True)
    result = _depth_back(out, n, c, hw)
    if not return_indices:
        return result if input.ndim == 5 else result.squeeze(0)
    # the 2-d argmax in the winning depth slice, plus that slice's offset
    index_columns, _ = _depth_last(plane_index, n, c)
    rows = arange(n * c, device=x.device).reshape((n * c, 1, 1))
    cells = arange(index_columns.shape[1], device=x.device).reshape((1, -1, 1))
    flat = depth_index * (h * w) + index_columns[rows, cells, depth_index]
    indices = _depth_back(flat, n, c, hw)
    if input.ndim == 4:
        result, indices = result.squeeze(0), indices.squeeze(0)
    return result, indices


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over windows of an (N, C, D, H, W) or (C, D, H, W) input; stride defaults to
    kernel_size, padding (zeros) at most kernel_size // 2. Each window sum is divided by
    divisor_override if given, else by the window's size counting the padding it covers
    (count_include_pad) or by the number of input elements in it."""
    op = "avg_pool3d"
    x = _batched(input, op)
    kernel, stride, padding, _ = _triples(op, kernel_size, stride, padding)
    n, c, d, h, w = x.shape
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError(f"{op}: divisor_override must not be zero")
        # window sums: 2-d sums per slice, then sums along depth as a (kd, 1) 2-d window
        planes = avg_pool2d(x.reshape((n * c, d, h, w)), kernel[1:], stride[1:], padding[1:],
                            ceil_mode, True, divisor_override=1)
        columns, hw = _depth_last(planes, n, c)
        sums = avg_pool2d(columns.unsqueeze(-1), (kernel[0], 1), (stride[0], 1),
                          (padding[0], 0), ceil_mode, True, divisor_override=1).squeeze(-1)
        result = _depth_back(sums, n, c, hw) / float(divisor_override)
    else:
        planes = avg_pool2d(x.reshape((n * c, d, h, w)), kernel[1:], stride[1:], padding[1:],
                            ceil_mode, count_include_pad)
        columns, hw = _depth_last(planes, n, c)
        out = avg_pool1d(columns, kernel[0], stride[0], padding[0], ceil_mode,
                         count_include_pad)
        result = _depth_back(out, n, c, hw)
    return result if input.ndim == 5 else result.squeeze(0)


def adaptive_avg_pool3d(input, output_size):
    """Average (N, C, D, H, W) or (C, D, H, W) input over adaptive windows to
    output_size (an int, or a triple whose None entries keep the input's size)."""
    op = "adaptive_avg_pool3d"
    x = _batched(input, op)
    if isinstance(output_size, int):
        output_size = (output_size,) * 3
    output_size = tuple(output_size)
    if len(output_size) != 3:
        raise ShapeError(f"{op}: output_size must be an int or a triple, got {output_size}")
    sizes = tuple(x.shape[2 + i] if s is None else int(s) for i, s in enumerate(output_size))
    if any(s < 1 for s in sizes):
        raise ShapeError(f"{op}: output sizes must be positive, got {sizes}")
    n, c, d = x.shape[:3]
    # each depth slice's (H, W) windows on the 2-d kernel, then the depth windows on the 1-d
    # one: the mean over a box is the mean over its depth of the means over its slices
    planes = adaptive_avg_pool2d(x.reshape((n, c * d) + tuple(x.shape[3:])), sizes[1:])
    columns = planes.reshape(n, c, d, sizes[1] * sizes[2]).transpose(2, 3)
    columns = adaptive_avg_pool1d(columns.reshape(n, c * sizes[1] * sizes[2], d), sizes[0])
    out = columns.reshape(n, c, sizes[1] * sizes[2], sizes[0]).transpose(2, 3)
    out = rename_grad_fn(out.reshape((n, c) + sizes), "AdaptiveAvgPool3DBackward0")
    return out if input.ndim == 5 else out.squeeze(0)


__all__ = ["adaptive_avg_pool3d", "avg_pool3d", "max_pool3d"]
