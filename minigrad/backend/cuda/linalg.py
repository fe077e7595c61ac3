"""Matrix products: a shared-memory tiled, register-blocked GEMM (SGEMM and DGEMM).

C (m x n) = A (m x k) @ B (k x n), in BLAS's names. Each block computes a block_m x block_n tile
of C. It walks k in steps of block_k: its threads stage an A tile (block_m x block_k) and a B
tile (block_k x block_n) in shared memory,
then each thread multiplies them into its own thread_m x thread_n register tile, reading one
column of A's tile and one row of B's per step (thread_m + thread_n loads for thread_m * thread_n
multiply-adds). Thread (tx, ty) owns rows ty + i * (block_m / thread_m) and columns
tx + j * (block_n / thread_n) of the tile: neighbouring threads read neighbouring shared-memory
words and write neighbouring outputs.

Operands are read through their strides, so transposed views (`a.mT`, `weight.T`) need no copy;
the tile loads walk whichever of an operand's two dims is contiguous fastest, so global reads
coalesce either way. Batch dims broadcast (stride 0). The tile sizes come from the launch
configuration; each tiling compiles once.
"""
import numpy as np
from numba import cuda

from . import _copy
from ._array import (broadcast_strides, buffer, coalesce, element_strides, empty, numel,
                     reshaped, strided, view)
from ._launch import get_config, launch
from ._strided import offsets2

_MAX_GRID = 65535  # the kernel's grid-stride loops cover larger y and z extents


def _gemm(block_m, block_n, block_k, thread_m, thread_n):
    """The GEMM kernel for one tiling (shared and register tile sizes are compile-time)."""
    threads_m = block_m // thread_m  # threads along the tile's rows
    threads_n = block_n // thread_n
    threads = threads_m * threads_n
    # One padding word per tile row: the transposed stores into the tiles (k fastest) then fall
    # into different shared-memory banks.
    pad_m, pad_n = block_m + 1, block_n + 1

    @cuda.jit(cache=True)
    def kernel(out, a, a_base, a_row_stride, a_k_stride, b, b_base, b_k_stride, b_col_stride,
               bias, has_bias, batch_shape, a_batch_strides, b_batch_strides, batches, m, k, n):
        a_tile = cuda.shared.array((block_k, pad_m), a.dtype)
        b_tile = cuda.shared.array((block_k, pad_n), a.dtype)
        acc = cuda.local.array((thread_m, thread_n), a.dtype)
        a_frag = cuda.local.array(thread_m, a.dtype)
        b_frag = cuda.local.array(thread_n, a.dtype)
        t = cuda.threadIdx.x
        tx = t % threads_n
        ty = t // threads_n
        a_k_fast = a_k_stride <= a_row_stride
        b_k_fast = b_k_stride <= b_col_stride
        row_tiles = (m + block_m - 1) // block_m
        col_tiles = (n + block_n - 1) // block_n
        for batch in range(cuda.blockIdx.z, batches, cuda.gridDim.z):
            a_at, b_at = offsets2(batch, batch_shape, a_batch_strides, b_batch_strides)
            a_at += a_base
            b_at += b_base
            out_at = batch * m * n
            for row_tile in range(cuda.blockIdx.y, row_tiles, cuda.gridDim.y):
                row0 = row_tile * block_m
                for col_tile in range(cuda.blockIdx.x, col_tiles, cuda.gridDim.x):
                    col0 = col_tile * block_n
                    for i in range(thread_m):
                        for j in range(thread_n):
                            acc[i, j] = 0
                    for k0 in range(0, k, block_k):
                        for e in range(t, block_m * block_k, threads):
                            if a_k_fast:
                                r = e // block_k
                                kk = e - r * block_k
                            else:
                                kk = e // block_m
                                r = e - kk * block_m
                            if row0 + r < m and k0 + kk < k:
                                a_tile[kk, r] = a[a_at + (row0 + r) * a_row_stride
                                                  + (k0 + kk) * a_k_stride]
                            else:
                                a_tile[kk, r] = 0
                        for e in range(t, block_k * block_n, threads):
                            if b_k_fast:
                                c = e // block_k
                                kk = e - c * block_k
                            else:
                                kk = e // block_n
                                c = e - kk * block_n
                            if k0 + kk < k and col0 + c < n:
                                b_tile[kk, c] = b[b_at + (k0 + kk) * b_k_stride
                                                  + (col0 + c) * b_col_stride]
                            else:
                                b_tile[kk, c] = 0
                        cuda.syncthreads()
                        for kk in range(block_k):
                            for i in range(thread_m):
                                a_frag[i] = a_tile[kk, ty + i * threads_m]
                            for j in range(thread_n):
                                b_frag[j] = b_tile[kk, tx + j * threads_n]
                            for i in range(thread_m):
                                for j in range(thread_n):
                                    acc[i, j] += a_frag[i] * b_frag[j]
                        cuda.syncthreads()  # before the next step overwrites the tiles
                    for i in range(thread_m):
                        row = row0 + ty + i * threads_m
                        if row < m:
                            for j in range(thread_n):
                                col = col0 + tx + j * threads_n
                                if col < n:
                                    value = acc[i, j]
                                    if has_bias:
                                        value += bias[col]
                                    out[out_at + row * n + col] = value

    return kernel


_kernels = {}
_no_bias = {}


def _kernel_for(config):
    key = (config.gemm_block_m, config.gemm_block_n, config.gemm_block_k, config.gemm_thread_m,
           config.gemm_thread_n)
    if key not in _kernels:
        _kernels[key] = _gemm(*key)
    return _kernels[key]


def gemm(a, b, bias=None):
    """(..., m, k) @ (..., k, n) [+ bias (n,)] -> a new C-contiguous (..., m, n).

    The building block for other kernels (convolution as a GEMM): `a`, `b` and `bias` share one
    dtype and may be any strided views, batch dims broadcast.
    """
    (m, k), n = tuple(a.shape)[-2:], tuple(b.shape)[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    out = empty(batch + (m, n), a.dtype)
    batches = numel(batch)
    if out.size == 0:
        return out
    sa, sb = element_strides(a), element_strides(b)
    batch_shape, (a_batch, b_batch) = coalesce(
        batch, broadcast_strides(a.shape[:-2], sa[:-2], batch),
        broadcast_strides(b.shape[:-2], sb[:-2], batch))
    if bias is None:
        if a.dtype not in _no_bias:  # the kernel takes an array either way
            _no_bias[a.dtype] = empty((1,), a.dtype)
        bias_buffer, has_bias = _no_bias[a.dtype], False
    else:
        bias_buffer, has_bias = buffer(_copy.contiguous(bias)), True
    config = get_config()
    grid = (min(-(-n // config.gemm_block_n), _MAX_GRID),
            min(-(-m // config.gemm_block_m), _MAX_GRID), min(batches, _MAX_GRID))
    ra, rb = strided(a), strided(b)
    if k == 0:  # nothing to read, the kernel only stores zeros (plus bias): pass any array
        ra = rb = strided(out)
    launch(_kernel_for(config), grid, config.gemm_threads, buffer(out), ra.buffer, ra.base,
           sa[-2], sa[-1], rb.buffer, rb.base, sb[-2], sb[-1], bias_buffer, has_bias,
           batch_shape, a_batch, b_batch, batches, m, k, n)
    return out


def _common_dtype(*arrays):
    dtype = np.result_type(*(x.dtype for x in arrays))
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


def linear_forward(x, weight, bias):
    """x @ weight.T + bias: x (n, in), weight (out, in), bias (out,) or None -> (n, out).

    The transposed weight is read through its strides and the bias is added as each output is
    stored, so this is one kernel launch with no copies.
    """
    arrays = _common_dtype(x, weight, *(() if bias is None else (bias,)))
    x, weight = arrays[0], arrays[1]
    rows, cols = element_strides(weight)
    weight_t = view(weight, (weight.shape[1], weight.shape[0]), (cols, rows))
    return gemm(x, weight_t, None if bias is None else arrays[2])
