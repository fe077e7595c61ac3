"""im2col / col2im: the Numba halves of the GEMM convolution path.

im2col copies every receptive field of a chunk of b images (n0 <= n < n0 + b) into the columns
of a matrix, so that a convolution becomes one matrix product per group:

    cols[(c * kh + i) * kw + j, n - n0, y * out_w + x] = x_pad[n, c, y*sh + i*dh, x*sw + j*dw]

where x_pad is the input zero-padded by (ph, pw). Rows are (channel, tap) pairs and the chunk's
images sit side by side along each row, so the weight gradient is one long matrix product over
all of a chunk's output positions. col2im is the adjoint: it adds every column entry back to
the input position it was copied from.

Both are serial kernels (no prange), so they run on the calling thread: the GEMM path leaves
the cores to BLAS's own threads, and copying is a small share of a convolution's time next to
the matrix products. Arguments as on the cuda backend: the result first, `window` the
geometry's flat (kh, kw, sh, sw, ph, pw, dh, dw).
"""
import numba
import numpy as np

from ._config import get_config
from ._scratch import scratch

# Innermost indices are cast to unsigned: Numba then skips the wraparound it applies to
# possibly negative indices, which would otherwise keep LLVM from vectorizing the loops.
_u = numba.uint64


def column_chunks(images, rows, positions, dtype):
    """Yield (n0, cols): consecutive chunks of images with a C-contiguous column buffer
    (rows, chunk size, positions) for each, kept between calls (_scratch.py): valid until
    the next chunk is asked for."""
    per_image = max(rows * positions * dtype.itemsize, 1)
    chunk = max(1, min(images, get_config().conv_chunk_bytes // per_image))
    for n0 in range(0, images, chunk):
        size = min(chunk, images - n0)
        if n0 == 0 or size != chunk:
            buffer = scratch("columns", (rows, size, positions), dtype)
        yield n0, buffer


@numba.njit(cache=True, inline="always")
def _inside(offset, stride, size, out_size):
    """[lo, hi): the output columns x with 0 <= x * stride + offset < size (lo <= hi)."""
    lo = 0 if offset >= 0 else (-offset + stride - 1) // stride
    hi = 0 if size - 1 - offset < 0 else (size - 1 - offset) // stride + 1
    lo = min(lo, out_size)
    return lo, max(lo, min(hi, out_size))


@numba.njit(cache=True)
def _column_spans(kw, sw, pw, dw, width, out_w):
    """lo[j], hi[j]: the output columns of tap column j that read inside the input. Computed
    once per call: with small maps, divisions in the inner loops would dominate."""
    lo = np.empty(kw, np.int64)
    hi = np.empty(kw, np.int64)
    for j in range(kw):
        lo[j], hi[j] = _inside(j * dw - pw, sw, width, out_w)
    return lo, hi


@numba.njit(cache=True)
def _sources(kernel, stride, padding, dilation, size, out_size):
    """src[t, o]: the input index that tap t reads for output o along one dim, -1 in the
    padding. Computed once per call, so the copy loops need no arithmetic or range tests
    beyond one sign check."""
    src = np.empty((kernel, out_size), np.int64)
    for t in range(kernel):
        for o in range(out_size):
            i = o * stride + t * dilation - padding
            src[t, o] = i if 0 <= i < size else -1
    return src


def im2col(cols, x, n0, window, out_w):
    """Fill cols (C * kh * kw, b, out_h * out_w) from images n0..n0+b-1 of x (N, C, H, W);
    `window` is (kh, kw, sh, sw, ph, pw, dh, dw). Positions in the padding get zeros.
    """
    # wide rows as runs (zeros, a copy, zeros), narrow ones from a table of source columns
    kernel = _im2col_runs if out_w >= get_config().im2col_run_min_width else _im2col_table
    kernel(cols, x, n0, window, out_w)


@numba.njit(cache=True)
def _im2col_runs(cols, x, n0, window, out_w):
    """im2col for wide rows."""
    kh, kw, sh, sw, ph, pw, dh, dw = window
    # Plain indexing throughout: views made in the inner loops would cost reference counting.
    channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    images, out_h = cols.shape[1], cols.shape[2] // out_w
    rows = _sources(kh, sh, ph, dh, height, out_h)
    lo, hi = _column_spans(kw, sw, pw, dw, width, out_w)
    for b in range(images):
        n = n0 + b
        for c in range(channels):
            for i in range(kh):
                for j in range(kw):
                    r = (c * kh + i) * kw + j
                    offset = j * dw - pw
                    for y in range(out_h):
                        base = y * out_w
                        iy = rows[i, y]
                        if iy < 0:
                            for ox in range(out_w):
                                cols[r, b, _u(base + ox)] = 0
                            continue
                        for ox in range(lo[j]):
                            cols[r, b, _u(base + ox)] = 0
                        if sw == 1:
                            for ox in range(lo[j], hi[j]):
                                cols[r, b, _u(base + ox)] = x[n, c, _u(iy), _u(ox + offset)]
                        else:
                            for ox in range(lo[j], hi[j]):
                                cols[r, b, _u(base + ox)] = x[n, c, _u(iy), _u(ox * sw + offset)]
                        for ox in range(hi[j], out_w):
                            cols[r, b, _u(base + ox)] = 0


@numba.njit(cache=True)
def _im2col_table(cols, x, n0, window, out_w):
    """im2col for narrow rows."""
    kh, kw, sh, sw, ph, pw, dh, dw = window
    channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    images, out_h = cols.shape[1], cols.shape[2] // out_w
    rows = _sources(kh, sh, ph, dh, height, out_h)
    columns = _sources(kw, sw, pw, dw, width, out_w)
    for b in range(images):
        n = n0 + b
        for c in range(channels):
            for i in range(kh):
                for j in range(kw):
                    r = (c * kh + i) * kw + j
                    for y in range(out_h):
                        base = y * out_w
                        iy = rows[i, y]
                        if iy < 0:
                            for ox in range(out_w):
                                cols[r, b, _u(base + ox)] = 0
                            continue
                        for ox in range(out_w):
                            ix = columns[j, ox]
                            cols[r, b, _u(base + ox)] = x[n, c, _u(iy), _u(ix)] if ix >= 0 else 0


@numba.njit(cache=True)
def col2im(dx, cols, n0, window, out_w):
    """Set images n0..n0+b-1 of dx (N, C, H, W) to the adjoint of im2col applied to cols
    (C * kh * kw, b, out_h * out_w): each plane is zeroed, then every column entry that came
    from it is added back."""
    kh, kw, sh, sw, ph, pw, dh, dw = window
    channels, height, width = dx.shape[1], dx.shape[2], dx.shape[3]
    images, out_h = cols.shape[1], cols.shape[2] // out_w
    lo, hi = _column_spans(kw, sw, pw, dw, width, out_w)
    for b in range(images):
        n = n0 + b
        for c in range(channels):
            for iy in range(height):
                for ix in range(width):
                    dx[n, c, iy, _u(ix)] = 0
            for i in range(kh):
                for j in range(kw):
                    r = (c * kh + i) * kw + j
                    offset = j * dw - pw
                    for y in range(out_h):
                        iy = y * sh + i * dh - ph
                        if iy < 0 or iy >= height:
                            continue
                        base = y * out_w
                        if sw == 1:
                            for ox in range(lo[j], hi[j]):
                                dx[n, c, iy, _u(ox + offset)] += cols[r, b, _u(base + ox)]
                        else:
                            for ox in range(lo[j], hi[j]):
                                dx[n, c, iy, _u(ox * sw + offset)] += cols[r, b, _u(base + ox)]
