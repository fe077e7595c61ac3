"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, mode.

`Sort` runs the backend's stable sort (NaN above every number) and sends each output's
gradient back to the position it came from; the others select from its result, so their
gradients (of any order) follow.
"""
from collections import namedtuple

from .. import dtypes
from ..autograd.function import Function
from ..creation import arange, zeros_like
from ..tensor import Tensor, _normalize_dim
from .elementwise import where
from .indexing import index_put
from .scan import _along
from ..errors import (DTypeError, DTypeNotImplementedError, EmptyReductionError,
                      InvalidArgumentError)

SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])


class Sort(Function):
    @staticmethod
    def forward(ctx, x, dim, descending):
        values, indices = x._backend.sort(x._data, dim, descending)
        values, indices = x._new(values), x._new(indices)
        ctx.dim = dim
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        ctx.set_materialize_grads(False)  # backward gets None, not zeros, for the indices
        return values, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        (indices,) = ctx.saved_tensors
        return index_put(zeros_like(grad), _along(indices, ctx.dim), grad), None, None


def _sorted(input, dim, descending, name):
    """(values, indices, dim) of a stable sort; a 0-d tensor is one element along dim 0."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(input).__name__}")
    if input.ndim == 0:
        _normalize_dim(dim, 0)
        return input.clone(), zeros_like(input, dtype=dtypes.int64), None
    dim = _normalize_dim(dim, input.ndim)
    x = input.to(dtype=dtypes.int64) if input.dtype is dtypes.bool_ else input
    if x.numel() == 0:
        return input.clone(), zeros_like(x, dtype=dtypes.int64), dim
    values, indices = Sort.apply(x, dim, bool(descending))
    if input.dtype is dtypes.bool_:
        values = values.to(dtype=dtypes.bool_)
    return values, indices, dim


def sort(input, dim=-1, descending=False, *, stable=False):
    """(values, indices) sorted along dim. Always stable (equal values keep their order);
    NaN counts as the largest value."""
    values, indices, _ = _sorted(input, dim, descending, "sort")
    return SortResult(values, indices)


def argsort(input, dim=-1, descending=False, *, stable=False):
    return _sorted(input, dim, descending, "argsort")[1]


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along dim and their indices, largest first (or
    smallest first); equal values keep their order."""
    if input.dtype is dtypes.bool_:
        raise DTypeError("topk: bool tensors are not supported (as in PyTorch); convert with "
                         ".long()")
    n = input.shape[_normalize_dim(dim, input.ndim)] if input.ndim else 1
    if not 0 <= k <= n:
        raise InvalidArgumentError(f"topk: k={k} is out of range for a dimension of size {n}")
    values, indices, axis = _sorted(input, dim, largest, "topk")
    if axis is None:
        return TopkResult(values, indices) if k else TopkResult(values.reshape(0)[:0],
                                                                indices.reshape(0)[:0])
    return TopkResult(values.narrow(axis, 0, k), indices.narrow(axis, 0, k))


def _pick(values, indices, axis, position, keepdim):
    """The entries at `position` along axis (keepdim keeps that dim, of size 1)."""
    if axis is None:
        return values, indices
    v, i = values.narrow(axis, position, 1), indices.narrow(axis, position, 1)
    return (v, i) if keepdim else (v.squeeze(axis), i.squeeze(axis))


def _not_bool(input, name):
    if input.dtype is dtypes.bool_:
        raise DTypeNotImplementedError(f"{name}: not implemented for bool tensors (as in "
                                       "PyTorch); convert with .long()")


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest value along dim (k from 1) and its index."""
    n = input.shape[_normalize_dim(dim, input.ndim)] if input.ndim else 1
    if n == 0:
        raise EmptyReductionError(f"kthvalue(): dim {dim} is empty (shape "
                                  f"{tuple(input.shape)}); there is no k-th value")
    if input.ndim:  # a 0-d tensor is its own k-th value, bool too (as PyTorch)
        _not_bool(input, "kthvalue")
    if not 1 <= k <= n:
        raise InvalidArgumentError(f"kthvalue: k={k} is out of range for a dimension of size {n}")
    values, indices, axis = _sorted(input, dim, False, "kthvalue")
    return KthvalueResult(*_pick(values, indices, axis, k - 1, keepdim))


class _SharedMedian(Function):
    """median() of a 1-D tensor given its value: the gradient is shared evenly by the
    elements equal to the median (by the NaNs where it is NaN), as PyTorch's median()."""

    backward_name = "MedianBackward0"

    @staticmethod
    def forward(ctx, flat, value):
        tied = _same(flat, value).to(dtype=flat.dtype)
        ctx.save_for_backward(tied / tied.sum())
        return value.clone()

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_tensors
        return grad * share, None


def median(input, dim=None, keepdim=False):
    """The lower median (the ((n - 1) // 2)-th smallest): of all elements without dim, else
    (values, indices) along dim. NaN anywhere in a line makes its median NaN, as PyTorch."""
    if dim is None:
        _not_bool(input, "median")
        flat = input.reshape(-1)
        if flat.numel() == 0:
            if input.dtype.is_floating_point:  # NaN, as PyTorch
                return flat.sum() * float("nan")
            raise EmptyReductionError("median: cannot take the median of an empty tensor")
        return _SharedMedian.apply(flat, _median_along(flat.detach(), 0, False)[0])
    axis = _normalize_dim(dim, input.ndim) if input.ndim else dim
    if input.ndim and input.shape[axis] == 0:
        raise EmptyReductionError(f"median(): dim {dim} is empty (shape "
                                  f"{tuple(input.shape)})")
    _not_bool(input, "median")
    return MedianResult(*_median_along(input, dim, keepdim))


def _median_along(input, dim, keepdim):
    values, indices, axis = _sorted(input, dim, False, "median")
    if axis is None:
        return values, indices
    n = values.shape[axis]
    value, index = _pick(values, indices, axis, (n - 1) // 2, keepdim)
    if values.dtype.is_floating_point:
        # NaNs sort last: the first of them is at n - (their count)
        nans = values.isnan().sum(dim=axis, keepdim=True)
        if bool((nans > 0).any().item()):
            first_nan = (n - nans).clamp(max=n - 1)
            nan_value = values.gather(axis, first_nan)
            nan_index = indices.gather(axis, first_nan)
            if not keepdim:
                nans, nan_value, nan_index = (t.squeeze(axis) for t in (nans, nan_value,
                                                                        nan_index))
            value = where(nans > 0, nan_value, value)
            index = where(nans > 0, nan_index, index)
    return value, index


def _same(a, b):
    """a == b, with NaN equal to NaN (mode counts NaNs as one value, as PyTorch)."""
    if not a.dtype.is_floating_point:
        return a == b
    return (a == b) | (a.isnan() & b.isnan())


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest among equally frequent ones) and the
    last index where it occurs. Counts by comparing every pair: O(n^2) per line."""
    if input.ndim == 0:
        return ModeResult(input.clone(), zeros_like(input, dtype=dtypes.int64))
    axis = _normalize_dim(dim, input.ndim)
    x = input.movedim(axis, -1)
    n = x.shape[-1]
    plain = x.detach()
    counts = _same(plain.unsqueeze(-1), plain.unsqueeze(-2)).to(dtype=dtypes.int64).sum(-1)
    best = counts.amax(-1, keepdim=True)
    candidates = where(counts == best, plain, plain.amax(-1, keepdim=True))
    smallest = _sorted(candidates, -1, False, "mode")[0].narrow(-1, 0, 1)
    positions = arange(n, device=input.device)
    index = where(_same(plain, smallest), positions, -1).amax(-1, keepdim=True)
    value = x.gather(-1, index)  # the gradient goes to that index, as PyTorch
    if keepdim:
        return ModeResult(value.movedim(-1, axis), index.movedim(-1, axis))
    return ModeResult(value.squeeze(-1), index.squeeze(-1))
