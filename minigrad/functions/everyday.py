"""More everyday PyTorch functions, as compositions of Tensor ops (every device, gradients of
any order where PyTorch has them): nansum, nanmean, nanmedian, quantile, isin, signbit, logit,
heaviside, diff, select, atleast_1d/2d/3d and cov; and the memory formats that clone() and
contiguous() accept.
"""
import math

from .. import dtypes
from ..errors import (DTypeError, EmptyReductionError,
                      InvalidArgumentError, ShapeError)
from ..tensor import Tensor, _normalize_dim
from .elementwise import where
from .shape import cat
from .sort import median, sort


class memory_format:
    """A layout request (torch.memory_format). minigrad stores every tensor row-major, so
    contiguous_format and preserve_format are what it has; channels_last is refused."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"minigrad.{self.name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def check_memory_format(fmt, name):
    """Refuse a layout minigrad does not store (a clear error, not a silent row-major copy)."""
    if fmt is not None and fmt is not contiguous_format and fmt is not preserve_format:
        raise InvalidArgumentError(f"{name}: memory_format={fmt!r} is not supported; minigrad "
                                   "stores tensors row-major (contiguous_format)")


def _float_input(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise DTypeError(f"{name}: expected a floating point tensor, got {x.dtype}")


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum treating NaN as 0."""
    if input.dtype.is_floating_point:
        input = where(input.isnan(), 0.0, input)
    return input.sum(dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the values that are not NaN (NaN where there are none)."""
    _float_input(input, "nanmean")
    if dtype is not None:
        input = input.to(dtype=dtype)
    kept = ~input.isnan()
    return nansum(input, dim, keepdim) / kept.sum(dim, keepdim).to(dtype=input.dtype)


def nanmedian(input, dim=None, keepdim=False):
    """The lower median of the values that are not NaN: a number for dim=None, else
    (values, indices) along dim (NaN where a slice has only NaN). Integers hold no NaN: their
    nanmedian is their median."""
    if isinstance(input, Tensor) and input.dtype.category == 1:
        return median(input, dim, keepdim)
    if isinstance(input, Tensor) and input.dtype is dtypes.bool_:
        return median(input, dim, keepdim)  # raises as PyTorch does
    _float_input(input, "nanmedian")
    if dim is None:
        flat = input.reshape(-1)
        values = flat[~flat.isnan()]
        return flat.median() if values.numel() == 0 else values.median()
    dim = _normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        return input.median(0, keepdim)
    if input.shape[dim] == 0:
        raise EmptyReductionError(f"nanmedian(): dim {dim} is empty (shape "
                                  f"{tuple(input.shape)})")
    counts = (~input.isnan()).sum(dim, keepdim=True)
    ordered, order = sort(input, dim)  # NaN sorts last
    position = ((counts - 1).clamp(min=0)) // 2
    values = ordered.gather(dim, position)
    indices = order.gather(dim, position)
    values = where(counts == 0, math.nan, values)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _ValuesIndices(values, indices)


class _ValuesIndices(tuple):
    """(values, indices) also readable as .values and .indices, as PyTorch's named tuples."""

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles (q a number or a 1-d tensor in [0, 1]) over dim (all values when
    None), interpolating between order statistics as PyTorch (NaN if a slice holds a NaN).
    A tensor q puts its values first in the result's shape."""
    _float_input(input, "quantile")
    if interpolation not in _INTERPOLATIONS:
        raise InvalidArgumentError(f"quantile: interpolation must be one of {_INTERPOLATIONS}, "
                                   f"got {interpolation!r}")
    scalar_q = not isinstance(q, Tensor)
    qs = [float(q)] if scalar_q else [float(v) for v in q.detach().cpu().numpy().reshape(-1)]
    if not scalar_q and q.ndim > 1:
        raise ShapeError(f"quantile: q must be a number or a 0-d / 1-d tensor, got shape "
                         f"{tuple(q.shape)}")
    if any(not 0.0 <= v <= 1.0 for v in qs):
        raise InvalidArgumentError(f"quantile: q values must be in [0, 1], got {qs}")
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else _normalize_dim(dim, max(input.ndim, 1))
    if x.ndim == 0:
        x = x.reshape(1)
    n = x.shape[d]
    if n == 0:
        raise InvalidArgumentError("quantile: input tensor must be non-empty")
    ordered, _ = sort(x, d)
    has_nan = x.isnan().any(d, keepdim=True)
    results = []
    for value in qs:
        rank = value * (n - 1)
        low, high = math.floor(rank), math.ceil(rank)
        if interpolation == "lower":
            high = low
        elif interpolation == "higher":
            low = high
        elif interpolation == "nearest":
            low = high = int(round(rank))  # ties to even, as PyTorch's round
        below = ordered.narrow(d, low, 1)
        above = ordered.narrow(d, high, 1)
        weight = 0.5 if interpolation == "midpoint" else rank - math.floor(rank)
        picked = below if low == high else below + (above - below) * weight
        picked = where(has_nan, math.nan, picked)
        if dim is None:
            picked = picked.reshape((1,) * input.ndim if keepdim else ())
        elif not keepdim:
            picked = picked.squeeze(d)
        results.append(picked)
    if scalar_q:
        return results[0]
    return cat([r.unsqueeze(0) for r in results], 0)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` occurs in `test_elements` (bool, elements' shape)."""
    if not isinstance(elements, Tensor):
        raise TypeError("isin: elements must be a Tensor")
    if not isinstance(test_elements, Tensor):
        test_elements = Tensor._from_data(test_elements, device=elements.device)
    pool = test_elements.reshape(-1)
    found = (elements.unsqueeze(-1) == pool).any(-1) if pool.numel() else \
        elements.new_zeros(tuple(elements.shape), dtype=dtypes.bool_)
    return ~found if invert else found


def signbit(input):
    """Whether the sign bit is set (True for -0.0 and negative NaN-free values)."""
    if not input.dtype.is_floating_point:
        return input < 0
    # -0.0 has its sign bit set: 1 / -0.0 is -inf
    return (input < 0) | ((input == 0) & ((1.0 / input) < 0))


def logit(input, eps=None):
    """log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given; integer input
    computes in the default float dtype, as PyTorch."""
    if isinstance(input, Tensor) and not input.dtype.is_floating_point:
        input = input.to(dtype=dtypes.default_float)
    _float_input(input, "logit")
    p = input if eps is None else input.clamp(eps, 1.0 - eps)
    return (p / (1 - p)).log()


def heaviside(input, values):
    """0 where input < 0, 1 where input > 0, `values` (broadcast) where input == 0."""
    if not isinstance(values, Tensor):
        raise TypeError("heaviside: values must be a Tensor")
    if input.dtype != values.dtype:
        raise DTypeError(f"heaviside: input and values must have one dtype, got {input.dtype} "
                         f"and {values.dtype}")
    one = (input > 0).to(dtype=input.dtype)
    return where(input == 0, values, one).to(dtype=input.dtype)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim (prepend / append joined first)."""
    if n < 0:
        raise InvalidArgumentError(f"diff: order must be non-negative, got {n}")
    if input.ndim == 0:
        raise ShapeError("diff: expects input to be at least one-dimensional")
    dim = _normalize_dim(dim, input.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        if x.dtype is dtypes.bool_:
            x = x.narrow(dim, 1, length - 1) ^ x.narrow(dim, 0, length - 1)
        else:
            x = x.narrow(dim, 1, length - 1) - x.narrow(dim, 0, length - 1)
    return x


def select(input, dim, index):
    """input with dim removed at position index (negative counts from the end): a view."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _normalize_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{tuple(input.shape)} at dimension {dim}")
    return input[(slice(None),) * dim + (index,)]


_PADDED_SHAPES = {1: lambda shape: shape or (1,),
                  2: lambda shape: (1,) * (2 - len(shape)) + shape if len(shape) < 2 else shape,
                  3: lambda shape: ((1, 1, 1) if not shape else (1,) + shape + (1,)
                                    if len(shape) == 1 else shape + (1,)
                                    if len(shape) == 2 else shape)}


def _at_least(ndim, tensors):
    """Each tensor reshaped to PyTorch's at-least-`ndim` shape; one tensor in, one out."""
    pad = _PADDED_SHAPES[ndim]
    many = len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
    items = tensors[0] if many else tensors
    out = tuple(t.reshape(pad(tuple(t.shape))) for t in items)
    return out[0] if len(out) == 1 and not many else out


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,))."""
    return _at_least(1, tensors)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims ((n,) becomes (1, n))."""
    return _at_least(2, tensors)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims ((n,) becomes (1, n, 1), (m, n) becomes (m, n, 1))."""
    return _at_least(3, tensors)


def _stack_items(tensors, name):
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{name}: expected a non-empty sequence of tensors, got "
                        f"{type(tensors).__name__}")
    return list(tensors)


def hstack(tensors):
    """Concatenate horizontally: along dim 0 for 1-d (and 0-d) tensors, else along dim 1."""
    items = _at_least(1, (_stack_items(tensors, "hstack"),))
    return cat(items, 0 if items[0].ndim == 1 else 1)


def vstack(tensors):
    """Concatenate vertically: along dim 0 after making each tensor at least 2-d."""
    return cat(_at_least(2, (_stack_items(tensors, "vstack"),)), 0)


def dstack(tensors):
    """Concatenate depth-wise: along dim 2 after making each tensor at least 3-d."""
    return cat(_at_least(3, (_stack_items(tensors, "dstack"),)), 2)


def column_stack(tensors):
    """Each 0-d or 1-d tensor as a column (n, 1), concatenated with the 2-d ones along dim 1."""
    items = [t.reshape(-1, 1) if t.ndim <= 1 else t
             for t in _stack_items(tensors, "column_stack")]
    return cat(items, 1)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of input (observations in columns),
    divided by N - correction."""
    _float_input(input, "cov")
    if input.ndim > 2:
        raise ShapeError(f"cov: expected input with at most 2 dims, got shape "
                         f"{tuple(input.shape)}")
    if fweights is not None or aweights is not None:
        raise InvalidArgumentError("cov: fweights and aweights are not supported")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    centred = x - x.mean(1, keepdim=True)
    out = (centred @ centred.t()) / max(x.shape[1] - correction, 0)
    return out.reshape(()) if input.ndim < 2 else out


__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "channels_last", "check_memory_format",
           "column_stack", "dstack", "hstack", "vstack",
           "contiguous_format", "cov", "diff", "heaviside", "isin", "logit", "memory_format",
           "nanmean", "nanmedian", "nansum", "preserve_format", "quantile", "select",
           "signbit"]
