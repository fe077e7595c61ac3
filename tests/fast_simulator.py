"""`fast_simulator()`: numba's CUDA simulator several times faster, for tests that launch many
kernels (training steps, the GPU benchmark's smoke run).

The simulator runs each CUDA thread as a Python thread, and while a block's threads wait at
cuda.syncthreads() it polls them without releasing the interpreter until Python's switch
interval (5 ms) is up. Switching every 10 us instead makes such kernels several times faster,
but exposes a race in the simulator's `cuda.shared.array`: it looks the array up in a dict and
inserts a new one if absent, so two threads of a block that reach the allocation together can
each get a buffer of their own, and the kernel silently computes garbage. Inside the context
that method is replaced by one whose lookup-or-insert is a single atomic dict operation.

A second race: every call of a device function iterates over its module's globals (to swap
in the simulated `cuda` module), and the first warning raised from a module adds
`__warningregistry__` to those globals; when one simulated thread does that while another
iterates, the iteration fails ("dictionary changed size during iteration"). Simulated kernels
do warn (numpy warns where a GPU wraps integers silently), so the kernel modules get that
entry before any kernel runs.
"""
import contextlib
import sys

import numpy as np
from numba import types
from numba.np import numpy_support

from minigrad.backend.cuda._array import SIMULATOR

SWITCH_INTERVAL_S = 1e-5


def _shared_array(original):
    def array(self, shape, dtype):
        if shape == 0:  # dynamic shared memory: one buffer for the launch, no race
            return original(self, shape, dtype)
        if isinstance(dtype, types.Type):
            dtype = numpy_support.as_dtype(dtype)
        # As in the simulator, the allocating source line names the array (so two
        # allocations written on one line still share a buffer there, unlike on a GPU).
        caller = sys._getframe(1)
        key = (caller.f_code.co_filename, caller.f_lineno)
        return self._allocations.setdefault(key, np.empty(shape, dtype))
    return array


@contextlib.contextmanager
def fast_simulator():
    """Within the block, under the simulator: frequent thread switches and race-free shared
    arrays. On a GPU it changes nothing."""
    if not SIMULATOR:
        yield
        return
    from numba.cuda.simulator import kernelapi
    for name, module in list(sys.modules.items()):
        if name.startswith("minigrad.backend.cuda"):
            vars(module).setdefault("__warningregistry__", {})
    original, interval = kernelapi.FakeCUDAShared.array, sys.getswitchinterval()
    kernelapi.FakeCUDAShared.array = _shared_array(original)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        kernelapi.FakeCUDAShared.array = original
