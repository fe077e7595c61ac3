"""Gathers and scatters along a dim, masks and index queries: gather, scatter (+ add and
reduce), index_add, take, masked_fill / masked_select / masked_scatter, nonzero / argwhere and
the one-argument where.

They are written with the indexing ops (a gather is `x[index tensors]`, a scatter-add an
accumulating index_put), whose kernels exist on both devices and whose gradients are each
other; scatter_reduce's amax/amin/prod use the `scatter_reduce` kernel. Index tensors are
checked against the dims they index (a host sync, as PyTorch's own checks on cuda).
"""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..creation import arange, ones_like, tensor, zeros_like
from ..tensor import Tensor, _normalize_dim
from ._util import as_python_scalar, broadcast_shapes
from .elementwise import where as _where
from .indexing import getitem, index_put
from .rearrange import check_bounds
from ..errors import DTypeError, InvalidArgumentError, ShapeError


def _check_index(index, name):
    if not isinstance(index, Tensor) or index.dtype is not dtypes.int64:
        raise DTypeError(f"{name}: index must be an int64 tensor, got "
                         f"{getattr(index, 'dtype', type(index).__name__)}")


def _grid(input, dim, index, name):
    """The full index tuple that reads input[i0, .., index[i], .., ik] at each position of
    `index` (same number of dims as input, no larger than it outside `dim`)."""
    _check_index(index, name)
    if index.ndim != input.ndim and not (index.ndim <= 1 and input.ndim <= 1):
        raise ShapeError(f"{name}: index has {index.ndim} dims, input has {input.ndim}; they "
                         "must have the same number of dims")
    dim = _normalize_dim(dim, max(input.ndim, 1))
    for d in range(index.ndim):
        if d != dim and index.shape[d] > input.shape[d]:
            raise ShapeError(f"{name}: index shape {tuple(index.shape)} is larger than input "
                             f"shape {tuple(input.shape)} in dim {d}")
    check_bounds(index, input.shape[dim] if input.ndim else 1, name)
    items = []
    for d in range(index.ndim):
        if d == dim:
            items.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index.shape[d]
            items.append(arange(index.shape[d], device=index.device).reshape(shape))
    return tuple(items), dim


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j][k] = input[i][index[i][j][k]][k] (for dim=1); out has index's shape."""
    if input.ndim == 0:
        return gather(input.reshape(1), 0, index.reshape(-1)).reshape(tuple(index.shape))
    items, _ = _grid(input, dim, index, "gather")
    return getitem(input, items)


def _source(src, index, input, name):
    """The part of `src` (a tensor at least index's shape, or a number) that index covers."""
    if isinstance(src, Tensor):
        if src.dtype != input.dtype:
            raise DTypeError(f"{name}: expected self.dtype to be equal to src.dtype, got "
                             f"{input.dtype} and {src.dtype}")
        if src.ndim != index.ndim:
            raise ShapeError(f"{name}: src has {src.ndim} dims, index has {index.ndim}")
        if any(s < i for s, i in zip(src.shape, index.shape)):
            raise ShapeError(f"{name}: src shape {tuple(src.shape)} is smaller than index "
                             f"shape {tuple(index.shape)}")
        part = getitem(src, tuple(slice(0, n) for n in index.shape))
        return part.to(dtype=input.dtype)
    return tensor(as_python_scalar(src, input.dtype), dtype=input.dtype,
                  device=input.device).expand(tuple(index.shape))


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with input[..., index[i], ...] = src[i] (along dim); `value` for a
    number. reduce="add" / "multiply" accumulate instead (PyTorch's older form)."""
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src and value")
    src = value if src is None else src
    if reduce is not None:
        modes = {"add": "sum", "multiply": "prod"}
        if reduce not in modes:
            raise InvalidArgumentError(f"scatter: reduce must be 'add' or 'multiply', "
                                       f"got {reduce!r}")
        if not isinstance(src, Tensor):
            src = tensor(src, dtype=input.dtype, device=input.device).expand(tuple(index.shape))
        return scatter_reduce(input, dim, index, src, modes[reduce])
    if index.numel() == 0:
        return input.clone()
    items, _ = _grid(input, dim, index, "scatter")
    return index_put(input, items, _source(src, index, input, "scatter"))


def scatter_add(input, dim, index, src):
    """A copy of input with src added at input[..., index[i], ...] (repeats accumulate)."""
    if index.numel() == 0:
        return input.clone()
    items, _ = _grid(input, dim, index, "scatter_add")
    return index_put(input, items, _source(src, index, input, "scatter_add"), accumulate=True)


class ScatterExtreme(Function):
    """scatter_reduce with amax/amin/prod: the `scatter_reduce` kernel does the forward; the
    gradient follows PyTorch (amax/amin: shared evenly among the values equal to the result;
    prod: result / value, with zeros handled by recomputing without them)."""

    @staticmethod
    def forward(ctx, input, src, items, dim, index, reduce, include_self):
        out = input._backend.scatter_reduce(input._data, dim, index._data, src._data, reduce,
                                            include_self)
        ctx.items, ctx.dim, ctx.index = items, dim, index
        ctx.reduce, ctx.include_self = reduce, include_self
        result = input._new(out)
        ctx.save_for_backward(input, src, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        input, src, result = ctx.saved_tensors
        if ctx.reduce == "prod":
            return _prod_grads(ctx, grad, input, src, result)
        items = ctx.items
        src_hits = (src == getitem(result, items)).to(dtype=grad.dtype)
        if ctx.include_self:
            self_hits = (input == result).to(dtype=grad.dtype)
        else:
            self_hits = _untouched(grad, items, src).to(dtype=grad.dtype)
        counts = index_put(self_hits, items, src_hits, accumulate=True)
        shared = grad / counts
        grad_input = shared * self_hits if ctx.needs_input_grad[0] else None
        grad_src = getitem(shared, items) * src_hits if ctx.needs_input_grad[1] else None
        return grad_input, grad_src, None, None, None, None, None


def _untouched(like, items, src):
    """Bool: the positions of `like` that no element of src is scattered to."""
    return index_put(zeros_like(like), items, ones_like(src).to(dtype=like.dtype),
                     accumulate=True) == 0


def _prod_grads(ctx, grad, input, src, result):
    """d(prod)/d(each factor) = the product of the other factors, computed by scattering the
    factors with that one (or, for a zero, every zero) replaced by 1: exact with zeros."""
    items, dim, index, include_self = ctx.items, ctx.dim, ctx.index, ctx.include_self
    grad_input = grad_src = None
    if ctx.needs_input_grad[0]:
        if include_self:
            others = ScatterExtreme.apply(ones_like(input), src, items, dim, index, "prod", True)
            grad_input = grad * others
        else:
            grad_input = _where(_untouched(grad, items, src), grad, 0.0)
    if ctx.needs_input_grad[1]:
        nonzero = src != 0
        safe = _where(nonzero, src, 1.0)
        base = _where(input != 0, input, 1.0) if include_self else ones_like(input)
        base_zeros = (input == 0).to(dtype=grad.dtype) if include_self else zeros_like(input)
        without_zeros = ScatterExtreme.apply(base, safe, items, dim, index, "prod", True)
        zero_count = index_put(base_zeros, items, (~nonzero).to(dtype=grad.dtype),
                               accumulate=True)
        # a zero factor's derivative is the product of the others: nonzero only if it is the
        # one zero there
        lone_zero = _where(getitem(zero_count, items) == 1, getitem(without_zeros, items), 0.0)
        quotient = getitem(result, items) / safe
        grad_src = getitem(grad, items) * _where(nonzero, quotient, lone_zero)
    return grad_input, grad_src, None, None, None, None, None


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce the src values scattered to each position of input (and input's own value,
    with include_self): reduce is "sum", "prod", "mean", "amax" or "amin"."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise InvalidArgumentError(f"scatter_reduce: reduce must be one of 'sum', 'prod', "
                                   f"'mean', 'amax', 'amin', got {reduce!r}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce: src must be a Tensor, got {type(src).__name__}")
    if index.numel() == 0:
        return input.clone()
    items, dim = _grid(input, dim, index, "scatter_reduce")
    src = _source(src, index, input, "scatter_reduce")
    if reduce in ("sum", "mean"):
        base = input if include_self else index_put(input, items, 0)
        total = index_put(base, items, src, accumulate=True)
        if reduce == "sum":
            return total
        ones = ones_like(src)
        counts = index_put(ones_like(input) if include_self else zeros_like(input), items, ones,
                           accumulate=True)
        counts = counts.clamp(min=1)
        if input.dtype.is_floating_point:
            return total / counts
        return total.div(counts, rounding_mode="floor")
    return ScatterExtreme.apply(input, src, items, dim, index.contiguous(), reduce,
                                include_self)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source[i] added to the slice index[i] along dim."""
    _check_index(index, "index_add")
    if index.ndim > 1:
        raise ValueError(f"index_add: index must be 0-d or 1-d, got {index.ndim} dims")
    dim = _normalize_dim(dim, max(input.ndim, 1))
    check_bounds(index, input.shape[dim] if input.ndim else 1, "index_add")
    expected = tuple(input.shape[:dim]) + (index.numel(),) + tuple(input.shape[dim + 1:])
    if input.ndim and tuple(source.shape) != expected:
        raise ShapeError(f"index_add: source shape {tuple(source.shape)} should be {expected}")
    source = source.to(dtype=input.dtype)
    if alpha != 1:
        source = source * alpha
    if input.ndim == 0:
        return index_put(input.reshape(1), (index.reshape(-1),), source.reshape(-1),
                         accumulate=True).reshape(())
    return index_put(input, (slice(None),) * dim + (index.reshape(-1),), source,
                     accumulate=True)


def take(input, index):
    """input viewed as 1-d, read at `index` (negative indices count from the end); the
    result has index's shape."""
    _check_index(index, "take")
    check_bounds(index, input.numel(), "take", allow_negative=True)
    return getitem(input.reshape(-1), (index,))


def masked_fill(input, mask, value):
    """input with `value` (a number or a 0-d tensor) where the bool `mask` (broadcast to
    input's shape) is True. A mask with more dims or larger sides broadcasts input too, as
    PyTorch's out-of-place masked_fill."""
    if isinstance(mask, Tensor) and isinstance(input, Tensor):
        shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape), op="masked_fill")
        if shape != tuple(input.shape):
            input = input.expand(shape)
    mask = _mask(mask, input, "masked_fill")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                             f"{tuple(value.shape)}")
        value = value.to(dtype=input.dtype)
    else:
        value = as_python_scalar(value, input.dtype)
    return _where(mask, value, input)


def _mask(mask, input, name):
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool_:
        raise DTypeError(f"{name}: mask must be a bool tensor, got "
                         f"{getattr(mask, 'dtype', type(mask).__name__)}")
    shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape), op=name)
    if shape != tuple(input.shape):
        raise ShapeError(f"{name}: mask of shape {tuple(mask.shape)} does not broadcast to "
                         f"input's shape {tuple(input.shape)}")
    return mask.expand(shape)


def masked_select(input, mask):
    """The elements of input where mask is True, as a 1-d tensor (both broadcast)."""
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool_:
        raise DTypeError("masked_select: mask must be a bool tensor")
    shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape), op="masked_select")
    return getitem(input.expand(shape), (mask.expand(shape),))


def masked_scatter(input, mask, source):
    """input with the positions where mask is True (in row-major order) filled with the
    first elements of source."""
    mask = _mask(mask, input, "masked_scatter")
    count = int(mask.sum().item())
    if source.numel() < count:
        raise ShapeError(f"masked_scatter: mask selects {count} elements but source has only "
                         f"{source.numel()}")
    values = source.reshape(-1)[:count].to(dtype=input.dtype)
    return index_put(input, (mask,), values)


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or with as_tuple one
    1-d tensor per dim. The count decides the shape, so cuda input syncs with the host."""
    host = input.detach().cpu()
    host = host.float() if host.dtype is dtypes.bfloat16 else host  # numpy has no bfloat16
    positions = np.nonzero(np.atleast_1d(host.numpy()))
    if input.ndim == 0:
        positions = positions[:0] if as_tuple else ()
        count = int(bool(input.item()))
        if as_tuple:
            return (tensor(np.zeros(count, np.int64), device=input.device),)
        return tensor(np.zeros((count, 0), np.int64), device=input.device)
    if as_tuple:
        return tuple(tensor(p.astype(np.int64), device=input.device) for p in positions)
    stacked = np.stack(positions, axis=1).astype(np.int64) if positions else \
        np.zeros((0, 0), np.int64)
    return tensor(stacked.reshape(-1, input.ndim), device=input.device)


def argwhere(input):
    return nonzero(input)


def where(condition, input=None, other=None):
    """where(condition, input, other): input where condition, else other (broadcast; either
    may be a number); where(condition): nonzero(condition, as_tuple=True)."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: give both input and other, or neither")
    return _where(condition, input, other)
