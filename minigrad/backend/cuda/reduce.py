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
from ._array import (buffer, coalesce, element_strides, empty, numel, reinterpret,
                     remember_plan)
from ._launch import blocks_for, get_config, launch
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
_plans = [None, {}]  # [the LaunchConfig, {input layout and reduction: _reduce_plan} under it]
_no_index = []  # [a 1-element int64 array]: the index operand of a reduction without indices


def _reduce(op, a, axes, want_index, out_shape):
    """(values, indices) of the reduction of `a` over `axes`, each a new C-contiguous array of
    `out_shape` (as many elements as rows); without `want_index` indices is a placeholder."""
    config = get_config()
    if config is not _plans[0]:  # (holding the config keeps its id from being reused)
        _plans[:] = (config, {})
    strides = element_strides(a)
    key = (op, a.shape, strides, a.dtype, axes, want_index)
    try:
        plan = _plans[1].get(key)
    except TypeError:  # axes given as a list: not a dict key
        plan, key = None, None
    if plan is None:
        plan = _reduce_plan(config, a, strides, axes)
        if key is not None:
            remember_plan(_plans[1], key, plan)
    rows, row_len, kernel, grid, threads, tail = plan
    values = empty(out_shape, a.dtype)
    if want_index:
        indices = empty(out_shape, np.int64)
    else:
        if not _no_index:
            _no_index.append(empty((1,), np.int64))
        indices = _no_index[0]
    if rows == 0:
        return values, indices
    if row_len == 0:
        if op != SUM:
            raise ValueError("zero-size array to a max/min reduction, which has no identity")
        _copy.fill(values, 0)
        return values, indices
    # (a device array starts at its element 0 with strides >= 0: its flat buffer, base 0)
    launch(kernel, grid, threads, op, buffer(values), buffer(indices), want_index, buffer(a), 0,
           *tail)
    return values, indices


def _reduce_plan(config, a, strides, axes):
    """(rows, row_len, kernel, grid, threads, the launch arguments after the source's base)
    of a reduction of an array of a's shape, `strides` and dtype over `axes`."""
    axes = tuple(sorted(int(d) for d in axes))
    kept = [d for d in range(len(a.shape)) if d not in axes]
    rows = numel(a.shape[d] for d in kept)
    row_len = numel(a.shape[d] for d in axes)
    if rows == 0 or row_len == 0:
        return rows, row_len, None, None, None, None
    row_shape, (row_strides,) = coalesce(tuple(a.shape[d] for d in kept),
                                         tuple(strides[d] for d in kept))
    inner_shape, (inner_strides,) = coalesce(tuple(a.shape[d] for d in axes),
                                             tuple(strides[d] for d in axes))
    tail = (row_shape, row_strides, inner_shape, inner_strides, rows, row_len,
            a.dtype.type(0))
    # a thread per row when rows are short, or when neighbouring rows are adjacent in memory
    # (a warp then reads contiguous memory) and there are enough of them to fill the GPU
    adjacent_rows = min(row_strides) < min(inner_strides)
    if row_len <= config.reduce_serial_len or (adjacent_rows and rows >= config.max_blocks):
        threads = config.threads_per_block
        return rows, row_len, _row_per_thread_kernel, blocks_for(rows, threads), threads, tail
    threads = config.reduce_threads
    kernel = _block_kernels.get(threads)
    if kernel is None:
        kernel = _block_kernels[threads] = _row_per_block(threads)
    return rows, row_len, kernel, blocks_for(rows, 1), threads, tail


def _out_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


def _values(op, a, axes, keepdims):
    read = reinterpret(a, np.uint8) if a.dtype == np.bool_ else a
    values, _ = _reduce(op, read, axes, False, _out_shape(a.shape, axes, keepdims))
    return reinterpret(values, np.bool_) if a.dtype == np.bool_ else values


def sum(a, axes, keepdims):
    """Sum over `axes`; bool and integer input sums in int64, floats in their own dtype."""
    if a.dtype.kind != "f" and a.dtype != np.int64:
        a = _copy.copy(a, np.int64)
    values, _ = _reduce(SUM, a, axes, False, _out_shape(a.shape, axes, keepdims))
    return values


def amax(a, axes, keepdims):
    return _values(MAX, a, axes, keepdims)


def amin(a, axes, keepdims):
    return _values(MIN, a, axes, keepdims)


def _arg(op, a, axis, keepdims):
    read = reinterpret(a, np.uint8) if a.dtype == np.bool_ else a
    _, indices = _reduce(op, read, (axis,), True, _out_shape(a.shape, (axis,), keepdims))
    return indices


def argmax(a, axis, keepdims):
    """Positions (int64) of the first maximum along `axis`."""
    return _arg(MAX, a, axis, keepdims)


def argmin(a, axis, keepdims):
    return _arg(MIN, a, axis, keepdims)
