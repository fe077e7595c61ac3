"""Launch configuration of every CUDA kernel, in one place, and the launch that checks a block
against the device before running it.

Every kernel walks its work with grid-stride loops, so any grid size gives correct results; the
numbers here only trade parallelism against launch and scheduling overhead. Tile sizes are
compile-time constants of the kernels that use shared memory (each distinct tiling is compiled
once). Tests shrink everything with `override(...)`: the CUDA simulator runs one Python thread
per CUDA thread, and tiny blocks and tiles make tiny shapes cross block and tile edges.
"""
import dataclasses
import math
from typing import NamedTuple

import numpy as np
from numba import cuda
from numba.core import config as _numba_config
from numba.cuda.cudadrv.driver import CudaAPIError

from .._scoped_config import ScopedConfig

SIMULATOR = bool(_numba_config.ENABLE_CUDASIM)


MAX_STATIC_SHARED_BYTES = 48 * 1024  # per block, statically declared: every GPU since sm_20


@dataclasses.dataclass(frozen=True)
class LaunchConfig:
    """Block, grid and tile sizes.

    threads_per_block: threads of the 1-D kernels (elementwise, copies, gathers, reductions
        with one thread per output).
    max_blocks: the grid-stride kernels launch at most this many blocks.
    reduce_threads: threads of the block that reduces one row (a power of two: the in-block
        tree halves it).
    reduce_serial_len: rows this short are reduced by one thread each, not by a block.
    gemm_block_m / gemm_block_n / gemm_block_k: the tile of C (block_m rows, block_n columns)
        one GEMM block computes, and the depth of the A and B tiles it stages in shared memory
        per step (C = A @ B with A m x k, B k x n, as in BLAS).
    gemm_thread_m / gemm_thread_n: the register tile of one GEMM thread; a block has
        (block_m // thread_m) * (block_n // thread_n) threads. The shared tiles (two of each,
        see `gemm_shared_bytes`) must fit the 48 KiB of static shared memory in float64.
    rng_blocks: blocks of the random-number kernels; with threads_per_block this fixes the
        number of generator states (one per thread, kept across calls).
    optimizer_tensors_per_launch: parameters one fused optimizer launch updates. Each is
        passed as a tuple of this many arrays per operand (about 56 bytes of kernel parameters
        per array): Adam's five operands at 8 take about 2.4 KB of the 4 KB that every CUDA
        version accepts for one launch's parameters.
    """

    threads_per_block: int = 256
    max_blocks: int = 4096
    reduce_threads: int = 256
    reduce_serial_len: int = 32
    gemm_block_m: int = 128
    gemm_block_n: int = 128
    gemm_block_k: int = 8
    gemm_thread_m: int = 8
    gemm_thread_n: int = 8
    rng_blocks: int = 528  # four per SM of the largest GPUs (132 SMs): the draw fills them
    optimizer_tensors_per_launch: int = 8

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"LaunchConfig.{field.name} must be a positive int, got "
                                 f"{value!r}")
        if self.reduce_threads & (self.reduce_threads - 1):
            raise ValueError(f"LaunchConfig.reduce_threads must be a power of two, got "
                             f"{self.reduce_threads}")
        if self.gemm_block_m % self.gemm_thread_m or self.gemm_block_n % self.gemm_thread_n:
            raise ValueError("LaunchConfig: gemm_block_m and gemm_block_n must be multiples of "
                             "gemm_thread_m and gemm_thread_n")
        if self.gemm_threads > 1024 or max(self.threads_per_block, self.reduce_threads) > 1024:
            raise ValueError("LaunchConfig: a CUDA block has at most 1024 threads")
        if self.gemm_shared_bytes > MAX_STATIC_SHARED_BYTES:
            raise ValueError(f"LaunchConfig: the GEMM tiles need {self.gemm_shared_bytes} bytes "
                             f"of shared memory in float64, more than the "
                             f"{MAX_STATIC_SHARED_BYTES} a block may declare statically")

    @property
    def gemm_threads(self):
        return (self.gemm_block_m // self.gemm_thread_m) * (self.gemm_block_n //
                                                            self.gemm_thread_n)

    @property
    def gemm_shared_bytes(self):
        """Shared memory of one GEMM block in float64 (float32 needs half): an A and a B tile,
        each block_k rows of block_m (block_n) words plus four padding words, twice over."""
        words = self.gemm_block_k * (self.gemm_block_m + 4 + self.gemm_block_n + 4)
        return 2 * words * 8

    @property
    def rng_states(self):
        return self.rng_blocks * self.threads_per_block


_scoped = ScopedConfig(LaunchConfig())
get_config = _scoped.get
override = _scoped.override


# ---- resources per block -----------------------------------------------------------------------

MAX_THREADS_PER_BLOCK = 1024  # every GPU since sm_20

# (kernel, threads per block) -> how many specialisations of the kernel had been compiled when
# all of them were checked for that block size
_checked = {}


class LaunchResourceError(RuntimeError):
    """A launch whose block needs more than the device gives one block: threads, or registers
    and shared memory (PyTorch raises RuntimeError for such launches)."""


class BlockLimits(NamedTuple):
    """What the device gives one block: threads, 32-bit registers, bytes of shared memory."""
    threads: int
    registers: int
    shared_bytes: int


class KernelResources(NamedTuple):
    """What one compiled specialisation of a kernel needs, as the driver reports it:
    registers per thread, static shared memory per block, and the most threads per block its
    registers and shared memory allow on this device."""
    registers_per_thread: int
    shared_bytes: int
    max_threads: int


def check_block_threads(kernel, threads):
    """Refuse more than 1,024 threads per block (all the simulator can check: its kernels are
    Python, with no registers)."""
    if threads > MAX_THREADS_PER_BLOCK:
        raise LaunchResourceError(f"{_name(kernel)}: a block of {threads} threads is more "
                                  f"than the {MAX_THREADS_PER_BLOCK} a CUDA block may have; "
                                  f"lower the launch configuration (LaunchConfig)")


def block_problem(name, threads, needs, limits):
    """Why a block of `threads` threads of kernel `name` needing `needs` (KernelResources)
    cannot run on a device with `limits` (BlockLimits), or None if it can."""
    if threads > limits.threads:
        return (f"{name}: a block of {threads} threads is more than the {limits.threads} a "
                f"block may have on this device")
    if needs.shared_bytes > limits.shared_bytes:
        return (f"{name} uses {needs.shared_bytes} bytes of shared memory per block, more "
                f"than the {limits.shared_bytes} this device gives a block")
    if threads > needs.max_threads:
        return (f"{name} uses {needs.registers_per_thread} registers per thread and "
                f"{needs.shared_bytes} bytes of shared memory per block, so at most "
                f"{needs.max_threads} of its threads fit in a block on this device (which "
                f"gives a block {limits.registers} registers); it was launched with "
                f"{threads}: lower the launch configuration (LaunchConfig)")
    return None


def check_block(kernel, threads, args):
    """On a GPU: compile `kernel` for `args` (if not done yet) and refuse a block of `threads`
    threads that the device cannot run for it or for any specialisation compiled before:
    registers per thread times threads, and shared memory per block, against the device's
    limits (the driver's own count of the threads the kernel can have per block)."""
    check_block_threads(kernel, threads)
    limits = device_block_limits()
    kernel.compile(tuple(kernel.typeof_pyval(a) for a in args))
    for compiled in list(kernel.overloads.values()):
        needs = KernelResources(compiled.regs_per_thread, compiled.shared_mem_per_block,
                                compiled.max_threads_per_block)
        problem = block_problem(_name(kernel), threads, needs, limits)
        if problem:
            raise LaunchResourceError(problem)


def device_block_limits():
    """BlockLimits of the current GPU."""
    device = cuda.get_current_device()
    return BlockLimits(device.MAX_THREADS_PER_BLOCK, device.MAX_REGISTERS_PER_BLOCK,
                       device.MAX_SHARED_MEMORY_PER_BLOCK)


def _name(kernel):
    fn = getattr(kernel, "py_func", None) or getattr(kernel, "fn", None)
    return f"kernel {getattr(fn, '__qualname__', kernel)}"


def blocks_for(n, threads):
    """Blocks for `n` work items at `threads` per block, capped at max_blocks (the kernels'
    grid-stride loops cover the rest)."""
    return max(1, min(-(-n // threads), get_config().max_blocks))


def launch(kernel, grid, block, *args):
    """kernel[grid, block](*args), refusing host arrays (numba would copy them to the device
    and back on every launch, a hidden transfer that the backend never wants) and blocks the
    device cannot run (see `check_block`)."""
    if _ndarray in map(type, args):  # (one pass in C; the backend never makes subclasses)
        raise TypeError("a host (numpy) array was passed to a CUDA kernel; move it to the "
                        "device first")
    threads = block if type(block) is int else _threads_of(block)
    if SIMULATOR:
        if threads > MAX_THREADS_PER_BLOCK:
            check_block_threads(kernel, threads)
        kernel[grid, block](*args)
        return
    key = (kernel, threads)
    if _checked.get(key) != len(kernel.overloads):
        check_block(kernel, threads, args)
        _checked[key] = len(kernel.overloads)
    try:
        kernel[grid, block](*args)
    except CudaAPIError:
        # a specialisation compiled by this very launch (new argument types) is checked only
        # now: explain the failure if its resources are the cause
        check_block(kernel, threads, args)
        raise


_ndarray = np.ndarray


def _threads_of(block):
    """Threads in a block given as an int or a tuple (or list) of dims."""
    return math.prod(block) if isinstance(block, (tuple, list)) else int(block)


def launch_1d(kernel, n, *args):
    """Launch a grid-stride kernel over `n` items (nothing to do when n == 0)."""
    if n == 0:
        return
    threads = get_config().threads_per_block
    launch(kernel, blocks_for(n, threads), threads, *args)
