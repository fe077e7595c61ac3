"""`Tensor.view(dtype)`: a tensor's memory read as another dtype, PyTorch's rules.

The same element size keeps the shape and strides. Another element size rescales the last dim
(which must have stride 1) by the size ratio; going to a wider dtype, the last dim, every other
stride and the storage offset must divide by the ratio. The result shares the storage (and its
version counter) and is never differentiable, as in PyTorch.
"""
from .. import dtypes
from ..errors import InvalidArgumentError
from ..tensor import Tensor

# PyTorch's scalar type names, which its error messages use
_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
                "int32": "Int", "int64": "Long", "float16": "Half", "bfloat16": "BFloat16",
                "float32": "Float", "float64": "Double"}


def _check_sizes(x, dtype):
    """RuntimeError (InvalidArgumentError) with PyTorch's wording where x cannot be viewed as
    `dtype` of another element size."""
    what = (f"to view {_TORCH_NAMES[x.dtype.name]} as {_TORCH_NAMES[dtype.name]} "
            "(different element sizes)")
    if x.ndim == 0:
        raise InvalidArgumentError(f"self.dim() cannot be 0 {what}")
    strides = x.stride()
    ratio = dtype.itemsize // x.dtype.itemsize
    if ratio > 1 and x.shape[-1] % ratio:  # PyTorch checks the size first when widening
        raise InvalidArgumentError(f"self.size(-1) must be divisible by {ratio} {what}, but "
                                   f"got {x.shape[-1]}")
    if strides[-1] != 1:
        raise InvalidArgumentError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    if ratio <= 1:
        return
    offset = x._backend.storage_offset(x._data)
    if offset % ratio:
        raise InvalidArgumentError(f"self.storage_offset() must be divisible by {ratio} {what}, "
                                   f"but got {offset}")
    for d, stride in enumerate(strides[:-1]):
        if stride % ratio:
            raise InvalidArgumentError(f"self.stride({d}) must be divisible by {ratio} {what}, "
                                       f"but got {stride}")


def view_dtype(x, dtype):
    """x's elements' bits read as `dtype` (no copy). Same element size: x's shape. Element
    size s to s': the last dim n becomes n * s / s'. Not differentiable."""
    if not isinstance(x, Tensor):
        raise TypeError(f"view: expected a Tensor, got {type(x).__name__}")
    dtype = dtypes.as_dtype(dtype)
    if dtype.itemsize != x.dtype.itemsize:
        _check_sizes(x, dtype)
    data = x._backend.view_dtype(x._data, dtype.numpy)
    out = Tensor._wrap(data, x._device, x._backend, x._version)
    x._version.add_views(x, out)
    return out
