"""Reductions over any set of axes: sum, amax, amin, argmax, argmin.

The input is seen as (rows, row_len): the kept dims in order, then the reduced dims, read
through the input's strides (no copy, whatever the layout). Two kernels share one combining
rule:

- one block per row: its threads stride over the row, then a shared-memory tree combines their
  partial results (long rows);
- one thread per row, looping over it (short rows, and rows whose elements lie far apart while
  neighbouring rows are adjacent in memory, so that a warp reads contiguous memory).

max/min propagate NaN and the arg-variants return the first position of the extreme (the
first NaN if there is one), as numpy. Bool input is read as uint8.
"""
import numpy as np
from numba import cuda, int64

from . import _copy
from ._array import coalesce, element_strides, empty, numel, reinterpret, reshaped, strided
from ._launch import blocks_for, get_config, launch, launch_1d
from ._strided import offset

SUM, MAX, MIN = range(3)


@cuda.jit(device=True)
def _better(op, v, i, w, j):
    """Whether candidate (w, j) replaces (v, i) as the max/min so far (i < 0: nothing yet)."""
    if i < 0:
        return True
    if j < 0:
        return False
    if v != v:  # NaN wins, the first NaN over later ones
        return w != w and j < i
    if w != w:
        return True
    if op == MAX:
        return w > v or (w == v and j < i)
    return w < v or (w == v and j < i)


@cuda.jit(device=True)
def _combine(op, v, i, w, j):
    """Fold (w, j) into the running (value, index) pair."""
    if op == SUM:
        return v + w, i
    if _better(op, v, i, w, j):
        return w, j
    return v, i


@cuda.jit(cache=True)
def _row_per_thread_kernel(op, out, out_index, with_index, src, src_base, row_shape,
                           row_strides, inner_shape, inner_strides, rows, row_len, init):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        base = src_base + offset(r, row_shape, row_strides)
        v = init
        i = int64(-1)
        for j in range(row_len):
            v, i = _combine(op, v, i, src[base + offset(j, inner_shape, inner_strides)], j)
        out[r] = v
        if with_index:
            out_index[r] = i


def _row_per_block(threads):
    """The block-per-row kernel for blocks of `threads` (a compile-time shared-memory size)."""

    @cuda.jit(cache=True)
    def kernel(op, out, out_index, with_index, src, src_base, row_shape, row_strides,
               inner_shape, inner_strides, rows, row_len, init):
        values = cuda.shared.array(threads, src.dtype)
        indices = cuda.shared.array(threads, int64)
        t = cuda.threadIdx.x
        for r in range(cuda.blockIdx.x, rows, cuda.gridDim.x):
            base = src_base + offset(r, row_shape, row_strides)
            v = init
            i = int64(-1)
            for j in range(t, row_len, threads):
                v, i = _combine(op, v, i, src[base + offset(j, inner_shape, inner_strides)], j)
            values[t] = v
            indices[t] = i
            cuda.syncthreads()
            half = threads // 2
            while half > 0:
                if t < half:
                    v, i = _combine(op, values[t], indices[t], values[t + half],
                                    indices[t + half])
                    values[t] = v
                    indices[t] = i
                cuda.syncthreads()
                half //= 2
            if t == 0:
                out[r] = values[0]
                if with_index:
                    out_index[r] = indices[0]
            cuda.syncthreads()  # the next row reuses the shared arrays

    return kernel


_block_kernels = {}


def _reduce(op, a, axes, want_index):
    """(values, indices) of the reduction of `a` over `axes`, each of shape (rows,)."""
    axes = tuple(sorted(int(d) for d in axes))
    kept = [d for d in range(len(a.shape)) if d not in axes]
    strides = element_strides(a)
    rows = numel(a.shape[d] for d in kept)
    row_len = numel(a.shape[d] for d in axes)
    values = empty((rows,), a.dtype)
    indices = empty((rows if want_index else 1,), np.int64)
    if rows == 0:
        return values, indices
    if row_len == 0:
        if op != SUM:
            raise ValueError("zero-size array to a max/min reduction, which has no identity")
        _copy.fill(values, 0)
        return values, indices
    row_shape, (row_strides,) = coalesce([a.shape[d] for d in kept], [strides[d] for d in kept])
    inner_shape, (inner_strides,) = coalesce([a.shape[d] for d in axes],
                                             [strides[d] for d in axes])
    src = strided(a)
    init = a.dtype.type(0)
    config = get_config()
    # a thread per row when rows are short, or when neighbouring rows are adjacent in memory
    # (a warp then reads contiguous memory) and there are enough of them to fill the GPU
    adjacent_rows = min(row_strides) < min(inner_strides)
    if row_len <= config.reduce_serial_len or (adjacent_rows and rows >= config.max_blocks):
        launch_1d(_row_per_thread_kernel, rows, op, values, indices, want_index, src.buffer,
                  src.base, row_shape, row_strides, inner_shape, inner_strides, rows, row_len,
                  init)
    else:
        threads = config.reduce_threads
        kernel = _block_kernels.get(threads)
        if kernel is None:
            kernel = _block_kernels[threads] = _row_per_block(threads)
        launch(kernel, blocks_for(rows, 1), threads, op, values, indices, want_index,
               src.buffer, src.base, row_shape, row_strides, inner_shape, inner_strides, rows,
               row_len, init)
    return values, indices


def _out_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


def _values(op, a, axes, keepdims):
    read = reinterpret(a, np.uint8) if a.dtype == np.bool_ else a
    values, _ = _reduce(op, read, axes, want_index=False)
    if a.dtype == np.bool_:
        values = reinterpret(values, np.bool_)
    return reshaped(values, _out_shape(a.shape, axes, keepdims))


def sum(a, axes, keepdims):
    """Sum over `axes`; bool and integer input sums in int64, floats in their own dtype."""
    if a.dtype.kind != "f" and a.dtype != np.int64:
        a = _copy.copy(a, np.int64)
    values, _ = _reduce(SUM, a, axes, want_index=False)
    return reshaped(values, _out_shape(a.shape, axes, keepdims))


def amax(a, axes, keepdims):
    return _values(MAX, a, axes, keepdims)


def amin(a, axes, keepdims):
    return _values(MIN, a, axes, keepdims)


def _arg(op, a, axis, keepdims):
    read = reinterpret(a, np.uint8) if a.dtype == np.bool_ else a
    _, indices = _reduce(op, read, (axis,), want_index=True)
    return reshaped(indices, _out_shape(a.shape, (axis,), keepdims))


def argmax(a, axis, keepdims):
    """Positions (int64) of the first maximum along `axis`."""
    return _arg(MAX, a, axis, keepdims)


def argmin(a, axis, keepdims):
    return _arg(MIN, a, axis, keepdims)
