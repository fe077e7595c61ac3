"""Winograd F(2x2, 3x3): dense 3x3 convolutions with unit stride and dilation, one group.

Each 2x2 block of outputs is computed from the 4x4 block of (zero-padded) input under it:

    Y = A^T [ (G g G^T) * (B^T d B) ] A          (* elementwise, over 4x4 = 16 terms)

where g is a 3x3 filter and d the 4x4 input tile. Summed over input channels, the 16 terms
of every tile become 16 independent matrix products (transformed filters, O x C, times
transformed tiles, C x tiles), done by BLAS; the transforms on either side are Numba loops
(the filters' transform is one more BLAS product). The products need 16 multiplications per
4 outputs instead of 36, so the GEMM work is 2.25x smaller than im2col's; the transforms
cost memory traffic instead, which is why the dispatch takes this path only for layers with
enough channels, and only when CpuConfig's thresholds are lowered (off by default).

The input gradient of a 3x3 stride-1 convolution is itself one: the output gradient
correlated with the filters flipped and with input and output channels swapped, padded by
2 - padding. The weight gradient is the dual algorithm F(3x3, 2x2): the same input tiles,
the output gradient's 2x2 blocks transformed by A, one product per term summed over all
tiles, and G^T . G on the 4x4 sums.

The transforms add and subtract, which rounds differently from a direct sum: float64 results
agree with direct convolution to about 1e-15 relative, float32 ones to a few units in the
last place of the largest terms (see tests/test_conv_winograd.py for the stated tolerance).
An inf or NaN in the input spreads over the whole 4x4 tile it falls in (inf - inf inside the
transforms), so outputs next to the ones a direct sum would make inf can be NaN instead.

The input is first copied into a zero-padded buffer (so no tile needs bounds checks), then
work proceeds in chunks of rows of tiles, sized so the transformed tiles and products stay in
the last-level cache. Layouts: x (N, C, H, W), weight (O, C, 3, 3), out (N, O, out_h, out_w),
all C-contiguous; transformed tiles (16, channels, tiles of the chunk), row-major tile order.
"""
import numba
import numpy as np

from ._config import get_config
from .conv_im2col import _u

TERMS = 16  # the 4x4 transform domain
_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
# row 4 a + b, column 3 i + j: G[a, i] G[b, j], so that (G g G^T) flattened = _FILTER_TERMS @ g
# flattened; its transpose maps the weight gradient's 4x4 sums M to G^T M G
_FILTER_TERMS = np.kron(_G, _G)
_SWAP_ENDS = (3, 1, 2, 0)
# term 4 a + b of a 180-degree rotated filter's transform is term _FLIPPED_TERM[4 a + b] of its
# own (see backward_input)
_FLIPPED_TERM = tuple(4 * _SWAP_ENDS[a] + _SWAP_ENDS[b] for a in range(4) for b in range(4))


def applies(geometry, dtype):
    """Whether these kernels compute this convolution: a 3x3 kernel (after the taps that only
    meet padding are dropped), unit stride and dilation, no groups, float32 or float64."""
    return (geometry.kernel_size == (3, 3) and geometry.stride == (1, 1)
            and geometry.dilation == (1, 1) and geometry.groups == 1
            and dtype in (np.float32, np.float64))


# ---- transforms -------------------------------------------------------------------------------
# Serial kernels, like im2col: they run on the calling thread between BLAS calls and leave the
# cores to BLAS's own threads.
# The innermost loops run along the tiles (the contiguous axis of the transformed arrays) and
# write four of the 16 terms each: with all 16 in one loop, LLVM gives up vectorizing (too
# many arrays to check for overlap at run time).

def _transform_filters(w):
    """(16, O, C): term 4 a + b of G g G^T for every filter g = w[o, c] (3x3), as one BLAS
    product."""
    channels_out, channels_in = w.shape[:2]
    flat = w.reshape(channels_out * channels_in, 9)
    u = np.matmul(_FILTER_TERMS.astype(w.dtype), flat.T)
    return u.reshape(TERMS, channels_out, channels_in)


@numba.njit(cache=True, inline="always")
def _data_row(d0, d1, d2, d3):
    """One row (or column) of B^T d: B^T (4x4) applied to four values."""
    return d0 - d2, d1 + d2, d2 - d1, d1 - d3


@numba.njit(cache=True)
def _transform_tiles(v, x, first_row, tiles_h, tiles_w):
    """v[:, c, t] = B^T d B (flattened row-major) for the chunk's tiles t (tile rows
    first_row.., row-major; a tile row r is image r // tiles_h, tile row r % tiles_h), d the
    4x4 block x[n, c, 2 ty:2 ty + 4, 2 tx:2 tx + 4] (x is padded: every block is inside)."""
    channels = x.shape[1]
    rows = v.shape[2] // tiles_w
    for c in range(channels):
        uc = _u(c)
        for row in range(rows):
            n, ty = (first_row + row) // tiles_h, (first_row + row) % tiles_h
            un, top, base = _u(n), 2 * ty, row * tiles_w
            # term row a of B^T d B combines rows (p, q) of d: p - q, p + q, p - q, p - q
            for a, p, q, sign in ((0, 0, 2, -1), (1, 1, 2, 1), (2, 2, 1, -1), (3, 1, 3, -1)):
                yp, yq, k, s = _u(top + p), _u(top + q), _u(4 * a), x.dtype.type(sign)
                for tx in range(tiles_w):
                    # unsigned index arithmetic throughout (a signed term would make LLVM
                    # check for wraparound and keep it from vectorizing)
                    z0, t = _u(2 * tx), _u(base + tx)
                    z1, z2, z3 = z0 + _u(1), z0 + _u(2), z0 + _u(3)
                    e0 = x[un, uc, yp, z0] + s * x[un, uc, yq, z0]
                    e1 = x[un, uc, yp, z1] + s * x[un, uc, yq, z1]
                    e2 = x[un, uc, yp, z2] + s * x[un, uc, yq, z2]
                    e3 = x[un, uc, yp, z3] + s * x[un, uc, yq, z3]
                    v[k, uc, t], v[k + _u(1), uc, t], v[k + _u(2), uc, t], \
                        v[k + _u(3), uc, t] = _data_row(e0, e1, e2, e3)


@numba.njit(cache=True)
def _untransform_tiles(out, m, bias, first_row, tiles_h, tiles_w):
    """out[n, o, 2 ty + i, 2 tx + j] = bias[o] + (A^T M A)[i, j], M the 4x4 m[:, o, t] of each
    of the chunk's tiles t; only the outputs inside out are written."""
    channels, height, width = out.shape[1], out.shape[2], out.shape[3]
    rows = m.shape[2] // tiles_w
    for o in range(channels):
        shift = bias[o]
        for row in range(rows):
            n, ty = (first_row + row) // tiles_h, (first_row + row) % tiles_h
            top, base = 2 * ty, row * tiles_w
            both_rows = top + 1 < height
            for tx in range(tiles_w):
                t = _u(base + tx)
                s00 = m[0, o, t] + m[4, o, t] + m[8, o, t]  # A^T M, column by column
                s01 = m[1, o, t] + m[5, o, t] + m[9, o, t]
                s02 = m[2, o, t] + m[6, o, t] + m[10, o, t]
                s03 = m[3, o, t] + m[7, o, t] + m[11, o, t]
                s10 = m[4, o, t] - m[8, o, t] - m[12, o, t]
                s11 = m[5, o, t] - m[9, o, t] - m[13, o, t]
                s12 = m[6, o, t] - m[10, o, t] - m[14, o, t]
                s13 = m[7, o, t] - m[11, o, t] - m[15, o, t]
                left = 2 * tx
                out[n, o, top, _u(left)] = shift + (s00 + s01 + s02)
                if both_rows:
                    out[n, o, top + 1, _u(left)] = shift + (s10 + s11 + s12)
                if left + 1 < width:
                    out[n, o, top, _u(left + 1)] = shift + (s01 - s02 - s03)
                    if both_rows:
                        out[n, o, top + 1, _u(left + 1)] = shift + (s11 - s12 - s13)


@numba.njit(cache=True)
def _transform_grad_blocks(e, grad, first_row, tiles_h, tiles_w):
    """e[:, o, t] = A q A^T (flattened row-major) for the chunk's tiles t, q the 2x2 block
    grad[n, o, 2 ty:2 ty + 2, 2 tx:2 tx + 2] (grad is padded to even sizes). Rows of A:
    (1, 0), (1, 1), (1, -1), (0, -1)."""
    channels = grad.shape[1]
    rows = e.shape[2] // tiles_w
    for o in range(channels):
        uo = _u(o)
        for row in range(rows):
            n, ty = (first_row + row) // tiles_h, (first_row + row) % tiles_h
            un, y0, y1, base = _u(n), _u(2 * ty), _u(2 * ty + 1), row * tiles_w
            for a, first_weight, second_weight in ((0, 1, 0), (1, 1, 1), (2, 1, -1), (3, 0, -1)):
                k = _u(4 * a)
                first, second = grad.dtype.type(first_weight), grad.dtype.type(second_weight)
                for tx in range(tiles_w):  # row a of A q is first * q[0] + second * q[1]
                    z0, t = _u(2 * tx), _u(base + tx)
                    z1 = z0 + _u(1)
                    q0 = first * grad[un, uo, y0, z0] + second * grad[un, uo, y1, z0]
                    q1 = first * grad[un, uo, y0, z1] + second * grad[un, uo, y1, z1]
                    e[k, uo, t], e[k + _u(1), uo, t], e[k + _u(2), uo, t], \
                        e[k + _u(3), uo, t] = q0, q0 + q1, q0 - q1, -q1


# ---- the convolutions -------------------------------------------------------------------------

def _rows_per_chunk(channels, tiles_w, total_rows, itemsize):
    """Rows of tiles per chunk: the chunk's transformed tiles and products of all `channels`
    (input and output together) within the configured chunk size."""
    per_row = TERMS * channels * tiles_w * itemsize
    return max(1, min(total_rows, get_config().conv_winograd_chunk_bytes // per_row))


def _padded(x, top, left, height, width):
    """(N, C, height, width): x shifted down by `top` rows and right by `left` columns (either
    may be negative), zeros where nothing of x lands; x itself when that is x."""
    if (top, left, height, width) == (0, 0) + x.shape[2:]:
        return x
    padded = np.zeros(x.shape[:2] + (height, width), x.dtype)
    y0, z0 = max(top, 0), max(left, 0)
    y1, z1 = min(top + x.shape[2], height), min(left + x.shape[3], width)
    if y0 < y1 and z0 < z1:
        padded[:, :, y0:y1, z0:z1] = x[:, :, y0 - top:y1 - top, z0 - left:z1 - left]
    return padded


def _correlate(out, x, filters, bias, pad_h, pad_w):
    """out (N, O, out_h, out_w) = bias + x (N, C, H, W) correlated with the filters whose
    transforms are filters[k] (O x C, k < 16), x read from (-pad_h, -pad_w) on, zeros outside
    it."""
    channels_in, channels_out = x.shape[1], out.shape[1]
    tiles_h, tiles_w = (out.shape[2] + 1) // 2, (out.shape[3] + 1) // 2
    total_rows = out.shape[0] * tiles_h
    chunk = _rows_per_chunk(channels_in + channels_out, tiles_w, total_rows, x.itemsize)
    x = _padded(x, pad_h, pad_w, 2 * tiles_h + 2, 2 * tiles_w + 2)
    tiles_buffer = np.empty(TERMS * channels_in * chunk * tiles_w, x.dtype)
    products_buffer = np.empty(TERMS * channels_out * chunk * tiles_w, x.dtype)
    for first in range(0, total_rows, chunk):
        size = min(chunk, total_rows - first) * tiles_w
        v = tiles_buffer[:TERMS * channels_in * size].reshape(TERMS, channels_in, size)
        m = products_buffer[:TERMS * channels_out * size].reshape(TERMS, channels_out, size)
        _transform_tiles(v, x, first, tiles_h, tiles_w)
        for k in range(TERMS):
            np.matmul(filters[k], v[k], out=m[k])
        _untransform_tiles(out, m, bias, first, tiles_h, tiles_w)


def forward(out, x, weight, bias, padding):
    """out (N, O, out_h, out_w) = cross-correlation of x (N, C, H, W) with weight (O, C, 3, 3)
    under zero padding (pad_h, pad_w), plus bias (O,) if not None; out_h and out_w may be
    smaller than the full output's. All C-contiguous, of one dtype."""
    u = _transform_filters(weight)
    shift = np.zeros(weight.shape[0], x.dtype) if bias is None else bias
    _correlate(out, x, u, shift, padding[0], padding[1])


def backward_input(dx, grad, weight, padding):
    """dx (N, C, H, W) = the input gradient of that convolution: grad (N, O, out_h, out_w)
    correlated with the flipped, transposed filters under padding 2 - padding (positions of
    dx that no window reads get zeros)."""
    u = _transform_filters(weight)
    # G (R g R) G^T = P (G g G^T) P^T, R reversing 3 entries and P swapping the first and
    # last of 4: the flipped filters' transforms are the filters' own, terms permuted
    flipped = [u[_FLIPPED_TERM[k]].T for k in range(TERMS)]
    zeros = np.zeros(weight.shape[1], grad.dtype)
    _correlate(dx, grad, flipped, zeros, 2 - padding[0], 2 - padding[1])


def backward_weight(dweight, x, grad, padding):
    """dweight (O, C, 3, 3) = the weight gradient of that convolution: the sum over the output
    positions of grad (N, O, out_h, out_w) times the window of x (N, C, H, W) under each."""
    channels_in, channels_out = x.shape[1], grad.shape[1]
    tiles_h, tiles_w = (grad.shape[2] + 1) // 2, (grad.shape[3] + 1) // 2
    total_rows = x.shape[0] * tiles_h
    chunk = _rows_per_chunk(channels_in + channels_out, tiles_w, total_rows, x.itemsize)
    x = _padded(x, padding[0], padding[1], 2 * tiles_h + 2, 2 * tiles_w + 2)
    grad = _padded(grad, 0, 0, 2 * tiles_h, 2 * tiles_w)
    tiles_buffer = np.empty(TERMS * channels_in * chunk * tiles_w, x.dtype)
    grads_buffer = np.empty(TERMS * channels_out * chunk * tiles_w, x.dtype)
    m = np.empty((TERMS, channels_out, channels_in), x.dtype)
    partial = np.empty_like(m)
    for first in range(0, total_rows, chunk):
        size = min(chunk, total_rows - first) * tiles_w
        v = tiles_buffer[:TERMS * channels_in * size].reshape(TERMS, channels_in, size)
        e = grads_buffer[:TERMS * channels_out * size].reshape(TERMS, channels_out, size)
        _transform_tiles(v, x, first, tiles_h, tiles_w)
        _transform_grad_blocks(e, grad, first, tiles_h, tiles_w)
        if first == 0:
            np.matmul(e, v.transpose(0, 2, 1), out=m)
        else:
            m += np.matmul(e, v.transpose(0, 2, 1), out=partial)
    # dweight[o, c] = G^T M G, M[a, b] = m[4 a + b, o, c]: one BLAS product for all filters
    np.matmul(m.reshape(TERMS, -1).T, _FILTER_TERMS.astype(x.dtype),
              out=dweight.reshape(-1, 9))
