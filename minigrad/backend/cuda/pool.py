"""Pooling kernels on NCHW arrays: max pooling with argmax indices, window averages, and the
scatter/gather by per-plane indices that max pooling's gradients (and max unpooling) use.

One thread per output element (per input element for the averages' adjoint, which gathers
instead of scattering, so it needs no atomics and is deterministic), over (plane, position)
grids (see _planes.py). The one float atomic, in the scatter-add of max pooling's gradient,
has a fixed-order twin for `minigrad.use_deterministic_algorithms(True)`. Indices are int64
flat positions h * W + w inside a plane, as PyTorch returns them. `geometry` is the 2-d
`minigrad.geometry.PoolGeometry` the op built. Inputs are read through their element strides
(any layout); results are new C-contiguous arrays. The window and divisor rules are the
geometry's own scalar functions, compiled into the kernels.
(The kernels spell out min and max: numba's built-in CUDA target cannot compile the builtins'
vararg overloads.)
"""
import numpy as np
from numba import cuda

from ...determinism import are_deterministic_algorithms_enabled
from ...geometry import adaptive_window, average_window
from .._limits import lowest_value
from . import _copy
from ._array import buffer, element_strides, empty
from ._launch import launch_1d
from ._planes import launch_rows, plane_base

_AVERAGE, _ADAPTIVE = range(2)


# ---- max pooling ------------------------------------------------------------------------------

@cuda.jit(cache=True)
def _max_pool_kernel(out, indices, x, x_strides, channels, height, width, geometry, out_h,
                     out_w, lowest, planes):
    kh, kw, sh, sw, ph, pw, dh, dw = geometry
    positions = out_h * out_w
    for plane in range(cuda.blockIdx.y, planes, cuda.gridDim.y):
        base = plane_base(plane, channels, x_strides)
        for p in range(cuda.grid(1), positions, cuda.gridsize(1)):
            oh = p // out_w
            h0 = oh * sh - ph
            h1 = h0 + (kh - 1) * dh + 1
            if h1 > height:
                h1 = height
            while h0 < 0:
                h0 += dh
            w0 = (p - oh * out_w) * sw - pw
            w1 = w0 + (kw - 1) * dw + 1
            if w1 > width:
                w1 = width
            while w0 < 0:
                w0 += dw
            # PyTorch's rule: the first maximum in window order wins; a NaN always wins.
            best = lowest
            best_index = h0 * width + w0
            for ih in range(h0, h1, dh):
                for iw in range(w0, w1, dw):
                    value = x[base + ih * x_strides[2] + iw * x_strides[3]]
                    if value > best or value != value:
                        best = value
                        best_index = ih * width + iw
            out[plane * positions + p] = best
            indices[plane * positions + p] = best_index


def max_pool2d_forward(x, geometry):
    """Max over each (dilated) window of x (N, C, H, W; floating or integer), padded with -inf
    (an integer dtype's minimum).

    Returns (out, indices), both (N, C, *geometry.output_size); indices (int64) are flat
    positions in the input plane. A window lying wholly in the padding gives -inf.
    """
    n, c, height, width = x.shape
    out_h, out_w = geometry.output_size
    dtype = x.dtype
    shape = (n, c, out_h, out_w)
    out, indices = empty(shape, dtype), empty(shape, np.int64)
    lowest = _lowest.get(dtype)
    if lowest is None:
        lowest = _lowest[dtype] = lowest_value(dtype)
    launch_rows(_max_pool_kernel, n * c, out_h * out_w, buffer(out), buffer(indices), buffer(x),
                element_strides(x), c, height, width, geometry.window, out_h, out_w, lowest,
                n * c)
    return out, indices


_lowest = {}  # numpy dtype -> lowest_value(dtype), the max kernels' starting value


# ---- scatter and gather by plane indices ------------------------------------------------------
#
# values, indices and gathered results are (N, C, h, w) ("small" planes of h * w positions, each
# array read through its own strides); the planes scattered into and gathered from are
# (N, C, H, W), addressed by flat positions i = h * W + w.

@cuda.jit(device=True)
def _small_plane_offset(k, small_w, strides):
    """Element offset of position k of a small plane, from the plane's base."""
    kh = k // small_w
    return kh * strides[2] + (k - kh * small_w) * strides[3]


@cuda.jit(cache=True)
def _scatter_add_kernel(out, values, v_strides, indices, i_strides, channels, small_h, small_w,
                        plane_size, planes):
    small = small_h * small_w
    for plane in range(cuda.blockIdx.y, planes, cuda.gridDim.y):
        v_base = plane_base(plane, channels, v_strides)
        i_base = plane_base(plane, channels, i_strides)
        for k in range(cuda.grid(1), small, cuda.gridsize(1)):
            i = indices[i_base + _small_plane_offset(k, small_w, i_strides)]
            if 0 <= i < plane_size:
                cuda.atomic.add(out, plane * plane_size + i,
                                values[v_base + _small_plane_offset(k, small_w, v_strides)])


@cuda.jit(cache=True)
def _scatter_add_in_order_kernel(out, values, v_strides, indices, i_strides, channels, small_h,
                                 small_w, plane_size, planes):
    """The atomic-free _scatter_add_kernel: one thread per plane adds the plane's values in C
    order (the cpu's order), so the sums repeat bit for bit."""
    small = small_h * small_w
    for plane in range(cuda.grid(1), planes, cuda.gridsize(1)):
        v_base = plane_base(plane, channels, v_strides)
        i_base = plane_base(plane, channels, i_strides)
        for k in range(small):
            i = indices[i_base + _small_plane_offset(k, small_w, i_strides)]
            if 0 <= i < plane_size:
                out[plane * plane_size + i] += values[v_base
                                                      + _small_plane_offset(k, small_w, v_strides)]


@cuda.jit(cache=True)
def _last_writer_kernel(writer, indices, i_strides, channels, small_h, small_w, plane_size,
                        planes):
    """writer[plane, i] = the last position k (in C order) of the plane's indices equal to i."""
    small = small_h * small_w
    for plane in range(cuda.blockIdx.y, planes, cuda.gridDim.y):
        i_base = plane_base(plane, channels, i_strides)
        for k in range(cuda.grid(1), small, cuda.gridsize(1)):
            i = indices[i_base + _small_plane_offset(k, small_w, i_strides)]
            if 0 <= i < plane_size:
                cuda.atomic.max(writer, plane * plane_size + i, k)


@cuda.jit(cache=True)
def _take_written_kernel(out, writer, values, v_strides, channels, small_w, plane_size, zero,
                         planes):
    for plane in range(cuda.blockIdx.y, planes, cuda.gridDim.y):
        v_base = plane_base(plane, channels, v_strides)
        for i in range(cuda.grid(1), plane_size, cuda.gridsize(1)):
            k = writer[plane * plane_size + i]
            if k < 0:
                out[plane * plane_size + i] = zero
            else:
                out[plane * plane_size + i] = values[v_base
                                                     + _small_plane_offset(k, small_w, v_strides)]


@cuda.jit(cache=True)
def _gather_kernel(out, source, s_strides, width, plane_size, indices, i_strides, channels,
                   small_h, small_w, zero, planes):
    small = small_h * small_w
    for plane in range(cuda.blockIdx.y, planes, cuda.gridDim.y):
        s_base = plane_base(plane, channels, s_strides)
        i_base = plane_base(plane, channels, i_strides)
        for k in range(cuda.grid(1), small, cuda.gridsize(1)):
            i = indices[i_base + _small_plane_offset(k, small_w, i_strides)]
            if 0 <= i < plane_size:
                ih = i // width
                out[plane * small + k] = source[s_base + ih * s_strides[2]
                                                + (i - ih * width) * s_strides[3]]
            else:
                out[plane * small + k] = zero


def scatter_by_plane_indices(values, indices, plane_hw, accumulate):
    """Zeros of shape (N, C, *plane_hw) with values[n, c, ...] written at the flat plane
    positions indices[n, c, ...] (values and indices have one shape, (N, C, h, w)).

    Repeated positions add up when `accumulate` (the gradient of max pooling: with atomics, so
    the order of the additions varies, unless `minigrad.use_deterministic_algorithms(True)`
    is on, which adds in C order per plane as the cpu does), else the value written last in C
    order wins (max unpooling), as on the cpu. Positions outside the plane are skipped.
    """
    n, c, small_h, small_w = values.shape
    plane_size = int(plane_hw[0]) * int(plane_hw[1])
    out = empty((n, c) + tuple(int(s) for s in plane_hw), values.dtype)
    if out.size == 0:
        return out
    v_strides, i_strides = element_strides(values), element_strides(indices)
    if accumulate:
        _copy.fill(out, 0)
        if are_deterministic_algorithms_enabled():
            launch_1d(_scatter_add_in_order_kernel, n * c, buffer(out), buffer(values),
                      v_strides, buffer(indices), i_strides, c, small_h, small_w, plane_size,
                      n * c)
            return out
        launch_rows(_scatter_add_kernel, n * c, small_h * small_w, buffer(out), buffer(values),
                    v_strides, buffer(indices), i_strides, c, small_h, small_w, plane_size,
                    n * c)
        return out
    # "the last write wins", made deterministic: find each position's last writer, then copy
    writer = empty(out.shape, np.int64)
    _copy.fill(writer, -1)
    launch_rows(_last_writer_kernel, n * c, small_h * small_w, buffer(writer), buffer(indices),
                i_strides, c, small_h, small_w, plane_size, n * c)
    launch_rows(_take_written_kernel, n * c, plane_size, buffer(out), buffer(writer),
                buffer(values), v_strides, c, small_w, plane_size, values.dtype.type(0), n * c)
    return out


def gather_by_plane_indices(source, indices):
    """out[n, c, ...] = source[n, c] at flat plane position indices[n, c, ...] (0 where the
    position lies outside the plane). source (N, C, H, W), indices (N, C, h, w) -> (N, C, h, w).
    """
    n, c, small_h, small_w = indices.shape
    out = empty(indices.shape, source.dtype)
    height, width = source.shape[2:]
    launch_rows(_gather_kernel, n * c, small_h * small_w, buffer(out), buffer(source),
                element_strides(source), width, height * width, buffer(indices),
                element_strides(indices), c, small_h, small_w, source.dtype.type(0), n * c)
    return out


# ---- window averages: average pooling and adaptive average pooling ----------------------------
#
# Both are "window means": output (oh, ow) averages the input rectangle rows [h0, h1) x columns
# [w0, w1), divided by a divisor, with windows and divisors that depend on the pooling kind
# only; so two kernels (the map and its adjoint, which is its gradient) serve both kinds.
# `params` is (kh, kw, sh, sw, ph, pw) for average pooling (unused for adaptive pooling);
# `override` is the divisor_override in the data's type, 0 for none.

_average_window = cuda.jit(device=True)(average_window)
_adaptive_window = cuda.jit(device=True)(adaptive_window)


@cuda.jit(device=True)
def _window(o, in_size, out_size, kind, kernel, stride, pad, include_pad):
    """(start, stop, divisor) of window o along one axis, by the geometry's rules (the same
    functions that give the cpu backend its window tables)."""
    if kind == _ADAPTIVE:
        return _adaptive_window(o, in_size, out_size)
    return _average_window(o, in_size, kernel, stride, pad, include_pad)


@cuda.jit(device=True)
def _divisor(zero, override, h_div, w_div):
    """A window's divisor in the data's float type (zero's), so that float32 kernels divide
    and accumulate in float32: an int64 divisor would promote them to float64. The counts are
    taken through float32, which holds every count below 2**24 exactly; `override` arrives in
    the data's type already."""
    if override != 0:
        return override
    return (zero + np.float32(h_div)) * (zero + np.float32(w_div))


@cuda.jit(device=True)
def _covering(i, in_size, out_size, kind, kernel, stride, pad):
    """[lo, hi): a range of window indices that holds every window covering input index i along
    one axis (callers check each with `_window`)."""
    if kind == _ADAPTIVE:
        lo = i * out_size // in_size
        hi = ((i + 1) * out_size + in_size - 1) // in_size
    else:
        q = i + pad - kernel
        lo = 0 if q < 0 else q // stride + 1
        hi = (i + pad) // stride + 1
    if hi > out_size:
        hi = out_size
    return lo, hi


@cuda.jit(cache=True)
def _window_means_kernel(out, x, x_strides, channels, height, width, out_h, out_w, kind, params,
                         include_pad, override, zero, planes):
    kh, kw, sh, sw, ph, pw = params
    positions = out_h * out_w
    for plane in range(cuda.blockIdx.y, planes, cuda.gridDim.y):
        base = plane_base(plane, channels, x_strides)
        for p in range(cuda.grid(1), positions, cuda.gridsize(1)):
            oh = p // out_w
            h0, h1, h_div = _window(oh, height, out_h, kind, kh, sh, ph, include_pad)
            w0, w1, w_div = _window(p - oh * out_w, width, out_w, kind, kw, sw, pw, include_pad)
            total = zero
            for ih in range(h0, h1):
                for iw in range(w0, w1):
                    total += x[base + ih * x_strides[2] + iw * x_strides[3]]
            out[plane * positions + p] = total / _divisor(zero, override, h_div, w_div)


@cuda.jit(cache=True)
def _window_means_adjoint_kernel(out, grad, g_strides, channels, height, width, out_h, out_w,
                                 kind, params, include_pad, override, zero, planes):
    kh, kw, sh, sw, ph, pw = params
    positions = height * width
    for plane in range(cuda.blockIdx.y, planes, cuda.gridDim.y):
        base = plane_base(plane, channels, g_strides)
        for q in range(cuda.grid(1), positions, cuda.gridsize(1)):
            ih = q // width
            iw = q - ih * width
            oh_lo, oh_hi = _covering(ih, height, out_h, kind, kh, sh, ph)
            ow_lo, ow_hi = _covering(iw, width, out_w, kind, kw, sw, pw)
            total = zero
            for oh in range(oh_lo, oh_hi):
                h0, h1, h_div = _window(oh, height, out_h, kind, kh, sh, ph, include_pad)
                if ih < h0 or ih >= h1:
                    continue
                for ow in range(ow_lo, ow_hi):
                    w0, w1, w_div = _window(ow, width, out_w, kind, kw, sw, pw, include_pad)
                    if w0 <= iw < w1:
                        total += (grad[base + oh * g_strides[2] + ow * g_strides[3]]
                                  / _divisor(zero, override, h_div, w_div))
            out[plane * positions + q] = total


def _window_means(x, geometry, kind):
    n, c, height, width = x.shape
    out_h, out_w = geometry.output_size
    out = empty((n, c, out_h, out_w), x.dtype)
    launch_rows(_window_means_kernel, n * c, out_h * out_w, buffer(out), buffer(x),
                element_strides(x), c, height, width, out_h, out_w, kind, _params(geometry),
                geometry.count_include_pad, _override(geometry, x.dtype), x.dtype.type(0), n * c)
    return out


def _window_means_adjoint(grad, geometry, kind):
    n, c, out_h, out_w = grad.shape
    height, width = geometry.input_size
    out = empty((n, c, height, width), grad.dtype)
    launch_rows(_window_means_adjoint_kernel, n * c, height * width, buffer(out), buffer(grad),
                element_strides(grad), c, height, width, out_h, out_w, kind, _params(geometry),
                geometry.count_include_pad, _override(geometry, grad.dtype), grad.dtype.type(0),
                n * c)
    return out


def _override(geometry, dtype):
    """The divisor_override in the data's type (0 for none)."""
    return dtype.type(geometry.divisor_override or 0)


def _params(geometry):
    """(kh, kw, sh, sw, ph, pw): the average windows' part of the geometry."""
    return geometry.kernel_size + geometry.stride + geometry.padding


def avg_pool2d_forward(x, geometry):
    """Average over each window of x (N, C, H, W) -> (N, C, *geometry.output_size), with the
    geometry's windows and divisors."""
    return _window_means(x, geometry, _AVERAGE)


def avg_pool2d_backward(grad, geometry):
    """The adjoint of avg_pool2d_forward: grad (N, C, *geometry.output_size) ->
    (N, C, *geometry.input_size)."""
    return _window_means_adjoint(grad, geometry, _AVERAGE)


def adaptive_avg_pool2d_forward(x, geometry):
    """Adaptive average pooling of x (N, C, H, W) -> (N, C, *geometry.output_size)."""
    return _window_means(x, geometry, _ADAPTIVE)


def adaptive_avg_pool2d_backward(grad, geometry):
    """The adjoint of adaptive_avg_pool2d_forward: (N, C, *geometry.output_size) ->
    (N, C, *geometry.input_size)."""
    return _window_means_adjoint(grad, geometry, _ADAPTIVE)
