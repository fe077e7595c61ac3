"""Convolutions with few input channels: GEMMs over "wide" columns for the forward and both
gradients, or direct dot products for the weight gradient of the smallest layers.

For a layer like LeNet's 6 -> 16 5x5 on 14x14 maps, im2col (conv_im2col.py) costs more than the
matrix product it feeds: every column row is out_w elements (10 here) copied from one input
row, with the padding tested at both ends. Here the columns are laid out on the zero-padded
input's grid instead: with the input padded to (Hp, Wp) = (H + 2 ph, W + 2 pw) and, for unit
stride, output position (y, x) numbered q = y * Wp + x,

    cols[(c * kh + i) * kw + j, b, q] = x_pad[n0 + b, c].flat[i * dh * Wp + j * dw + q]

for q < L = (out_h - 1) * Wp + out_w, so every row of the column matrix is ONE contiguous copy
of L elements from the padded image (no bounds tests, no short rows). The positions with
x >= out_w between the rows ("wide" ones) are computed by the GEMM and dropped afterwards:
Wp / out_w more GEMM work (1.14x for LeNet's first layer, 1.4x for its second), which the
dispatch (CpuConfig.conv_wide_max_rows) weighs against the copying saved. The epilogue reads
the GEMM's product back into (N, O, out_h, out_w), adding the bias and clamping by relu on
the way (one pass instead of two or three). Its sums are the GEMM's over the same products as
im2col's: results differ from the im2col path only by rounding.

With stride (sh, sw) the padded plane is first split into its sh * sw phase planes (phase
(a, e): padded rows a, a + sh, ... and columns e, e + sw, ..., each Hq x Wq = ceil(Hp / sh) x
ceil(Wp / sw)); tap (i, j) then reads phase (i dh % sh, j dw % sw) from (i dh // sh,
j dw // sw) on, with unit stride, so every row is again one contiguous run, and Wq takes Wp's
place above (ResNet's 7x7 stride-2 first layer: 4 phase planes of 115 x 115).

The input gradient (unit stride only) is the adjoint on the same grid: the GEMM makes the wide
columns from the output gradient (spread onto the grid, zeros at the wide positions) and each
row is added back onto a padded plane as one contiguous run. The weight gradient is the GEMM
of the spread output gradient with the wide columns (the zeros drop the wide positions'
products) or, for the fewest weights, direct_weight_gradient, which needs no columns at all:
each tap's gradient is a dot product of the spread output gradient with one contiguous
stretch of a phase plane.

Layouts as conv.py: x (N, C, H, W), weight (O, C, kh, kw), out (N, O, out_h, out_w);
`window` is (kh, kw, sh, sw, ph, pw, dh, dw).
"""
import numba
import numpy as np

from ._config import get_config
from ._scratch import scratch
from .conv_im2col import _inside, _u


def applies(geometry):
    """Whether the forward and weight-gradient kernels compute this convolution: no groups,
    and the output size conv_output_size gives (a transposed convolution's gradient may
    compute fewer output positions; those keep the im2col path)."""
    if geometry.groups != 1:
        return False
    return all(out == (size + 2 * pad - dil * (k - 1) - 1) // stride + 1
               for out, size, pad, dil, k, stride in
               zip(geometry.output_size, geometry.input_size, geometry.padding,
                   geometry.dilation, geometry.kernel_size, geometry.stride))


def applies_to_input_gradient(geometry):
    """... and the input gradient kernels: unit stride as well."""
    return geometry.stride == (1, 1) and applies(geometry)


def wide_length(geometry):
    """(Wq, L): the width of the padded input's phase planes (its width for unit stride) and
    the wide positions per image."""
    out_h, out_w = geometry.output_size
    stride = geometry.stride[1]
    phase_width = -(-(geometry.input_size[1] + 2 * geometry.padding[1]) // stride)
    return phase_width, (out_h - 1) * phase_width + out_w


@numba.njit(cache=True, inline="always")
def _phase_shape(height, width, window):
    """(Hq, Wq): the rows and columns of each of the padded input's sh * sw phase planes."""
    _, _, sh, sw, ph, pw, _, _ = window
    return -(-(height + 2 * ph) // sh), -(-(width + 2 * pw) // sw)


@numba.njit(cache=True, inline="always")
def _fill_phases(phases, x, n, c, window):
    """Copy x[n, c] into the phase planes of its zero-padded plane: phase (a, e) holds the
    padded rows a, a + sh, ... and columns e, e + sw, ..., plane after plane in `phases`
    (sh * sw * Hq * Wq). Only positions inside the input are written: the rest keep the
    zeros they were allocated with."""
    _, _, sh, sw, ph, pw, _, _ = window
    height, width = x.shape[2], x.shape[3]
    phase_h, phase_w = _phase_shape(height, width, window)
    for a in range(sh):
        for e in range(sw):
            plane = (a * sw + e) * phase_h * phase_w
            lo, hi = _inside(e - pw, sw, width, phase_w)
            for yq in range(phase_h):
                y = yq * sh + a - ph
                if y < 0 or y >= height:
                    continue
                row = plane + yq * phase_w
                for xq in range(lo, hi):
                    phases[_u(row + xq)] = x[n, c, y, _u(xq * sw + e - pw)]


@numba.njit(cache=True, inline="always")
def _tap_start(i, j, window, phase_h, phase_w):
    """Where tap (i, j) reads output position 0 in the phase planes: padded position
    (i dh, j dw) is in phase (i dh % sh, j dw % sw) at (i dh // sh, j dw // sw)."""
    _, _, sh, sw, _, _, dh, dw = window
    ti, tj = i * dh, j * dw
    plane = ((ti % sh) * sw + tj % sw) * phase_h * phase_w
    return plane + (ti // sh) * phase_w + tj // sw


# The column copies and the epilogue are serial kernels, like im2col: they run between BLAS
# calls on the calling thread and leave the cores to BLAS's own threads. On a loaded machine,
# every extra parallel region was measured to cost whole scheduler ticks now and then (a
# forward of 0.4 ms taking 50-100 ms in some blocks of calls); the copies themselves take
# 0.03-0.1 ms per 64 small images.

@numba.njit(cache=True)
def wide_columns(cols, x, n0, window):
    """Fill cols (C * kh * kw, b, L) with the wide columns of images n0..n0+b-1 of
    x (N, C, H, W) (see the module docstring): each plane is copied into the phase planes of
    its zero-padded self (one plane for unit stride), then its kh * kw rows are copied out,
    each a contiguous run of one phase plane."""
    kh, kw = window[0], window[1]
    channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    images, length = cols.shape[1], cols.shape[2]
    phase_h, phase_w = _phase_shape(height, width, window)
    phases = np.zeros(window[2] * window[3] * phase_h * phase_w, dtype=x.dtype)
    for b in range(images):
        n = n0 + b
        for c in range(channels):
            _fill_phases(phases, x, n, c, window)
            for i in range(kh):
                for j in range(kw):
                    r = (c * kh + i) * kw + j
                    start = _tap_start(i, j, window, phase_h, phase_w)
                    for q in range(length):
                        cols[r, b, _u(q)] = phases[_u(start + q)]


@numba.njit(cache=True)
def wide_to_output(out, product, n0, bias, relu, padded_width, image_major):
    """out[n0 + b, o, y, x] = p[b, o, y * Wp + x] + bias[o] (bias of length 0: none), then
    relu if `relu` (v where v > 0 or v is NaN, else 0, as the relu kernel): p is the GEMMs'
    result over wide columns, `product` (b, O, L) if `image_major`, else (O, b, L)."""
    channels, out_h, out_w = out.shape[1], out.shape[2], out.shape[3]
    images = product.shape[0] if image_major else product.shape[1]
    has_bias = bias.shape[0] > 0
    for b in range(images):
        n = n0 + b
        for o in range(channels):
            shift = bias[o] if has_bias else out.dtype.type(0)
            for y in range(out_h):
                base = y * padded_width
                for ix in range(out_w):
                    q = _u(base + ix)
                    v = product[b, o, q] if image_major else product[o, b, q]
                    if has_bias:
                        v += shift
                    if relu and not (v > 0 or v != v):
                        v = 0
                    out[n, o, y, _u(ix)] = v


def _chunk_size(images, per_image, dtype):
    """Images per chunk: their buffers (`per_image` elements each) within conv_chunk_bytes, so
    that each chunk's GEMM reads and its epilogue reads back what is still in cache."""
    return max(1, min(images, get_config().conv_chunk_bytes
                       // max(per_image * dtype.itemsize, 1)))


def forward(out, x, weight, bias, geometry, relu):
    """out (N, O, out_h, out_w) = conv2d(x, weight) + bias (O,) or None, clamped by relu if
    `relu`; x (N, C, H, W), weight (O, C, kh, kw), all C-contiguous, `applies(geometry)`.

    With few output channels (CpuConfig.conv_wide_per_image_max_out), one GEMM per image
    (weights (O, rows) times its (rows, L) columns), else one per chunk of images."""
    n, channels_out = x.shape[0], weight.shape[0]
    rows = int(np.prod(weight.shape[1:]))
    padded_width, length = wide_length(geometry)
    weights = weight.reshape(channels_out, rows)
    shift = np.empty(0, x.dtype) if bias is None else bias
    image_major = channels_out <= get_config().conv_wide_per_image_max_out
    chunk = _chunk_size(n, (rows + channels_out) * length, x.dtype)
    for n0 in range(0, n, chunk):
        size = min(chunk, n - n0)
        if n0 == 0 or size != chunk:  # C-contiguous buffers (the kernels' one layout)
            cols = scratch("wide columns", (rows, size, length), x.dtype)
            product = scratch("wide product", (size, channels_out, length) if image_major
                              else (channels_out, size, length), x.dtype)
        wide_columns(cols, x, n0, geometry.window)
        if image_major:
            np.matmul(weights, cols.transpose(1, 0, 2), out=product)
        else:
            np.matmul(weights, cols.reshape(rows, size * length),
                      out=product.reshape(channels_out, size * length))
        wide_to_output(out, product, n0, shift, relu, padded_width, image_major)
    return out


@numba.njit(cache=True)
def wide_spread(spread, grad, n0, padded_width):
    """spread[o, b, y * Wp + x] = grad[n0 + b, o, y, x] for x < out_w, 0 at the wide
    positions between: the output gradient of images n0.. on the wide grid, spread (O, b, L)."""
    channels, out_h, out_w = grad.shape[1], grad.shape[2], grad.shape[3]
    images, length = spread.shape[1], spread.shape[2]
    for o in range(channels):
        for b in range(images):
            n = n0 + b
            for y in range(out_h):
                base = y * padded_width
                for ix in range(out_w):
                    spread[o, b, _u(base + ix)] = grad[n, o, y, _u(ix)]
                for q in range(base + out_w, min(base + padded_width, length)):
                    spread[o, b, _u(q)] = 0


@numba.njit(cache=True)
def wide_col2im(dx, cols, n0, window):
    """Set images n0..n0+b-1 of dx (N, C, H, W) to the adjoint of wide_columns applied to
    cols (C * kh * kw, b, L): every row is added back, as one contiguous run, onto a zeroed
    padded plane, whose inside is then dx's plane."""
    kh, kw, _, _, ph, pw, dh, dw = window
    channels, height, width = dx.shape[1], dx.shape[2], dx.shape[3]
    images, length = cols.shape[1], cols.shape[2]
    padded_width = width + 2 * pw
    padded = np.empty((height + 2 * ph) * padded_width, dtype=dx.dtype)
    for b in range(images):
        n = n0 + b
        for c in range(channels):
            padded[:] = 0
            for i in range(kh):
                for j in range(kw):
                    r = (c * kh + i) * kw + j
                    start = i * dh * padded_width + j * dw
                    for q in range(length):
                        padded[_u(start + q)] += cols[r, b, _u(q)]
            for y in range(height):
                row = (y + ph) * padded_width + pw
                for ix in range(width):
                    dx[n, c, y, _u(ix)] = padded[_u(row + ix)]


def backward_input(dx, grad, weight, geometry):
    """dx (N, C, H, W), the input gradient of conv2d: the columns W^T grad on the wide grid
    (one GEMM per chunk of images, weight (O, C, kh, kw) transposed times the output gradient
    grad (N, O, out_h, out_w) spread onto the grid), added back into the images. All arrays
    C-contiguous, `applies(geometry)`."""
    n, channels_out = grad.shape[:2]
    rows = int(np.prod(weight.shape[1:]))
    padded_width, length = wide_length(geometry)
    weights_t = weight.reshape(channels_out, rows).T
    chunk = _chunk_size(n, (rows + channels_out) * length, grad.dtype)
    for n0 in range(0, n, chunk):
        size = min(chunk, n - n0)
        if n0 == 0 or size != chunk:
            spread = scratch("wide product", (channels_out, size, length), grad.dtype)
            cols = scratch("wide columns", (rows, size, length), grad.dtype)
        wide_spread(spread, grad, n0, padded_width)
        np.matmul(weights_t, spread.reshape(channels_out, size * length),
                  out=cols.reshape(rows, size * length))
        wide_col2im(dx, cols, n0, geometry.window)
    return dx


def backward_weight(x, grad, geometry):
    """The weight gradient (O, C, kh, kw) of conv2d as GEMMs over the wide columns: the output
    gradient spread onto the wide grid (zeros at the wide positions) times the columns, summed
    over chunks of images. x (N, C, H, W), grad (N, O, out_h, out_w), both C-contiguous,
    `applies(geometry)`."""
    n, channels_in = x.shape[:2]
    channels_out = grad.shape[1]
    kernel_hw = geometry.kernel_size
    rows = channels_in * kernel_hw[0] * kernel_hw[1]
    phase_width, length = wide_length(geometry)
    # rows first (the long side) for few output channels, as conv.py's GEMM path
    transposed = channels_out <= get_config().conv_transposed_max_out
    dweight = np.empty((rows, channels_out) if transposed else (channels_out, rows),
                       dtype=x.dtype)
    partial = None
    chunk = _chunk_size(n, (rows + channels_out) * length, x.dtype)
    for n0 in range(0, n, chunk):
        size = min(chunk, n - n0)
        if n0 == 0 or size != chunk:
            cols = scratch("wide columns", (rows, size, length), x.dtype)
            spread = scratch("wide product", (channels_out, size, length), x.dtype)
        wide_columns(cols, x, n0, geometry.window)
        wide_spread(spread, grad, n0, phase_width)
        cols_2d = cols.reshape(rows, size * length)
        grad_2d = spread.reshape(channels_out, size * length)
        a, b = (cols_2d, grad_2d.T) if transposed else (grad_2d, cols_2d.T)
        if n0 == 0:  # the first chunk's product is written in place
            np.matmul(a, b, out=dweight)
            continue
        partial = np.empty_like(dweight) if partial is None else partial
        dweight += np.matmul(a, b, out=partial)
    if transposed:
        dweight = np.ascontiguousarray(dweight.T)
    return dweight.reshape((channels_out, channels_in) + kernel_hw)


@numba.njit(cache=True, parallel=True, fastmath={"reassoc", "contract"})
def direct_weight_gradient(dweight, x, grad, window):
    """dweight (O, C, kh, kw) = sum over images n and output positions (y, x) of
    grad[n, o, y, x] * x_pad[n, c, y + i * dh, x + j * dw], without columns.

    One task per (block of 4 output channels, input channel), so every task owns its sums and
    the result does not depend on the thread count. Per image the task zero-pads its input
    plane and spreads the block's 4 gradient planes onto the wide grid (zeros at the wide
    positions), and every tap is then 4 dot products of length L over one contiguous stretch
    of the padded plane: each input value loaded feeds 4 multiply-adds. The dot products are
    summed in vector lanes (reassociated, as a GEMM does) in the array's dtype; the images'
    sums are added up in float64."""
    kh, kw = window[0], window[1]
    channels_out, channels = dweight.shape[0], dweight.shape[1]
    images, height, width = x.shape[0], x.shape[2], x.shape[3]
    out_h, out_w = grad.shape[2], grad.shape[3]
    phase_h, phase_w = _phase_shape(height, width, window)
    length = (out_h - 1) * phase_w + out_w
    blocks = (channels_out + 3) // 4
    for task in numba.prange(blocks * channels):
        first, c = task // channels * 4, task % channels
        last = min(first + 4, channels_out)
        phases = np.zeros(window[2] * window[3] * phase_h * phase_w, dtype=x.dtype)
        spread = np.zeros((4, length), dtype=x.dtype)  # rows past `last` stay zero
        totals = np.zeros((4, kh * kw), dtype=np.float64)
        for n in range(images):
            _fill_phases(phases, x, n, c, window)
            for k in range(last - first):
                for y in range(out_h):
                    base = y * phase_w
                    for ix in range(out_w):
                        spread[k, _u(base + ix)] = grad[n, first + k, y, _u(ix)]
            for i in range(kh):
                for j in range(kw):
                    start = _tap_start(i, j, window, phase_h, phase_w)
                    s0 = s1 = s2 = s3 = x.dtype.type(0)
                    for q in range(length):
                        v = phases[_u(start + q)]
                        s0 += spread[0, _u(q)] * v
                        s1 += spread[1, _u(q)] * v
                        s2 += spread[2, _u(q)] * v
                        s3 += spread[3, _u(q)] * v
                    tap = i * kw + j
                    totals[0, tap] += s0
                    totals[1, tap] += s1
                    totals[2, tap] += s2
                    totals[3, tap] += s3
        for k in range(last - first):
            for i in range(kh):
                for j in range(kw):
                    dweight[first + k, c, i, j] = totals[k, i * kw + j]
