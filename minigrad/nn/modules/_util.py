"""Helpers shared by the layer files: creating parameter storage, checking input shapes."""
from ...creation import empty
from ...tensor import Tensor


def empty_tensor(shape, device=None, dtype=None):
    """An uninitialised (zero-filled) tensor for a layer's `device=` / `dtype=` arguments."""
    return empty(tuple(shape), dtype=dtype, device="cpu" if device is None else device)


def check_tensor(input, layer):
    """TypeError naming the layer when its input is not a Tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{type(layer).__name__} expects a Tensor input, got "
                        f"{type(input).__name__}")
