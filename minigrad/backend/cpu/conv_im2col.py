"""im2col / col2im: the Numba halves of the GEMM convolution path.

im2col copies every receptive field of a chunk of b images (n0 <= n < n0 + b) into the columns
of a matrix, so that a convolution becomes one matrix product per group:

    cols[(c * kh + i) * kw + j, n - n0, y * out_w + x] = x_pad[n, c, y*sh + i*dh, x*sw + j*dw]

where x_pad is the input zero-padded by (ph, pw). Rows are (channel, tap) pairs and the chunk's
images sit side by side along each row, so the weight gradient is one long matrix product over
all of a chunk's output positions. col2im is the adjoint: it adds every column entry back to
the input position it was copied from.

Both run on the calling thread on purpose: the GEMM path leaves the cores to BLAS, and waking
Numba's thread pool between BLAS calls would leave its workers spin-waiting (OpenMP's default
wait policy) on the very cores BLAS's threads need. Copying is a small share of a convolution's
time next to the matrix products.
"""
import numba

# Innermost indices are cast to unsigned: Numba then skips the wraparound it applies to
# possibly negative indices, which would otherwise keep LLVM from vectorizing the loops.
_u = numba.uint64


@numba.njit(cache=True, inline="always")
def _inside(offset, stride, size, out_size):
    """[lo, hi): the output columns x with 0 <= x * stride + offset < size (lo <= hi)."""
    lo = 0 if offset >= 0 else (-offset + stride - 1) // stride
    hi = 0 if size - 1 - offset < 0 else (size - 1 - offset) // stride + 1
    lo = min(lo, out_size)
    return lo, max(lo, min(hi, out_size))


@numba.njit(cache=True)
def im2col(x, n0, kh, kw, sh, sw, ph, pw, dh, dw, out_w, cols):
    """Fill cols (C * kh * kw, b, out_h * out_w) from images n0..n0+b-1 of x (N, C, H, W).

    Positions that fall in the padding get zeros.
    """
    # Plain indexing throughout: views made in the inner loops would cost reference counting.
    channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    images, out_h = cols.shape[1], cols.shape[2] // out_w
    for task in range(images * channels):
        b, c = task // channels, task % channels
        n = n0 + b
        for i in range(kh):
            for j in range(kw):
                r = (c * kh + i) * kw + j
                offset = j * dw - pw
                lo, hi = _inside(offset, sw, width, out_w)
                for y in range(out_h):
                    base = y * out_w
                    iy = y * sh + i * dh - ph
                    if iy < 0 or iy >= height:
                        for ox in range(out_w):
                            cols[r, b, _u(base + ox)] = 0
                        continue
                    for ox in range(lo):
                        cols[r, b, _u(base + ox)] = 0
                    if sw == 1:
                        for ox in range(lo, hi):
                            cols[r, b, _u(base + ox)] = x[n, c, iy, _u(ox + offset)]
                    else:
                        for ox in range(lo, hi):
                            cols[r, b, _u(base + ox)] = x[n, c, iy, _u(ox * sw + offset)]
                    for ox in range(hi, out_w):
                        cols[r, b, _u(base + ox)] = 0


@numba.njit(cache=True)
def col2im(cols, n0, kh, kw, sh, sw, ph, pw, dh, dw, out_w, dx):
    """Set images n0..n0+b-1 of dx (N, C, H, W) to the adjoint of im2col applied to cols
    (C * kh * kw, b, out_h * out_w): each plane is zeroed, then every column entry that came
    from it is added back."""
    channels, height, width = dx.shape[1], dx.shape[2], dx.shape[3]
    images, out_h = cols.shape[1], cols.shape[2] // out_w
    for task in range(images * channels):
        b, c = task // channels, task % channels
        n = n0 + b
        for iy in range(height):
            for ix in range(width):
                dx[n, c, iy, _u(ix)] = 0
        for i in range(kh):
            for j in range(kw):
                r = (c * kh + i) * kw + j
                offset = j * dw - pw
                lo, hi = _inside(offset, sw, width, out_w)
                for y in range(out_h):
                    iy = y * sh + i * dh - ph
                    if iy < 0 or iy >= height:
                        continue
                    base = y * out_w
                    if sw == 1:
                        for ox in range(lo, hi):
                            dx[n, c, iy, _u(ox + offset)] += cols[r, b, _u(base + ox)]
                    else:
                        for ox in range(lo, hi):
                            dx[n, c, iy, _u(ox * sw + offset)] += cols[r, b, _u(base + ox)]
