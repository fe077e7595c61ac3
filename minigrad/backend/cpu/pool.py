"""Pooling kernels on NCHW arrays: max pooling with argmax indices, window averages, and the
scatter/gather by per-plane indices that max pooling's gradients (and max unpooling) use.

Every kernel works plane by plane: an (N, C, H, W) array is N * C independent (H, W) planes, and
Numba runs the planes in parallel. Indices are int64 flat positions h * W + w inside a plane,
as PyTorch returns them. `geometry` is the 2-d `minigrad.geometry.PoolGeometry` the op built
(sizes, windows, divisors). One-dimensional pooling uses these kernels with H = 1. Arguments of
the Numba kernels as on the cuda backend: results first.
"""

import numba
import numpy as np

from .._limits import lowest_value
from ._config import get_config
from ._parallel import call, ready


def _run(kernel, elements, *args):
    """Call a parallel (prange over planes) kernel, on one thread if the work is small."""
    call(kernel, elements >= get_config().pool_parallel_min_elements, *args)


def _planes(a):
    """An (N, C, H, W) array as a C-contiguous (N * C, H, W) stack of planes."""
    n, c, h, w = a.shape
    return ready(a).reshape(n * c, h, w)


def _flat_planes(a):
    """An (N, C, h, w) array as a C-contiguous (N * C, h * w) stack of flattened planes."""
    n, c, h, w = a.shape
    return ready(a).reshape(n * c, h * w)


# ---- max pooling ------------------------------------------------------------------------------

@numba.njit(cache=True, parallel=True)
def _max_pool_planes(out, indices, x, window, lowest):
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w = window
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
                best = lowest
                best_index = h0 * width + w0
                for ih in range(h0, h1, dilation_h):
                    for iw in range(w0, w1, dilation_w):
                        value = x[p, ih, iw]
                        # selects, not branches: on real data the comparison is a coin toss
                        take = (value > best) | (value != value)
                        best = value if take else best
                        best_index = ih * width + iw if take else best_index
                out[p, oh, ow] = best
                indices[p, oh, ow] = best_index


@numba.njit(cache=True, parallel=True)
def _max_pool_planes_inside(out, indices, x, kernel_h, kernel_w, stride_h, stride_w):
    """_max_pool_planes for windows with no padding and no dilation that all lie inside the
    plane: no clipping, unit steps, the window's first element as the starting maximum."""
    width = x.shape[2]
    out_h, out_w = out.shape[1], out.shape[2]
    for p in numba.prange(x.shape[0]):
        for oh in range(out_h):
            h0 = oh * stride_h
            for ow in range(out_w):
                w0 = ow * stride_w
                best = x[p, h0, w0]
                best_index = h0 * width + w0
                for ih in range(h0, h0 + kernel_h):
                    for iw in range(w0, w0 + kernel_w):
                        value = x[p, ih, iw]
                        # PyTorch's rule: the first maximum wins, a NaN always wins. Selects,
                        # not branches: on real data the comparison is a coin toss.
                        take = (value > best) | (value != value)
                        best = value if take else best
                        best_index = ih * width + iw if take else best_index
                out[p, oh, ow] = best
                indices[p, oh, ow] = best_index


@numba.njit(cache=True, parallel=True)
def _max_pool_planes_2x2(out, indices, x):
    """_max_pool_planes for 2x2 windows at stride 2 inside the plane (LeNet's, VGG's pools),
    unrolled: about 2.5x the generic loop's speed."""
    width = x.shape[2]
    out_h, out_w = out.shape[1], out.shape[2]
    for p in numba.prange(x.shape[0]):
        for oh in range(out_h):
            top, bottom = x[p, 2 * oh], x[p, 2 * oh + 1]
            base = 2 * oh * width
            for ow in range(out_w):
                w = 2 * ow
                # the same rule and selects as _max_pool_planes_inside, in window order
                best, best_index = top[w], base + w
                value = top[w + 1]
                take = (value > best) | (value != value)
                best = value if take else best
                best_index = base + w + 1 if take else best_index
                value = bottom[w]
                take = (value > best) | (value != value)
                best = value if take else best
                best_index = base + width + w if take else best_index
                value = bottom[w + 1]
                take = (value > best) | (value != value)
                best = value if take else best
                best_index = base + width + w + 1 if take else best_index
                out[p, oh, ow] = best
                indices[p, oh, ow] = best_index


def _windows_inside(geometry):
    """Whether every window of the 2-d `geometry` lies inside the plane, with unit dilation
    and no padding."""
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w = \
        geometry.window
    (height, width), (out_h, out_w) = geometry.input_size, geometry.output_size
    return (pad_h == pad_w == 0 and dilation_h == dilation_w == 1
            and (out_h - 1) * stride_h + kernel_h <= height
            and (out_w - 1) * stride_w + kernel_w <= width)


def max_pool2d_forward(x, geometry):
    """Max over each (dilated) window of x (N, C, H, W; floating or integer), padded with -inf
    (an integer dtype's minimum).

    Returns (out, indices), both (N, C, *geometry.output_size); indices (int64) are flat
    positions in the input plane. A window lying wholly in the padding gives -inf.
    """
    n, c = x.shape[:2]
    output_hw = geometry.output_size
    out = np.empty((n * c, *output_hw), dtype=x.dtype)
    indices = np.empty((n * c, *output_hw), dtype=np.int64)
    kernel_h, kernel_w, stride_h, stride_w = geometry.window[:4]
    if not _windows_inside(geometry):
        _run(_max_pool_planes, x.size + out.size, out, indices, _planes(x), geometry.window,
             lowest_value(x.dtype))
    elif kernel_h == kernel_w == stride_h == stride_w == 2:
        _run(_max_pool_planes_2x2, x.size + out.size, out, indices, _planes(x))
    else:
        _run(_max_pool_planes_inside, x.size + out.size, out, indices, _planes(x),
             kernel_h, kernel_w, stride_h, stride_w)
    return out.reshape(n, c, *output_hw), indices.reshape(n, c, *output_hw)


@numba.njit(cache=True, parallel=True)
def _scatter_planes(out, values, indices, accumulate):
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
    _run(_scatter_planes, values.size + out.size, out, _flat_planes(values),
         _flat_planes(indices), accumulate)
    return out.reshape(n, c, *plane_hw)


@numba.njit(cache=True, parallel=True)
def _gather_planes(out, source, indices):
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
    _run(_gather_planes, indices.size, out, _flat_planes(source), _flat_planes(indices))
    return out.reshape(indices.shape)


# ---- window averages: average pooling and adaptive average pooling ----------------------------
#
# Both are "window means": output (oh, ow) averages the input rectangle rows [row_start[oh],
# row_stop[oh]) x columns [col_start[ow], col_stop[ow]), divided by row_div[oh] * col_div[ow].
# The windows and divisors come from the geometry (`PoolGeometry.mean_windows`), so two kernels
# (the map and its adjoint, which is its gradient) serve both kinds. The sums are float64, as
# PyTorch's cpu kernels accumulate.

@numba.njit(cache=True, parallel=True)
def _window_means(out, x, row_start, row_stop, row_div, col_start, col_stop, col_div):
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
def _window_means_adjoint(out, grad, row_start, row_stop, row_div, col_start, col_stop,
                          col_div):
    out_h, out_w = grad.shape[1], grad.shape[2]
    for p in numba.prange(grad.shape[0]):
        for oh in range(out_h):
            for ow in range(out_w):
                share = grad[p, oh, ow] / (row_div[oh] * col_div[ow])
                for ih in range(row_start[oh], row_stop[oh]):
                    for iw in range(col_start[ow], col_stop[ow]):
                        out[p, ih, iw] += share


def _apply_window_means(x, geometry):
    n, c = x.shape[:2]
    out_hw = geometry.output_size
    out = np.empty((n * c, *out_hw), dtype=x.dtype)
    _run(_window_means, x.size + out.size, out, _planes(x), *geometry.mean_windows(0),
         *geometry.mean_windows(1))
    return out.reshape(n, c, *out_hw)


def _apply_window_means_adjoint(grad, geometry):
    n, c = grad.shape[:2]
    in_hw = geometry.input_size
    out = np.zeros((n * c, *in_hw), dtype=grad.dtype)
    _run(_window_means_adjoint, grad.size + out.size, out, _planes(grad),
         *geometry.mean_windows(0), *geometry.mean_windows(1))
    return out.reshape(n, c, *in_hw)


def avg_pool2d_forward(x, geometry):
    """Average over each window of x (N, C, H, W) -> (N, C, *geometry.output_size), with the
    geometry's windows and divisors."""
    return _apply_window_means(x, geometry)


def avg_pool2d_backward(grad, geometry):
    """The adjoint of avg_pool2d_forward: grad (N, C, *geometry.output_size) ->
    (N, C, *geometry.input_size)."""
    return _apply_window_means_adjoint(grad, geometry)


def adaptive_avg_pool2d_forward(x, geometry):
    """Adaptive average pooling of x (N, C, H, W) -> (N, C, *geometry.output_size)."""
    return _apply_window_means(x, geometry)


def adaptive_avg_pool2d_backward(grad, geometry):
    """The adjoint of adaptive_avg_pool2d_forward: (N, C, *geometry.output_size) ->
    (N, C, *geometry.input_size)."""
    return _apply_window_means_adjoint(grad, geometry)
