"""Tensors combined into one, as PyTorch's `broadcast_tensors`, `cartesian_prod` and
`block_diag`; built from expand, meshgrid, stack and cat, so they differentiate and run on
every device."""
from .. import dtypes
from ..errors import ShapeError
from ._util import broadcast_shapes
from .rearrange import meshgrid
from .shape import cat, expand, stack


def broadcast_tensors(*tensors):
    """The tensors expanded (as views) to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def cartesian_prod(*tensors):
    """(N_1 * ... * N_k, k): every combination of one element from each 1-d tensor, the last
    varying fastest (one tensor alone is returned as it is)."""
    for t in tensors:
        if t.ndim != 1:
            raise ShapeError(f"cartesian_prod expects 1-d tensors, got shape "
                             f"{tuple(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def block_diag(*tensors):
    """The tensors (0-d, 1-d as one row, or 2-d) as blocks down the diagonal of a zero
    matrix."""
    blocks = []
    for t in tensors:
        if t.ndim > 2:
            raise ShapeError(f"block_diag: input tensors must have 2 or fewer dimensions, got "
                             f"{t.ndim}")
        blocks.append(t.reshape(1, -1) if t.ndim < 2 else t)
    if not blocks:
        raise ShapeError("block_diag needs at least one tensor")
    dtype = blocks[0].dtype
    for b in blocks[1:]:
        dtype = dtypes.promote_types(dtype, b.dtype)
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        b = b.to(dtype=dtype)
        before = b.new_zeros((b.shape[0], left))
        after = b.new_zeros((b.shape[0], width - left - b.shape[1]))
        rows.append(cat([before, b, after], 1))
        left += b.shape[1]
    return cat(rows, 0)


__all__ = ["block_diag", "broadcast_tensors", "cartesian_prod"]
