"""The float32 resampling kernels of the cuda backend compile to PTX with no float64 operation
(PyTorch's CUDA kernels compute float32 resampling in float), the float64 ones in float64.

Needs numba-cuda's compiler (NVVM, from the `cuda` extra's NVIDIA wheels) and no simulator; no
GPU is needed: without one, the compute capability that compiling device functions asks the
device for is stood in for."""
import re
import sys

import pytest
from numba.core import config

if config.ENABLE_CUDASIM:
    pytest.skip("the CUDA simulator compiles nothing", allow_module_level=True)

from numba import cuda, types  # noqa: E402
from numba.cuda.cudadrv import nvvm  # noqa: E402

if not nvvm.is_available():
    pytest.skip("numba's CUDA compiler (NVVM) is not installed", allow_module_level=True)

pytestmark = pytest.mark.cuda_only  # kept in a cuda-only run (`--devices cuda` on a GPU)
CC = (9, 0)


@pytest.fixture
def compute_capability(monkeypatch):
    """Without a GPU, numba's modules that ask the current device for its compute capability
    get a stand-in device."""
    if cuda.is_available():
        return
    device = type("Device", (), {"compute_capability": CC})()
    import numba.cuda.dispatcher  # noqa: F401  (loads the modules that look it up)
    for name, module in list(sys.modules.items()):
        if name.startswith(("numba.cuda", "numba_cuda")) and \
                hasattr(module, "get_current_device"):
            monkeypatch.setattr(module, "get_current_device", lambda: device)


def _float64_instructions(kernel, real):
    array = types.Array(real, 3, "C")
    signature = (array, array, real, real, types.boolean, types.boolean)
    ptx, _ = cuda.compile_ptx(kernel.py_func, signature, cc=CC)
    body = ptx[ptx.index("{"):]  # after the parameter list
    return [line.strip() for line in body.splitlines() if re.search(r"\.f64\b", line)]


def test_float32_kernels_have_no_float64_operation(compute_capability):
    from minigrad.backend.cuda import resample

    for kernel in (resample._forward32, resample._adjoint32):
        assert _float64_instructions(kernel, types.float32) == []
    for kernel in (resample._forward64, resample._adjoint64):
        assert _float64_instructions(kernel, types.float64)
