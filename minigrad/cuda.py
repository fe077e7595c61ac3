"""`minigrad.cuda`: the CUDA device, as `torch.cuda`.

    minigrad.cuda.is_available()      # can tensors go to device="cuda" here?
    minigrad.cuda.synchronize()       # wait for queued kernels (they run asynchronously)
    minigrad.cuda.transfer_count()    # host<->device copies so far (a check for hidden copies)

Everything here works, and does nothing or returns 0, on a machine without a GPU. The legacy
types `minigrad.cuda.FloatTensor`, `DoubleTensor`, `LongTensor` and `BoolTensor` are here too.
"""
import numpy as np

from .backend import is_available as _backend_available
from .tensor_types import CUDA_TYPES

BoolTensor = CUDA_TYPES["BoolTensor"]
DoubleTensor = CUDA_TYPES["DoubleTensor"]
FloatTensor = CUDA_TYPES["FloatTensor"]
LongTensor = CUDA_TYPES["LongTensor"]


def is_available():
    """True if tensors can be placed on device 'cuda': an NVIDIA GPU with its driver and numba's
    CUDA target are present (or numba's CUDA simulator is enabled)."""
    return _backend_available("cuda")


def device_count():
    """The number of CUDA GPUs (0 without one)."""
    if not is_available():
        return 0
    from .backend.cuda import _device
    return _device.device_count()


def synchronize():
    """Wait until all queued work on the GPU has finished.

    Also reports, as IndexError, an out-of-range index that an earlier indexing kernel met in an
    index tensor on the device (kernels cannot raise; they leave a flag checked here).
    """
    if is_available():
        from .backend.cuda import _device, _index
        _device.synchronize()
        _index.errors.raise_pending()


def manual_seed(seed):
    """Reseed the CUDA generator only (`minigrad.manual_seed` reseeds every generator)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    if is_available():
        from .backend.cuda import random
        random.generator.manual_seed(seed)


def transfer_count():
    """How many copies between host and GPU memory were made since the last reset: tensor data
    moved by `Tensor(..., device="cuda")`, `.to()`, `.cpu()`, `.numpy()`, `.item()`, printing,
    and index arrays given as lists or numpy arrays. Kernels never copy."""
    if not is_available():
        return 0
    from .backend.cuda import _device
    return _device.transfer_count()


def reset_transfer_count():
    """Start counting host<->device copies from 0."""
    if is_available():
        from .backend.cuda import _device
        _device.reset_transfer_count()
