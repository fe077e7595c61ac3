"""Indexing: `x[index]` and `x[index] = value` with ints, slices, steps, None, Ellipsis, and
integer or boolean arrays. The gradient of a gather is a scatter-add (repeated indices add up),
and the gradient of that scatter-add is the gather again, so both are twice differentiable.
"""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import as_python_scalar, broadcast_shapes, sum_to


def _convert_item(item, device):
    if isinstance(item, Tensor):
        if item.device != device:
            raise RuntimeError(f"indexing a tensor on {device} with an index tensor on "
                               f"{item.device}; move the index with .to({str(device)!r})")
        if item.dtype.is_floating_point:
            raise IndexError(f"tensors used as indices must be integer or bool, got {item.dtype}")
        return item._data
    if isinstance(item, (list, np.ndarray)):
        arr = np.asarray(item)
        if arr.size == 0:
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "iub":
            raise IndexError(f"arrays used as indices must be integer or bool, got {arr.dtype}")
        return arr
    if item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer)):
        return item
    raise IndexError(f"unsupported index element of type {type(item).__name__}; expected int, "
                     "slice, None, Ellipsis, or an integer/bool array or tensor")


def normalize_index(index, device):
    """The index as a tuple the backend understands (tensors replaced by backend arrays)."""
    items = index if isinstance(index, tuple) else (index,)
    return tuple(_convert_item(i, device) for i in items)


def _is_basic(index):
    return not any(hasattr(i, "shape") and hasattr(i, "dtype") for i in index)


class Getitem(Function):
    @staticmethod
    def forward(ctx, x, index):
        ctx.input_shape, ctx.index = x.shape, index
        data = x._backend.getitem(x._data, index)
        return x._new_view(data) if _is_basic(index) else x._new(data)

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.input_shape, ctx.index), None


class IndexAdd(Function):
    """zeros(shape) with `values` added at `index` (the scatter-add that undoes a gather)."""

    @staticmethod
    def forward(ctx, values, shape, index):
        ctx.index = index
        return values._new(values._backend.index_add(tuple(shape), index, values._data))

    @staticmethod
    def backward(ctx, grad):
        return Getitem.apply(grad, ctx.index), None, None


class IndexPut(Function):
    """A copy of `x` with `x[index] = value` (value broadcast to the indexed shape)."""

    @staticmethod
    def forward(ctx, x, index, value):
        ctx.index = index
        ctx.value_shape = value.shape if isinstance(value, Tensor) else None
        out = x._backend.copy(x._data)
        x._backend.setitem(out, index, value._data if isinstance(value, Tensor) else value)
        return x._new(out)

    @staticmethod
    def backward(ctx, grad):
        grad_x = IndexPut.apply(grad, ctx.index, 0.0) if ctx.needs_input_grad[0] else None
        grad_value = None
        if ctx.needs_input_grad[2]:
            grad_value = sum_to(Getitem.apply(grad, ctx.index), ctx.value_shape)
        return grad_x, None, grad_value


def getitem(x, index):
    return Getitem.apply(x, normalize_index(index, x.device))


def _prepare_value(x, index, value):
    if isinstance(value, Tensor):
        if value.device != x.device:
            raise RuntimeError(f"assigning a tensor on {value.device} into a tensor on "
                               f"{x.device}; move it with .to({str(x.device)!r})")
        target = x._backend.getitem(x._data, index).shape
        broadcast_shapes(tuple(value.shape), tuple(target), op="index assignment")
        if len(value.shape) > len(target) or \
                broadcast_shapes(tuple(value.shape), tuple(target)) != tuple(target):
            raise ValueError(f"index assignment: a value of shape {tuple(value.shape)} cannot "
                             f"be broadcast to the indexed shape {tuple(target)}")
        return value.to(dtype=x.dtype)  # cast to the target's dtype, as PyTorch does
    return as_python_scalar(value, x.dtype)


def index_put(x, index, value):
    """Out-of-place `x[index] = value`, differentiable in x and value."""
    index = normalize_index(index, x.device)
    return IndexPut.apply(x, index, _prepare_value(x, index, value))


def setitem_(x, index, value):
    """In-place `x[index] = value` with no autograd recording."""
    index = normalize_index(index, x.device)
    value = _prepare_value(x, index, value)
    x._backend.setitem(x._data, index, value._data if isinstance(value, Tensor) else value)
