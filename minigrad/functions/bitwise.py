"""Bitwise ops on integer and bool tensors: and, or, xor, and shifts (integers only); `~` and
`bitwise_not` live with the other unary ops in elementwise.py.

None of them is differentiable (their inputs are never floating point). A Python int or bool
may stand for either operand, with PyTorch's promotion (bool tensor & int -> int64).
"""
from .. import dtypes
from ..errors import DTypeNotImplementedError
from ._util import coerce_pair
from .elementwise import _owner, _raw


def _integer_operands(a, b, name, allow_bool=True):
    if isinstance(a, float) or isinstance(b, float):
        raise DTypeNotImplementedError(f"{name}: expected integer or bool operands, got a float")
    a, b, dtype = coerce_pair(a, b, name)
    if dtype.is_floating_point or (dtype is dtypes.bool_ and not allow_bool):
        kinds = "integer" if not allow_bool else "integer or bool"
        raise DTypeNotImplementedError(f"{name}: expected {kinds} tensors, got {dtype}")
    return a, b


def _bitwise(kernel, name, a, b, allow_bool=True):
    """kernel(backend)(a, b) on the coerced operands."""
    a, b = _integer_operands(a, b, name, allow_bool)
    owner = _owner(a, b)
    return owner._new(kernel(owner._backend)(_raw(a), _raw(b)))


def bitwise_and(input, other):
    return _bitwise(lambda backend: backend.bitwise_and, "bitwise_and", input, other)


def bitwise_or(input, other):
    return _bitwise(lambda backend: backend.bitwise_or, "bitwise_or", input, other)


def bitwise_xor(input, other):
    return _bitwise(lambda backend: backend.bitwise_xor, "bitwise_xor", input, other)


def bitwise_left_shift(input, other):
    """input << other; shifts of 64 or more (or negative) give 0, as PyTorch."""
    return _bitwise(lambda backend: backend.left_shift, "bitwise_left_shift", input, other,
                    allow_bool=False)


def bitwise_right_shift(input, other):
    """input >> other, arithmetic (the sign is kept); shifts of 64 or more leave the sign."""
    return _bitwise(lambda backend: backend.right_shift, "bitwise_right_shift", input, other,
                    allow_bool=False)
