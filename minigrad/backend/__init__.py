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


def device_types():
    """The device types that have a registered backend (usable on this machine or not)."""
    return tuple(_MODULES)


def _unavailable(device_type, reason):
    return RuntimeError(f"device {device_type!r} is not available: {reason}. Create tensors on "
                        f"'cpu' instead, or choose the device with "
                        f"minigrad.backend.is_available({device_type!r}).")


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
        name = _MODULES[device_type]
        try:
            module = importlib.import_module(name)
        except ImportError as err:
            missing = isinstance(err, ModuleNotFoundError) and err.name == name
            reason = f"this installation has no {device_type!r} backend ({name} is missing)" \
                if missing else f"importing {name} failed: {err}"
            raise _unavailable(device_type, reason) from err
        check = getattr(module, "check_available", None)
        if check is not None:
            try:
                check()
            except RuntimeError as err:
                raise _unavailable(device_type, str(err).rstrip(".")) from err
        _loaded[device_type] = module
    return module


def is_available(device_type):
    """True if tensors can be placed on `device_type` on this machine."""
    try:
        get_backend(device_type)
    except RuntimeError:
        return False
    return True
