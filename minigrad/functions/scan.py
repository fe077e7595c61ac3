"""Scans along one dim: cumsum, cumprod, cummax, cummin, logcumsumexp, each a Function over a
backend kernel whose backward is written with Tensor ops (so it is itself differentiable)."""
from collections import namedtuple

from .. import dtypes
from ..autograd.function import Function
from ..errors import DTypeNotImplementedError
from ..creation import arange, zeros_like
from ..tensor import Tensor, _normalize_dim
from .elementwise import where
from .indexing import index_put
from .rearrange import flip

CumResult = namedtuple("cummax", ["values", "indices"])
CumMinResult = namedtuple("cummin", ["values", "indices"])


def _reverse_cumsum(x, dim):
    return flip(cumsum(flip(x, dim), dim), dim)


class CumSum(Function):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return x._new(x._backend.cumsum(x._data, dim))

    @staticmethod
    def backward(ctx, grad):
        return _reverse_cumsum(grad, ctx.dim), None


class CumProd(Function):
    """Running products. The gradient d out_i / d x_k is the product of x_0..x_i without
    x_k: from out / x where no factor is zero, else from explicit products (O(n^2) per line),
    so that zeros get their exact gradient."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = x._new(x._backend.cumprod(x._data, dim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim = ctx.dim
        if x.numel() == 0:
            return grad, None
        if not bool((x == 0).any().item()):
            return _reverse_cumsum(grad * out, dim) / x, None
        # products over (k, i] for every pair k <= i: x with positions <= k set to 1, scanned
        n = x.shape[dim]
        moved_x, moved_g = x.movedim(dim, -1), grad.movedim(dim, -1)
        positions = arange(n, device=x.device)
        after = positions.unsqueeze(1) < positions  # [k, j]: j > k
        between = cumprod(where(after, moved_x.unsqueeze(-2), 1.0), -1)  # [.., k, i]
        before = cumprod(where(positions.unsqueeze(1) > positions, moved_x.unsqueeze(-2), 1.0),
                         -1)[..., -1]  # prod of x_j for j < k, as [.., k]
        upper = positions.unsqueeze(1) <= positions  # i >= k
        total = (where(upper, between, 0.0) * moved_g.unsqueeze(-2)).sum(-1)
        return (before * total).movedim(-1, dim), None


class LogCumSumExp(Function):
    """log(cumsum(exp(x))); d out_i / d x_k = exp(x_k - out_i) for k <= i, each at most 1, so
    the backward sums those explicitly (O(n^2) per line) without overflow."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = x._new(x._backend.logcumsumexp(x._data, dim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim = ctx.dim
        moved_x, moved_out, moved_g = (t.movedim(dim, -1) for t in (x, out, grad))
        n = moved_x.shape[-1]
        positions = arange(n, device=x.device)
        upper = positions.unsqueeze(1) <= positions  # [k, i]: i >= k
        exponent = where(upper, moved_x.unsqueeze(-1) - moved_out.unsqueeze(-2), -float("inf"))
        return ((exponent.exp() * moved_g.unsqueeze(-2)).sum(-1)).movedim(-1, dim), None


class CumExtreme(Function):
    """cummax / cummin: the gradient of each output goes to the position it came from."""

    @staticmethod
    def forward(ctx, x, dim, take_max):
        kernel = x._backend.cummax if take_max else x._backend.cummin
        values, indices = kernel(x._data, dim)
        values, indices = x._new(values), x._new(indices)
        ctx.dim, ctx.shape = dim, x.shape
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        ctx.set_materialize_grads(False)  # backward gets None, not zeros, for the indices
        return values, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        (indices,) = ctx.saved_tensors
        items = _along(indices, ctx.dim)
        return index_put(zeros_like(grad), items, grad, accumulate=True), None, None


def _along(index, dim):
    """The index tuple that sends each position of `index` to index[p] along dim."""
    items = []
    for d in range(index.ndim):
        if d == dim:
            items.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index.shape[d]
            items.append(arange(index.shape[d], device=index.device).reshape(shape))
    return tuple(items)


def _prepare(input, dim, dtype, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(input).__name__}")
    if dtype is not None:
        input = input.to(dtype=dtype)
    elif input.dtype is dtypes.bool_:
        input = input.to(dtype=dtypes.int64)  # bools count as int64, as PyTorch
    if input.ndim == 0:
        _normalize_dim(dim, 0)
        return input.reshape(1), 0, True
    return input, _normalize_dim(dim, input.ndim), False


def _scan(cls, input, dim, dtype, name):
    if dtype is None and isinstance(input, Tensor) and input.dtype.category == 1:
        dtype = dtypes.int64  # integer sums and products run in int64, as PyTorch
    x, axis, scalar = _prepare(input, dim, dtype, name)
    out = cls.apply(x, axis) if x.numel() else x.clone()
    return out.reshape(()) if scalar else out


def cumsum(input, dim, *, dtype=None):
    """Running sums along dim; bool and integer input sums as int64."""
    return _scan(CumSum, input, dim, dtype, "cumsum")


def cumprod(input, dim, *, dtype=None):
    """Running products along dim."""
    return _scan(CumProd, input, dim, dtype, "cumprod")


def logcumsumexp(input, dim):
    """log(cumsum(exp(input))) along dim, computed without overflow (floating only)."""
    if not input.dtype.is_floating_point:
        raise DTypeNotImplementedError(f"logcumsumexp: expected a floating point tensor, got "
                                       f"{input.dtype}")
    return _scan(LogCumSumExp, input, dim, None, "logcumsumexp")


def _cum_extreme(input, dim, take_max, result, name):
    if input.dtype is dtypes.bool_:  # as uint8, the values back as bool (PyTorch's result)
        values, indices = _cum_extreme(input.to(dtype=dtypes.uint8), dim, take_max, result,
                                       name)
        return result(values.to(dtype=dtypes.bool_), indices)
    x, axis, scalar = _prepare(input, dim, None, name)
    if x.numel() == 0:
        return result(x.clone(), zeros_like(x, dtype=dtypes.int64))
    values, indices = CumExtreme.apply(x, axis, take_max)
    if scalar:
        values, indices = values.reshape(()), indices.reshape(())
    return result(values, indices)


def cummax(input, dim):
    """(values, indices): the running maximum along dim and where it was found."""
    return _cum_extreme(input, dim, True, CumResult, "cummax")


def cummin(input, dim):
    """(values, indices): the running minimum along dim and where it was found."""
    return _cum_extreme(input, dim, False, CumMinResult, "cummin")


__all__ = ["cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]
