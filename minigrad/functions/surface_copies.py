"""PyTorch's `*_copy` functions (a view op whose result owns its storage), the `unsafe_`
split spellings, `chain_matmul`, `constant_pad_nd` and `isreal`: each is an existing op, with a
clone where PyTorch returns a copy."""
import warnings

from .. import dtypes
from ..creation import ones
from ..tensor import Tensor
from .padding import pad
from .surface_linalg import multi_dot
from .surface_shape import split_with_sizes


def _tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def alias_copy(input):
    return _tensor(input, "alias_copy").clone()


def detach_copy(input):
    return _tensor(input, "detach_copy").detach().clone()


def diagonal_copy(input, offset=0, dim1=0, dim2=1):
    return _tensor(input, "diagonal_copy").diagonal(offset, dim1, dim2).clone()


def expand_copy(input, size, *, implicit=False):
    return _tensor(input, "expand_copy").expand(*size).clone()


def permute_copy(input, dims):
    return _tensor(input, "permute_copy").permute(*dims).clone()


def select_copy(input, dim, index):
    return _tensor(input, "select_copy").select(dim, index).clone()


def slice_copy(input, dim=0, start=None, end=None, step=1):
    x = _tensor(input, "slice_copy")
    dim = dim + x.ndim if dim < 0 else dim
    return x[(slice(None),) * dim + (slice(start, end, step),)].clone()


def split_copy(input, split_size, dim=0):
    return tuple(piece.clone() for piece in _tensor(input, "split_copy").split(split_size, dim))


def split_with_sizes_copy(input, split_sizes, dim=0):
    return tuple(piece.clone() for piece in split_with_sizes(input, split_sizes, dim))


def squeeze_copy(input, dim=None):
    x = _tensor(input, "squeeze_copy")
    return (x.squeeze() if dim is None else x.squeeze(dim)).clone()


def t_copy(input):
    return _tensor(input, "t_copy").t().clone()


def transpose_copy(input, dim0, dim1):
    return _tensor(input, "transpose_copy").transpose(dim0, dim1).clone()


def unbind_copy(input, dim=0):
    return tuple(piece.clone() for piece in _tensor(input, "unbind_copy").unbind(dim))


def unfold_copy(input, dimension, size, step):
    return _tensor(input, "unfold_copy").unfold(dimension, size, step).clone()


def unsqueeze_copy(input, dim):
    return _tensor(input, "unsqueeze_copy").unsqueeze(dim).clone()


def view_copy(input, size):
    x = _tensor(input, "view_copy")
    return (x.view(size) if isinstance(size, dtypes.DType) else x.view(*size)).clone()


def unsafe_chunk(input, chunks, dim=0):
    return _tensor(input, "unsafe_chunk").chunk(chunks, dim)


def unsafe_split(input, split_size, dim=0):
    return _tensor(input, "unsafe_split").split(split_size, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return split_with_sizes(input, split_sizes, dim)


def chain_matmul(*matrices):
    """Deprecated in PyTorch (use linalg.multi_dot): the product of 2-d matrices."""
    warnings.warn("minigrad.chain_matmul is deprecated and will be removed in a future release. "
                  "Use minigrad.linalg.multi_dot instead, which accepts a list of two or more "
                  "tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if any(m.ndim != 2 for m in matrices):
        raise RuntimeError("chain_matmul(): expected 2D tensors")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices)


def constant_pad_nd(input, pad_widths, value=0):
    """F.pad in constant mode: the last dims padded by (left, right) pairs of `pad_widths`."""
    return pad(_tensor(input, "constant_pad_nd"), pad_widths, "constant", value)


def isreal(input):
    """True everywhere: minigrad's tensors are real (PyTorch's answer for real dtypes)."""
    x = _tensor(input, "isreal")
    return ones(tuple(x.shape), dtype=dtypes.bool_, device=x.device)
