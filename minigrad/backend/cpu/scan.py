"""Scans along one dim (cumsum, cumprod, logcumsumexp, cummax, cummin) and sorting.

Sorting is stable, with NaN after every number ascending and before them descending (as
PyTorch); cummax/cummin take the latest position among equal values and stick to NaN.
"""
import numba
import numpy as np

from ._quiet import quiet_module_kernels


def cumsum(a, dim):
    """Running sums along dim (the dtype of a)."""
    return np.cumsum(a, axis=dim, dtype=a.dtype)


def cumprod(a, dim):
    """Running products along dim (the dtype of a)."""
    return np.cumprod(a, axis=dim, dtype=a.dtype)


def logcumsumexp(a, dim):
    """log(cumsum(exp(a))) along dim, without overflow (floating)."""
    return np.logaddexp.accumulate(a, axis=dim)


@numba.njit(cache=True)
def _running_extreme(rows, take_max, values, indices):
    for r in range(rows.shape[0]):
        best = rows[r, 0]
        at = 0
        for k in range(rows.shape[1]):
            v = rows[r, k]
            if k == 0:
                best, at = v, 0
            elif v != v or (best == best and (v >= best if take_max else v <= best)):
                best, at = v, k
            values[r, k] = best
            indices[r, k] = at


def _extreme(a, dim, take_max):
    moved = np.ascontiguousarray(np.moveaxis(a, dim, -1))
    rows = moved.reshape(-1, moved.shape[-1]) if moved.size else moved.reshape(0, 1)
    values = np.empty_like(rows)
    indices = np.empty(rows.shape, np.int64)
    if moved.size:
        _running_extreme(rows, take_max, values, indices)
    shape = moved.shape
    return (np.ascontiguousarray(np.moveaxis(values.reshape(shape), -1, dim)),
            np.ascontiguousarray(np.moveaxis(indices.reshape(shape), -1, dim)))


def cummax(a, dim):
    """(running maxima, their positions) along dim; ties take the later position."""
    return _extreme(a, dim, True)


def cummin(a, dim):
    """(running minima, their positions) along dim; ties take the later position."""
    return _extreme(a, dim, False)


def sort(a, dim, descending):
    """(values, indices) of a stable sort along dim."""
    if descending:  # stable descending = reversed stable ascending of the reversed array
        n = a.shape[dim]
        flipped = np.flip(a, axis=dim)
        order = np.flip(np.argsort(flipped, axis=dim, kind="stable"), axis=dim)
        indices = (n - 1 - order).astype(np.int64)
    else:
        indices = np.argsort(a, axis=dim, kind="stable").astype(np.int64)
    values = np.take_along_axis(a, indices, axis=dim)
    return np.ascontiguousarray(values), np.ascontiguousarray(indices)


# inf/nan are results here, as in PyTorch: no numpy RuntimeWarning from any kernel above.
quiet_module_kernels(globals())
