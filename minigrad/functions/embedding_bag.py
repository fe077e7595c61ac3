"""`embedding_bag`: sums, means or maxima of bags of embedding rows without building the
(bag, length, dim) tensor in between, as PyTorch's `F.embedding_bag`.

Bags are given either as the rows of a 2-D index tensor (every bag of one length) or as a 1-D
index tensor cut at `offsets` (bags of any length, possibly empty). Each looked-up row is
added (index_add) or maxed (scatter_reduce) into its bag's output row, so the whole thing is
Tensor ops: every device, twice differentiable in the weight and per_sample_weights.
"""
import numpy as np

from .. import dtypes
from ..autograd.function import rename_grad_fn
from ..creation import tensor, zeros
from ..errors import InvalidArgumentError, ShapeError
from ..tensor import Tensor
from .elementwise import where
from .embedding import check_indices, embedding

_MODES = ("sum", "mean", "max")


def _bag_of_each_index(input, offsets, include_last_offset):
    """(flat indices, bag number of each as a host int64 array, number of bags)."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: if input is 2-D, offsets must be None (each row "
                             f"is a bag), got offsets of shape {tuple(offsets.shape)}")
        bags, length = input.shape
        return input.reshape(-1), np.repeat(np.arange(bags), length), bags
    if input.ndim != 1:
        raise ShapeError(f"embedding_bag: input must be 1-D or 2-D, got shape "
                         f"{tuple(input.shape)}")
    if offsets is None:
        raise ValueError("embedding_bag: offsets must be given for a 1-D input")
    if not isinstance(offsets, Tensor) or offsets.ndim != 1 or \
            offsets.dtype.is_floating_point or offsets.dtype is dtypes.bool_:
        raise ValueError(f"embedding_bag: offsets must be a 1-D integer Tensor, got "
                         f"{getattr(offsets, 'dtype', type(offsets).__name__)} of shape "
                         f"{tuple(getattr(offsets, 'shape', ()))}")
    starts = offsets.numpy().astype(np.int64)
    n = input.shape[0]
    if include_last_offset:
        if starts.size == 0:
            raise ValueError("embedding_bag: include_last_offset needs at least one offset")
        ends, starts = starts[1:], starts[:-1]
    else:
        ends = np.append(starts[1:], n)
    if starts.size and starts[0] != 0:
        raise InvalidArgumentError(f"embedding_bag: offsets[0] has to be 0 (the first bag "
                                   f"starts at position 0), got {starts[0]}")
    if np.any(ends < starts) or (ends.size and (ends[-1] > n or starts.min() < 0)):
        raise ValueError(f"embedding_bag: offsets must be non-decreasing and within the "
                         f"input's {n} indices, got {offsets.tolist()}")
    bag = np.repeat(np.arange(starts.size), ends - starts)
    return input[:int(ends[-1]) if ends.size else 0], bag, starts.size


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Reduce bags of rows of `weight` (num_embeddings, dim): output (bags, dim).

    input: (bags, length) indices, or (n,) indices with `offsets` (bags,) the start of each bag
    (with include_last_offset, (bags + 1,) whose last entry ends the last bag). mode 'sum',
    'mean' or 'max'; an empty bag gives zeros. per_sample_weights (the shape of input) scales
    each row before a sum. Indices equal to padding_idx are left out of their bag (and of its
    count for 'mean')."""
    if mode not in _MODES:
        raise ValueError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ShapeError(f"embedding_bag: weight must be a 2-D Tensor (num_embeddings, "
                         f"embedding_dim), got {getattr(weight, 'shape', type(weight).__name__)}")
    check_indices(input, weight, "embedding_bag")
    if scale_grad_by_freq and mode == "max":
        raise ValueError("embedding_bag: max mode does not support scaling the gradient by "
                         "the frequency")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights is only supported "
                                      f"for mode='sum' (got mode={mode!r})")
        if not isinstance(per_sample_weights, Tensor) or \
                tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: per_sample_weights must have the shape of input "
                             f"{tuple(input.shape)}, got "
                             f"{tuple(getattr(per_sample_weights, 'shape', ()))}")
    flat, bag, bags = _bag_of_each_index(input, offsets, include_last_offset)
    rows = embedding(flat, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)
    dim, device = weight.shape[1], weight.device
    out = zeros(bags, dim, dtype=weight.dtype, device=device)
    keep = None
    if padding_idx is not None:
        keep = (flat != padding_idx % weight.shape[0]).unsqueeze(1)
        rows = where(keep, rows, 0.0)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[:flat.shape[0]].unsqueeze(1)
    bag_t = tensor(bag, device=device)
    if mode == "max":
        if keep is not None:
            rows = where(keep, rows, float("-inf"))
        out = out.scatter_reduce(0, bag_t.unsqueeze(1).expand(-1, dim), rows, "amax",
                                 include_self=False)
        if keep is not None:  # a bag of padding only: torch gives zeros
            out = where(out == float("-inf"), 0.0, out)
    else:
        out = out.index_add(0, bag_t, rows)
        if mode == "mean":
            kept = np.ones(bag.size) if keep is None else keep.reshape(-1).numpy()
            counts = np.bincount(bag, weights=kept, minlength=bags)
            out = out / tensor(np.maximum(counts, 1).reshape(-1, 1), dtype=weight.dtype,
                               device=device)
    return rename_grad_fn(out, "EmbeddingBagBackward0")


__all__ = ["embedding_bag"]
