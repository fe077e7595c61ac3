"""`Device`: where a tensor's storage lives ("cpu", "cuda[:index]", or another registered type)."""
from .errors import InvalidArgumentError


class Device:
    """A device name as PyTorch spells it: `Device("cpu")`, `Device("cuda")`, `Device("cuda:0")`.

    Any other device type registered with `minigrad.backend.register_backend` is accepted too.
    """

    __slots__ = ("type", "index")

    def __init__(self, spec, index=None):
        if isinstance(spec, Device):
            self.type, self.index = spec.type, spec.index
            return
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


def device(spec):
    """`minigrad.device("cuda:0")`, as `torch.device`."""
    return Device(spec)
