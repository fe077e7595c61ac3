"""Reductions: sum, mean, amax/amin, max/min (with indices along a dim), argmax, var, std."""
import builtins
from collections import namedtuple

from .. import dtypes
from ..autograd.function import Function, rename_grad_fn
from ..autograd.grad_mode import _state as _grad_state
from ..creation import arange
from ..errors import DTypeError, EmptyReductionError
from .._args import normalize_dims
from ._util import keepdim_shape
from ..tensor import Tensor
from .elementwise import isnan, maximum, minimum, where

MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


class Sum(Function):
    backward_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.input_shape, ctx.axes = tuple(x._data.shape), axes
        return x._new(x._backend.sum(x._data, axes, keepdim))

    @staticmethod
    def backward(ctx, grad):
        if _grad_state.enabled:  # recorded (create_graph): differentiable Tensor ops
            keep = keepdim_shape(ctx.input_shape, ctx.axes)
            return grad.reshape(keep).expand(ctx.input_shape), None, None
        # the same view from the backend directly: no reshape and expand nodes for nothing
        # (a broadcast only where the shapes differ: numpy's broadcast views are read-only,
        # and a gradient of the input's own shape may become a leaf's .grad as it is)
        kernels, data, shape = grad._backend, grad._data, ctx.input_shape
        keep = keepdim_shape(shape, ctx.axes)
        if data.shape != keep:
            data = kernels.reshape(data, keep)
        if keep != shape:
            data = kernels.broadcast_to(data, shape)
        return grad._new_view(data), None, None


class SumAll(Sum):
    """The sum of every element (sum() without dim): its node is PyTorch's SumBackward0."""

    backward_name = "SumBackward0"


class _Extreme(Function):
    """amax/amin over axes; the gradient is shared evenly among tied extremes (as PyTorch).
    A subclass defines `kernel(backend)`, the backend function it runs."""

    @classmethod
    def forward(cls, ctx, x, axes, keepdim):
        out = x._new(cls.kernel(x._backend)(x._data, axes, keepdim))
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(x, out)
        return out

    nan_is_extreme = False

    @classmethod
    def backward(cls, ctx, grad):
        x, out = ctx.saved_tensors
        shape = keepdim_shape(x.shape, ctx.axes)
        hits = x == out.reshape(shape)
        if cls.nan_is_extreme:  # a NaN result: its NaNs share the gradient
            hits = hits + isnan(x) * isnan(out.reshape(shape))
        hits = hits.to(dtype=grad.dtype)
        count = hits.sum(dim=ctx.axes, keepdim=True)
        return grad.reshape(shape) * hits / count, None, None


class Amax(_Extreme):
    backward_name = "AmaxBackward0"

    @staticmethod
    def kernel(backend):
        return backend.amax


class Amin(_Extreme):
    backward_name = "AminBackward0"

    @staticmethod
    def kernel(backend):
        return backend.amin


class MaxAll(Amax):
    """max() of every element: unlike amax (whose gradient is NaN everywhere when the max is
    NaN, as in PyTorch), PyTorch's max() shares the gradient among the NaNs."""

    nan_is_extreme = True


class MinAll(Amin):
    nan_is_extreme = True


class _ExtremeAlongDim(Function):
    """max/min along one dim, returning (values, indices); the gradient goes to the index.
    A subclass defines `kernels(backend)`, the backend's (values, indices) functions."""

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        extreme, arg_extreme = cls.kernels(x._backend)
        values = x._new(extreme(x._data, (dim,), keepdim))
        indices = x._new(arg_extreme(x._data, dim, keepdim))
        ctx.dim, ctx.keepdim, ctx.input_shape = dim, keepdim, x.shape
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        ctx.set_materialize_grads(False)  # backward gets None, not zeros, for the indices
        return values, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        (indices,) = ctx.saved_tensors
        dim, shape = ctx.dim, ctx.input_shape
        if not ctx.keepdim:
            grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
        positions = arange(shape[dim], device=grad.device).reshape(
            [shape[dim] if i == dim else 1 for i in range(len(shape))])
        return grad * (positions == indices).to(dtype=grad.dtype), None, None


class MaxAlongDim(_ExtremeAlongDim):
    backward_name = "MaxBackward0"

    @staticmethod
    def kernels(backend):
        return backend.amax, backend.argmax


class MinAlongDim(_ExtremeAlongDim):
    backward_name = "MinBackward0"

    @staticmethod
    def kernels(backend):
        return backend.amin, backend.argmin


def _count(x, axes):
    """The number of elements a reduction over `axes` combines."""
    n = 1
    for a in axes:
        n *= x.shape[a]
    return n


def _reduced_dims(dim, ndim):
    """The axes a sum/mean/var/amax-style reduction combines: as in PyTorch, an empty `dim`
    (`()` or `[]`) means all of them, like None."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    return normalize_dims(dim, ndim)


def _check_nonempty(x, axes, name):
    if builtins.any(x.shape[a] == 0 for a in axes) or (not axes and x.numel() == 0):
        raise EmptyReductionError(f"{name}: cannot reduce over an empty dimension (shape "
                                  f"{tuple(x.shape)}); give a dim of non-zero size")


def sum(x, dim=None, keepdim=False, dtype=None):
    """Sum over `dim` (int, tuple, or None for all). Integer and bool sums are int64."""
    if dim is None and dtype is None and x.dtype.is_floating_point:  # loss.sum(), in short
        ndim = len(x._data.shape)
        axes = _ALL_AXES[ndim] if ndim < len(_ALL_AXES) else tuple(range(ndim))
        out = SumAll.apply(x, axes, keepdim)
        return out if out.dtype is x.dtype else out.to(dtype=x.dtype)
    if dtype is not None:
        x = x.to(dtype=dtype)
    elif not x.dtype.is_floating_point:
        x = x.to(dtype=dtypes.int64)
    out = Sum.apply(x, _reduced_dims(dim, x.ndim), keepdim)
    if out.dtype is not x.dtype:  # integer kernels sum in int64; a narrower dtype= wraps
        out = out.to(dtype=x.dtype)
    return rename_grad_fn(out, "SumBackward0") if dim is None else out


_ALL_AXES = [tuple(range(ndim)) for ndim in range(9)]  # every axis of an ndim-d tensor


def mean(x, dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        x = x.to(dtype=dtype)
    if not x.dtype.is_floating_point:
        raise DTypeError(f"mean: expected a floating point tensor, got {x.dtype}; "
                        "convert it with .float() first")
    if x.dtype.is_reduced:  # float16/bfloat16: in float32, rounded once, as PyTorch
        return mean(x.float(), dim, keepdim).to(dtype=x.dtype)
    axes = _reduced_dims(dim, x.ndim)
    out = Sum.apply(x, axes, keepdim) / _count(x, axes)
    return rename_grad_fn(out, "MeanBackward0" if dim is None else "MeanBackward1")


def amax(x, dim=(), keepdim=False):
    axes = _reduced_dims(dim, x.ndim)
    _check_nonempty(x, axes, "amax")
    return Amax.apply(x, axes, keepdim)


def amin(x, dim=(), keepdim=False):
    axes = _reduced_dims(dim, x.ndim)
    _check_nonempty(x, axes, "amin")
    return Amin.apply(x, axes, keepdim)


def _max_or_min(x, dim, keepdim, along_dim, whole, result_type):
    if dim is None:
        axes = tuple(range(x.ndim))
        _check_nonempty(x, axes, result_type.__name__)
        out = (MaxAll if whole is amax else MinAll).apply(x, axes, keepdim)
        return rename_grad_fn(out, "MaxBackward1" if whole is amax else "MinBackward1")
    if isinstance(dim, (tuple, list)):
        return whole(x, dim, keepdim)
    if x.ndim == 0:  # a 0-d tensor is one element along its dim 0 (or -1), as in PyTorch
        normalize_dims(dim, 0)
        return result_type(*along_dim.apply(x.reshape(1), 0, False))
    (axis,) = normalize_dims(dim, x.ndim)
    _check_nonempty(x, (axis,), result_type.__name__)
    return result_type(*along_dim.apply(x, axis, keepdim))


def _elementwise(name, x, other, keepdim, pairwise, other_kw):
    """`max(input, other)`: PyTorch's overload taking a second tensor (no keepdim)."""
    if other_kw is not None:
        other = other_kw
    if keepdim:
        raise TypeError(f"{name}() received an invalid combination of arguments: keepdim "
                        f"applies to {name}(input, dim), not to {name}(input, other)")
    return pairwise(x, other)


def max(x, dim=None, keepdim=False, *, other=None):
    """`max()` -> the largest value; `max(dim)` -> (values, indices) along dim, as PyTorch;
    `max(dim=(d0, d1))` -> the values over several dims (like `amax`); `max(other)` (a
    tensor) -> the elementwise maximum, as `maximum`."""
    if isinstance(dim, Tensor) or other is not None:
        return _elementwise("max", x, dim, keepdim, maximum, other)
    return _max_or_min(x, dim, keepdim, MaxAlongDim, amax, MaxResult)


def min(x, dim=None, keepdim=False, *, other=None):
    """The smallest value(s); see `max` for the forms of `dim` and `other`."""
    if isinstance(dim, Tensor) or other is not None:
        return _elementwise("min", x, dim, keepdim, minimum, other)
    return _max_or_min(x, dim, keepdim, MinAlongDim, amin, MinResult)


def _arg_extreme(x, dim, keepdim, name, kernel):
    """argmax/argmin (`name`) with `kernel`, the backend's function of that name."""
    if dim is not None and x.ndim == 0:
        normalize_dims(dim, 0)  # only checks dim: a 0-d tensor is one element along dim 0
        dim = None
    if dim is None:
        flat = x.reshape(-1)
        _check_nonempty(flat, (0,), name)
        out = x._new(kernel(flat._data, 0, False))
        return out.reshape([1] * x.ndim) if keepdim else out
    (axis,) = normalize_dims(dim, x.ndim)
    _check_nonempty(x, (axis,), name)
    return x._new(kernel(x._data, axis, keepdim))


def _no_bool(x, name):
    if x.dtype is dtypes.bool_:
        raise DTypeError(f"{name}(): does not support bool input (as in PyTorch); convert it "
                         "with .long()")


def argmax(x, dim=None, keepdim=False):
    _no_bool(x, "argmax")
    return _arg_extreme(x, dim, keepdim, "argmax", x._backend.argmax)


def argmin(x, dim=None, keepdim=False):
    _no_bool(x, "argmin")
    return _arg_extreme(x, dim, keepdim, "argmin", x._backend.argmin)


def var(x, dim=None, unbiased=None, keepdim=False, correction=None):
    """Variance with Bessel's correction by default (`correction=1`), as PyTorch."""
    if unbiased is not None and correction is not None:
        raise ValueError("var: pass either unbiased or correction, not both")
    if correction is None:
        correction = 1 if unbiased in (None, True) else 0
    if not x.dtype.is_floating_point:
        raise DTypeError(f"var/std: only floating point input is supported (as in PyTorch), "
                         f"got {x.dtype}; convert it with .float()")
    axes = _reduced_dims(dim, x.ndim)
    centered = x - mean(x, axes, keepdim=True)
    dof = _count(x, axes) - correction
    out = (centered * centered).sum(dim=axes, keepdim=keepdim) / _positive(dof)
    return rename_grad_fn(out, "VarBackward0")


def _positive(n):
    # PyTorch returns inf/nan when count <= correction; dividing by 0.0 gives the same
    return n if n > 0 else 0.0


class _SqrtOfVariance(Function):
    """std from the variance: sqrt, with a gradient of 0 where the std is 0 (a constant
    line), as PyTorch, instead of sqrt's 0 * inf = NaN."""

    @staticmethod
    def forward(ctx, variance):
        out = variance.sqrt()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return where(out == 0, 0.0, grad / (2 * out))


def std(x, dim=None, unbiased=None, keepdim=False, correction=None):
    out = _SqrtOfVariance.apply(var(x, dim, unbiased=unbiased, keepdim=keepdim,
                                    correction=correction))
    return rename_grad_fn(out, "StdBackward0")


def _as_uint8_if(x, out):
    """all/any of a uint8 tensor is uint8 (0 or 1) in PyTorch; of anything else, bool."""
    return out.to(dtype=dtypes.uint8) if x.dtype is dtypes.uint8 else out


def all(x, dim=None, keepdim=False):
    axes = normalize_dims(dim, x.ndim)
    out = (x != 0).to(dtype=dtypes.int64).sum(dim=axes, keepdim=keepdim) == _count(x, axes)
    return _as_uint8_if(x, out)


def any(x, dim=None, keepdim=False):
    axes = normalize_dims(dim, x.ndim)
    return _as_uint8_if(x, (x != 0).to(dtype=dtypes.int64).sum(dim=axes, keepdim=keepdim) > 0)


