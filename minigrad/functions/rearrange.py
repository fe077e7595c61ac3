"""Shape ops built from views, gathers and concatenation: repeat, repeat_interleave, tile, flip,
roll, rot90, tril/triu, diagonal/diag/diag_embed/trace, unflatten, Tensor.unfold, movedim,
meshgrid, narrow_copy.

Each is a composite of differentiable ops (reshape, expand, permute, cat, indexing), so its
gradients of every order and its cuda version come from those. Where PyTorch returns a view
(diagonal, unfold, movedim) this returns a view only where the underlying op does (movedim,
unflatten); diagonal and unfold return copies, which matters only for in-place writes.
"""
import numpy as np

from ..creation import arange, tensor, zeros
from ..tensor import Tensor, _normalize_dim
from ._util import as_python_scalar
from .elementwise import where
from .indexing import getitem, index_put
from .shape import cat, expand, narrow, permute, reshape, transpose
from ..errors import (DTypeError, IndexDimsError, IndexOutOfRangeError, InvalidArgumentError,
                      ShapeError)


def _dims(dims, ndim, name):
    """A sequence of dims (or one int) as non-negative ints, each named once."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(_normalize_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        raise ShapeError(f"{name}: dims {dims} name a dimension more than once")
    return out


def _sizes(args, name):
    """`f(2, 3)` or `f((2, 3))` as a tuple of non-negative ints."""
    sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise InvalidArgumentError(f"{name}: sizes must be non-negative, got {sizes}")
    return sizes


def repeat(input, *sizes):
    """Tile `input` sizes[i] times along dim i; extra leading sizes add dims (PyTorch's
    Tensor.repeat: at least as many sizes as dims)."""
    sizes = _sizes(sizes, "repeat")
    if len(sizes) < input.ndim:
        raise ShapeError(f"repeat: {len(sizes)} sizes {sizes} given for a tensor with "
                         f"{input.ndim} dims; give at least one per dim")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    interleaved = tuple(v for n in shape for v in (1, n))
    stretched = tuple(v for r, n in zip(sizes, shape) for v in (r, n))
    # a copy, as in PyTorch: a view of the expanded input could not be written in place
    out = expand(reshape(input, interleaved), stretched).clone()
    return reshape(out, tuple(r * n for r, n in zip(sizes, shape)))


def tile(input, dims):
    """repeat, with missing leading entries of `dims` taken as 1."""
    dims = _sizes((dims,), "tile")
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element `repeats` times (an int, or a tensor with one count per element)
    along `dim` (None: of the flattened input). `repeat_interleave(counts)` alone gives the
    indices 0, 0, ..., 1, ... repeated by `counts`."""
    if repeats is None:  # torch.repeat_interleave(repeats)
        counts = input
        return repeat_interleave(arange(counts.numel(), device=counts.device), counts)
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = _normalize_dim(dim, input.ndim)
    n = input.shape[dim]
    if isinstance(repeats, Tensor):
        if repeats.dtype.is_floating_point or repeats.ndim > 1:
            raise TypeError(f"repeat_interleave: repeats must be an int or a 0-d or 1-d integer "
                            f"tensor, got {repeats.dtype} of shape {tuple(repeats.shape)}")
        counts = repeats.cpu().numpy().reshape(-1)
        if counts.size == 1:
            repeats = int(counts[0])
        else:
            if counts.size != n:
                raise ShapeError(f"repeat_interleave: {counts.size} repeats for dim {dim} of "
                                 f"size {n}")
            if (counts < 0).any():
                raise InvalidArgumentError("repeat_interleave: repeats must be non-negative")
            index = tensor(np.repeat(np.arange(n), counts), device=input.device)
            out = index_select(input, dim, index)
            _check_output_size(out, dim, output_size)
            return out
    repeats = int(repeats)
    if repeats < 0:
        raise InvalidArgumentError(
            f"repeat_interleave: repeats must be non-negative, got {repeats}")
    shape = tuple(input.shape)
    out = expand(input.unsqueeze(dim + 1), shape[:dim + 1] + (repeats,) + shape[dim + 1:])
    out = reshape(out.clone(), shape[:dim] + (n * repeats,) + shape[dim + 1:])
    _check_output_size(out, dim, output_size)
    return out


def _check_output_size(out, dim, output_size):
    if output_size is not None and out.shape[dim] != output_size:
        raise ShapeError(f"repeat_interleave: output_size {output_size} does not match the "
                         f"{out.shape[dim]} repeated elements")


def index_select(input, dim, index):
    """The slices of `input` along `dim` at `index` (a 0-d or 1-d integer tensor)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select: index must be a 0-d or 1-d integer tensor, got "
                        f"{type(index).__name__}")
    if index.dtype.is_floating_point or index.dtype.name == "bool":
        raise DTypeError(f"index_select: index must be an integer tensor, got {index.dtype}")
    if index.ndim > 1:
        raise IndexDimsError(f"index_select: index must be 0-d or 1-d, got shape "
                             f"{tuple(index.shape)}")
    dim = _normalize_dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    check_bounds(index, n, "index_select")
    if input.ndim == 0:
        return getitem(input.reshape(1), (index.reshape(-1),)).reshape(())
    return getitem(input, (slice(None),) * dim + (index.reshape(-1),))


def check_bounds(index, size, name, allow_negative=False):
    """Raise IndexOutOfRangeError (an IndexError and a RuntimeError, as PyTorch) if an index
    falls outside [0, size) ([-size, size) with negatives)."""
    if index.numel() == 0:
        return
    low, high = int(index.min().item()), int(index.max().item())
    if high >= size or low < (-size if allow_negative else 0):
        bad = high if high >= size else low
        raise IndexOutOfRangeError(
            f"{name}: index {bad} is out of bounds for a dimension of size {size}")


def flip(input, *dims):
    """Reverse the order of elements along `dims` (a copy)."""
    dims = _dims(dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims,
                 max(input.ndim, 1), "flip")
    out = input
    for d in dims:
        if input.ndim == 0:
            break
        n = input.shape[d]
        out = getitem(out, (slice(None),) * d + (arange(n - 1, -1, -1, device=input.device),))
    return out if out is not input else input.clone()


def fliplr(input):
    if input.ndim < 2:
        raise ShapeError(f"fliplr: expected a tensor with at least 2 dims, got {input.ndim}")
    return flip(input, 1)


def flipud(input):
    if input.ndim < 1:
        raise ShapeError("flipud: expected a tensor with at least 1 dim, got a 0-d tensor")
    return flip(input, 0)


def roll(input, shifts, dims=None):
    """Shift elements circularly by `shifts` along `dims` (None: the flattened tensor)."""
    if dims is None:
        if not isinstance(shifts, (int, np.integer)) and len(shifts) != 1:
            raise InvalidArgumentError("roll: without dims, shifts must be one int")
        shift = shifts if isinstance(shifts, (int, np.integer)) else shifts[0]
        return roll(input.reshape(-1), shift, 0).reshape(tuple(input.shape))
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ShapeError(f"roll: {len(shifts)} shifts for {len(dims)} dims")
    out = input
    for shift, d in zip(shifts, dims):
        d = _normalize_dim(d, input.ndim)
        n = input.shape[d]
        s = int(shift) % n if n else 0
        if s:
            out = cat([narrow(out, d, n - s, s), narrow(out, d, 0, n - s)], d)
    return out if out is not input else input.clone()


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane of `dims`, from the first towards the
    second."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise InvalidArgumentError(f"rot90: expected 2 dims, got {dims}")
    d0, d1 = _dims(dims, input.ndim, "rot90") if input.ndim >= 2 else (None, None)
    if d0 is None:
        raise ShapeError(f"rot90: expected a tensor with at least 2 dims, got {input.ndim}")
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return transpose(flip(input, d0), d0, d1)
    return input.clone()


def _triangle(input, diagonal, lower, name):
    if input.ndim < 2:
        raise ShapeError(f"{name}: expected a tensor with at least 2 dims, got {input.ndim}")
    rows, cols = input.shape[-2], input.shape[-1]
    offset = arange(cols, device=input.device) - arange(rows, device=input.device).unsqueeze(1)
    keep = offset <= diagonal if lower else offset >= diagonal
    return where(keep, input, as_python_scalar(0, input.dtype))


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (on and below `diagonal`), zeros above."""
    return _triangle(input, int(diagonal), True, "tril")


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (on and above `diagonal`), zeros below."""
    return _triangle(input, int(diagonal), False, "triu")


def _diagonal_positions(n1, n2, offset, device):
    """Row and column indices of the diagonal `offset` of an n1 x n2 matrix."""
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    steps = arange(length, device=device)
    return (steps, steps + offset) if offset >= 0 else (steps - offset, steps)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal `offset` of the planes (dim1, dim2), as a new last dim (a copy)."""
    d1, d2 = _normalize_dim(dim1, input.ndim), _normalize_dim(dim2, input.ndim)
    if d1 == d2:
        raise InvalidArgumentError(
            f"diagonal: dim1 and dim2 cannot be the same dim ({dim1}, {dim2})")
    rest = [d for d in range(input.ndim) if d not in (d1, d2)]
    moved = permute(input, tuple(rest) + (d1, d2))
    rows, cols = _diagonal_positions(input.shape[d1], input.shape[d2], int(offset), input.device)
    return getitem(moved, (Ellipsis, rows, cols))


_diagonal_of = diagonal  # for diag, whose argument is also called `diagonal`


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices whose diagonal `offset` (in the planes dim1, dim2 of the result) holds the
    last dim of `input`; zeros elsewhere."""
    ndim = input.ndim + 1
    d1, d2 = _normalize_dim(dim1, ndim), _normalize_dim(dim2, ndim)
    if d1 == d2:
        raise InvalidArgumentError(
            f"diag_embed: dim1 and dim2 cannot be the same dim ({dim1}, {dim2})")
    n = input.shape[-1] + abs(int(offset))
    batch = tuple(input.shape[:-1])
    square = zeros(batch + (n, n), dtype=input.dtype, device=input.device)
    rows, cols = _diagonal_positions(n, n, int(offset), input.device)
    square = index_put(square, (Ellipsis, rows, cols), input)
    # the square's two last dims go to d1 and d2, the batch dims fill the others in order
    order, batch_dims = [None] * ndim, iter(range(len(batch)))
    order[d1], order[d2] = len(batch), len(batch) + 1
    order = [next(batch_dims) if o is None else o for o in order]
    return permute(square, tuple(order))


def diag(input, diagonal=0):
    """1-d input: a square matrix with it on diagonal `diagonal`; 2-d input: that diagonal."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return _diagonal_of(input, diagonal)
    raise ShapeError(f"diag: expected a 1-d or 2-d tensor, got {input.ndim} dims")


def trace(input):
    """The sum of the main diagonal of a 2-d tensor (integers sum as int64)."""
    if input.ndim != 2:
        raise ShapeError(f"trace: expected a 2-d tensor, got {input.ndim} dims")
    return diagonal(input).sum()


def unflatten(input, dim, sizes):
    """Split dim `dim` into `sizes` (one of them may be -1)."""
    if input.ndim == 0:
        raise ShapeError("unflatten: cannot unflatten a 0-dim tensor (as in PyTorch)")
    dim = _normalize_dim(dim, input.ndim)
    shape = tuple(input.shape)
    sizes = tuple(int(s) for s in sizes)
    if sizes.count(-1) == 1:
        # the -1 is inferred from this dim alone (reshape would call it ambiguous in a tensor
        # of 0 elements), as PyTorch
        known = int(np.prod([s for s in sizes if s != -1]))
        if known and shape[dim] % known == 0:
            sizes = tuple(shape[dim] // known if s == -1 else s for s in sizes)
        elif not known and shape[dim] == 0:
            sizes = tuple(0 if s == -1 else s for s in sizes)
    if -1 not in sizes and int(np.prod(sizes)) != shape[dim]:
        raise ShapeError(f"unflatten: sizes {sizes} do not multiply to {shape[dim]}, the size "
                         f"of dim {dim}")
    return reshape(input, shape[:dim] + sizes + shape[dim + 1:])


def unfold(input, dimension, size, step):
    """Tensor.unfold: all windows of `size` elements, `step` apart, along `dimension`; the
    windows replace that dim and their elements form a new last dim."""
    scalar = input.ndim == 0
    if scalar:
        input, dimension = input.reshape(1), 0
    d = _normalize_dim(dimension, input.ndim)
    n = input.shape[d]
    if size < 0 or size > n or step <= 0:
        raise ShapeError(f"unfold: size {size} and step {step} do not fit dim {dimension} of "
                         f"size {n} (need 0 <= size <= {n} and step > 0)")
    count = (n - size) // step + 1
    windows = arange(count, device=input.device).unsqueeze(1) * step + \
        arange(size, device=input.device)
    moved = movedim(input, d, -1)
    out = movedim(getitem(moved, (Ellipsis, windows)), -2, d)
    # a 0-d input gives just the window's elements, (size,), as PyTorch
    return out.reshape(size) if scalar and count == 1 else out


def movedim(input, source, destination):
    """Move dims `source` to positions `destination` (ints or sequences); the others keep
    their order."""
    source = _dims(source, max(input.ndim, 1), "movedim")
    destination = _dims(destination, max(input.ndim, 1), "movedim")
    if len(source) != len(destination):
        raise InvalidArgumentError(f"movedim: {len(source)} source dims for {len(destination)} "
                                   "destinations")
    if input.ndim == 0:
        return input
    order = [None] * input.ndim
    for s, d in zip(source, destination):
        order[d] = s
    rest = iter(d for d in range(input.ndim) if d not in source)
    return permute(input, tuple(next(rest) if o is None else o for o in order))


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


swapdims = swapaxes


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-d (or 0-d) tensors: "ij" (matrix) or "xy" (Cartesian, the
    first two dims swapped) indexing."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise ShapeError(f"meshgrid: expected 0-d or 1-d tensors, got {t.ndim} dims")
    flat = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(t.shape[0] for t in flat)
    grids = [expand(t.reshape([-1 if i == k else 1 for i in range(len(flat))]), shape)
             for k, t in enumerate(flat)]
    if swap:  # the grids of the swapped inputs have the "xy" shape already
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def narrow_copy(input, dim, start, length):
    """narrow, as a new tensor that shares no storage."""
    return narrow(input, dim, start, length).clone()


__all__ = ["check_bounds", "diag", "diag_embed", "diagonal", "flip", "fliplr", "flipud",
           "index_select", "meshgrid", "movedim", "moveaxis", "narrow_copy", "repeat",
           "repeat_interleave", "roll", "rot90", "swapaxes", "swapdims", "tile",
           "trace", "tril", "triu", "unflatten", "unfold"]
