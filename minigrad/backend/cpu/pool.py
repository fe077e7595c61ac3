"""Pooling kernels on NCHW arrays: max pooling with argmax indices, window averages, and the
scatter/gather by per-plane indices that max pooling's gradients (and max unpooling) use.

Every kernel works plane by plane: an (N, C, H, W) array is N * C independent (H, W) planes, and
Numba runs the planes in parallel. Indices are int64 flat positions h * W + w inside a plane,
as PyTorch returns them. Geometry arguments are (height, width) pairs of Python ints; callers
validate them. One-dimensional pooling uses these kernels with H = 1.
"""
import math

import numba
import numpy as np

from ._parallel import call


# Below this many elements touched, a kernel runs on the calling thread alone: waking the
# thread pool costs more than splitting such small work saves.
_PARALLEL_MIN_ELEMENTS = 1 << 15


def _run(kernel, elements, *args):
    """Call a parallel (prange over planes) kernel, on one thread if the work is small."""
    call(kernel, elements >= _PARALLEL_MIN_ELEMENTS, *args)


def _kernel_input(a):
    """`a` as a C-contiguous writeable array (copied only if it is not one), so that each
    kernel is compiled for one array type per dtype (Numba types read-only arrays apart)."""
    return np.require(a, requirements=("C", "W"))


def _planes(a):
    """An (N, C, H, W) array as a C-contiguous (N * C, H, W) stack of planes."""
    n, c, h, w = a.shape
    return _kernel_input(a).reshape(n * c, h, w)


def _flat_planes(a):
    """An (N, C, h, w) array as a C-contiguous (N * C, h * w) stack of flattened planes."""
    n, c, h, w = a.shape
    return _kernel_input(a).reshape(n * c, h * w)


# ---- max pooling ------------------------------------------------------------------------------

@numba.njit(cache=True, parallel=True)
def _max_pool_planes(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h,
                     dilation_w, out, indices):
    planes, height, width = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    for p in numba.prange(planes):
        for oh in range(out_h):
            h0 = oh * stride_h - pad_h
            h1 = min(h0 + (kernel_h - 1) * dilation_h + 1, height)
            while h0 < 0:
                h0 += dilation_h
            for ow in range(out_w):
                w0 = ow * stride_w - pad_w
                w1 = min(w0 + (kernel_w - 1) * dilation_w + 1, width)
                while w0 < 0:
                    w0 += dilation_w
                # PyTorch's rule: the first maximum in window order wins; a NaN always wins.
                best = -np.inf
                best_index = h0 * width + w0
                for ih in range(h0, h1, dilation_h):
                    for iw in range(w0, w1, dilation_w):
                        value = x[p, ih, iw]
                        if value > best or math.isnan(value):
                            best = value
                            best_index = ih * width + iw
                out[p, oh, ow] = best
                indices[p, oh, ow] = best_index


def max_pool2d_forward(x, output_hw, kernel, stride, padding, dilation):
    """Max over each (dilated) window of x (N, C, H, W), padded with -inf.

    Returns (out, indices), both (N, C, *output_hw); indices (int64) are flat positions in the
    input plane. A window lying wholly in the padding gives -inf.
    """
    n, c = x.shape[:2]
    out = np.empty((n * c, *output_hw), dtype=x.dtype)
    indices = np.empty((n * c, *output_hw), dtype=np.int64)
    _run(_max_pool_planes, x.size + out.size, _planes(x), *kernel, *stride, *padding, *dilation,
         out, indices)
    return out.reshape(n, c, *output_hw), indices.reshape(n, c, *output_hw)


@numba.njit(cache=True, parallel=True)
def _scatter_planes(values, indices, out, accumulate):
    plane_size = out.shape[1]
    for p in numba.prange(values.shape[0]):
        for k in range(values.shape[1]):
            i = indices[p, k]
            if 0 <= i < plane_size:
                if accumulate:
                    out[p, i] += values[p, k]
                else:
                    out[p, i] = values[p, k]


def scatter_by_plane_indices(values, indices, plane_hw, accumulate):
    """Zeros of shape (N, C, *plane_hw) with values[n, c, ...] written at the flat plane
    positions indices[n, c, ...] (values and indices have one shape, (N, C, h, w)).

    Repeated positions add up when `accumulate` (the gradient of max pooling), else the last
    one written wins (max unpooling). Positions outside the plane are skipped.
    """
    n, c = values.shape[:2]
    out = np.zeros((n * c, plane_hw[0] * plane_hw[1]), dtype=values.dtype)
    _run(_scatter_planes, values.size + out.size, _flat_planes(values), _flat_planes(indices),
         out, accumulate)
    return out.reshape(n, c, *plane_hw)


@numba.njit(cache=True, parallel=True)
def _gather_planes(source, indices, out):
    plane_size = source.shape[1]
    for p in numba.prange(indices.shape[0]):
        for k in range(indices.shape[1]):
            i = indices[p, k]
            out[p, k] = source[p, i] if 0 <= i < plane_size else 0


def gather_by_plane_indices(source, indices):
    """out[n, c, ...] = source[n, c] at flat plane position indices[n, c, ...] (0 where the
    position lies outside the plane). source (N, C, H, W), indices (N, C, h, w) -> (N, C, h, w).
    """
    n, c = indices.shape[:2]
    out = np.empty((n * c, indices.shape[2] * indices.shape[3]), dtype=source.dtype)
    _run(_gather_planes, indices.size, _flat_planes(source), _flat_planes(indices), out)
    return out.reshape(indices.shape)


# ---- window averages: average pooling and adaptive average pooling ----------------------------
#
# Both are "window means": output (oh, ow) averages the input rectangle rows [row_start[oh],
# row_stop[oh]) x columns [col_start[ow], col_stop[ow]), divided by row_div[oh] * col_div[ow].
# The windows and divisors depend on the pooling kind only, so two kernels (the map and its
# adjoint, which is its gradient) serve both kinds.

@numba.njit(cache=True, parallel=True)
def _window_means(x, row_start, row_stop, row_div, col_start, col_stop, col_div, out):
    out_h, out_w = out.shape[1], out.shape[2]
    for p in numba.prange(x.shape[0]):
        for oh in range(out_h):
            for ow in range(out_w):
                total = 0.0
                for ih in range(row_start[oh], row_stop[oh]):
                    for iw in range(col_start[ow], col_stop[ow]):
                        total += x[p, ih, iw]
                out[p, oh, ow] = total / (row_div[oh] * col_div[ow])


@numba.njit(cache=True, parallel=True)
def _window_means_adjoint(grad, row_start, row_stop, row_div, col_start, col_stop, col_div,
                          out):
    out_h, out_w = grad.shape[1], grad.shape[2]
    for p in numba.prange(grad.shape[0]):
        for oh in range(out_h):
            for ow in range(out_w):
                share = grad[p, oh, ow] / (row_div[oh] * col_div[ow])
                for ih in range(row_start[oh], row_stop[oh]):
                    for iw in range(col_start[ow], col_stop[ow]):
                        out[p, ih, iw] += share


def _apply_window_means(x, out_hw, rows, cols):
    n, c = x.shape[:2]
    out = np.empty((n * c, *out_hw), dtype=x.dtype)
    _run(_window_means, x.size + out.size, _planes(x), *rows, *cols, out)
    return out.reshape(n, c, *out_hw)


def _apply_window_means_adjoint(grad, in_hw, rows, cols):
    n, c = grad.shape[:2]
    out = np.zeros((n * c, *in_hw), dtype=grad.dtype)
    _run(_window_means_adjoint, grad.size + out.size, _planes(grad), *rows, *cols, out)
    return out.reshape(n, c, *in_hw)


def _avg_windows(in_size, out_size, kernel, stride, pad, count_include_pad):
    """(start, stop, divisor) arrays along one axis, with PyTorch's divisor rule: a window
    counts the padding it covers but never reaches beyond the padding (ceil_mode overhang)."""
    start = np.arange(out_size, dtype=np.int64) * stride - pad
    stop = np.minimum(start + kernel, in_size + pad)
    padded_size = stop - start
    start, stop = np.maximum(start, 0), np.minimum(stop, in_size)
    divisor = padded_size if count_include_pad else stop - start
    return start, stop, divisor.astype(np.float64)


def _avg_geometry(in_hw, out_hw, kernel, stride, padding, count_include_pad, divisor_override):
    rows, cols = (_avg_windows(in_hw[a], out_hw[a], kernel[a], stride[a], padding[a],
                               count_include_pad) for a in (0, 1))
    if divisor_override is not None:
        rows = rows[:2] + (np.full(out_hw[0], float(divisor_override)),)
        cols = cols[:2] + (np.ones(out_hw[1]),)
    return rows, cols


def avg_pool2d_forward(x, output_hw, kernel, stride, padding, count_include_pad,
                       divisor_override):
    """Average over each window of x (N, C, H, W) -> (N, C, *output_hw), PyTorch's divisors."""
    geometry = _avg_geometry(x.shape[2:], output_hw, kernel, stride, padding, count_include_pad,
                             divisor_override)
    return _apply_window_means(x, output_hw, *geometry)


def avg_pool2d_backward(grad, input_hw, kernel, stride, padding, count_include_pad,
                        divisor_override):
    """The adjoint of avg_pool2d_forward: grad (N, C, oH, oW) -> (N, C, *input_hw)."""
    geometry = _avg_geometry(input_hw, grad.shape[2:], kernel, stride, padding,
                             count_include_pad, divisor_override)
    return _apply_window_means_adjoint(grad, input_hw, *geometry)


def _adaptive_windows(in_size, out_size):
    """Window i covers [floor(i * in / out), ceil((i + 1) * in / out))."""
    i = np.arange(out_size, dtype=np.int64)
    start = i * in_size // out_size
    stop = -(-(i + 1) * in_size // out_size)
    return start, stop, (stop - start).astype(np.float64)


def adaptive_avg_pool2d_forward(x, output_hw):
    """Adaptive average pooling of x (N, C, H, W) -> (N, C, *output_hw)."""
    rows, cols = (_adaptive_windows(x.shape[2 + a], output_hw[a]) for a in (0, 1))
    return _apply_window_means(x, output_hw, rows, cols)


def adaptive_avg_pool2d_backward(grad, input_hw):
    """The adjoint of adaptive_avg_pool2d_forward: (N, C, oH, oW) -> (N, C, *input_hw)."""
    rows, cols = (_adaptive_windows(input_hw[a], grad.shape[2 + a]) for a in (0, 1))
    return _apply_window_means_adjoint(grad, input_hw, rows, cols)
