"""Helpers shared by the layer files: creating parameter storage, checking input shapes."""
import collections.abc

from ...creation import empty
from ...tensor import Tensor


def empty_tensor(shape, device=None, dtype=None):
    """An uninitialised (zero-filled) tensor for a layer's `device=` / `dtype=` arguments."""
    return empty(tuple(shape), dtype=dtype, device="cpu" if device is None else device)


def ntuple(value, n, name):
    """An int, or a sequence of n ints, as a tuple of n ints (PyTorch's _pair, _single)."""
    if isinstance(value, collections.abc.Iterable) and not isinstance(value, str):
        value = tuple(value)
        if len(value) != n:
            raise ValueError(f"{name} must be an int or a sequence of {n} ints, got {value}")
        return value
    return (value,) * n


def check_tensor(input, layer):
    """TypeError naming the layer when its input is not a Tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{type(layer).__name__} expects a Tensor input, got "
                        f"{type(input).__name__}")
