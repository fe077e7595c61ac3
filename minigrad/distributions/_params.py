"""Turning distribution parameters into tensors of one float dtype and one shape."""
from ..creation import tensor
from ..functions.shape import broadcast_shapes, expand
from ..tensor import Tensor


def as_float_tensor(value, like=None):
    """`value` as a floating point Tensor (numbers in `like`'s dtype and device)."""
    if isinstance(value, Tensor):
        return value if value.dtype.is_floating_point else value.float()
    if like is not None:
        return tensor(float(value), dtype=like.dtype, device=like.device)
    return tensor(float(value))


def broadcast_all(*values):
    """The parameters as float tensors broadcast to their common shape."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    tensors = [as_float_tensor(v, like) for v in values]
    shape = broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return [expand(t, shape) for t in tensors]


def check_argument(distribution, name, value, valid, what):
    """PyTorch's ValueError for a parameter outside its constraint."""
    if distribution._validate_args and value.numel() and not bool(valid.all()):
        raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape "
                         f"{tuple(value.shape)}) of distribution {type(distribution).__name__} "
                         f"to satisfy the constraint {what}, but found invalid values:\n{value}")
