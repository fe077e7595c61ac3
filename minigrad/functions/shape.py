"""Shape ops: reshape, permute, expand, squeeze/unsqueeze, cat/stack/split, pad.

Reshape, permute and expand return views of their input where the backend can, so their
outputs share the input's version counter (in-place writes through either are detected).
"""
import numpy as np

from .. import dtypes
from ..autograd.function import Function, rename_grad_fn
from ..errors import (IndexOutOfRangeError, InvalidArgumentError, ModeNotImplementedError,
                      ShapeError)
from ..tensor import Tensor, _normalize_dim
from ._util import as_python_scalar, broadcast_shapes, sum_to


class Reshape(Function):
    backward_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        return x._new_view(x._backend.reshape(x._data, shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class Permute(Function):
    backward_name = "PermuteBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._new_view(x._backend.permute(x._data, dims))

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return grad.permute(inverse), None


class Expand(Function):
    backward_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        return x._new_view(x._backend.broadcast_to(x._data, shape))

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.input_shape), None


class Cat(Function):
    backward_name = "CatBackward0"

    @staticmethod
    def forward(ctx, *tensors, dim):
        ctx.dim, ctx.sizes = dim, [t.shape[dim] for t in tensors]
        first = tensors[0]
        return first._new(first._backend.concatenate([t._data for t in tensors], dim))

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size, need in zip(ctx.sizes, ctx.needs_input_grad):
            grads.append(grad.narrow(ctx.dim, start, size) if need else None)
            start += size
        return tuple(grads)


class Pad(Function):
    """Constant padding; negative amounts crop. Backward pads with the negated amounts."""

    backward_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.widths = widths
        grow = tuple((max(b, 0), max(a, 0)) for b, a in widths)
        data = x._backend.pad(x._data, grow, value) if any(map(any, grow)) else x._data
        crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(widths, data.shape))
        return x._new(x._backend.copy(x._backend.getitem(data, crop)))

    @staticmethod
    def backward(ctx, grad):
        return Pad.apply(grad, tuple((-b, -a) for b, a in ctx.widths), 0), None, None


# ---- public functional forms ------------------------------------------------------------------

def _resolve_shape(shape, numel, source_shape):
    """`shape` with its -1 entry (at most one) inferred, as PyTorch: ShapeError if the sizes
    do not hold `numel` elements, or if -1 is ambiguous (a 0 elsewhere in the shape)."""
    shape = tuple(int(s) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1 or any(s < -1 for s in shape):
        raise ShapeError(f"invalid shape {shape}: only one dimension can be -1, none negative")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if unknown:
        if known == 0:
            raise ShapeError(f"cannot reshape a tensor of shape {tuple(source_shape)} ({numel} "
                             f"elements) into shape {shape}: with a dim of size 0 the -1 could "
                             "be any size")
        if numel % known:
            raise ShapeError(f"shape {shape} is invalid for input of shape "
                             f"{tuple(source_shape)} ({numel} elements)")
        shape = shape[:unknown[0]] + (numel // known,) + shape[unknown[0] + 1:]
    elif known != numel:
        raise ShapeError(f"shape {shape} is invalid for input of shape {tuple(source_shape)} "
                         f"({numel} elements)")
    return shape


def reshape(x, shape):
    """x with a new shape: a view where x's layout allows one, else a copy."""
    shape = _resolve_shape(shape, x.numel(), x.shape)
    if shape == tuple(x.shape):
        return Reshape.apply(x, shape) if x.requires_grad else x._new_view(x._data)
    return Reshape.apply(x, shape)


def view_strides(shape, strides, new_shape):
    """Element strides showing a tensor of `shape`/`strides` as `new_shape` without a copy, or
    None where no such strides exist (PyTorch's rule: each run of old dims that new dims
    split or merge must be contiguous within itself; any layout of a 0-d or empty tensor)."""
    if not shape:
        return [1] * len(new_shape)
    numel = 1
    for n in shape:
        numel *= n
    if numel == 0:
        out, step = [0] * len(new_shape), 1
        for d in reversed(range(len(new_shape))):
            out[d], step = step, step * max(new_shape[d], 1)
        return out
    new_strides = [0] * len(new_shape)
    view_d, base = len(new_shape) - 1, strides[-1]
    tensor_numel = view_numel = 1
    for d in reversed(range(len(shape))):
        tensor_numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            # dims d.. form one contiguous run: the new dims must tile it exactly
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                base, tensor_numel, view_numel = strides[d - 1], 1, 1
    return new_strides if view_d == -1 else None


def view(x, shape):
    """x with a new shape, always sharing its storage: ShapeError (a RuntimeError, as in
    PyTorch) where x's strides cannot show that shape; `reshape` copies instead."""
    shape = _resolve_shape(shape, x.numel(), x.shape)
    itemsize = x._data.dtype.itemsize
    strides = tuple(s // itemsize for s in x._data.strides)
    if view_strides(tuple(x.shape), strides, shape) is None:
        raise ShapeError(f"view size {shape} is not compatible with the size {tuple(x.shape)} "
                         f"and strides {strides} of the input (at least one dimension spans "
                         "across two contiguous subspaces); use .reshape(...) instead")
    return reshape(x, shape)


def flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return x.reshape(1)
    start, end = _normalize_dim(start_dim, x.ndim), _normalize_dim(end_dim, x.ndim)
    if start > end:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = tuple(x.shape)
    merged = 1
    for n in shape[start:end + 1]:
        merged *= n  # explicit, not -1: an empty batch (0, C, H, W) flattens to (0, C*H*W)
    return x.reshape(shape[:start] + (merged,) + shape[end + 1:])


def permute(x, dims):
    if len(dims) != x.ndim:
        raise ShapeError(f"permute: dims {tuple(dims)} are not a permutation of the {x.ndim} "
                         f"dims of a tensor of shape {tuple(x.shape)} (wrong number of dims)")
    dims = tuple(_normalize_dim(d, x.ndim) for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ShapeError(f"permute: dims {dims} are not a permutation of the {x.ndim} dims of "
                         f"a tensor of shape {tuple(x.shape)}")
    return Permute.apply(x, dims)


def transpose(x, dim0, dim1):
    if x.ndim == 0:
        _normalize_dim(dim0, 0), _normalize_dim(dim1, 0)  # only 0 and -1 name a 0-d's dim
        return x
    dims = list(range(x.ndim))
    a, b = _normalize_dim(dim0, x.ndim), _normalize_dim(dim1, x.ndim)
    dims[a], dims[b] = dims[b], dims[a]
    return rename_grad_fn(Permute.apply(x, tuple(dims)), "TransposeBackward0")


def t(x):
    if x.ndim > 2:
        raise ShapeError(f"t() expects a tensor with <= 2 dims, got shape {tuple(x.shape)}")
    return rename_grad_fn(transpose(x, 0, 1), "TBackward0") if x.ndim == 2 else x


def squeeze(x, dim=None):
    if dim is None:
        axes = {i for i, s in enumerate(x.shape) if s == 1}
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {_normalize_dim(d, x.ndim) for d in dims}
        axes = {a for a in axes if x.ndim and x.shape[a] == 1}
    out = x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in axes))
    return rename_grad_fn(out, "SqueezeBackward0" if dim is None else "SqueezeBackward1")


def unsqueeze(x, dim):
    dim = _normalize_dim(dim, x.ndim + 1)
    shape = tuple(x.shape)
    return rename_grad_fn(x.reshape(shape[:dim] + (1,) + shape[dim:]), "UnsqueezeBackward0")


def expand(x, sizes):
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < x.ndim:
        raise ShapeError(f"expand: {len(sizes)} sizes {sizes} given for a tensor with {x.ndim} "
                         f"dims (shape {tuple(x.shape)})")
    lead = len(sizes) - x.ndim
    shape = []
    for i, s in enumerate(sizes):
        own = x.shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise ShapeError(f"expand: -1 is not allowed for new leading dim {i}")
            s = own
        if s < 0:
            raise ShapeError(f"expand: sizes must be non-negative (or -1 for an existing dim), "
                             f"got {sizes}")
        if own is not None and own != 1 and own != s:
            raise ShapeError(f"expand: the size {own} of dim {i - lead} of shape "
                             f"{tuple(x.shape)} cannot be expanded to {s} (target {sizes})")
        shape.append(s)
    shape = tuple(shape)
    if shape == tuple(x.shape):
        return x
    return Expand.apply(x, shape)


def broadcast_to(x, shape):
    return expand(x, shape)


def narrow(x, dim, start, length):
    """`length` elements of dim `dim` from `start` (a negative start counts from the end)."""
    _at_least_1d(x, "narrow")
    dim = _normalize_dim(dim, x.ndim)
    n = x.shape[dim]
    begin = start + n if -n <= start < 0 else start
    if not 0 <= begin <= n:  # IndexError in PyTorch
        raise IndexOutOfRangeError(f"narrow: start {start} is out of range for dim {dim} of "
                                   f"size {n} (shape {tuple(x.shape)})")
    if length < 0 or begin + length > n:
        raise ShapeError(f"narrow: start {start} and length {length} do not fit in dim {dim} "
                         f"of size {n} (shape {tuple(x.shape)})")
    index = [slice(None)] * dim + [slice(begin, begin + length)]
    return rename_grad_fn(x[tuple(index)], "SliceBackward0")


def cat(tensors, dim=0):
    """Concatenate along an existing dim; all other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat: element {i} is {type(t).__name__}, expected a Tensor")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise ShapeError(f"cat: zero-dimensional tensor (at position {i}) cannot be "
                             "concatenated")
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
    # PyTorch's legacy rule: 1-d empty tensors are skipped (they still take part in the dtype)
    kept = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)]
    if kept and len(kept) < len(tensors):
        tensors = kept
    first = tensors[0]
    dim = _normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or any(a != b for j, (a, b) in enumerate(zip(t.shape, first.shape))
                                       if j != dim):
            raise ShapeError(f"cat: tensor {i} has shape {tuple(t.shape)}, which does not match "
                             f"shape {tuple(first.shape)} of tensor 0 outside dim {dim}")
    return Cat.apply(*(t.to(dtype=dtype) for t in tensors), dim=dim)


def _at_least_1d(x, name):
    if x.ndim == 0:
        raise ShapeError(f"{name}() cannot be applied to a 0-dim tensor (as in PyTorch)")


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise InvalidArgumentError("stack: expected a non-empty sequence of tensors")
    dim = _normalize_dim(dim, tensors[0].ndim + 1)  # checked first, as PyTorch
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    return rename_grad_fn(cat([t.unsqueeze(dim) for t in tensors], dim), "StackBackward0")


def split(x, split_size, dim=0):
    """Pieces of `split_size` along dim (the last may be smaller), or of the given sizes."""
    _at_least_1d(x, "split")
    dim = _normalize_dim(dim, x.ndim)
    n = x.shape[dim]
    if isinstance(split_size, (int, np.integer)) and not isinstance(split_size, bool):
        if split_size < 0 or (split_size == 0 and n):
            raise InvalidArgumentError(
                f"split: split_size must be positive (or 0 for a dim of size 0), got "
                                       f"{split_size} for dim {dim} of size {n}")
        sizes = [min(split_size, n - s) for s in range(0, n, split_size)] if n else [0]
    elif isinstance(split_size, (list, tuple)) and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in split_size):
        sizes = [int(s) for s in split_size]
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise InvalidArgumentError(f"split: sizes {sizes} must be non-negative and add up "
                                       f"to {n}, the size of dim {dim}")
    else:
        raise TypeError(f"split: split_size must be an int or a sequence of ints, got "
                        f"{split_size!r}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(rename_grad_fn(narrow(x, dim, start, s), "SplitBackward0"))
        start += s
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    """`chunks` pieces of equal size along dim (the last may be smaller, and there may be
    fewer when the size does not divide); an empty dim gives `chunks` empty pieces."""
    if not isinstance(chunks, (int, np.integer)) or isinstance(chunks, bool):
        raise TypeError(f"chunk: chunks must be an int, got {type(chunks).__name__}")
    _at_least_1d(x, "chunk")
    if chunks <= 0:
        raise InvalidArgumentError(f"chunk: chunks must be greater than 0, got {chunks}")
    n = x.shape[_normalize_dim(dim, x.ndim)]
    if n == 0:
        return split(x, [0] * int(chunks), dim)
    return split(x, -(-n // chunks), dim)


def pad(x, pad, mode="constant", value=0.0):
    """PyTorch's F.pad: `pad` lists (before, after) pairs starting from the LAST dim.

    Only mode="constant" is supported; negative amounts crop.
    """
    if mode != "constant":
        raise ModeNotImplementedError(f"pad: only mode='constant' is supported, got mode={mode!r}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ShapeError(f"pad: expected an even number of at most {2 * x.ndim} amounts for a "
                         f"tensor of shape {tuple(x.shape)}, got {pad}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    for (b, a), n in zip(widths, x.shape):
        if n + b + a < 0:
            raise ShapeError(f"pad: amounts {pad} would give a negative size for shape "
                             f"{tuple(x.shape)}")
    return Pad.apply(x, tuple(widths), as_python_scalar(value, x.dtype))


__all__ = ["broadcast_shapes", "broadcast_to", "cat", "chunk", "expand", "flatten", "narrow",
           "pad", "permute", "reshape", "split", "squeeze", "stack", "t", "transpose", "unsqueeze"]
