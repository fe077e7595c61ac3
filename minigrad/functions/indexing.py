"""Indexing with PyTorch's rules: `x[index]`, `x[index] = value` and `index_put` (optionally
accumulating).

An index mixes ints, slices, None, Ellipsis, bools, and integer or boolean arrays (lists,
tuples inside the index, numpy arrays, tensors). PyTorch applies ints as basic indexing first
(each removes its dim), then the rest by numpy's rule for advanced indices: the index arrays
broadcast to one shape B, whose dims replace the indexed dims where those are adjacent, and go
first otherwise. numpy itself counts an int as a 0-d index array once arrays are present, so on
a (3, 4, 5) tensor `x[1, :, [1, 2]]` is (4, 2) in PyTorch but (2, 4) in numpy. The backends
speak numpy's rule; `IndexPlan` turns a PyTorch index into one or two numpy-rule steps (the
ints and bools first, then the rest), and the ops here run them in order.

The gradient of a gather is a scatter-add (repeated indices add up), and the gradient of that
scatter-add is the gather again, so both are twice differentiable.
"""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function, rename_grad_fn
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from ._util import as_python_scalar, broadcast_shapes, sum_to

_SEQUENCE_AS_TUPLE_LIMIT = 32  # PyTorch reads longer lists as one index array, always


# ---- reading an index ---------------------------------------------------------------------

def _top_level_items(index):
    """The index's items, PyTorch's way: a tuple is a list of items, and so is a short list
    holding a tensor, a sequence, a slice, None or Ellipsis (numpy's old rule, which PyTorch
    keeps: `x[[0, [1, 2]]]` is `x[0, [1, 2]]`); any other list is one index array."""
    if isinstance(index, tuple):
        return list(index)
    if isinstance(index, list) and len(index) < _SEQUENCE_AS_TUPLE_LIMIT and any(
            isinstance(i, (Tensor, list, tuple, range, slice, np.ndarray)) or i is None
            or i is Ellipsis for i in index):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated "
                      "(in PyTorch too); use x[tuple(seq)] instead of x[seq]", stacklevel=4)
        return list(index)
    return [index]


def _array_item(arr, what):
    """An index array as int64 or bool (0-d ones become an int or a bool, as in PyTorch)."""
    if arr.size == 0 and arr.dtype.kind not in "iub":
        arr = arr.astype(np.int64)  # an empty list has numpy's float dtype
    if arr.dtype.kind not in "iub":
        raise IndexError(f"{what} used as indices must be integer or bool, got {arr.dtype}")
    if arr.ndim == 0:
        return arr.item()
    return arr if arr.dtype.kind == "b" else arr.astype(np.int64, copy=False)


def _convert_item(item, device):
    """One index item as an int, a bool, a slice, None, Ellipsis or a backend array."""
    if isinstance(item, Tensor):
        if item.device != device:
            raise RuntimeError(f"indexing a tensor on {device} with an index tensor on "
                               f"{item.device}; move the index with .to({str(device)!r})")
        if item.dtype.is_floating_point:
            raise IndexError(f"tensors used as indices must be integer or bool, got "
                             f"{item.dtype}")
        if item.ndim == 0:  # PyTorch reads a 0-d index tensor as the int or bool it holds
            return item.item()
        return item._data
    if isinstance(item, (list, tuple, range, np.ndarray)):
        try:
            arr = np.asarray(item)
        except ValueError as err:
            raise IndexError(f"an index sequence must be rectangular: {err}") from None
        return _array_item(arr, "arrays")
    if isinstance(item, (bool, np.bool_)):
        return bool(item)
    if isinstance(item, (int, np.integer)):
        return int(item)
    if item is None or item is Ellipsis or isinstance(item, slice):
        return item
    raise IndexError(f"unsupported index element of type {type(item).__name__}; expected an "
                     "int, slice, None, Ellipsis, bool, or an integer/bool sequence (list, tuple, "
                     "range) or tensor")


def _is_array(item):
    return hasattr(item, "shape") and hasattr(item, "dtype")


def _dims_used(item):
    """How many dims of the indexed tensor an item consumes."""
    if item is None or isinstance(item, bool):
        return 0
    if _is_array(item) and item.dtype == np.bool_:
        return len(item.shape)
    return 1


def _expand_ellipsis(items, ndim):
    if sum(item is Ellipsis for item in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_dims_used(item) for item in items if item is not Ellipsis)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} ({used} dims "
                         "indexed)")
    fill = [slice(None)] * (ndim - used)
    for at, item in enumerate(items):
        if item is Ellipsis:
            return items[:at] + fill + items[at + 1:]
    return items + fill


class IndexPlan:
    """A PyTorch index on a tensor of `shape`, as numpy-rule steps run one after the other.

    `steps`: one or two index tuples for the backend; `shapes[k]`: the shape step k indexes.
    Two steps are needed where PyTorch and numpy disagree (ints next to index arrays) and for
    bools (as in PyTorch, a bool is a new dim of size 1 indexed by the array [0] for True or []
    for False): the first step applies the ints and adds the bools' dims, a view; the second
    holds everything else.
    `is_view`: whether the result shares the tensor's storage (no index arrays).
    """

    def __init__(self, shape, index, device):
        shape = tuple(shape)
        items = [_convert_item(i, device) for i in _top_level_items(index)]
        items = _expand_ellipsis(items, len(shape))
        arrays = any(_is_array(i) for i in items)
        bools = [i for i in items if isinstance(i, bool)]
        ints = any(isinstance(i, int) and not isinstance(i, bool) for i in items)
        # A bool is an index array ([0] or []) on a new dim: a single True without arrays is
        # the same as None, and keeps the result a view
        self.is_view = not arrays and bools in ([], [True])
        if self.is_view:
            self.steps, self.shapes = (tuple(None if i is True else i for i in items),), (shape,)
        elif not bools and not ints:
            self.steps, self.shapes = (tuple(items),), (shape,)
        else:
            self._split(shape, items)

    def _split(self, shape, items):
        first, second, middle, dim = [], [], [], 0
        for item in items:
            if isinstance(item, bool):
                first.append(None)
                middle.append(1)
                second.append(np.array([0] if item else [], dtype=np.int64))
            elif isinstance(item, int):
                first.append(item)
                dim += 1
            elif item is None:
                second.append(None)
            else:
                used = _dims_used(item)
                first.extend([slice(None)] * used)
                middle.extend(shape[dim:dim + used])
                second.append(item)
                dim += used
        self.steps = (tuple(first), tuple(second))
        self.shapes = (shape, tuple(middle))


def _plan(x, index):
    return index if isinstance(index, IndexPlan) else IndexPlan(x.shape, index, x.device)


def _gather(backend, data, plan):
    for step in plan.steps:
        data = backend.getitem(data, step)
    return data


def _scatter_add(backend, plan, values):
    """zeros(plan.shapes[0]) with `values` added at the index (repeats accumulate)."""
    for step, shape in reversed(list(zip(plan.steps, plan.shapes))):
        values = backend.index_add(shape, step, values)
    return values


def _assign(backend, data, plan, value):
    """data[index] = value, in place (the first step is a view of `data`)."""
    for step in plan.steps[:-1]:
        data = backend.getitem(data, step)
    backend.setitem(data, plan.steps[-1], value)


# ---- the Functions --------------------------------------------------------------------------

class Getitem(Function):
    backward_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, plan):
        ctx.input_shape, ctx.plan = x.shape, plan
        data = _gather(x._backend, x._data, plan)
        return x._new_view(data) if plan.is_view else x._new(data)

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.plan), None


class IndexAdd(Function):
    """zeros(plan.shapes[0]) with `values` (the indexed shape) added at the index: the
    scatter-add that undoes a gather."""

    @staticmethod
    def forward(ctx, values, plan):
        ctx.plan = plan
        return values._new(_scatter_add(values._backend, plan, values._data))

    @staticmethod
    def backward(ctx, grad):
        return Getitem.apply(grad, ctx.plan), None


class IndexPut(Function):
    """A copy of `x` with `x[index] = value` (value broadcast to the indexed shape)."""

    @staticmethod
    def forward(ctx, x, plan, value):
        ctx.plan = plan
        ctx.value_shape = value.shape if isinstance(value, Tensor) else None
        out = x._backend.copy(x._data)
        _assign(x._backend, out, plan, value._data if isinstance(value, Tensor) else value)
        return x._new(out)

    @staticmethod
    def backward(ctx, grad):
        grad_x = IndexPut.apply(grad, ctx.plan, 0.0) if ctx.needs_input_grad[0] else None
        grad_value = None
        if ctx.needs_input_grad[2]:
            grad_value = sum_to(Getitem.apply(grad, ctx.plan), ctx.value_shape)
        return grad_x, None, grad_value


# ---- public functional forms ----------------------------------------------------------------

def _node_name(plan):
    """PyTorch's name for the node of `x[index]`: that of the last step it takes (an int
    selects, a slice that is not the whole dim slices, None unsqueezes; index arrays come
    last)."""
    if not plan.is_view:
        return "IndexBackward0"
    (items,), (shape,) = plan.steps, plan.shapes
    name, dim = "AliasBackward0", 0
    for item in items:
        if item is None:
            name = "UnsqueezeBackward0"
            continue
        if not isinstance(item, slice):
            name = "SelectBackward0"
        elif item.indices(shape[dim]) != (0, shape[dim], 1):
            name = "SliceBackward0"
        dim += 1
    return name


def getitem(x, index):
    """`x[index]` with PyTorch's rules; a view of x unless the index holds arrays."""
    plan = _plan(x, index)
    return rename_grad_fn(Getitem.apply(x, plan), _node_name(plan))



def _indexed_shape(x, plan):
    return tuple(_gather(x._backend, x._data, plan).shape)


def _prepare_value(x, plan, value):
    if isinstance(value, Tensor):
        if value.device != x.device:
            raise RuntimeError(f"assigning a tensor on {value.device} into a tensor on "
                               f"{x.device}; move it with .to({str(x.device)!r})")
        target = _indexed_shape(x, plan)
        while len(value.shape) > len(target) and value.shape[0] == 1:
            value = value.squeeze(0)  # leading dims of size 1 are dropped, as PyTorch does
        broadcast_shapes(tuple(value.shape), target, op="index assignment")
        if len(value.shape) > len(target) or \
                broadcast_shapes(tuple(value.shape), target) != target:
            raise ShapeError(f"index assignment: a value of shape {tuple(value.shape)} cannot "
                             f"be broadcast to the indexed shape {target}")
        return value.to(dtype=x.dtype)  # cast to the target's dtype, as PyTorch does
    return as_python_scalar(value, x.dtype)


def index_put(x, index, value, accumulate=False):
    """Out-of-place `x[index] = value` (or `+=` with `accumulate=True`, where repeated indices
    add up), differentiable in x and value."""
    plan = _plan(x, index)
    value = _prepare_value(x, plan, value)
    if not accumulate:
        return IndexPut.apply(x, plan, value)
    if not isinstance(value, Tensor):
        value = Tensor(value, dtype=x.dtype, device=x.device)
    return x + IndexAdd.apply(value.expand(_indexed_shape(x, plan)), plan)


def setitem_(x, index, value):
    """In-place `x[index] = value` with no autograd recording."""
    plan = _plan(x, index)
    value = _prepare_value(x, plan, value)
    _assign(x._backend, x._data, plan, value._data if isinstance(value, Tensor) else value)


def index_put_indices(x, indices, values):
    """Check `Tensor.index_put_`'s arguments as PyTorch does: a sequence of index tensors and
    a values tensor of x's dtype. Returns the index as a tuple."""
    if not isinstance(indices, (tuple, list)) or \
            not all(isinstance(i, Tensor) for i in indices):
        raise TypeError("index_put: indices must be a tuple of tensors, got "
                        f"{type(indices).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put: values must be a Tensor, got {type(values).__name__}")
    if values.dtype is not x.dtype:
        raise DTypeError(f"index_put requires the source and destination dtypes to match, got "
                         f"{values.dtype} values for a tensor of dtype {x.dtype}")
    if any(i.dtype is dtypes.float32 or i.dtype is dtypes.float64 for i in indices):
        raise IndexError("index_put: tensors used as indices must be integer or bool")
    return tuple(indices)
