"""More reductions: prod, logsumexp, var_mean/std_mean, count_nonzero, aminmax, isclose and
allclose, and the counting ops unique, bincount and histc.

prod is a Function whose forward takes the last running product and whose backward multiplies
the running products from either side (exact with zeros, differentiable again); the others are
composites. unique computes on the host (its output shape depends on the values, so cuda input
syncs, as in PyTorch); bincount and histc scatter-add on the tensor's device after reading
their range.
"""
from collections import namedtuple

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..creation import ones, tensor, zeros
from ..tensor import Tensor, _normalize_dim
from .elementwise import where
from .indexing import index_put
from .rearrange import flip
from .reduce import amax, amin, mean, std, var
from .scan import cumprod
from .shape import cat
from ..errors import DTypeNotImplementedError, InvalidArgumentError, ShapeError

AminmaxResult = namedtuple("aminmax", ["min", "max"])


class Prod(Function):
    @staticmethod
    def forward(ctx, x, dim, keepdim):
        n = x.shape[dim]
        out = cumprod(x, dim).narrow(dim, n - 1, 1)
        ctx.dim, ctx.keepdim = dim, keepdim
        ctx.save_for_backward(x)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        if not ctx.keepdim:
            grad = grad.unsqueeze(dim)
        one = ones(tuple(1 if d == dim else s for d, s in enumerate(x.shape)), dtype=x.dtype,
                   device=x.device)
        n = x.shape[dim]
        before = cumprod(cat([one, x.narrow(dim, 0, n - 1)], dim), dim)  # prod of x_j, j < k
        after = flip(cumprod(cat([one, flip(x, dim).narrow(dim, 0, n - 1)], dim), dim), dim)
        return grad * before * after, None, None


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product of all elements, or along one dim. Integer and bool input gives int64."""
    if dtype is not None:
        input = input.to(dtype=dtype)
    elif not input.dtype.is_floating_point:
        input = input.to(dtype=dtypes.int64)
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:  # 1, still connected to input (an empty gradient), as PyTorch
            return flat.sum() * 0 + 1
        out = Prod.apply(flat, 0, False)
        return out.reshape([1] * input.ndim) if keepdim else out
    if input.ndim == 0:
        _normalize_dim(dim, 0)
        return input.clone()
    axis = _normalize_dim(dim, input.ndim)
    if input.shape[axis] == 0:
        return input.sum(dim=axis, keepdim=keepdim) * 0 + 1
    return Prod.apply(input, axis, keepdim)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over dim (an int or a tuple), without overflow."""
    x = input if input.dtype.is_floating_point else input.to(dtype=dtypes.default_float)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    if x.ndim == 0:
        for d in dims:
            _normalize_dim(d, 0)
        return x.clone()
    if x.numel() == 0:
        return x.exp().sum(dim=tuple(dims), keepdim=keepdim).log()
    top = amax(x.detach(), tuple(dims), keepdim=True)
    top = where(top.isinf(), 0.0, top)  # all -inf (or an inf) in a line: no shift
    out = (x - top).exp().sum(dim=tuple(dims), keepdim=True).log() + top
    return out if keepdim else out.squeeze(tuple(_normalize_dim(d, x.ndim) for d in dims))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(variance, mean) over dim, as var and mean."""
    return (var(input, dim, unbiased=unbiased, keepdim=keepdim, correction=correction),
            mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(standard deviation, mean) over dim, as std and mean."""
    return (std(input, dim, unbiased=unbiased, keepdim=keepdim, correction=correction),
            mean(input, dim, keepdim))


def count_nonzero(input, dim=None):
    """The number of non-zero elements (int64), over dim (an int, a tuple, or all)."""
    return (input != 0).sum(dim=dim)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) over all elements or along one dim."""
    if dim is None:
        if input.numel() == 0:
            raise ValueError("aminmax: cannot reduce an empty tensor without a dim")
        lo, hi = amin(input, (), keepdim), amax(input, (), keepdim)
        if keepdim:
            lo, hi = lo.reshape([1] * input.ndim), hi.reshape([1] * input.ndim)
        return AminmaxResult(lo, hi)
    return AminmaxResult(amin(input, dim, keepdim), amax(input, dim, keepdim))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| elementwise (equal infinities are close; NaN
    is close to NaN only with equal_nan)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError("isclose: expected two Tensors")
    if input.dtype is not other.dtype:
        raise TypeError(f"isclose: expected tensors of one dtype, got {input.dtype} and "
                        f"{other.dtype}")
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol and atol must be non-negative, got {rtol}, {atol}")
    a, b = input.detach(), other.detach()
    equal = a == b
    if not a.dtype.is_floating_point:
        if a.dtype is dtypes.bool_:
            return equal
        a, b = a.to(dtype=dtypes.float64), b.to(dtype=dtypes.float64)
    close = equal | ((a - b).abs() <= atol + rtol * b.abs())
    close = close & a.isfinite() & b.isfinite() | equal
    if equal_nan:
        close = close | (a.isnan() & b.isnan())
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element is close (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all().item())


def equal(input, other):
    """Whether the two tensors have the same shape and the same values (a Python bool; NaN is
    unequal to itself; values of different dtypes compare after promotion, as in PyTorch)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"equal: expected two tensors, got {type(input).__name__} and "
                        f"{type(other).__name__}")
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool((input.detach() == other.detach()).all().item())


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), and optionally where each input element is among them and
    how often each occurs; with dim, the distinct slices along dim. Computed on the host."""
    host = input.detach().cpu()
    # bfloat16 (which numpy lacks) as its float32 values: the result converts back exactly
    values = (host.float() if host.dtype is dtypes.bfloat16 else host).numpy()
    if dim is not None:
        dim = _normalize_dim(dim, input.ndim)
    out, inverse, counts = np.unique(values, return_inverse=True, return_counts=True,
                                     axis=dim, equal_nan=False)
    result = [tensor(out, dtype=input.dtype, device=input.device)]
    if return_inverse:
        shape = values.shape if dim is None else (values.shape[dim],)
        result.append(tensor(inverse.reshape(shape).astype(np.int64), device=input.device))
    if return_counts:
        result.append(tensor(counts.astype(np.int64), device=input.device))
    return result[0] if len(result) == 1 else tuple(result)


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, ... occurs in a 1-d non-negative integer tensor (or the sum
    of `weights` at those positions); at least `minlength` bins."""
    if input.dtype.is_floating_point or input.dtype is dtypes.bool_:
        raise DTypeNotImplementedError(f"bincount: expected an integer tensor, got {input.dtype}")
    if input.ndim != 1:
        raise ShapeError(f"bincount: expected a 1-d tensor, got shape {tuple(input.shape)}")
    if minlength < 0:
        raise InvalidArgumentError(f"bincount: minlength must be non-negative, got {minlength}")
    if input.numel() and int(input.min().item()) < 0:
        raise InvalidArgumentError("bincount: input must hold non-negative values")
    length = max(int(input.max().item()) + 1 if input.numel() else 0, minlength)
    if weights is None:
        values, dtype = ones(input.shape, dtype=dtypes.int64, device=input.device), dtypes.int64
    else:
        if tuple(weights.shape) != tuple(input.shape):
            raise ShapeError(f"bincount: weights shape {tuple(weights.shape)} does not match "
                             f"input shape {tuple(input.shape)}")
        dtype = weights.dtype if weights.dtype.is_floating_point else dtypes.float64
        values = weights.to(dtype=dtype)
    counts = zeros(length, dtype=dtype, device=input.device)
    if input.numel() == 0:
        return counts
    return index_put(counts, (input,), values, accumulate=True)


def histc(input, bins=100, min=0, max=0):
    """A histogram of `bins` equal bins over [min, max] (both 0: the data's range); values
    outside are ignored, max itself falls in the last bin."""
    if not input.dtype.is_floating_point:
        raise TypeError(f"histc: expected a floating point tensor, got {input.dtype}")
    if bins <= 0:
        raise InvalidArgumentError(f"histc: bins must be positive, got {bins}")
    x = input.detach().reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.numel():
        lo, hi = float(x.min().item()), float(x.max().item())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise InvalidArgumentError(f"histc: max ({max}) must be larger than min ({min})")
    inside = (x >= lo) & (x <= hi)
    position = ((x.to(dtype=dtypes.float64) - lo) * bins / (hi - lo)).floor().clamp(0, bins - 1)
    index = where(inside, position, 0.0).to(dtype=dtypes.int64)
    counts = zeros(bins, dtype=input.dtype, device=input.device)
    return index_put(counts, (index,), inside.to(dtype=input.dtype), accumulate=True)
