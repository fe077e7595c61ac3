"""Embedding lookup: rows of a weight matrix picked by integer indices, with PyTorch's
padding_idx (that row gets no gradient), max_norm (looked-up rows renormalised in place) and
scale_grad_by_freq (each row's gradient divided by how often it was looked up).

The lookup is indexing (a gather whose backward is a scatter-add), so it runs on every device
and is twice differentiable; the gradient rules are applied with `where` and a detached copy,
which leave the values unchanged and reshape only the gradient.
"""
import numpy as np

from .. import dtypes
from ..autograd.grad_mode import no_grad
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from .elementwise import where
from .normalization_extra import vector_norm


def check_indices(input, weight, op="embedding"):
    """`input` is an integer Tensor of indices on `weight`'s device."""
    if not isinstance(input, Tensor) or input.dtype.is_floating_point or \
            input.dtype is dtypes.bool_:
        raise DTypeError(f"{op}: input must be an integer Tensor of indices, got "
                         f"{getattr(input, 'dtype', type(input).__name__)}")
    if input.device != weight.device:
        raise RuntimeError(f"{op}: input is on {input.device} but weight is on "
                           f"{weight.device}; move them to one device first")


def _check_range(input, rows):
    if input.numel() == 0:
        return
    lo, hi = int(input.amin().item()), int(input.amax().item())
    if lo < 0 or hi >= rows:
        raise IndexError(f"embedding: index out of range: indices must lie in [0, {rows}), got "
                         f"values from {lo} to {hi}")


def _padding_row(padding_idx, rows):
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise ValueError(f"embedding: padding_idx must be within the number of embeddings "
                         f"({rows}), got {padding_idx}")
    return padding_idx % rows


def embedding_renorm_(weight, input, max_norm, norm_type):
    """Rescale in place the rows of `weight` named in `input` whose norm exceeds max_norm, to
    norm max_norm (times 1 / (norm + 1e-7), as PyTorch). Not recorded by autograd."""
    with no_grad():
        rows = input.reshape(-1).numpy()
        if rows.size == 0:
            return weight
        unique = Tensor._from_data(sorted(set(rows.tolist())), dtype=dtypes.int64,
                                   device=weight.device)
        picked = weight[unique]
        norms = vector_norm(picked, float(norm_type), 1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[unique] = picked * scale
    return weight


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """weight[input]: rows of `weight` (num_embeddings, embedding_dim) for integer `input` of
    any shape; the result has shape input.shape + (embedding_dim,)."""
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be a 2-D Tensor (num_embeddings, "
                         f"embedding_dim), got {getattr(weight, 'shape', type(weight).__name__)}")
    if sparse:
        raise ValueError("embedding: sparse gradients are not supported; use sparse=False")
    check_indices(input, weight)
    rows = weight.shape[0]
    _check_range(input, rows)
    padding_row = _padding_row(padding_idx, rows)
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    picked = weight[input]
    if scale_grad_by_freq and input.numel():
        _, inverse, freq = np.unique(input.numpy().reshape(-1), return_inverse=True,
                                     return_counts=True)
        per_position = Tensor._from_data((1.0 / freq[inverse.reshape(-1)]).reshape(
            tuple(input.shape) + (1,)), dtype=weight.dtype, device=weight.device)
        fixed = picked.detach()
        picked = fixed + (picked - fixed) * per_position
    if padding_row is not None:
        mask = (input == padding_row).unsqueeze(-1)
        picked = where(mask, picked.detach(), picked)
    return picked


__all__ = ["embedding", "embedding_renorm_"]
