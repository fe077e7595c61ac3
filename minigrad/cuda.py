"""`minigrad.cuda`: the CUDA device, as `torch.cuda`.

    minigrad.cuda.is_available()      # can tensors go to device="cuda" here?
    minigrad.cuda.synchronize()       # wait for queued kernels (they run asynchronously)
    minigrad.cuda.transfer_count()    # host<->device copies so far (a check for hidden copies)
    minigrad.cuda.memory_allocated()  # bytes held by live tensors (caching allocator)

Everything here works, and does nothing or returns 0, on a machine without a GPU. The legacy
types `minigrad.cuda.FloatTensor`, `DoubleTensor`, `HalfTensor`, `BFloat16Tensor`,
`LongTensor`, `IntTensor`, `ShortTensor`, `CharTensor`, `ByteTensor` and `BoolTensor` are here
too.
"""
import numpy as np

from .backend import is_available as _backend_available
from .tensor_types import CUDA_TYPES, missing_attribute

BFloat16Tensor = CUDA_TYPES["BFloat16Tensor"]
BoolTensor = CUDA_TYPES["BoolTensor"]
ByteTensor = CUDA_TYPES["ByteTensor"]
CharTensor = CUDA_TYPES["CharTensor"]
DoubleTensor = CUDA_TYPES["DoubleTensor"]
FloatTensor = CUDA_TYPES["FloatTensor"]
HalfTensor = CUDA_TYPES["HalfTensor"]
IntTensor = CUDA_TYPES["IntTensor"]
LongTensor = CUDA_TYPES["LongTensor"]
ShortTensor = CUDA_TYPES["ShortTensor"]


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


def manual_seed_all(seed):
    """Reseed the generator of every CUDA device (minigrad drives one: as `manual_seed`)."""
    manual_seed(seed)


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


# ---- memory: the caching allocator's statistics, as torch.cuda's ------------------------------
def _pool():
    if not is_available():
        return None
    from .backend.cuda import allocator
    return allocator.pool()


def _statistic(name):
    pool = _pool()
    return 0 if pool is None else getattr(pool, name)


def memory_allocated(device=None):
    """Bytes of device memory held by live tensors (in the allocator's rounded block sizes)."""
    return _statistic("allocated")


def max_memory_allocated(device=None):
    """The peak of `memory_allocated()` since the start or `reset_peak_memory_stats()`."""
    return _statistic("peak_allocated")


def memory_reserved(device=None):
    """Bytes the allocator holds from the driver: allocated plus cached for reuse."""
    return _statistic("reserved")


def max_memory_reserved(device=None):
    """The peak of `memory_reserved()` since the start or `reset_peak_memory_stats()`."""
    return _statistic("peak_reserved")


def empty_cache():
    """Give the cached, unused device memory back to the driver (live tensors keep theirs)."""
    pool = _pool()
    if pool is not None:
        pool.empty_cache()


def reset_peak_memory_stats(device=None):
    """Restart the peaks of `max_memory_allocated` and `max_memory_reserved` from now."""
    pool = _pool()
    if pool is not None:
        pool.reset_peak()


def memory_stats(device=None):
    """The allocator's counters as a dict (a subset of torch.cuda.memory_stats's keys)."""
    pool = _pool()
    if pool is None:
        return {}
    return {"allocated_bytes.all.current": pool.allocated,
            "allocated_bytes.all.peak": pool.peak_allocated,
            "reserved_bytes.all.current": pool.reserved,
            "reserved_bytes.all.peak": pool.peak_reserved,
            "num_alloc_retries": pool.retries,
            "num_device_alloc": pool.raw_allocations}


def __getattr__(name):
    raise missing_attribute(__name__, name)
