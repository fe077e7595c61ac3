"""Shape kernels: views where the memory layout allows (reshape, permute, broadcast_to, basic
getitem), copies otherwise; indexing, concatenation and padding."""
import numpy as np

from . import _copy, _index
from ._array import broadcast_strides, contiguous_strides, element_strides, empty, numel, view
from ._array import is_contiguous as _is_contiguous
from ._array import storage_offset, view_dtype  # noqa: F401 (kernels of the contract)


def _resolve(shape, size):
    """`shape` with a -1 entry replaced by what makes it hold `size` elements."""
    shape = tuple(int(n) for n in shape)
    if -1 in shape:
        known = numel(n for n in shape if n != -1)
        shape = tuple(size // known if known and n == -1 else n for n in shape)
    if numel(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape


def _view_strides(shape, strides, new_shape):
    """Element strides that show an array of `shape`/`strides` as `new_shape` without copying,
    or None when its layout does not allow it (numpy's rule: each group of old dims that merge
    into new dims must be contiguous within itself)."""
    old = [(n, s) for n, s in zip(shape, strides) if n != 1]
    new_strides = [0] * len(new_shape)
    oi, oj, ni, nj = 0, 1, 0, 1
    while ni < len(new_shape) and oi < len(old):
        new_size, old_size = new_shape[ni], old[oi][0]
        while new_size != old_size:
            if new_size < old_size:
                new_size *= new_shape[nj]
                nj += 1
            else:
                old_size *= old[oj][0]
                oj += 1
        if any(old[k][1] != old[k + 1][0] * old[k + 1][1] for k in range(oi, oj - 1)):
            return None
        new_strides[nj - 1] = old[oj - 1][1]
        for k in range(nj - 1, ni, -1):
            new_strides[k - 1] = new_strides[k] * new_shape[k]
        ni, nj, oi, oj = nj, nj + 1, oj, oj + 1
    last = new_strides[ni - 1] if ni else 1
    for k in range(ni, len(new_shape)):  # trailing dims of size 1
        new_strides[k] = last
    return new_strides


def reshape(a, shape):
    """A view with the new shape when the layout allows it, else a reshaped copy."""
    shape = _resolve(shape, a.size)
    if a.size == 0:
        return empty(shape, a.dtype)
    strides = _view_strides(a.shape, element_strides(a), shape)
    if strides is None:
        return view(_copy.copy(a), shape, contiguous_strides(shape))
    return view(a, shape, strides)


def permute(a, axes):
    """A view with the dims reordered: dim i of the result is dim axes[i] of `a`."""
    strides = element_strides(a)
    return view(a, [a.shape[i] for i in axes], [strides[i] for i in axes])


def broadcast_to(a, shape):
    """A read-only view of `a` broadcast to `shape` (stride 0 along stretched dims)."""
    return view(a, shape, broadcast_strides(a.shape, element_strides(a), tuple(shape)))


def getitem(a, index):
    """`a[index]` with numpy's rules (see `_index`)."""
    return _index.getitem(a, index)


def index_add(shape, index, values):
    """zeros(shape) with `values` added at `index`; repeated indices accumulate."""
    return _index.index_add(shape, index, values)


def concatenate(arrays, axis):
    """The arrays joined along `axis` (all other dims equal), in their common dtype."""
    dtype = np.result_type(*(a.dtype for a in arrays))
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    out = empty(shape, dtype)
    strides, start = element_strides(out), 0
    for a in arrays:
        if a.size:
            _copy.copy_into(view(out, a.shape, strides, start * strides[axis]), a)
        start += a.shape[axis]
    return out


def pad(a, pad_width, value):
    """Constant padding; `pad_width` is ((before, after), ...) per axis, all >= 0."""
    shape = [n + before + after for n, (before, after) in zip(a.shape, pad_width)]
    out = empty(shape, a.dtype)
    _copy.fill(out, value)
    strides = element_strides(out)
    start = sum(before * s for (before, _), s in zip(pad_width, strides))
    if a.size:
        _copy.copy_into(view(out, a.shape, strides, start), a)
    return out


def is_contiguous(a):
    return _is_contiguous(a)
