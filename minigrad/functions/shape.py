"""Shape ops: reshape, permute, expand, squeeze/unsqueeze, cat/stack/split, pad.

Reshape, permute and expand return views of their input where the backend can, so their
outputs share the input's version counter (in-place writes through either are detected).
"""
from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _normalize_dim
from ._util import as_python_scalar, broadcast_shapes, sum_to


class Reshape(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        return x._new_view(x._backend.reshape(x._data, shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class Permute(Function):
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
    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        return x._new_view(x._backend.broadcast_to(x._data, shape))

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.input_shape), None


class Cat(Function):
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
    shape = tuple(int(s) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1 or any(s < -1 for s in shape):
        raise ValueError(f"invalid shape {shape}: only one dimension can be -1, none negative")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if unknown:
        if known == 0 or numel % known:
            raise ValueError(f"shape {shape} is invalid for input of shape {tuple(source_shape)} "
                             f"({numel} elements)")
        shape = shape[:unknown[0]] + (numel // known,) + shape[unknown[0] + 1:]
    elif known != numel:
        raise ValueError(f"shape {shape} is invalid for input of shape {tuple(source_shape)} "
                         f"({numel} elements)")
    return shape


def reshape(x, shape):
    shape = _resolve_shape(shape, x.numel(), x.shape)
    if shape == tuple(x.shape):
        return Reshape.apply(x, shape) if x.requires_grad else x._new_view(x._data)
    return Reshape.apply(x, shape)


def flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return x.reshape(1)
    start, end = _normalize_dim(start_dim, x.ndim), _normalize_dim(end_dim, x.ndim)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = tuple(x.shape)
    return x.reshape(shape[:start] + (-1,) + shape[end + 1:])


def permute(x, dims):
    dims = tuple(_normalize_dim(d, x.ndim) for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of the {x.ndim} dims of "
                         f"a tensor of shape {tuple(x.shape)}")
    return Permute.apply(x, dims)


def transpose(x, dim0, dim1):
    if x.ndim == 0:
        return x
    dims = list(range(x.ndim))
    a, b = _normalize_dim(dim0, x.ndim), _normalize_dim(dim1, x.ndim)
    dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(x, tuple(dims))


def t(x):
    if x.ndim > 2:
        raise ValueError(f"t() expects a tensor with <= 2 dims, got shape {tuple(x.shape)}")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def squeeze(x, dim=None):
    if dim is None:
        axes = {i for i, s in enumerate(x.shape) if s == 1}
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {_normalize_dim(d, x.ndim) for d in dims}
        axes = {a for a in axes if x.ndim and x.shape[a] == 1}
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in axes))


def unsqueeze(x, dim):
    dim = _normalize_dim(dim, x.ndim + 1)
    shape = tuple(x.shape)
    return x.reshape(shape[:dim] + (1,) + shape[dim:])


def expand(x, sizes):
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"expand: {len(sizes)} sizes {sizes} given for a tensor with {x.ndim} "
                         f"dims (shape {tuple(x.shape)})")
    lead = len(sizes) - x.ndim
    shape = []
    for i, s in enumerate(sizes):
        own = x.shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise ValueError(f"expand: -1 is not allowed for new leading dim {i}")
            s = own
        if own is not None and own != 1 and own != s:
            raise ValueError(f"expand: the size {own} of dim {i - lead} of shape "
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
    dim = _normalize_dim(dim, x.ndim)
    n = x.shape[dim]
    begin = start + n if -n <= start < 0 else start
    if not 0 <= begin <= n or length < 0 or begin + length > n:
        raise ValueError(f"narrow: start {start} and length {length} do not fit in dim {dim} "
                         f"of size {n} (shape {tuple(x.shape)})")
    index = [slice(None)] * dim + [slice(begin, begin + length)]
    return x[tuple(index)]


def cat(tensors, dim=0):
    """Concatenate along an existing dim; all other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat: element {i} is {type(t).__name__}, expected a Tensor")
    first = tensors[0]
    dim = _normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or any(a != b for j, (a, b) in enumerate(zip(t.shape, first.shape))
                                       if j != dim):
            raise ValueError(f"cat: tensor {i} has shape {tuple(t.shape)}, which does not match "
                             f"shape {tuple(first.shape)} of tensor 0 outside dim {dim}")
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
    return Cat.apply(*(t.to(dtype=dtype) for t in tensors), dim=dim)


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    dim = _normalize_dim(dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def split(x, split_size, dim=0):
    """Pieces of `split_size` along dim (the last may be smaller), or of the given sizes."""
    dim = _normalize_dim(dim, x.ndim)
    n = x.shape[dim]
    if isinstance(split_size, int):
        if split_size <= 0:
            raise ValueError(f"split: split_size must be positive, got {split_size}")
        sizes = [min(split_size, n - s) for s in range(0, n, split_size)] or [0]
    else:
        sizes = list(split_size)
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} do not add up to {n}, the size of dim {dim}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(narrow(x, dim, start, s))
        start += s
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    n = x.shape[_normalize_dim(dim, x.ndim)]
    return split(x, max(-(-n // chunks), 1), dim)


def pad(x, pad, mode="constant", value=0.0):
    """PyTorch's F.pad: `pad` lists (before, after) pairs starting from the LAST dim.

    Only mode="constant" is supported; negative amounts crop.
    """
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got mode={mode!r}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: expected an even number of at most {2 * x.ndim} amounts for a "
                         f"tensor of shape {tuple(x.shape)}, got {pad}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    for (b, a), n in zip(widths, x.shape):
        if n + b + a < 0:
            raise ValueError(f"pad: amounts {pad} would give a negative size for shape "
                             f"{tuple(x.shape)}")
    return Pad.apply(x, tuple(widths), as_python_scalar(value, x.dtype))


__all__ = ["broadcast_shapes", "broadcast_to", "cat", "chunk", "expand", "flatten", "narrow",
           "pad", "permute", "reshape", "split", "squeeze", "stack", "t", "transpose", "unsqueeze"]
