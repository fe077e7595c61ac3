"""`DataParallel`: PyTorch's single-process wrapper, on the one device minigrad uses.

PyTorch's DataParallel splits each batch across the GPUs it sees and, with no GPU, simply calls
the wrapped module. minigrad drives one device per process (spread work over several with
data-parallel processes instead), so this wrapper calls the module on that device: on the cpu
unchanged, on cuda after moving the tensor inputs to `device_ids[0]`. The wrapped module is
`.module`, so state_dict keys carry the "module." prefix, exactly as in PyTorch.
"""
from ... import cuda
from ...device import Device
from ...tensor import Tensor
from ..module import Module


def _to_device(value, device):
    """`value` with every Tensor in it (through tuples, lists and dicts) moved to `device`."""
    if isinstance(value, Tensor):
        return value.to(device)
    if isinstance(value, (tuple, list)):
        return type(value)(_to_device(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to_device(v, device) for k, v in value.items()}
    return value


def _device_index(device):
    if isinstance(device, int):
        return device
    device = Device(device)
    if device.type != "cuda":
        raise ValueError(f"DataParallel: device_ids must name cuda devices, got {device}")
    return device.index


class DataParallel(Module):
    """`DataParallel(module, device_ids=None, output_device=None, dim=0)`.

    Without a GPU (`device_ids` empty) `forward` is `module.forward`. With cuda, the module's
    parameters must be on `device_ids[0]` and the inputs are moved there. More than one device
    id raises ValueError: one process here drives one device.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: expected a Module, got {type(module).__name__}")
        self.module = module
        self.dim = dim
        if not cuda.is_available():
            self.device_ids = []
            return
        ids = [0] if device_ids is None else [_device_index(d) for d in device_ids]
        if len(ids) > 1:
            raise ValueError(f"DataParallel: minigrad drives one device per process, got "
                             f"device_ids {ids}; run one process per device instead")
        self.device_ids = ids
        self.output_device = ids[0] if output_device is None else _device_index(output_device)
        self.src_device_obj = Device("cuda", ids[0]) if ids else None

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        device = self.src_device_obj
        for t in [*self.module.parameters(), *self.module.buffers()]:
            if t.device != device:
                raise RuntimeError(f"DataParallel: the module must have its parameters and "
                                   f"buffers on device {device} (device_ids[0]) but found one "
                                   f"of them on device {t.device}")
        return self.module(*_to_device(inputs, device), **_to_device(kwargs, device))
