"""Matrix products: a shared-memory tiled, register-blocked GEMM (SGEMM and DGEMM, and the
same kernel compiled for integer dtypes, whose products and sums wrap around in the dtype).

C (m x n) = A (m x k) @ B (k x n), in BLAS's names. Each block computes a block_m x block_n tile
of C (128 x 128 by default, 256 threads). It walks k in steps of block_k: its threads stage an
A tile (block_m x block_k, stored k-major) and a B tile (block_k x block_n) in shared memory,
then each thread multiplies them into its own thread_m x thread_n register tile (8 x 8),
reading thread_m words of A's tile and thread_n of B's per kk (16 loads for 64 multiply-adds).
A thread owns runs of four neighbouring rows (columns), block_m / thread_m * 4 rows apart, so
neighbouring threads read neighbouring shared-memory words and write neighbouring outputs.
The shared tiles are double-buffered: the global loads of step s + 1 are issued before the
multiply-adds of step s and stored into the other buffer after them (one barrier per step).

Operands are read through their strides, so transposed views (`a.mT`, `weight.T`) need no copy;
the tile loads walk whichever of an operand's two dims is contiguous fastest, so global reads
coalesce either way. Batch dims broadcast (stride 0). Offsets are unsigned (32-bit unless an
operand spans 2**32 elements), computed once per thread where they do not change, and only
tiles that cross an edge of C or of k check bounds. The tile sizes come from the launch
configuration; each tiling, operand layout, index width and epilogue compiles once. The
epilogue (a bias per column or per row, relu, and for convolutions the store straight into
NCHW) is applied as each output is stored, so those need no launch of their own.
"""
import numpy as np
from numba import cuda

from . import _copy
from ._array import (broadcast_strides, buffer, coalesce, element_strides, empty, extent,
                     numel, operand_view, remember_plan, reshaped, view)
from ._launch import get_config, launch
from ._strided import offsets2, offsets3

_MAX_GRID = 65535  # the kernel's grid-stride loops cover larger y and z extents


def _run(per_thread):
    """How many neighbouring rows (columns) of its register tile a thread owns in a run: four
    where the tile allows, so that a run is one 16-byte-aligned span of a shared-memory row."""
    return 4 if per_thread % 4 == 0 else 1


# How the epilogue adds a bias: none, bias[column] (x @ W.T + b), or bias[row] per batch
# (convolution: output channels are rows, a batch is a group or an image and its groups).
BIAS_NONE, BIAS_COLUMNS, BIAS_ROWS = range(3)


def _gemm(block_m, block_n, block_k, thread_m, thread_n, a_k_fast, b_k_fast, index, bias_mode,
          split_columns, relu):
    """The GEMM kernel for one tiling, one operand layout, one index width and one epilogue.

    Everything that shapes the inner loop is a compile-time constant: the tile sizes (every
    loop over a register tile unrolls; the compiler keeps the `kk` loop itself rolled, its body
    then 64 multiply-adds, 16 shared loads and 12 other instructions at the default tiling),
    whether A's and B's k dim is their contiguous one (`a_k_fast`, `b_k_fast`: how a thread's
    share of a tile is read from global memory, coalesced either way) and the unsigned index
    type (`index`: np.uint32, or np.uint64 where an operand spans 2**32 elements or more).
    The epilogue adds the bias as `bias_mode` says, then clamps by relu if `relu` (NaN passes, as
    in the unfused relu); with `split_columns` the n columns of C are images of `positions`
    columns each, stored NCHW: column c of batch (group) g and row r goes to
    out[(c // positions, g * m + r, c % positions)], so a convolution's product lands in its
    output without a pass of its own. Otherwise C is stored C-contiguous (positions == n).
    Unsigned indices spare numba's negative-index wrap-around; numba still does the integer
    arithmetic itself in 64 bits, the casts keep what is stored 32-bit.
    """
    threads_m, threads_n = block_m // thread_m, block_n // thread_n
    threads = threads_m * threads_n
    run_m, run_n = _run(thread_m), _run(thread_n)
    # Four padding words per shared tile row: a warp's k-fastest stores into a tile then fall
    # into 32 different banks, and every row still starts 16 bytes aligned.
    pad_m, pad_n = block_m + 4, block_n + 4
    a_tile_size, b_tile_size = block_k * pad_m, block_k * pad_n
    a_tiles_size, b_tiles_size = 2 * a_tile_size, 2 * b_tile_size  # array sizes: constants
    acc_size = thread_m * thread_n
    a_loads, b_loads = -(-block_m * block_k // threads), -(-block_k * block_n // threads)
    # With fewer tile elements than loads * threads, the last loads of some threads are void.
    a_ragged, b_ragged = a_loads * threads != block_m * block_k, b_loads * threads != (
        block_k * block_n)
    u = index
    # Unsigned constants: a signed int in the index math would make it signed again.
    u0, u1 = u(0), u(1)
    ubm, ubn, ubk = u(block_m), u(block_n), u(block_k)
    upm, upn = u(pad_m), u(pad_n)
    uthreads, uthreads_n = u(threads), u(threads_n)
    ua_elems, ub_elems = u(block_m * block_k), u(block_k * block_n)
    ua_tile, ub_tile = u(a_tile_size), u(b_tile_size)
    urun_m, urun_n = u(run_m), u(run_n)
    # A thread's register row i is tile row ty * run_m + row_step(i) (column j likewise): runs
    # of run_m neighbouring rows, threads_m * run_m rows apart.
    span_m, span_n = threads_m * run_m, threads_n * run_n

    @cuda.jit(cache=True)
    def kernel(out, a, a_row_stride, a_k_stride, b, b_k_stride, b_col_stride, bias, batch_shape,
               a_batch_strides, b_batch_strides, bias_batch_strides, m, k, n, positions):
        # Two buffers per operand: the next k step is stored into one while the other is read.
        a_tiles = cuda.shared.array(a_tiles_size, a.dtype)
        b_tiles = cuda.shared.array(b_tiles_size, a.dtype)
        acc = cuda.local.array(acc_size, a.dtype)
        a_frag = cuda.local.array(thread_m, a.dtype)
        b_frag = cuda.local.array(thread_n, a.dtype)
        a_next = cuda.local.array(a_loads, a.dtype)
        b_next = cuda.local.array(b_loads, a.dtype)
        out_column = cuda.local.array(thread_n, index)  # (split columns only)
        # Once per thread: which tile element each of its loads is (row or column, and kk), its
        # offset in the operand from the tile's corner, and its offset in the shared tile.
        a_row = cuda.local.array(a_loads, index)
        a_kk = cuda.local.array(a_loads, index)
        a_from = cuda.local.array(a_loads, index)
        a_to = cuda.local.array(a_loads, index)
        b_col = cuda.local.array(b_loads, index)
        b_kk = cuda.local.array(b_loads, index)
        b_from = cuda.local.array(b_loads, index)
        b_to = cuda.local.array(b_loads, index)
        t = u(cuda.threadIdx.x)
        um, uk, un = u(m), u(k), u(n)
        ars, aks = u(a_row_stride), u(a_k_stride)
        bks, bcs = u(b_k_stride), u(b_col_stride)
        for load in range(a_loads):
            e = t + u(load) * uthreads
            if a_k_fast:  # neighbouring threads read neighbouring k: coalesced
                r = e // ubk
                kk = e - r * ubk
            else:
                kk = e // ubm
                r = e - kk * ubm
            if a_ragged and e >= ua_elems:  # void: read the corner, store nothing
                r, kk = ubm, u0
            a_row[load] = r
            a_kk[load] = kk
            a_from[load] = u0 if r == ubm else r * ars + kk * aks
            a_to[load] = kk * upm + r
        for load in range(b_loads):
            e = t + u(load) * uthreads
            if b_k_fast:
                c = e // ubk
                kk = e - c * ubk
            else:
                kk = e // ubn
                c = e - kk * ubn
            if b_ragged and e >= ub_elems:
                c, kk = ubn, u0
            b_col[load] = c
            b_kk[load] = kk
            b_from[load] = u0 if c == ubn else kk * bks + c * bcs
            b_to[load] = kk * upn + c
        ty = t // uthreads_n
        a_read = ty * urun_m  # the thread's first register row and column in the tiles
        b_read = (t - ty * uthreads_n) * urun_n
        batches = 1
        for batch_dim in batch_shape:
            batches *= batch_dim
        row_tiles = (m + block_m - 1) // block_m
        up = u(positions)
        image_stride = u(batches) * um * up  # between images of split columns
        if split_columns:
            # column // positions as a float64 product corrected to the exact quotient (the
            # estimate is off by at most one): a 64-bit integer division cost the kernel about
            # 30 registers more
            inv_up = 1.0 / float(up)
        col_tiles = (n + block_n - 1) // block_n
        for batch in range(cuda.blockIdx.z, batches, cuda.gridDim.z):
            if bias_mode == BIAS_ROWS:  # the bias rows of this batch start at bias_row0
                a_at, b_at, bias_at = offsets3(batch, batch_shape, a_batch_strides,
                                               b_batch_strides, bias_batch_strides)
                bias_row0 = u(bias_at)
            else:
                a_at, b_at = offsets2(batch, batch_shape, a_batch_strides, b_batch_strides)
            a_batch = u(a_at)
            b_batch = u(b_at)
            out_batch = u(batch) * um * up
            for row_tile in range(cuda.blockIdx.y, row_tiles, cuda.gridDim.y):
                row0 = u(row_tile) * ubm
                rows_left = min(um - row0, ubm)
                for col_tile in range(cuda.blockIdx.x, col_tiles, cuda.gridDim.x):
                    col0 = u(col_tile) * ubn
                    cols_left = min(un - col0, ubn)
                    tile_full = rows_left == ubm and cols_left == ubn
                    a_corner = a_batch + row0 * ars
                    b_corner = b_batch + col0 * bcs
                    for i in range(acc_size):
                        acc[i] = 0
                    buf = u0
                    # Step s reads k step s from global memory into registers, multiplies
                    # step s - 1 (staged in the other buffer), then stores step s into `buf`:
                    # the global loads are in flight during the multiply-adds.
                    for k_step in range(0, k + block_k, block_k):
                        k0 = u(k_step)
                        more = k0 < uk
                        if more:
                            a_at_k = a_corner + k0 * aks
                            b_at_k = b_corner + k0 * bks
                            if tile_full and k0 + ubk <= uk:  # interior: no bounds checks
                                for load in range(a_loads):
                                    a_next[load] = a[a_at_k + a_from[load]]
                                for load in range(b_loads):
                                    b_next[load] = b[b_at_k + b_from[load]]
                            else:
                                k_left = min(uk - k0, ubk)
                                for load in range(a_loads):
                                    if a_row[load] < rows_left and a_kk[load] < k_left:
                                        a_next[load] = a[a_at_k + a_from[load]]
                                    else:
                                        a_next[load] = 0
                                for load in range(b_loads):
                                    if b_kk[load] < k_left and b_col[load] < cols_left:
                                        b_next[load] = b[b_at_k + b_from[load]]
                                    else:
                                        b_next[load] = 0
                        if k0 > u0:
                            a_cur = (u1 - buf) * ua_tile + a_read
                            b_cur = (u1 - buf) * ub_tile + b_read
                            for kk in range(block_k):
                                for i in range(thread_m):
                                    a_frag[i] = a_tiles[a_cur + u((i // run_m) * span_m
                                                                  + i % run_m)]
                                for j in range(thread_n):
                                    b_frag[j] = b_tiles[b_cur + u((j // run_n) * span_n
                                                                  + j % run_n)]
                                a_cur += upm
                                b_cur += upn
                                for i in range(thread_m):
                                    for j in range(thread_n):
                                        acc[i * thread_n + j] += a_frag[i] * b_frag[j]
                        if more:
                            a_store = buf * ua_tile
                            b_store = buf * ub_tile
                            for load in range(a_loads):
                                if not a_ragged or a_row[load] < ubm:
                                    a_tiles[a_store + a_to[load]] = a_next[load]
                            for load in range(b_loads):
                                if not b_ragged or b_col[load] < ubn:
                                    b_tiles[b_store + b_to[load]] = b_next[load]
                        cuda.syncthreads()
                        buf = u1 - buf
                    out_corner = out_batch + row0 * up
                    if split_columns:  # where each of the thread's columns starts in out
                        for j in range(thread_n):
                            column = col0 + b_read + u((j // run_n) * span_n + j % run_n)
                            image = u(float(column) * inv_up)
                            if image * up > column:
                                image -= u1
                            elif (image + u1) * up <= column:
                                image += u1
                            out_column[j] = column + image * (image_stride - up)
                    for i in range(thread_m):
                        r = a_read + u((i // run_m) * span_m + i % run_m)
                        for j in range(thread_n):
                            c = b_read + u((j // run_n) * span_n + j % run_n)
                            if tile_full or (r < rows_left and c < cols_left):
                                value = acc[i * thread_n + j]
                                if bias_mode == BIAS_COLUMNS:
                                    value += bias[col0 + c]
                                elif bias_mode == BIAS_ROWS:
                                    value += bias[bias_row0 + row0 + r]
                                if relu and not (value > 0 or value != value):
                                    # (a zero of the data's dtype: a literal 0 would make
                                    # `value` a float64)
                                    acc[i * thread_n + j] = 0
                                    value = acc[i * thread_n + j]
                                if split_columns:
                                    out[out_corner + r * up + out_column[j]] = value
                                else:
                                    out[out_corner + r * up + col0 + c] = value

    return kernel


_kernels = {}
_no_bias = {}
_plans = [None, {}]  # [the LaunchConfig, {operands' layout: _plan's result} under it]
# Offsets are 32-bit unless an operand or the result spans this many elements.
_INDEX32_LIMIT = 2 ** 32


def _kernel_for(config, a_k_fast, b_k_fast, index, bias_mode, split_columns, relu):
    key = (config.gemm_block_m, config.gemm_block_n, config.gemm_block_k, config.gemm_thread_m,
           config.gemm_thread_n, a_k_fast, b_k_fast, index, bias_mode, split_columns, relu)
    if key not in _kernels:
        _kernels[key] = _gemm(*key)
    return _kernels[key]


def _plan(config, a, b, bias, bias_mode, positions, relu):
    """(output shape, whether it is empty, kernel, grid, threads, the launch arguments after
    the bias: A's and B's strides along m, k and k, n, then batch shape and strides, m, k, n,
    positions) of a GEMM: a function of the operands' shapes, strides and dtype (and of a bias
    per row's) and the launch configuration, so remembered."""
    if config is not _plans[0]:  # (holding the config keeps its id from being reused)
        _plans[:] = (config, {})
    sa, sb = element_strides(a), element_strides(b)
    rows_bias = (bias.shape, element_strides(bias)) if bias_mode == BIAS_ROWS else None
    key = (a.shape, sa, b.shape, sb, a.dtype, bias_mode, rows_bias, positions, relu)
    plan = _plans[1].get(key)
    if plan is not None:
        return plan
    (m, k), n = tuple(a.shape)[-2:], tuple(b.shape)[-1]
    batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    if rows_bias is None:
        bias_strides = (0,) * len(batch)
    else:
        bias_strides = broadcast_strides(bias.shape[:-1], rows_bias[1][:-1], batch)
    batch_shape, (a_batch, b_batch, bias_batch) = coalesce(
        batch, broadcast_strides(a.shape[:-2], sa[:-2], batch),
        broadcast_strides(b.shape[:-2], sb[:-2], batch), bias_strides)
    grid = (min(-(-n // config.gemm_block_n), _MAX_GRID),
            min(-(-m // config.gemm_block_m), _MAX_GRID), min(numel(batch), _MAX_GRID))
    largest = max(extent(a.shape, sa), extent(b.shape, sb), numel(batch) * m * n)
    index = np.uint32 if largest < _INDEX32_LIMIT else np.uint64
    kernel = _kernel_for(config, sa[-1] <= sa[-2], sb[-2] <= sb[-1], index, bias_mode,
                         positions is not None, bool(relu))
    if positions is None:
        out_shape = batch + (m, n)
    else:  # split columns: (images, batch * m, positions)
        out_shape = (n // positions, numel(batch) * m, positions)
    plan = (out_shape, numel(out_shape) == 0, kernel, grid, config.gemm_threads,
            (sa[-2], sa[-1]), (sb[-2], sb[-1]),
            (batch_shape, a_batch, b_batch, bias_batch, m, k, n,
             n if positions is None else positions))
    return remember_plan(_plans[1], key, plan)


def gemm(a, b, bias=None, bias_rows=False, positions=None, out=None, relu=False):
    """(..., m, k) @ (..., k, n) [+ bias] -> a new C-contiguous (..., m, n).

    The building block for other kernels (convolution as a GEMM): `a`, `b` and `bias` share one
    dtype and may be any strided views, batch dims broadcast. The bias is added per column
    (bias (n,), bias[j]) or with `bias_rows` per row: then bias is (..., m), its leading dims
    broadcast against the batch dims (a convolution's channels: (groups, O/g)). With
    `positions` (a divisor of n) the result is the convolution layout instead: the n columns
    are n // positions images of `positions` each, and the result is (n // positions,
    batches * m, positions) with C[batch, i, image * positions + p] at
    [image, batch * m + i, p]. `out`, if given, is a C-contiguous array of the result's size
    and dtype (of any shape) to write into and return instead of a new one. With `relu` each
    output is clamped by relu as it is stored (after the bias).
    """
    if bias is None:
        bias_mode = BIAS_NONE
    else:
        bias_mode = BIAS_ROWS if bias_rows else BIAS_COLUMNS
        bias = _copy.contiguous(bias)
    return run_gemm(_plan(get_config(), a, b, bias, bias_mode, positions, relu), a, b, bias,
                    out)


def gemm_plan(a, b, bias=None, bias_rows=False, positions=None, relu=False):
    """The plan of `gemm(a, b, bias, bias_rows, positions, relu=relu)` (bias C-contiguous),
    for `run_gemm`: a caller that multiplies operands of the same layouts again and again
    (a convolution layer) keeps it instead of looking it up per call."""
    bias_mode = BIAS_NONE if bias is None else BIAS_ROWS if bias_rows else BIAS_COLUMNS
    return _plan(get_config(), a, b, bias, bias_mode, positions, relu)


def run_gemm(plan, a, b, bias, out=None):
    """The GEMM `plan` (from `gemm_plan`, under the current launch configuration) on operands
    of the layouts it was made for; bias C-contiguous or None. Returns out (new if None)."""
    (out_shape, nothing, kernel, grid, threads, (a_rows, a_cols), (b_rows, b_cols),
     tail) = plan
    if out is None:
        out = empty(out_shape, a.dtype)
    if nothing:
        return out
    if bias is None:
        bias_buffer = _no_bias.get(a.dtype)
        if bias_buffer is None:  # the kernel takes an array either way
            bias_buffer = _no_bias[a.dtype] = empty((1,), a.dtype)
    else:
        bias_buffer = buffer(bias)
    # (device arrays start at their element 0 with strides >= 0: their flat buffers, base 0)
    out_buffer = buffer(out)
    if tail[5] == 0:  # k == 0: nothing to read, the kernel only stores zeros (plus bias)
        a_buffer = b_buffer = out_buffer
    else:
        a_buffer, b_buffer = buffer(a), buffer(b)
    launch(kernel, grid, threads, out_buffer, a_buffer, a_rows, a_cols, b_buffer, b_rows,
           b_cols, bias_buffer, *tail)
    return out


def _common_dtype(*arrays):
    dtypes = [x.dtype for x in arrays]
    dtype = dtypes[0]
    if dtypes.count(dtype) == len(dtypes):  # (the common case: nothing to convert)
        if dtype == np.bool_:
            raise TypeError("matmul of bool arrays is not supported")
        return arrays
    dtype = np.result_type(*dtypes)
    if dtype == np.bool_:
        raise TypeError("matmul of bool arrays is not supported")
    return [x if x.dtype == dtype else _copy.copy(x, dtype) for x in arrays]


def matmul(a, b):
    """(..., n, k) @ (..., k, m) -> (..., n, m) with broadcast batch dimensions; a 1-D operand
    is a row (left) or column (right) whose dim is dropped from the result, as numpy."""
    a, b = _common_dtype(a, b)
    a_vector, b_vector = len(a.shape) == 1, len(b.shape) == 1
    if a_vector:
        a = view(a, (1,) + a.shape, (0,) + element_strides(a))
    if b_vector:
        b = view(b, b.shape + (1,), element_strides(b) + (0,))
    if tuple(a.shape)[-1] != tuple(b.shape)[-2]:
        raise ValueError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} do not match")
    out = gemm(a, b, None)
    shape = list(out.shape)
    if b_vector:
        del shape[-1]
    if a_vector:
        del shape[-1 if b_vector else -2]
    return out if len(shape) == len(out.shape) else reshaped(out, shape)


def _linear(x, weight, bias, relu):
    if bias is None:
        x, weight = _common_dtype(x, weight)
    else:
        x, weight, bias = _common_dtype(x, weight, bias)
    rows, cols = element_strides(weight)
    out_features, in_features = weight.shape
    weight_t = operand_view(weight, (in_features, out_features), (cols, rows))
    return gemm(x, weight_t, bias, relu=relu)


def linear_forward(x, weight, bias):
    """x @ weight.T + bias: x (n, in), weight (out, in), bias (out,) or None -> (n, out).

    The transposed weight is read through its strides and the bias is added as each output is
    stored, so this is one kernel launch with no copies.
    """
    return _linear(x, weight, bias, False)


def linear_relu_forward(x, weight, bias):
    """relu(x @ weight.T + bias), operands as `linear_forward`'s -> (n, out): the relu is
    applied as each output is stored, in the same single launch."""
    return _linear(x, weight, bias, True)
