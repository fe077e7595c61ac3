"""Scans along one dim (cumsum, cumprod, logcumsumexp, cummax, cummin) and sorting, twins of
the cpu backend's.

Both move `dim` last into a contiguous (lines, n) copy. A scan runs one thread per line,
sequentially along it (exact, deterministic; a line's length bounds the parallelism). Sorting
runs one thread per element, which counts the elements of its line that go before it (its
rank) and writes itself there: stable, deterministic, O(n) work per element, so O(n^2) per line
(meant for the short dims typical of topk, median and kthvalue).
"""
import numpy as np
from numba import cuda

from . import _math as m
from ._array import empty, reshaped
from ._copy import contiguous
from ._launch import launch_1d
from .shape import permute

SUM, PROD, LOGSUMEXP, MAX, MIN = range(5)


@cuda.jit(device=True)
def _log_add_exp(x, y):
    if x == y:  # log(2 e^x); for two equal infinities, x itself (x - x would be NaN)
        zero = x - x
        if zero != zero:
            return x
        return x + m.log1p(m.exp(zero))
    if x != x or y != y:
        return x + y
    big = x if x > y else y
    small = y if x > y else x
    return big + m.log1p(m.exp(small - big))


@cuda.jit(cache=True)
def _scan_kernel(op, out, rows, n, lines):
    for line in range(cuda.grid(1), lines, cuda.gridsize(1)):
        base = line * n
        acc = rows[base]
        out[base] = acc
        for k in range(1, n):
            v = rows[base + k]
            if op == SUM:
                acc = acc + v
            elif op == PROD:
                acc = acc * v
            else:
                acc = _log_add_exp(acc, v)
            out[base + k] = acc


@cuda.jit(cache=True)
def _extreme_kernel(take_max, values, indices, rows, n, lines):
    for line in range(cuda.grid(1), lines, cuda.gridsize(1)):
        base = line * n
        best = rows[base]
        at = 0
        for k in range(n):
            v = rows[base + k]
            if k > 0 and (v != v or (best == best and ((take_max and v >= best) or
                                                        (not take_max and v <= best)))):
                best = v
                at = k
            values[base + k] = best
            indices[base + k] = at


@cuda.jit(device=True)
def _greater(x, y):
    """x > y with NaN above every number (and NaN not above NaN)."""
    if x != x:
        return y == y
    if y != y:
        return False
    return x > y


@cuda.jit(cache=True)
def _rank_sort_kernel(descending, values, indices, rows, n, total):
    for e in range(cuda.grid(1), total, cuda.gridsize(1)):
        base = (e // n) * n
        i = e - base
        x = rows[e]
        rank = 0
        for j in range(n):
            y = rows[base + j]
            if descending:
                before = _greater(y, x)
            else:
                before = _greater(x, y)
            if not before and j < i and not _greater(x, y) and not _greater(y, x):
                before = True  # equal and earlier: stability
            if before:
                rank += 1
        values[base + rank] = x
        indices[base + rank] = i


def _lines(a, dim):
    """`a` with dim moved last, as a contiguous flat buffer, and (shape moved, n, lines)."""
    order = [d for d in range(len(a.shape)) if d != dim] + [dim]
    moved = contiguous(permute(a, order))
    n = int(a.shape[dim])
    count = int(np.prod(moved.shape)) // n if n else 0
    flat = reshaped(moved, (int(np.prod(moved.shape)),))
    return flat, tuple(moved.shape), n, count, order


def _back(flat, moved_shape, order):
    """The (..., n) result in its original dim order, C-contiguous."""
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    return contiguous(permute(reshaped(flat, moved_shape), inverse))


def _scan(op, a, dim):
    rows, shape, n, lines, order = _lines(a, dim)
    out = empty((lines * n,), a.dtype)
    if lines * n:
        launch_1d(_scan_kernel, lines, op, out, rows, n, lines)
    return _back(out, shape, order)


def cumsum(a, dim):
    return _scan(SUM, a, dim)


def cumprod(a, dim):
    return _scan(PROD, a, dim)


def logcumsumexp(a, dim):
    return _scan(LOGSUMEXP, a, dim)


def _extreme(a, dim, take_max):
    rows, shape, n, lines, order = _lines(a, dim)
    values = empty((lines * n,), a.dtype)
    indices = empty((lines * n,), np.int64)
    if lines * n:
        launch_1d(_extreme_kernel, lines, take_max, values, indices, rows, n, lines)
    return _back(values, shape, order), _back(indices, shape, order)


def cummax(a, dim):
    return _extreme(a, dim, True)


def cummin(a, dim):
    return _extreme(a, dim, False)


def sort(a, dim, descending):
    rows, shape, n, lines, order = _lines(a, dim)
    total = lines * n
    values = empty((total,), a.dtype)
    indices = empty((total,), np.int64)
    if total:
        launch_1d(_rank_sort_kernel, total, bool(descending), values, indices, rows, n, total)
    return _back(values, shape, order), _back(indices, shape, order)
