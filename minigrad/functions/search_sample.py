"""Searching sorted sequences, drawing categories, pairwise distances and unbinding:
searchsorted, bucketize, multinomial, cdist and unbind.

All are compositions of Tensor ops, so they run on every device: a search counts, per value,
the sequence entries ordered before it (one broadcast comparison and a sum, exact for any
dtype); multinomial inverts the cumulative distribution with that search (with replacement) or
takes the top keys p / E with E exponential (without replacement, which draws each next
category with probability proportional to its weight among those left); cdist is the p-norm of
the broadcast differences, so its gradient at a zero distance is 0, as PyTorch's.
"""
import math

from .. import dtypes
from ..creation import rand, tensor
from ..errors import DTypeError, InvalidArgumentError, ShapeError
from ..tensor import Tensor, _normalize_dim
from .elementwise import isnan, where
from .normalization_extra import vector_norm
from .sort import topk


def _before(sequence, values, right):
    """Whether each sequence entry comes before each value in sort order (NaN largest):
    a < v (a <= v with `right`)."""
    nan_v, nan_a = isnan(values), isnan(sequence)
    if right:
        return (sequence <= values) | nan_v
    return (sequence < values) | (nan_v & ~nan_a)


def _index_dtype(out_int32, name):
    if not out_int32:
        return dtypes.int64
    int32 = getattr(dtypes, "int32", None)
    if int32 is None:
        raise DTypeError(f"{name}: out_int32=True needs the int32 dtype, which this build "
                         f"does not have; leave out_int32 (int64 indices)")
    return int32


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """For each value of `input`, the index in `sorted_sequence` (sorted along its last dim)
    where it would be inserted to keep the order: the first position whose entry is >= the
    value (> with right=True or side='right'). A 1-d sequence serves every value; an N-d one
    must match input's leading dims. `sorter` holds the indices that sort the sequence."""
    if side is not None:
        if side not in ("left", "right"):
            raise InvalidArgumentError(f"searchsorted: side must be 'left' or 'right', got "
                                       f"{side!r}")
        if right and side == "left":
            raise InvalidArgumentError("searchsorted: side='left' and right=True contradict "
                                       "each other")
        right = side == "right"
    if not isinstance(sorted_sequence, Tensor):
        raise TypeError(f"searchsorted: sorted_sequence must be a Tensor, got "
                        f"{type(sorted_sequence).__name__}")
    scalar = not isinstance(input, Tensor)
    values = tensor(input, dtype=sorted_sequence.dtype, device=sorted_sequence.device) \
        if scalar else input
    if sorted_sequence.ndim == 0:
        raise ShapeError("searchsorted: sorted_sequence must have at least one dim")
    if sorter is not None:
        if tuple(sorter.shape) != tuple(sorted_sequence.shape):
            raise ShapeError(f"searchsorted: sorter shape {tuple(sorter.shape)} must match the "
                             f"sorted_sequence shape {tuple(sorted_sequence.shape)}")
        sorted_sequence = sorted_sequence.gather(-1, sorter)
    if sorted_sequence.ndim > 1 and (
            values.ndim != sorted_sequence.ndim
            or tuple(values.shape[:-1]) != tuple(sorted_sequence.shape[:-1])):
        raise ShapeError(f"searchsorted: an N-d sorted_sequence needs input with the same "
                         f"leading dims, got {tuple(sorted_sequence.shape)} and "
                         f"{tuple(values.shape)}")
    dtype = dtypes.promote(sorted_sequence.dtype, values.dtype)
    sequence, values = sorted_sequence.to(dtype=dtype), values.to(dtype=dtype)
    if sequence.ndim == 1:
        before = _before(sequence, values.unsqueeze(-1), right)  # (*values, M)
    else:
        before = _before(sequence.unsqueeze(-2), values.unsqueeze(-1), right)  # (..., K, M)
    counts = before.sum(dim=-1).to(dtype=_index_dtype(out_int32, "searchsorted"))
    return counts.reshape(()) if scalar else counts


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value given 1-d sorted `boundaries`: i with boundaries[i-1] < x <=
    boundaries[i] (boundaries[i-1] <= x < boundaries[i] with right=True)."""
    if not isinstance(boundaries, Tensor) or boundaries.ndim != 1:
        raise ShapeError(f"bucketize: boundaries must be a 1-d tensor, got "
                         f"{getattr(boundaries, 'shape', type(boundaries).__name__)}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """num_samples category indices per row, drawn with probabilities proportional to the
    non-negative weights `input` (C,) or (N, C): (num_samples,) or (N, num_samples) int64."""
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise DTypeError(f"multinomial: input must be a floating point tensor, got "
                         f"{getattr(input, 'dtype', type(input).__name__)}")
    if input.ndim not in (1, 2):
        raise ShapeError(f"multinomial: input must be 1-d or 2-d, got shape "
                         f"{tuple(input.shape)}")
    if not isinstance(num_samples, int) or num_samples <= 0:
        raise InvalidArgumentError(f"multinomial: num_samples must be a positive int, got "
                                   f"{num_samples!r}")
    weights = input.detach().reshape(-1, input.shape[-1])
    rows, categories = weights.shape
    if categories == 0:
        raise InvalidArgumentError("multinomial: input has no categories")
    if bool((~weights.isfinite()).any()) or bool((weights < 0).any()):
        raise InvalidArgumentError("multinomial: probability tensor contains either inf, nan "
                                   "or element < 0")
    if bool((weights.sum(dim=1) <= 0).any()):
        raise InvalidArgumentError("multinomial: invalid multinomial distribution (sum of "
                                   "probabilities <= 0)")
    if not replacement:
        if num_samples > categories:
            raise InvalidArgumentError(f"multinomial: cannot sample n_sample ({num_samples}) > "
                                       f"prob_dist.size(-1) ({categories}) samples without "
                                       "replacement")
        if bool(((weights > 0).sum(dim=1) < num_samples).any()):
            raise InvalidArgumentError("multinomial: fewer categories with non-zero "
                                       f"probability than num_samples ({num_samples}) without "
                                       "replacement")
        u = rand(rows, categories, generator=generator, dtype=weights.dtype,
                 device=weights.device)
        exponential = -(1 - u).log()  # Exp(1) draws, > 0 since u < 1
        _, picked = topk(weights / exponential, num_samples, dim=1)
    else:
        cdf = weights.cumsum(dim=1)
        cdf = cdf / cdf[:, -1:]
        u = rand(rows, num_samples, generator=generator, dtype=weights.dtype,
                 device=weights.device)
        picked = searchsorted(cdf, u, right=True).clamp(max=categories - 1)
    return picked.reshape(num_samples) if input.ndim == 1 else picked


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M):
    (..., P, R); the batch dims broadcast."""
    for x, what in ((x1, "x1"), (x2, "x2")):
        if not isinstance(x, Tensor) or not x.dtype.is_floating_point:
            raise DTypeError(f"cdist: {what} must be a floating point tensor, got "
                             f"{getattr(x, 'dtype', type(x).__name__)}")
        if x.ndim < 2:
            raise ShapeError(f"cdist: {what} must have at least 2 dims, got shape "
                             f"{tuple(x.shape)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"cdist: x1 and x2 must have the same number of columns, got "
                         f"{x1.shape[-1]} and {x2.shape[-1]}")
    if p < 0:
        raise InvalidArgumentError(f"cdist: p must be non-negative, got {p}")
    if compute_mode not in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise InvalidArgumentError(f"cdist: unknown compute_mode {compute_mode!r}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, R, M)
    if diff.shape[-1] == 0:
        return diff.sum(dim=-1)
    if p == 0:
        # the count of non-zeros, kept in the graph with a zero gradient (as PyTorch's)
        return where(diff != 0, 1.0, diff * 0).sum(dim=-1)
    return vector_norm(diff, math.inf if p == math.inf else float(p), diff.ndim - 1)


def unbind(input, dim=0):
    """The slices of `input` along `dim`, as a tuple of tensors with that dim removed."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unbind: expected a Tensor, got {type(input).__name__}")
    if input.ndim == 0:
        raise IndexError("unbind: dimension specified as 0 but tensor has no dimensions")
    dim = _normalize_dim(dim, input.ndim)
    index = (slice(None),) * dim
    return tuple(input[index + (i,)] for i in range(input.shape[dim]))


__all__ = ["bucketize", "cdist", "multinomial", "searchsorted", "unbind"]
