"""Process-wide numba.cuda settings, applied once when the cuda backend is first imported.

- Device memory comes from the caching allocator (`allocator.install`); numba uses the manager
  set before the first CUDA context is created, so this runs before any device array exists.
- numba warns (NumbaPerformanceWarning) on every launch of fewer than 128 blocks. Many of
  minigrad's launches are small on purpose (one per bias vector, per optimizer parameter, per
  small feature map); the warning would flood every training run and turn into an error under
  `-W error`, so it is switched off. It is a numba-wide setting: the user's own kernels no
  longer get it either.
"""
import importlib

from numba.core import config as _numba_config

from . import allocator

SIMULATOR = bool(_numba_config.ENABLE_CUDASIM)


def _silence_low_occupancy_warnings():
    for name in ("numba.core.config", "numba.cuda.core.config"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "CUDA_LOW_OCCUPANCY_WARNINGS"):
            module.CUDA_LOW_OCCUPANCY_WARNINGS = 0


if not SIMULATOR:
    _silence_low_occupancy_warnings()
    CACHING_ALLOCATOR = allocator.install()
else:
    CACHING_ALLOCATOR = True  # _array.empty draws simulated arrays from the pool
