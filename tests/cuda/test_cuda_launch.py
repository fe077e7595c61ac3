"""The launch configuration: validated, overridable for a block of code, and without effect on
results (every kernel walks its work with grid-stride loops); launches refused before they run
where a block needs more threads, registers or shared memory than the device gives it."""
from types import SimpleNamespace

import numpy as np
import pytest
from numba import cuda

from cuda_helpers import check, dev, strided_copy
from minigrad.backend.cuda import _launch

rng = np.random.default_rng(5)


@pytest.mark.parametrize("changes,message", [
    (dict(threads_per_block=0), "positive"), (dict(reduce_threads=6), "power of two"),
    (dict(gemm_block_m=6, gemm_thread_m=4), "multiples"),
    (dict(gemm_block_m=128, gemm_block_n=128, gemm_thread_m=2, gemm_thread_n=2), "1024"),
    (dict(gemm_block_m=512, gemm_block_n=512, gemm_block_k=8, gemm_thread_m=16,
          gemm_thread_n=16),
     "shared memory"),
])
def test_bad_configurations_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        with _launch.override(**changes):
            pass


def test_override_restores_the_previous_configuration():
    before = _launch.get_config()
    with _launch.override(max_blocks=1) as inside:
        assert _launch.get_config() is inside and inside.max_blocks == 1
    assert _launch.get_config() is before


@pytest.mark.parametrize("sizes", [dict(threads_per_block=1, max_blocks=1, reduce_threads=1),
                                   dict(threads_per_block=3, max_blocks=3, reduce_threads=2,
                                        reduce_serial_len=1)])
def test_results_do_not_depend_on_the_grid(cu, ref, sizes):
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((5,))
    with _launch.override(**sizes):
        check(cu.mul(strided_copy(a, "transposed"), dev(b)), ref.mul(a, b))
        check(cu.sum(dev(a), (1,), False), ref.sum(a, (1,), False))
        check(cu.argmax(dev(a), 0, True), ref.argmax(a, 0, True))
        check(cu.getitem(dev(a), (np.array([2, 0]), slice(None, None, -2))),
              ref.getitem(a, (np.array([2, 0]), slice(None, None, -2))))



# ---- resources per block ----------------------------------------------------------------------

H100_BLOCK = _launch.BlockLimits(threads=1024, registers=65536, shared_bytes=48 * 1024)


@cuda.jit
def _set_ones(out, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = 1.0


def test_a_block_of_more_than_1024_threads_is_refused_before_launch():
    out = dev(np.zeros(4))
    with pytest.raises(_launch.LaunchResourceError, match="_set_ones.*2048 threads"):
        _launch.launch(_set_ones, 1, 2048, out, 4)
    with pytest.raises(_launch.LaunchResourceError, match="1056 threads"):
        _launch.launch(_set_ones, 1, (32, 33), out, 4)  # a 2-d block counts all its threads
    np.testing.assert_array_equal(out.copy_to_host(), np.zeros(4))  # nothing ran


def test_block_problems_name_registers_and_shared_memory():
    fits = _launch.KernelResources(registers_per_thread=32, shared_bytes=0, max_threads=1024)
    assert _launch.block_problem("k", 1024, fits, H100_BLOCK) is None
    heavy = _launch.KernelResources(registers_per_thread=102, shared_bytes=16384,
                                    max_threads=640)
    assert _launch.block_problem("k", 512, heavy, H100_BLOCK) is None
    message = _launch.block_problem("k", 1024, heavy, H100_BLOCK)
    assert "102 registers per thread" in message and "at most 640" in message
    big_tiles = _launch.KernelResources(registers_per_thread=32, shared_bytes=65536,
                                        max_threads=1024)
    assert "65536 bytes of shared memory" in _launch.block_problem("k", 256, big_tiles,
                                                                    H100_BLOCK)


class _GpuKernel:
    """A stand-in for a numba CUDA dispatcher on a GPU: each compiled specialisation reports
    `resources` for its registers and shared memory; launches are recorded."""

    def __init__(self, resources):
        self.resources, self.overloads, self.compiles, self.launches = resources, {}, 0, []

    def py_func(self):
        """(named for the error messages)"""

    def typeof_pyval(self, value):
        return type(value).__name__

    def compile(self, signature):
        if signature not in self.overloads:
            self.compiles += 1
            self.overloads[signature] = SimpleNamespace(
                regs_per_thread=self.resources.registers_per_thread,
                shared_mem_per_block=self.resources.shared_bytes,
                max_threads_per_block=self.resources.max_threads)
        return self.overloads[signature]

    def __getitem__(self, launch_shape):
        return lambda *args: self.launches.append((launch_shape, args))


@pytest.fixture
def as_on_a_gpu(monkeypatch):
    """launch() takes its GPU path, on a device with H100_BLOCK's limits."""
    monkeypatch.setattr(_launch, "SIMULATOR", False)
    monkeypatch.setattr(_launch, "device_block_limits", lambda: H100_BLOCK)
    monkeypatch.setattr(_launch, "_checked", {})


def test_gpu_launches_are_checked_against_the_compiled_kernels_registers(as_on_a_gpu):
    kernel = _GpuKernel(_launch.KernelResources(registers_per_thread=96, shared_bytes=0,
                                                max_threads=640))
    with pytest.raises(_launch.LaunchResourceError, match="96 registers per thread.*1024"):
        _launch.launch(kernel, 4, 1024, 1.0, 3)
    assert kernel.launches == []
    for _ in range(3):
        _launch.launch(kernel, 4, 512, 1.0, 3)
    assert len(kernel.launches) == 3
    assert kernel.compiles == 1  # compiled (and checked) once, not per launch


def test_gpu_launches_are_checked_against_shared_memory(as_on_a_gpu):
    kernel = _GpuKernel(_launch.KernelResources(registers_per_thread=32, shared_bytes=96 * 1024,
                                                max_threads=1024))
    with pytest.raises(_launch.LaunchResourceError, match="shared memory"):
        _launch.launch(kernel, 1, 128, 2)
    assert kernel.launches == []
