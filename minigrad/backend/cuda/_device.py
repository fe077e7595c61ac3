"""The GPU itself: availability, synchronisation, and the count of host<->device copies."""
from numba import cuda

_INSTALL_HINT = ("the cuda device needs an NVIDIA GPU with its driver, and numba's CUDA target "
                 "with the CUDA toolkit bindings: pip install 'minigrad[cuda]'")

_transfers = 0


def check_available():
    """Raise RuntimeError saying why, if no CUDA GPU can be used (the device registry adds what
    to do instead)."""
    if not cuda.is_available():
        reason = " ".join((cuda.cuda_error() or "").split()) or "numba.cuda found no device"
        raise RuntimeError(f"no CUDA GPU was found ({reason}); {_INSTALL_HINT}")


def device_count():
    return len(cuda.gpus)


def synchronize():
    """Wait until every queued kernel and copy has finished."""
    cuda.synchronize()


def count_transfer():
    """Record one host<->device copy (the backend calls this for each copy it makes)."""
    global _transfers
    _transfers += 1


def transfer_count():
    """Host<->device copies since the last reset."""
    return _transfers


def reset_transfer_count():
    global _transfers
    _transfers = 0
