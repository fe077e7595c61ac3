"""`Device`: where a tensor's storage lives ("cpu", "cuda[:index]", or another registered type)."""
from .errors import InvalidArgumentError


class Device:
    """A device name as PyTorch spells it: `Device("cpu")`, `Device("cuda")`, `Device("cuda:0")`.

    Any other device type registered with `minigrad.backend.register_backend` is accepted too.
    """

    __slots__ = ("type", "index")

    def __new__(cls, spec, index=None):
        # One object per device: every tensor on the cpu holds the same Device, so that the
        # per-op checks compare devices by identity (an `is`) before they compare them by value.
        if isinstance(spec, Device):
            return spec
        key = (spec, index) if isinstance(spec, str) else None
        device = _BY_SPEC.get(key)
        if device is None:
            device = object.__new__(cls)
            device._parse(spec, index)
            device = _CANONICAL.setdefault((device.type, device.index), device)
            if key is not None:
                _BY_SPEC[key] = device
        return device

    def _parse(self, spec, index):
        if not isinstance(spec, str):
            raise TypeError(f"expected a device name such as 'cpu' or 'cuda:0', got {spec!r}")
        kind, _, idx = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            from .backend import device_types  # the registry imports this module
            if kind not in device_types():
                raise InvalidArgumentError(
                    f"unknown device {spec!r}; expected 'cpu', 'cuda' or 'cuda:N' (device "
                    f"types with a backend: {', '.join(device_types())})")
        if idx:
            if not idx.isdigit():
                raise ValueError(f"bad device index in {spec!r}; expected 'cuda:N' with N >= 0")
            index = int(idx)
        if kind == "cpu" and index not in (None, 0):
            raise ValueError(f"the cpu device has no index {index}")
        self.type = kind
        # Devices other than the cpu are numbered; a bare "cuda" means "cuda:0".
        self.index = None if kind == "cpu" else (0 if index is None else index)

    def __reduce__(self):
        return (Device, (str(self),))

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = Device(other)
            except (TypeError, ValueError):
                return False
        if not isinstance(other, Device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


_CANONICAL = {}  # (type, index) -> the Device
_BY_SPEC = {}    # (name, index) as given -> the Device


def device(spec):
    """`minigrad.device("cuda:0")`, as `torch.device`."""
    return Device(spec)
