"""Stride-1 convolutions with few input channels: GEMM over "wide" columns.

For a layer like LeNet's 6 -> 16 5x5 on 14x14 maps, im2col (conv_im2col.py) costs more than the
matrix product it feeds: every column row is out_w elements (10 here) copied from one input
row, with the padding tested at both ends, and the copies run on one thread. Here the columns
are laid out on the zero-padded input's grid instead: with the input padded to
(Hp, Wp) = (H + 2 ph, W + 2 pw) and output position (y, x) numbered q = y * Wp + x,

    cols[(c * kh + i) * kw + j, b, q] = x_pad[n0 + b, c].flat[i * dh * Wp + j * dw + q]

for q < L = (out_h - 1) * Wp + out_w, so every row of the column matrix is ONE contiguous copy
of L elements from the padded image (no bounds tests, no short rows), and the images copy on
all threads. The positions with x >= out_w between the rows ("wide" ones) are computed by the
GEMM and dropped afterwards: Wp / out_w more GEMM work (1.14x for LeNet's first layer,
1.4x for its second), which the dispatch (CpuConfig.conv_wide_*) weighs against the copying
saved. The forward's epilogue reads the GEMM's (O, images, L) product back into (N, O, out_h,
out_w), adding the bias and clamping by relu on the way (one pass instead of two or three).

The weight gradient uses the same columns and the output gradient spread onto the same wide
grid with zeros at the dropped positions, so the extra columns add nothing to the sums.

Every sum is a float32 (or float64) GEMM over the same products as im2col's, in BLAS's order:
results differ from the im2col path only by rounding. Layouts as conv.py: x (N, C, H, W),
weight (O, C, kh, kw), out (N, O, out_h, out_w); `window` is (kh, kw, sh, sw, ph, pw, dh, dw).
"""
import numba
import numpy as np

from ._config import get_config
from ._parallel import call
from ._scratch import scratch
from .conv_im2col import _u


def applies(geometry):
    """Whether these kernels compute this convolution: unit stride, no groups, and an output
    that fills the padded input (a transposed convolution's gradient may compute fewer
    output positions than conv_output_size; those keep the im2col path)."""
    if geometry.stride != (1, 1) or geometry.groups != 1:
        return False
    return all(out == size + 2 * pad - dil * (k - 1) for out, size, pad, dil, k in
               zip(geometry.output_size, geometry.input_size, geometry.padding,
                   geometry.dilation, geometry.kernel_size))


def wide_length(geometry):
    """(Wp, L): the padded row width and the wide positions per image."""
    out_h, out_w = geometry.output_size
    padded_width = geometry.input_size[1] + 2 * geometry.padding[1]
    return padded_width, (out_h - 1) * padded_width + out_w


@numba.njit(cache=True, parallel=True)
def wide_columns(cols, x, n0, window):
    """Fill cols (C * kh * kw, b, L) with the wide columns of images n0..n0+b-1 of
    x (N, C, H, W) (see the module docstring). One task per (image, channel): it zero-pads
    that plane once, then copies its kh * kw rows."""
    kh, kw, _, _, ph, pw, dh, dw = window
    channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    images, length = cols.shape[1], cols.shape[2]
    padded_width = width + 2 * pw
    plane = (height + 2 * ph) * padded_width
    for task in numba.prange(images * channels):
        b, c = task // channels, task % channels
        n = n0 + b
        padded = np.zeros(plane, dtype=x.dtype)
        for y in range(height):
            row = (y + ph) * padded_width + pw
            for ix in range(width):
                padded[_u(row + ix)] = x[n, c, y, _u(ix)]
        for i in range(kh):
            for j in range(kw):
                r = (c * kh + i) * kw + j
                start = i * dh * padded_width + j * dw
                for q in range(length):
                    cols[r, b, _u(q)] = padded[_u(start + q)]


@numba.njit(cache=True, parallel=True)
def wide_to_output(out, product, n0, bias, relu, padded_width):
    """out[n0 + b, o, y, x] = product[b, o, y * Wp + x] + bias[o] (bias of length 0: none),
    then relu if `relu` (v where v > 0 or v is NaN, else 0, as the relu kernel): product is
    the GEMMs' (b, O, L) result over wide columns."""
    channels, out_h, out_w = out.shape[1], out.shape[2], out.shape[3]
    images = product.shape[0]
    has_bias = bias.shape[0] > 0
    for task in numba.prange(images * channels):
        b, o = task // channels, task % channels
        n = n0 + b
        shift = bias[o] if has_bias else out.dtype.type(0)
        for y in range(out_h):
            base = y * padded_width
            for ix in range(out_w):
                v = product[b, o, _u(base + ix)]
                if has_bias:
                    v += shift
                if relu and not (v > 0 or v != v):
                    v = 0
                out[n, o, y, _u(ix)] = v


def _parallel(work):
    return work >= get_config().conv_parallel_min_work


def _chunk_size(images, per_image, dtype):
    """Images per chunk: their buffers (`per_image` elements each) within conv_chunk_bytes, so
    that each chunk's GEMM reads and its epilogue reads back what is still in cache."""
    return max(1, min(images, get_config().conv_chunk_bytes
                       // max(per_image * dtype.itemsize, 1)))


def forward(out, x, weight, bias, geometry, relu):
    """out (N, O, out_h, out_w) = conv2d(x, weight) + bias (O,) or None, clamped by relu if
    `relu`; x (N, C, H, W), weight (O, C, kh, kw), all C-contiguous, `applies(geometry)`.

    One GEMM per image (weights (O, rows) times its (rows, L) columns): with few output
    channels BLAS took 1.6-2.6x less time so than on all of a chunk's columns side by side
    (6, 32 and 16 output channels; about even with 64)."""
    n, channels_out = x.shape[0], weight.shape[0]
    rows = int(np.prod(weight.shape[1:]))
    padded_width, length = wide_length(geometry)
    weights = weight.reshape(channels_out, rows)
    shift = np.empty(0, x.dtype) if bias is None else bias
    chunk = _chunk_size(n, (rows + channels_out) * length, x.dtype)
    for n0 in range(0, n, chunk):
        size = min(chunk, n - n0)
        if n0 == 0 or size != chunk:  # C-contiguous buffers (the kernels' one layout)
            cols = scratch("wide columns", (rows, size, length), x.dtype)
            product = scratch("wide product", (size, channels_out, length), x.dtype)
        call(wide_columns, _parallel(cols.size), cols, x, n0, geometry.window)
        np.matmul(weights, cols.transpose(1, 0, 2), out=product)
        call(wide_to_output, _parallel(product.size), out, product, n0, shift, relu,
             padded_width)
    return out


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
    kh, kw, _, _, ph, pw, dh, dw = window
    channels_out, channels = dweight.shape[0], dweight.shape[1]
    images, height, width = x.shape[0], x.shape[2], x.shape[3]
    out_h, out_w = grad.shape[2], grad.shape[3]
    padded_width = width + 2 * pw
    plane = (height + 2 * ph) * padded_width
    length = (out_h - 1) * padded_width + out_w
    blocks = (channels_out + 3) // 4
    for task in numba.prange(blocks * channels):
        first, c = task // channels * 4, task % channels
        last = min(first + 4, channels_out)
        padded = np.zeros(plane, dtype=x.dtype)
        spread = np.zeros((4, length), dtype=x.dtype)  # rows past `last` stay zero
        totals = np.zeros((4, kh * kw), dtype=np.float64)
        for n in range(images):
            for y in range(height):
                row = (y + ph) * padded_width + pw
                for ix in range(width):
                    padded[_u(row + ix)] = x[n, c, y, _u(ix)]
            for k in range(last - first):
                for y in range(out_h):
                    base = y * padded_width
                    for ix in range(out_w):
                        spread[k, _u(base + ix)] = grad[n, first + k, y, _u(ix)]
            for i in range(kh):
                for j in range(kw):
                    start = i * dh * padded_width + j * dw
                    s0 = s1 = s2 = s3 = x.dtype.type(0)
                    for q in range(length):
                        v = padded[_u(start + q)]
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
