"""The GEMM convolution path's layout kernels: im2col, col2im, and the sum of the weight
gradient's partial products (the GEMM itself stores the forward product in NCHW).

The column matrix of a chunk of b images (n0 <= n < n0 + b) is a C-contiguous
(C * kh * kw, b, out_h * out_w) array:

    cols[(c * kh + i) * kw + j, n - n0, y * out_w + x] = x_pad[n, c, y*sh + i*dh, x*sw + j*dw]

with x_pad the input zero-padded by (ph, pw). Rows are (channel, tap) pairs, and a group's rows
are consecutive, so each group's weight matrix multiplies its block of rows in one long GEMM over
every output position of the chunk. col2im is the adjoint of im2col written as a gather: one
thread per input element sums the column entries copied from it (no atomics, deterministic).

`geometry` is the tuple (kh, kw, sh, sw, ph, pw, dh, dw). Images are read through their element
strides (any layout); results are written C-contiguous. The kernels run over (row, position)
grids (see _planes.py): a row of cols, or one plane of an image. Indices are int64.
"""
from numba import cuda

from ._launch import get_config, launch, launch_1d
from ._planes import launch_rows, row_launch_sizes


@cuda.jit(device=True)
def tap_output(position, tap, pad, dilation, stride, out_size):
    """The output index whose window puts kernel tap `tap` on input index `position` along one
    axis, or -1 if no window does."""
    q = position + pad - tap * dilation
    if q < 0:
        return -1
    if stride != 1:  # (a uniform branch that saves two divisions in the common case)
        k = q // stride
        if k * stride != q:
            return -1
        q = k
    if q >= out_size:
        return -1
    return q


@cuda.jit(cache=True)
def _im2col_kernel(cols, x, x_strides, n0, height, width, geometry, out_h, out_w, images, rows):
    kh, kw, sh, sw, ph, pw, dh, dw = geometry
    positions = out_h * out_w
    for row in range(cuda.blockIdx.y, rows, cuda.gridDim.y):  # row = r * images + b
        r = row // images
        b = row - r * images
        t = r // kw
        j = r - t * kw
        c = t // kh
        i = t - c * kh
        x_at = (n0 + b) * x_strides[0] + c * x_strides[1]
        for p in range(cuda.grid(1), positions, cuda.gridsize(1)):
            oy = p // out_w
            iy = oy * sh + i * dh - ph
            ix = (p - oy * out_w) * sw + j * dw - pw
            if 0 <= iy < height and 0 <= ix < width:
                cols[row * positions + p] = x[x_at + iy * x_strides[2] + ix * x_strides[3]]
            else:
                cols[row * positions + p] = 0


@cuda.jit(cache=True)
def _col2im_kernel(dx, n0, cols, channels, height, width, geometry, out_h, out_w, images, zero,
                   rows):
    kh, kw, sh, sw, ph, pw, dh, dw = geometry
    positions = out_h * out_w
    plane = height * width
    row_len = images * positions  # elements per row of cols
    for row in range(cuda.blockIdx.y, rows, cuda.gridDim.y):  # row = b * channels + c
        b = row // channels
        c = row - b * channels
        first = (n0 * channels + row) * plane
        for q in range(cuda.grid(1), plane, cuda.gridsize(1)):
            iy = q // width
            ix = q - iy * width
            total = zero
            for i in range(kh):
                oy = tap_output(iy, i, ph, dh, sh, out_h)
                if oy < 0:
                    continue
                for j in range(kw):
                    ox = tap_output(ix, j, pw, dw, sw, out_w)
                    if ox >= 0:
                        total += cols[((c * kh + i) * kw + j) * row_len + b * positions
                                      + oy * out_w + ox]
            dx[first + q] = total


@cuda.jit(cache=True)
def _sum_slices_kernel(out, partial, slices, accumulate, n):
    for e in range(cuda.grid(1), n, cuda.gridsize(1)):
        total = partial[e]
        for s in range(1, slices):
            total += partial[s * n + e]
        if accumulate:
            out[e] += total
        else:
            out[e] = total


# ---- launchers: flat buffers, element strides and Python ints in, nothing returned ----------

def im2col(cols, x, x_strides, n0, images, input_hw, geometry, out_hw):
    """Fill cols, a flat C-contiguous (channels * kh * kw, images, out_h * out_w) buffer, from
    images n0..n0+images-1 of x (N, C, H, W) read at element strides `x_strides`."""
    rows = cols.size // (out_hw[0] * out_hw[1])
    launch_rows(_im2col_kernel, rows, out_hw[0] * out_hw[1], cols, x, x_strides, n0, *input_hw,
                geometry, *out_hw, images, rows)


def im2col_launcher(x_strides, images, input_hw, geometry, out_hw, rows):
    """`im2col(cols, x, x_strides, 0, images, input_hw, geometry, out_hw)` for a cols buffer
    of `rows` rows, as a function of (cols, x) with the launch sizes worked out now (under
    the current launch configuration): for a caller that repeats it with the same layout."""
    positions = out_hw[0] * out_hw[1]
    grid, threads = row_launch_sizes(get_config(), rows, positions)
    tail = (x_strides, 0, *input_hw, geometry, *out_hw, images, rows)

    def launch_im2col(cols, x):
        launch(_im2col_kernel, grid, threads, cols, x, *tail)
    return launch_im2col


def col2im_launcher(images, channels, input_hw, geometry, out_hw, dtype):
    """`col2im(dx, cols, 0, images, channels, input_hw, geometry, out_hw)` as a function of
    (dx, cols) with the launch sizes worked out now (see `im2col_launcher`)."""
    rows = images * channels
    grid, threads = row_launch_sizes(get_config(), rows, input_hw[0] * input_hw[1])
    tail = (channels, *input_hw, geometry, *out_hw, images, dtype.type(0), rows)

    def launch_col2im(dx, cols):
        launch(_col2im_kernel, grid, threads, dx, 0, cols, *tail)
    return launch_col2im


def col2im(dx, cols, n0, images, channels, input_hw, geometry, out_hw):
    """Set images n0..n0+images-1 of dx (a flat C-contiguous (N, channels, H, W) buffer) to the
    adjoint of im2col applied to cols (channels * kh * kw, images, out_h * out_w)."""
    rows = images * channels
    launch_rows(_col2im_kernel, rows, input_hw[0] * input_hw[1], dx, n0, cols, channels,
                *input_hw, geometry, *out_hw, images, dx.dtype.type(0), rows)


def sum_slices(out, partial, slices, accumulate):
    """out (flat, n elements) = (or += if `accumulate`) the sum of the `slices` consecutive
    n-element slices of partial, added in slice order."""
    launch_1d(_sum_slices_kernel, out.size, out, partial, slices, accumulate, out.size)
