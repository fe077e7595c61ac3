"""Shape, split and scatter helpers from PyTorch's surface: ravel, tensor_split, h/v/dsplit,
split_with_sizes, take_along_dim, broadcast_shapes, diagflat, the slice/select/diagonal
scatters, index_copy, put, unravel_index, combinations, vander, rsub, sum_to_size,
unique_consecutive and fill.

All are compositions of existing Tensor ops (indexing, gather, index_put, where), so they run on
every device and their gradients are those of the ops they are made of.
"""
import itertools
import math
import operator

from .. import dtypes
from .._args import normalize_dim
from ..creation import arange, ones, tensor
from ..errors import DTypeError, IndexOutOfRangeError, ShapeError
from ..tensor import Size, Tensor
from . import _util
from .elementwise import where
from .shape import cat


def _tensor(x, name, what="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


def _along(dim, ndim, index):
    """An index that applies `index` (a slice or tensor) to dimension `dim`."""
    return (slice(None),) * dim + (index,)


def ravel(input):
    """The elements of input as a 1-d tensor (a view where the layout allows)."""
    return _tensor(input, "ravel").reshape(-1)


def tensor_split(input, indices_or_sections, dim=0):
    """Split along dim into `sections` nearly equal parts (the first size % sections one longer)
    or at the given indices (as Python slices: [:i0], [i0:i1], ..., [ik:]); views."""
    x = _tensor(input, "tensor_split")
    if x.ndim == 0:
        raise ShapeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                         "tensor with 0 dims")
    dim = normalize_dim(dim, x.ndim)
    split = indices_or_sections
    if isinstance(split, Tensor):
        if split.dtype is not dtypes.int64 or split.ndim > 1:
            raise DTypeError("tensor_split expected tensor_indices_or_sections to be a zero-"
                             "dimensional or one-dimensional tensor of dtype long, but got a "
                             f"tensor with {split.ndim} dims and dtype {split.dtype}")
        split = split.item() if split.ndim == 0 else split.tolist()
    length = x.shape[dim]
    if isinstance(split, (list, tuple)):
        bounds = [None] + [operator.index(i) for i in split] + [None]
        return tuple(x[_along(dim, x.ndim, slice(a, b))] for a, b in zip(bounds, bounds[1:]))
    sections = operator.index(split)
    if sections <= 0:
        raise ValueError(f"number of sections must be larger than 0, got {sections}")
    size, extra = divmod(length, sections)
    pieces, start = [], 0
    for i in range(sections):
        stop = start + size + (1 if i < extra else 0)
        pieces.append(x[_along(dim, x.ndim, slice(start, stop))])
        start = stop
    return tuple(pieces)


def _numpy_style_split(name, input, indices_or_sections, dim, min_dims):
    x = _tensor(input, name)
    if x.ndim < min_dims:
        raise ShapeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, "
                         f"but got a tensor with {x.ndim} dimensions!")
    if not isinstance(indices_or_sections, (list, tuple)):
        sections = operator.index(indices_or_sections)
        if sections == 0 or x.shape[dim] % sections:
            raise ShapeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                             f"size of the dimension {x.shape[dim]} is not divisible by the "
                             f"split_size {sections}!")
    return tensor_split(x, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 of a 1-d tensor); sections must divide evenly."""
    dim = 1 if getattr(input, "ndim", 0) >= 2 else 0
    return _numpy_style_split("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 of a >= 2-d tensor; sections must divide evenly."""
    return _numpy_style_split("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 of a >= 3-d tensor; sections must divide evenly."""
    return _numpy_style_split("dsplit", input, indices_or_sections, 2, 3)


def split_with_sizes(input, split_sizes, dim=0):
    """Split along dim into pieces of the given sizes, which must add up to its length."""
    x = _tensor(input, "split_with_sizes")
    dim = normalize_dim(dim, x.ndim)
    sizes = [operator.index(s) for s in split_sizes]
    if sum(sizes) != x.shape[dim] or any(s < 0 for s in sizes):
        raise ShapeError(f"split_with_sizes expects split_sizes to sum exactly to "
                         f"{x.shape[dim]} (input tensor's size at dimension {dim}), but got "
                         f"split_sizes={sizes}")
    starts = list(itertools.accumulate([0] + sizes))
    return tuple(x.narrow(dim, start, size) for start, size in zip(starts, sizes))


def take_along_dim(input, indices, dim=None):
    """input's values at `indices` along dim (both broadcast against each other outside dim);
    with dim None, indices into the flattened input."""
    x = _tensor(input, "take_along_dim")
    index = _tensor(indices, "take_along_dim", "indices")
    if index.dtype is not dtypes.int64:
        raise DTypeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                         f"{index.dtype}")
    if dim is None:
        return x.reshape(-1).gather(0, index.reshape(-1))
    if x.ndim != index.ndim:
        raise ShapeError(f"torch.take_along_dim(): input and indices should have the same "
                         f"number of dimensions, but got {x.ndim} dimensions for input, and "
                         f"{index.ndim} dimensions for indices")
    dim = normalize_dim(dim, x.ndim)
    wanted = list(x.shape)
    wanted[dim] = index.shape[dim]
    shape = list(_util.broadcast_shapes(tuple(wanted), tuple(index.shape)))
    index = index.broadcast_to(shape)
    shape[dim] = x.shape[dim]
    return x.broadcast_to(shape).gather(dim, index)


def broadcast_shapes(*shapes):
    """The shape tensors of these shapes broadcast to (ints stand for 1-d shapes)."""
    tuples = []
    for shape in shapes:
        if isinstance(shape, (list, tuple)):
            tuples.append(tuple(operator.index(s) for s in shape))
        else:
            tuples.append((operator.index(shape),))
    result = ()
    for shape in tuples:
        if any(s < 0 for s in shape):
            raise ValueError(f"broadcast_shapes: trying to create tensor with negative "
                             f"dimension in {shape}")
        try:
            result = _util.broadcast_shapes(result, shape)
        except (ValueError, RuntimeError) as error:
            raise ShapeError("Shape mismatch: objects cannot be broadcast to a single shape: "
                             f"{tuples}") from error
    return Size(result)


def diagflat(input, offset=0):
    """A 2-d tensor with the flattened input on diagonal `offset`."""
    return _tensor(input, "diagflat").reshape(-1).diag(offset)


def _scatter_into(input, index, src, name, expected_shape):
    """A copy of input with `src` written at `index`; src must have exactly the target shape."""
    if tuple(src.shape) != tuple(expected_shape):
        raise ShapeError(f"{name}: expected src to have a size equal to the slice of self. src "
                         f"size = {list(src.shape)}, slice size = {list(expected_shape)}")
    out = input.clone()
    out[index] = src
    return out


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of input whose slice start:end:step along dim is src (differentiable in both)."""
    x, src = _tensor(input, "slice_scatter"), _tensor(src, "slice_scatter", "src")
    index = _along(normalize_dim(dim, x.ndim), x.ndim, slice(start, end, step))
    return _scatter_into(x, index, src, "slice_scatter", x[index].shape)


def select_scatter(input, src, dim, index):
    """A copy of input whose index-th entry along dim is src."""
    x, src = _tensor(input, "select_scatter"), _tensor(src, "select_scatter", "src")
    dim = normalize_dim(dim, x.ndim)
    position = operator.index(index)
    if not -x.shape[dim] <= position < x.shape[dim]:
        raise IndexOutOfRangeError(f"select_scatter(): index {position} out of range for "
                                   f"tensor of size {list(x.shape)} at dimension {dim}")
    where_ = _along(dim, x.ndim, position)
    return _scatter_into(x, where_, src, "select_scatter", x[where_].shape)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input whose diagonal (offset, dim1, dim2) is src, of input.diagonal()'s
    shape."""
    x, src = _tensor(input, "diagonal_scatter"), _tensor(src, "diagonal_scatter", "src")
    dim1, dim2 = normalize_dim(dim1, x.ndim), normalize_dim(dim2, x.ndim)
    expected = x.diagonal(offset, dim1, dim2).shape
    if tuple(src.shape) != tuple(expected):
        raise ShapeError(f"diagonal_scatter: expected src to have a size equal to the slice of "
                         f"self. src size = {list(src.shape)}, slice size = {list(expected)}")
    moved = x.movedim((dim1, dim2), (-2, -1)).clone()
    length = expected[-1]
    rows = arange(length, device=x.device) + max(-offset, 0)
    cols = arange(length, device=x.device) + max(offset, 0)
    moved[..., rows, cols] = src
    return moved.movedim((-2, -1), (dim1, dim2))


def index_copy(input, dim, index, source):
    """A copy of input with source's slices along dim written at the positions `index`."""
    x, index = _tensor(input, "index_copy"), _tensor(index, "index_copy", "index")
    source = _tensor(source, "index_copy", "source")
    if index.dtype is not dtypes.int64 or index.ndim > 1:
        raise IndexError(f"index_copy_(): Expected a long tensor of at most one dimension for "
                         f"index, got {index.dtype} with {index.ndim} dims")
    dim = normalize_dim(dim, max(x.ndim, 1))
    count = index.numel()
    if x.ndim and source.ndim and source.shape[dim] != count:
        raise IndexError(f"index_copy_(): Number of indices ({count}) should be equal to "
                         f"source.size(dim) ({source.shape[dim]})")
    if x.dtype is not source.dtype:
        raise DTypeError(f"index_copy_(): self and source expected to have the same dtype, "
                         f"but got (self) {x.dtype} and (source) {source.dtype}")
    if x.ndim == 0:
        return _scatter_into(x, (), source.reshape(()), "index_copy", ())
    expected = list(x.shape)
    expected[dim] = count
    index = index.to(device=x.device)
    return _scatter_into(x, _along(dim, x.ndim, index.reshape(-1)), source.reshape(expected),
                         "index_copy", expected)


def put(input, index, source, accumulate=False):
    """A copy of input with source written (or added, accumulate=True) at the flat positions
    `index` (negative ones count from the end)."""
    x, index = _tensor(input, "put"), _tensor(index, "put", "index")
    source = _tensor(source, "put", "source")
    if index.dtype is not dtypes.int64:
        raise DTypeError(f"put(): Expected a long tensor for index, but got {index.dtype}")
    if index.numel() != source.numel():
        raise ShapeError(f"put(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, index.numel() "
                         f"= {index.numel()}")
    flat, positions = x.reshape(-1), index.to(device=x.device).reshape(-1)
    return flat.index_put((positions,), source.reshape(-1).to(dtype=x.dtype),
                          accumulate).reshape(x.shape)


def unravel_index(indices, shape):
    """The coordinates (a tuple of int64 tensors of indices' shape) of flat `indices` in a
    tensor of `shape` (counted modulo each size, as PyTorch)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index(): expected 'indices' to be a Tensor, got "
                        f"{type(indices).__name__}")
    if indices.dtype.is_floating_point or indices.dtype is dtypes.bool_:
        raise DTypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    sizes = (operator.index(shape),) if not isinstance(shape, (list, tuple)) else \
        tuple(operator.index(s) for s in shape)
    if any(s < 0 for s in sizes):
        raise ValueError(f"'shape' cannot have negative values, but got {sizes}")
    index = indices.to(dtype=dtypes.int64)
    coordinates, stride = [], math.prod(sizes)
    for size in sizes:
        stride //= size if size else 1
        coordinates.append((index // stride) % size if size else index * 0)
    return tuple(coordinates)


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of a 1-d tensor's elements, as rows of a (count, r) tensor
    (itertools' order)."""
    x = _tensor(input, "combinations")
    if x.ndim != 1:
        raise ShapeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    r = operator.index(r)
    if r < 0:
        raise ValueError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return x.new_empty((0,))
    choose = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = [index for row in choose(range(x.shape[0]), r) for index in row]
    positions = tensor(rows, dtype=dtypes.int64, device=x.device)
    return x.index_select(0, positions).reshape(-1, r)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-d tensor: columns x**(N-1), ..., x**0 (or increasing);
    integer and bool input give int64."""
    x = _tensor(x, "vander", "x")
    if x.ndim != 1:
        raise ShapeError("x must be a one-dimensional tensor.")
    columns = x.shape[0] if N is None else operator.index(N)
    if columns < 0:
        raise ValueError("N must be non-negative.")
    base = x if x.dtype.is_floating_point else x.to(dtype=dtypes.int64)
    if columns == 0:
        return base.new_empty((x.shape[0], 0))
    powers = ones(x.shape[0], 1, dtype=base.dtype, device=x.device)
    if columns > 1:
        stacked = base.unsqueeze(1).expand(x.shape[0], columns - 1).cumprod(1)
        powers = cat([powers, stacked], 1)
    return powers if increasing else powers.flip(1)


def rsub(input, other, alpha=1):
    """other - alpha * input."""
    _tensor(input, "rsub")
    return other - (input if alpha == 1 else input * alpha)


def sum_to_size(input, *size):
    """input summed over the dimensions that broadcasting would stretch to reach input's shape
    from `size` (which must broadcast to it)."""
    x = _tensor(input, "sum_to_size")
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (list, tuple)) else size
    shape = tuple(operator.index(s) for s in shape)
    lead = x.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != x.shape[lead + i] for i, s in enumerate(shape)):
        raise ShapeError(f"size {{{list(shape)}}} is not expandable to size "
                         f"{{{list(x.shape)}}}.")
    return _util.sum_to(x, shape) if tuple(x.shape) != shape else x


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The input with each run of equal consecutive elements (slices along dim) kept once;
    optionally the run each element falls in and the runs' lengths."""
    x = _tensor(input, "unique_consecutive")
    if dim is None:
        flat = x.reshape(-1)
        starts = _run_starts(flat[1:] != flat[:-1], flat.shape[0], x.device)
        output = flat[starts]
        inverse_shape = tuple(x.shape)
    else:
        dim = normalize_dim(dim, x.ndim)
        moved = x.movedim(dim, 0)
        rows = moved.reshape(moved.shape[0], -1)
        starts = _run_starts((rows[1:] != rows[:-1]).any(1), rows.shape[0], x.device)
        output = moved[starts].movedim(0, dim)
        inverse_shape = (x.shape[dim],)
    if not (return_inverse or return_counts):
        return output
    result = (output,)
    if return_inverse:
        result += ((starts.to(dtype=dtypes.int64).cumsum(0) - 1).reshape(inverse_shape),)
    if return_counts:
        result += (_counts(starts),)
    return result


def _run_starts(changes, length, device):
    """A bool mask of the positions where a new run begins."""
    if length == 0:
        return Tensor([], dtype=dtypes.bool_, device=device)
    first = Tensor([True], dtype=dtypes.bool_, device=device)
    return cat([first, changes], 0)


def _counts(starts):
    positions = starts.nonzero().reshape(-1)
    end = tensor([starts.shape[0]], dtype=dtypes.int64, device=starts.device)
    return cat([positions, end], 0)[1:] - positions


def fill(input, value):
    """A tensor of input's shape and dtype holding `value` (a number or a 0-d tensor) everywhere;
    a tensor value receives the gradient summed, input none."""
    x = _tensor(input, "fill")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ShapeError(f"fill only supports 0-dimension value tensor but got tensor with "
                         f"{value.ndim} dimensions.")
    everywhere = ones(x.shape, dtype=dtypes.bool_, device=x.device)
    return where(everywhere, value, x).to(dtype=x.dtype)
