"""Testing pooling: hypothesis strategies for valid pooling arguments, and slow numpy references.

A strategy draws a `PoolCase`: an input shape (batched or not, 1-d or 2-d) and the keyword
arguments of the pooling function, named as in PyTorch, so the same case runs
`max_pool2d(x, **case.kwargs)` in minigrad and in `torch.nn.functional`. Every drawn case is
valid: padding <= kernel_size // 2 and the output is not empty.

The references loop over output positions on explicitly padded arrays: slow, but each follows
the definition directly. They take (N, C, *spatial) arrays with one or two spatial dims.
"""
import itertools
import math
from dataclasses import dataclass

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st


@dataclass(frozen=True)
class PoolCase:
    """An input `shape` ((N, C, *spatial) or unbatched (C, *spatial)) and pooling `kwargs`."""

    shape: tuple
    kwargs: dict


def _as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


@st.composite
def _int_or_tuple(draw, values):
    """The values as a tuple, or (sometimes, when all agree) as the single int they share."""
    values = tuple(values)
    return values[0] if len(set(values)) == 1 and draw(st.booleans()) else values


@st.composite
def _lead_shape(draw, max_batch, max_channels):
    channels = draw(st.integers(1, max_channels))
    if draw(st.booleans()):
        return (channels,)
    return (draw(st.integers(1, max_batch)), channels)


def _padding_only_window(size, kernel, stride, padding, dilation, ceil_mode):
    """Whether some window along an axis covers padding only (possible with dilation > 1)."""
    out = _pooled_size(size, kernel, stride, padding, dilation, ceil_mode)
    return any(all(not 0 <= o * stride - padding + j * dilation < size for j in range(kernel))
               for o in range(out))


@st.composite
def _axis(draw, max_side, max_kernel, max_stride, max_dilation):
    """(size, kernel, stride, padding, dilation) along one axis with a non-empty output."""
    kernel = draw(st.integers(1, max_kernel))
    padding = draw(st.integers(0, kernel // 2))
    # keep the dilated window within max_side plus the padding, so that some input size fits
    widest = max_dilation if kernel == 1 else (max_side + 2 * padding - 1) // (kernel - 1)
    dilation = draw(st.integers(1, max(1, min(max_dilation, widest))))
    span = dilation * (kernel - 1) + 1
    size = draw(st.integers(max(1, span - 2 * padding), max_side))
    stride = draw(st.integers(1, max_stride))
    return size, kernel, stride, padding, dilation


@st.composite
def pool_cases(draw, kind="max", dims=2, max_batch=2, max_channels=2, max_side=7, max_kernel=4,
               max_stride=3, max_dilation=3, padding_only_windows=True):
    """Valid arguments for `{kind}_pool{dims}d`, kind "max" or "avg".

    Max pooling draws kernel_size, stride, padding, dilation and ceil_mode; average pooling
    draws kernel_size, stride, padding, ceil_mode, count_include_pad and, in 2-d,
    divisor_override (usually None). Spatial sizes are at most `max_side`.
    `padding_only_windows=False` rules out (dilated) max pooling windows that hold no input
    element: their output is -inf, where finite differences are undefined.
    """
    lead = draw(_lead_shape(max_batch, max_channels))
    dilations = max_dilation if kind == "max" else 1
    axes = [draw(_axis(max_side, max_kernel, max_stride, dilations)) for _ in range(dims)]
    ceil_mode = draw(st.booleans())
    if not padding_only_windows:
        assume(not any(_padding_only_window(*axis, ceil_mode) for axis in axes))
    sizes, kernel, stride, padding, dilation = (list(v) for v in zip(*axes))
    kwargs = {"kernel_size": draw(_int_or_tuple(kernel)),
              "padding": draw(_int_or_tuple(padding)), "ceil_mode": ceil_mode}
    if draw(st.booleans()) or stride != kernel:
        kwargs["stride"] = draw(_int_or_tuple(stride))
    if kind == "max":
        kwargs["dilation"] = draw(_int_or_tuple(dilation))
    else:
        kwargs["count_include_pad"] = draw(st.booleans())
        if dims == 2:
            kwargs["divisor_override"] = draw(st.one_of(st.none(), st.none(), st.integers(1, 5)))
    return PoolCase(lead + tuple(sizes), kwargs)


@st.composite
def adaptive_pool_cases(draw, dims=2, max_batch=2, max_channels=2, max_side=7, max_output=8):
    """Valid arguments for `adaptive_avg_pool{dims}d`: output sizes from 1 to `max_output`
    (smaller or larger than the input); in 2-d an entry may be None (keep the input size)."""
    lead = draw(_lead_shape(max_batch, max_channels))
    sizes = tuple(draw(st.integers(1, max_side)) for _ in range(dims))
    entry = st.integers(1, max_output)
    if dims == 2:
        entry = st.one_of(entry, st.none())
    output = tuple(draw(entry) for _ in range(dims))
    if None not in output:
        output = draw(_int_or_tuple(output))
    return PoolCase(lead + sizes, {"output_size": output})


# ---- numpy references -------------------------------------------------------------------------

def _spatial(value, dims):
    value = _as_tuple(value)
    return value * dims if len(value) == 1 else value


def _pooled_size(size, kernel, stride, pad, dilation, ceil_mode):
    span = dilation * (kernel - 1) + 1
    room = size + 2 * pad - span
    out = (math.ceil(room / stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1  # the last window must start inside the input or the left padding
    return out


def _geometry(x, kernel_size, stride, padding, dilation, ceil_mode):
    dims = x.ndim - 2
    kernel = _spatial(kernel_size, dims)
    stride = kernel if stride is None else _spatial(stride, dims)
    padding, dilation = _spatial(padding, dims), _spatial(dilation, dims)
    out = tuple(_pooled_size(*a, ceil_mode) for a in
                zip(x.shape[2:], kernel, stride, padding, dilation))
    return kernel, stride, padding, dilation, out


def max_pool_reference(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """(out, indices) of max pooling x (N, C, *spatial), as PyTorch defines them.

    The input is padded with -inf; each window's elements are visited in row-major order and
    the first maximum wins. indices are flat positions in the unpadded input plane, or -1 for
    a window that covers padding only (its value is -inf).
    """
    kernel, stride, padding, dilation, out_size = _geometry(x, kernel_size, stride, padding,
                                                            dilation, ceil_mode)
    spatial = x.shape[2:]
    # pad generously on the right, so a ceil_mode window never runs off the array
    widths = [(0, 0), (0, 0)] + [(p, p + d * k + s) for p, d, k, s in
                                 zip(padding, dilation, kernel, stride)]
    padded = np.pad(x, widths, constant_values=-np.inf)
    out = np.empty(x.shape[:2] + out_size, dtype=x.dtype)
    indices = np.empty(x.shape[:2] + out_size, dtype=np.int64)
    for n, c in np.ndindex(*x.shape[:2]):
        for o in np.ndindex(*out_size):
            best, best_index = -np.inf, -1
            for j in itertools.product(*(range(k) for k in kernel)):
                pos = tuple(oi * s - p + ji * d for oi, s, p, ji, d in
                            zip(o, stride, padding, j, dilation))
                inside = all(0 <= q < size for q, size in zip(pos, spatial))
                value = padded[(n, c) + tuple(q + p for q, p in zip(pos, padding))]
                if inside and (best_index < 0 or value > best):
                    best, best_index = value, int(np.ravel_multi_index(pos, spatial))
            out[(n, c) + o], indices[(n, c) + o] = best, best_index
    return out, indices


def avg_pool_reference(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                       count_include_pad=True, divisor_override=None):
    """Average pooling of x (N, C, *spatial), as PyTorch defines it.

    Each window is cut to the zero-padded input (a ceil_mode window may hang over the end of
    the right padding; that part does not count). Its sum is divided by divisor_override if
    given, else by the number of positions left (count_include_pad) or by the number of those
    positions inside the input.
    """
    kernel, stride, padding, _, out_size = _geometry(x, kernel_size, stride, padding, 1,
                                                     ceil_mode)
    spatial = x.shape[2:]
    padded = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    real = np.pad(np.ones(spatial), [(p, p) for p in padding])
    out = np.empty(x.shape[:2] + out_size, dtype=x.dtype)
    for o in np.ndindex(*out_size):
        window = tuple(slice(oi * s, oi * s + k) for oi, s, k in zip(o, stride, kernel))
        positions = real[window].size
        count = real[window].sum()
        total = padded[(slice(None), slice(None)) + window].sum(axis=tuple(range(2, x.ndim)))
        if divisor_override is not None:
            divisor = divisor_override
        else:
            divisor = positions if count_include_pad else count
        out[(slice(None), slice(None)) + o] = total / divisor
    return out


def adaptive_avg_pool_reference(x, output_size):
    """Adaptive average pooling of x (N, C, *spatial) to `output_size` (an int or a tuple):
    along each axis output i averages [floor(i * size / out), ceil((i + 1) * size / out))."""
    spatial = x.shape[2:]
    out_size = tuple(n if o is None else o for o, n in
                     zip(_spatial(output_size, len(spatial)), spatial))
    out = np.empty(x.shape[:2] + out_size, dtype=x.dtype)
    for o in np.ndindex(*out_size):
        window = tuple(slice(math.floor(i * n / m), math.ceil((i + 1) * n / m))
                       for i, n, m in zip(o, spatial, out_size))
        region = x[(slice(None), slice(None)) + window]
        out[(slice(None), slice(None)) + o] = region.mean(axis=tuple(range(2, x.ndim)))
    return out


def max_unpool_reference(x, indices, output_size):
    """Zeros of shape (N, C, *output_size) with x's values at the flat plane positions
    `indices` (same shape as x), written in order, so that a repeated position keeps the last."""
    out = np.zeros(x.shape[:2] + tuple(output_size), dtype=x.dtype)
    for n, c in np.ndindex(*x.shape[:2]):
        plane = out[n, c].reshape(-1)
        for value, index in zip(x[n, c].reshape(-1), indices[n, c].reshape(-1)):
            plane[index] = value
    return out
