"""`minigrad.accelerator`, as `torch.accelerator`: the device beyond the cpu, if there is one.

minigrad's only accelerator is cuda, so `current_accelerator()` is `device('cuda')` when
`minigrad.cuda.is_available()` and None otherwise.
"""
from . import cuda
from .device import Device


def is_available():
    """True if an accelerator (a cuda device) can be used."""
    return cuda.is_available()


def current_accelerator(check_available=False):
    """`device(type='cuda')` when cuda is available, else None (as PyTorch without one)."""
    return Device("cuda") if cuda.is_available() else None


def device_count():
    """The number of accelerator devices (0 without one)."""
    return cuda.device_count()
