"""The device registry: each device is a module of kernels with the same public names.

A `Function` never imports a backend directly; it asks a tensor for `tensor._backend` (the module
registered for its device) and calls kernels by name, so adding a device means registering one
more module that exports those names, with no change to any op.
"""
import importlib

from ..device import Device

_MODULES = {"cpu": "minigrad.backend.cpu", "cuda": "minigrad.backend.cuda"}
_loaded = {}


def register_backend(device_type, module_name):
    """Register (or replace) the module that implements kernels for `device_type`."""
    _MODULES[device_type] = module_name
    _loaded.pop(device_type, None)


def get_backend(device):
    """The kernel module for `device` ("cpu", "cuda", a `Device`), imported on first use.

    Raises RuntimeError if the device's backend cannot be used on this machine (for example
    "cuda" with no GPU), with the reason the backend gives.
    """
    device_type = Device(device).type
    module = _loaded.get(device_type)
    if module is None:
        if device_type not in _MODULES:
            raise RuntimeError(f"no backend is registered for device {device_type!r}; "
                               f"registered: {sorted(_MODULES)}")
        try:
            module = importlib.import_module(_MODULES[device_type])
        except ImportError as err:
            raise RuntimeError(f"the {device_type!r} backend is not available: {err}") from err
        check = getattr(module, "check_available", None)
        if check is not None:
            check()
        _loaded[device_type] = module
    return module


def is_available(device_type):
    """True if tensors can be placed on `device_type` on this machine."""
    try:
        get_backend(device_type)
    except RuntimeError:
        return False
    return True
