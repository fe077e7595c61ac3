"""numpy indexing on device arrays: `a[index]`, `a[index] = value` and the scatter-add that is
the gradient of a gather.

An index is a tuple of ints, slices (any step), None, Ellipsis, and integer or boolean arrays
(device arrays, or numpy arrays that came from Python lists). Without arrays the result is a
view (a copy when a step is negative: views keep non-negative strides). With arrays it follows
numpy's advanced indexing: the index arrays broadcast to one shape B, and the result has B's
dims in place of the indexed dims when those are adjacent in the index, else in front.

The kernels work in the canonical order (B's dims first, then the remaining dims) and the
result is permuted afterwards. Index arrays are packed into one int64 device array, row k
holding index array k broadcast to B.

Transfers: numpy index arrays are checked on the host and copied to the device (one counted
copy for all of them). Boolean masks need their number of True values before anything can be
launched, so a device mask is copied to the host (counted) and its positions copied back.
Device integer arrays are never copied: out-of-range entries are caught by the kernels, which
raise a flag that the next synchronisation point (`to_numpy`, `minigrad.cuda.synchronize()`)
turns into an IndexError.
"""
import numpy as np
from numba import cuda

from ...determinism import are_deterministic_algorithms_enabled
from ._array import (broadcast_strides, buffer, coalesce, contiguous_strides, element_strides,
                     empty, may_overlap, numel, strided, view)
from ._copy import check_writable, copy, copy_strided, fill, fill_strided, to_host
from ._device import count_transfer
from ._launch import launch_1d
from ._strided import offset


def is_device_array(x):
    return bool(getattr(x, "__cuda_ndarray__", False))


# ---- out-of-range reports from the kernels -------------------------------------------------

class _Errors:
    """A device flag the indexing kernels set when a device index array is out of range."""

    def __init__(self):
        self.flag = None
        self.pending = False  # a kernel that could set the flag ran since the last check

    def array(self):
        if self.flag is None:
            self.flag = empty((1,), np.int32)
            fill(self.flag, 0)
        return self.flag

    def raise_pending(self):
        """Raise IndexError if a kernel found an out-of-range index since the last check (one
        counted copy of the flag, made only when such a kernel ran)."""
        if not self.pending:
            return
        self.pending = False
        found = self.flag.copy_to_host()[0]
        count_transfer()
        if found:
            fill(self.flag, 0)
            raise IndexError("an index tensor used on the cuda device held an index out of range "
                             "for the dim it indexed; the results of that indexing are invalid")


errors = _Errors()


@cuda.jit(device=True)
def _source(i, rest_n, rest_shape, rest_strides, idx, n_index, adv_sizes, adv_strides):
    """(element offset, in range) of canonical element i of `a[index]`."""
    b = i // rest_n
    at = offset(i - b * rest_n, rest_shape, rest_strides)
    for k in range(len(adv_sizes)):
        v = idx[k * n_index + b]
        if v < 0:
            v += adv_sizes[k]
        if v < 0 or v >= adv_sizes[k]:
            return at, False
        at += v * adv_strides[k]
    return at, True


@cuda.jit(cache=True)
def _gather_kernel(out, src, src_base, rest_shape, rest_strides, idx, n_index, adv_sizes,
                   adv_strides, n, errors):
    rest_n = n // n_index
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        at, ok = _source(i, rest_n, rest_shape, rest_strides, idx, n_index, adv_sizes,
                         adv_strides)
        if ok:
            out[i] = src[src_base + at]
        else:
            out[i] = 0
            errors[0] = 1


@cuda.jit(cache=True)
def _scatter_kernel(dst, dst_base, values, v_base, v_shape, v_strides, rest_shape, rest_strides,
                    idx, n_index, adv_sizes, adv_strides, n, errors):
    """dst[index] = values; where indices repeat, one of the writes wins."""
    rest_n = n // n_index
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        at, ok = _source(i, rest_n, rest_shape, rest_strides, idx, n_index, adv_sizes,
                         adv_strides)
        if ok:
            dst[dst_base + at] = values[v_base + offset(i, v_shape, v_strides)]
        else:
            errors[0] = 1


@cuda.jit(cache=True)
def _scatter_add_kernel(dst, dst_base, values, v_base, v_shape, v_strides, rest_shape,
                        rest_strides, idx, n_index, adv_sizes, adv_strides, n, errors):
    """dst[index] += values, repeated indices accumulating (atomically)."""
    rest_n = n // n_index
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        at, ok = _source(i, rest_n, rest_shape, rest_strides, idx, n_index, adv_sizes,
                         adv_strides)
        if ok:
            cuda.atomic.add(dst, dst_base + at, values[v_base + offset(i, v_shape, v_strides)])
        else:
            errors[0] = 1


@cuda.jit(cache=True)
def _scatter_in_order_kernel(accumulate, dst, dst_base, values, v_base, v_shape, v_strides,
                             rest_shape, rest_strides, idx, n_index, adv_sizes, adv_strides, n,
                             errors):
    """dst[index] = values (`+=` with accumulate) without atomics, for deterministic mode:
    canonical element i is (index position b, rest element r), i = b * rest_n + r, and only
    elements of one r can reach the same destination (the rest dims and the indexed dims are
    distinct dims of one view). So one thread per r walks b in order: repeated indices add up
    in a fixed order (the cpu's) or the last write wins (numpy's rule)."""
    rest_n = n // n_index
    for r in range(cuda.grid(1), rest_n, cuda.gridsize(1)):
        for b in range(n_index):
            i = b * rest_n + r
            at, ok = _source(i, rest_n, rest_shape, rest_strides, idx, n_index, adv_sizes,
                             adv_strides)
            if ok:
                value = values[v_base + offset(i, v_shape, v_strides)]
                if accumulate:
                    dst[dst_base + at] += value
                else:
                    dst[dst_base + at] = value
            else:
                errors[0] = 1


# ---- parsing ----------------------------------------------------------------------------------

def _is_array(item):
    return isinstance(item, np.ndarray) or is_device_array(item)


def _dims_used(item):
    if item is None:
        return 0
    if _is_array(item) and item.dtype == np.bool_:
        return len(item.shape)
    return 1


def _expand(shape, index):
    """The index with Ellipsis expanded, one item per dim (plus None items)."""
    items = [np.asarray(i) if isinstance(i, list) else i
             for i in (index if isinstance(index, tuple) else (index,))]
    for item in items:
        if isinstance(item, (bool, np.bool_)) or (_is_array(item) and item.dtype == np.bool_
                                                  and not item.shape):
            raise IndexError("boolean scalars are not supported as indices on the cuda device")
        if not (item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer))
                or _is_array(item)):
            raise IndexError(f"unsupported index element of type {type(item).__name__}")
    if sum(item is Ellipsis for item in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_dims_used(item) for item in items if item is not Ellipsis)
    if used > len(shape):
        raise IndexError(f"too many indices for array: array is {len(shape)}-dimensional, but "
                         f"{used} were indexed")
    fill_in = [slice(None)] * (len(shape) - used)
    for at, item in enumerate(items):
        if item is Ellipsis:
            return items[:at] + fill_in + items[at + 1:]
    return items + fill_in


def _mask_positions(mask, shape, first_dim):
    """The integer index arrays (host) a boolean mask over dims first_dim... stands for."""
    for j, (m, n) in enumerate(zip(mask.shape, shape[first_dim:])):
        if m != n:
            raise IndexError(f"boolean index did not match indexed array along axis "
                             f"{first_dim + j}; size of axis is {n} but size of corresponding "
                             f"boolean axis is {m}")
    if is_device_array(mask):
        mask = to_host(mask)
    return list(np.nonzero(mask))


def _resolve_masks(shape, items):
    """Boolean arrays replaced by the integer arrays of their True positions."""
    out, dim = [], 0
    for item in items:
        if _is_array(item) and item.dtype == np.bool_:
            out.extend(_mask_positions(item, shape, dim))
            dim += len(item.shape)
        else:
            out.append(item)
            dim += item is not None
    return out


class Plan:
    """Where `a[index]` reads, for an array of `shape` and element `strides`.

    dims: (size, stride) of every dim of the basic view, in which each index array stands for
    the whole dim it indexes; offset: element offset of that view's element 0.
    For advanced indexing: positions of the index-array dims in `dims`, the arrays, their
    broadcast shape, and where their dims go in the result.
    """

    def __init__(self, shape, strides, index):
        shape = tuple(shape)
        items = _resolve_masks(shape, _expand(shape, index))
        advanced = any(_is_array(i) for i in items)
        self.dims, self.offset, self.positions, self.arrays = [], 0, [], []
        dim = 0
        for item in items:
            if item is None:
                self.dims.append((1, 0))
                continue
            n, s = shape[dim], strides[dim]
            if isinstance(item, slice):
                start, stop, step = item.indices(n)
                size = len(range(start, stop, step))
                self.offset += start * s if size else 0
                self.dims.append((size, s * step))
            elif advanced:  # ints count as 0-d index arrays once any array is present
                self.positions.append(len(self.dims))
                self.arrays.append(item if _is_array(item) else np.asarray(item, np.int64))
                self.dims.append((n, s))
            else:
                self.offset += _checked_int(item, n, dim) * s
            dim += 1
        if advanced:
            try:
                self.index_shape = np.broadcast_shapes(*(a.shape for a in self.arrays))
            except ValueError:
                listed = " ".join(str(tuple(a.shape)) for a in self.arrays)
                raise IndexError(f"shape mismatch: indexing arrays could not be broadcast "
                                 f"together with shapes {listed}") from None
            adjacent = self.positions == list(range(self.positions[0],
                                                    self.positions[0] + len(self.positions)))
            self.insert_at = self.positions[0] if adjacent else 0

    @property
    def advanced(self):
        return bool(self.arrays)

    @property
    def view_shape(self):
        return tuple(n for n, _ in self.dims)

    @property
    def view_strides(self):
        return tuple(s for _, s in self.dims)

    def rest(self):
        """(shape, strides) of the dims not indexed by arrays; at least one dim."""
        rest = [d for k, d in enumerate(self.dims) if k not in self.positions] or [(1, 0)]
        return tuple(n for n, _ in rest), tuple(s for _, s in rest)

    def canonical_shape(self):
        return tuple(self.index_shape) + tuple(n for k, (n, _) in enumerate(self.dims)
                                               if k not in self.positions)

    def result_order(self):
        """The permutation from canonical order to the result's order of dims."""
        nb, n_rest = len(self.index_shape), len(self.dims) - len(self.positions)
        p = self.insert_at
        return list(range(nb, nb + p)) + list(range(nb)) + list(range(nb + p, nb + n_rest))

    def result_shape(self):
        canonical = self.canonical_shape()
        return tuple(canonical[k] for k in self.result_order())


def _checked_int(k, n, dim):
    k = int(k)
    if not -n <= k < n:
        raise IndexError(f"index {k} is out of bounds for axis {dim} with size {n}")
    return k + n if k < 0 else k


def _to_device(host):
    host = np.asarray(host, dtype=np.int64, order="C")
    count_transfer()
    return cuda.to_device(host)


def _packed_indices(plan):
    """Device int64 array: row k is index array k broadcast to the index shape (flattened).
    Returns (array, whether every entry was checked on the host)."""
    arrays = []
    for a, p in zip(plan.arrays, plan.positions):
        if isinstance(a, np.ndarray):  # check and wrap negative entries here, for free
            n = plan.dims[p][0]
            bad = (a < -n) | (a >= n)
            if bad.any():
                raise IndexError(f"index {int(a[bad].flat[0])} is out of bounds for axis {p} "
                                 f"with size {n}")
            a = np.where(a < 0, a + n, a)
        arrays.append(a)
    if all(isinstance(a, np.ndarray) for a in arrays):
        rows = [np.broadcast_to(a, plan.index_shape).ravel() for a in arrays]
        return _to_device(np.stack(rows).reshape(-1)), True
    n_index = numel(plan.index_shape)
    packed = empty((len(arrays) * n_index,), np.int64)
    for k, a in enumerate(arrays):
        if isinstance(a, np.ndarray):
            a = _to_device(a)
        row = view(packed, plan.index_shape, contiguous_strides(plan.index_shape), k * n_index)
        copy_strided(strided(row), strided(a, plan.index_shape, broadcast_strides(
            a.shape, element_strides(a), plan.index_shape)))
    return packed, False


def _launch_indexed(kernel, plan, n, *args, per_rest=False):
    """Run a gather/scatter kernel whose trailing arguments describe the index, with a thread
    per canonical element (per element of the non-indexed dims if `per_rest`)."""
    idx, checked = _packed_indices(plan)
    rest_shape, rest_strides = plan.rest()
    adv_sizes = tuple(plan.dims[p][0] for p in plan.positions)
    adv_strides = tuple(plan.dims[p][1] for p in plan.positions)
    n_index = numel(plan.index_shape)
    launch_1d(kernel, n // n_index if per_rest else n, *args, rest_shape, rest_strides, idx,
              n_index, adv_sizes, adv_strides, n, errors.array())
    errors.pending |= not checked


def _values_in_canonical_order(plan, value):
    """A `Strided` reading `value` broadcast to the indexed shape, in canonical dim order."""
    result_shape = plan.result_shape()
    v_strides = broadcast_strides(value.shape, element_strides(value), result_shape)
    order = plan.result_order()
    canonical = [0] * len(order)
    for result_dim, canonical_dim in enumerate(order):
        canonical[canonical_dim] = v_strides[result_dim]
    return strided(value, plan.canonical_shape(), canonical)


def _launch_scatter(plan, target, value, accumulate):
    """target[index] = value (`+=` with accumulate): atomics where repeated indices add up,
    unless deterministic mode asks for the fixed-order kernel (which also makes the last of
    repeated writes win, as numpy)."""
    n = numel(plan.canonical_shape())
    if n == 0:
        return
    v = _values_in_canonical_order(plan, value)
    shape, (strides,) = coalesce(v.shape, v.strides)  # rank >= 1 for the kernel
    args = (target.buffer, target.base, v.buffer, v.base, shape, strides)
    if are_deterministic_algorithms_enabled():
        _launch_indexed(_scatter_in_order_kernel, plan, n, accumulate, *args, per_rest=True)
    else:
        _launch_indexed(_scatter_add_kernel if accumulate else _scatter_kernel, plan, n, *args)


# ---- the three operations ---------------------------------------------------------------------

def getitem(a, index):
    """`a[index]`: a view for basic indices with non-negative steps, else a new array."""
    plan = Plan(a.shape, element_strides(a), index)
    if not plan.advanced:
        if all(s >= 0 for s in plan.view_strides):
            return view(a, plan.view_shape, plan.view_strides, plan.offset)
        out = empty(plan.view_shape, a.dtype)
        copy_strided(strided(out), strided(a, plan.view_shape, plan.view_strides, plan.offset))
        return out
    canonical = empty(plan.canonical_shape(), a.dtype)
    n = numel(canonical.shape)
    if n:
        src = strided(a, plan.view_shape, plan.view_strides, plan.offset)
        _launch_indexed(_gather_kernel, plan, n, buffer(canonical), src.buffer, src.base)
    order = plan.result_order()
    strides = element_strides(canonical)
    return view(canonical, plan.result_shape(), [strides[k] for k in order])


def setitem(a, index, value):
    """`a[index] = value` in place; `value` is a scalar or an array broadcastable to the indexed
    shape. Where advanced indices repeat, one of the writes wins (numpy: the last; here too in
    deterministic mode)."""
    check_writable(a)
    plan = Plan(a.shape, element_strides(a), index)
    target = strided(a, plan.view_shape, plan.view_strides, plan.offset)
    scalar = not is_device_array(value)
    if not scalar and may_overlap(a, value):
        value = copy(value)  # a[...] = a[...] must read the old values
    if not plan.advanced:
        if scalar:
            fill_strided(target, value)
        else:
            copy_strided(target, strided(value, target.shape, broadcast_strides(
                value.shape, element_strides(value), target.shape)))
        return
    if scalar:
        one = empty((), a.dtype)
        fill(one, value)
        value = one
    _launch_scatter(plan, target, value, accumulate=False)


def index_add(shape, index, values):
    """zeros(shape) with `values` (broadcast to the indexed shape) added at `index`; repeated
    advanced indices accumulate (atomically; in index order in deterministic mode)."""
    out = empty(shape, values.dtype)
    fill(out, 0)
    plan = Plan(out.shape, element_strides(out), index)
    target = strided(out, plan.view_shape, plan.view_strides, plan.offset)
    if not plan.advanced:  # basic indices reach each element once: adding to zeros is a copy
        copy_strided(target, strided(values, target.shape, broadcast_strides(
            values.shape, element_strides(values), target.shape)))
        return out
    _launch_scatter(plan, target, values, accumulate=True)
    return out
