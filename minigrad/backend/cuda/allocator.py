"""A caching allocator for device memory, as PyTorch's: freed blocks are kept for reuse.

Why: a training step allocates every intermediate afresh. numba's own memory manager frees with
`cuMemFree`, in batches, and each `cuMemFree` synchronises the whole device; a ResNet-18 step
made about 120 such implicit synchronisations. Here a block whose array dies goes back to a
free list of its (rounded) size and the next request of that size takes it without any driver
call. That is safe without synchronising because minigrad queues every kernel and copy on one
stream: work queued after the reuse runs after all work queued before it.

Layers:
- `BlockPool` is the policy, in plain Python over two callables `raw_alloc(nbytes)` and
  `raw_free(handles)` (which takes a list of handles, empties it and frees them): rounding,
  free lists, statistics, and on running out of memory, one retry after returning every
  cached block to the driver. Tested on any machine.
- On a GPU, `CachingMemoryManager` plugs it into numba through numba's external memory manager
  interface (`numba.cuda.set_memory_manager`), so every device array numba makes (minigrad's
  own and the user's) draws from the pool. `MINIGRAD_CUDA_ALLOCATOR=numba` keeps numba's
  manager instead.
- Under the simulator, `_array.empty` draws its arrays from a pool of host buffers, so the
  same policy and the `minigrad.cuda.memory_*` statistics are exercised there.
"""
import os
import weakref

import numpy as np

SMALL_LIMIT = 1 << 20     # requests up to 1 MiB ...
SMALL_ROUND = 512         # ... are rounded up to a multiple of 512 bytes;
LARGE_SUBDIVISIONS = 8    # larger ones to an eighth of the power of two below (< 12.5% waste)


class OutOfMemoryError(RuntimeError):
    """The device has no memory left for a request, even with the cache returned to it
    (PyTorch's `torch.cuda.OutOfMemoryError`)."""


class RawOutOfMemory(Exception):
    """What a `raw_alloc` raises when the driver is out of memory."""


def rounded_size(nbytes):
    """The block size a request of `nbytes` is served with (>= nbytes, >= 512)."""
    nbytes = max(int(nbytes), 1)
    if nbytes <= SMALL_LIMIT:
        return -(-nbytes // SMALL_ROUND) * SMALL_ROUND
    step = (1 << (nbytes.bit_length() - 1)) // LARGE_SUBDIVISIONS
    return -(-nbytes // step) * step


class Block:
    """One raw allocation of `size` bytes; `handle` is what `raw_alloc` returned."""

    __slots__ = ("handle", "size")

    def __init__(self, handle, size):
        self.handle, self.size = handle, size


class BlockPool:
    """Size-bucketed free lists over a raw allocator, with PyTorch's statistics (bytes)."""

    def __init__(self, raw_alloc, raw_free):
        self._raw_alloc, self._raw_free = raw_alloc, raw_free
        self._free = {}  # rounded size -> [Block, ...]
        self.allocated = self.peak_allocated = 0  # bytes in blocks handed out
        self.reserved = self.peak_reserved = 0    # bytes held from the driver (in use + cached)
        self.raw_allocations = 0                  # driver allocations made (cache misses)
        self.retries = 0                          # misses that had to empty the cache first

    def allocate(self, nbytes):
        """A Block of at least `nbytes`: a cached one of the same rounded size if there is
        one, else a new raw allocation (emptying the cache and retrying once when the driver
        is out of memory)."""
        size = rounded_size(nbytes)
        cached = self._free.get(size)
        if cached:
            block = cached.pop()
        else:
            block = Block(self._raw_allocate(size, nbytes), size)
            self.reserved += size
            self.peak_reserved = max(self.peak_reserved, self.reserved)
            self.raw_allocations += 1
        self.allocated += size
        self.peak_allocated = max(self.peak_allocated, self.allocated)
        return block

    def _raw_allocate(self, size, nbytes):
        try:
            return self._raw_alloc(size)
        except RawOutOfMemory:
            self.retries += 1
            self.empty_cache()
            try:
                return self._raw_alloc(size)
            except RawOutOfMemory:
                raise OutOfMemoryError(
                    f"CUDA out of memory: tried to allocate {nbytes:,} bytes "
                    f"({size:,} rounded); {self.allocated:,} bytes are allocated by live "
                    f"tensors and {self.reserved:,} reserved in all. Free tensors you no longer "
                    "need (del them), or use a smaller batch") from None

    def release(self, block):
        """Return `block` to its free list; no driver call."""
        self.allocated -= block.size
        self._free.setdefault(block.size, []).append(block)

    def empty_cache(self):
        """Give every cached (unused) block back to the driver."""
        handles = []
        for blocks in self._free.values():
            for block in blocks:
                handles.append(block.handle)
                block.handle = None
                self.reserved -= block.size
        self._free.clear()
        if handles:
            self._raw_free(handles)  # it drops the last references to them

    def reset_peak(self):
        self.peak_allocated, self.peak_reserved = self.allocated, self.reserved

    def cached_blocks(self):
        return sum(len(blocks) for blocks in self._free.values())


_pool = None  # the process's BlockPool, set up by install() or simulator_pool()


def pool():
    """The pool device memory comes from, or None when numba's own manager is in use."""
    return _pool


class _HostMemory:
    """A simulated device allocation: host bytes, and the array interface numpy reads them
    through (worked out once per block, not per array made from it)."""

    __slots__ = ("bytes", "interface")

    def __init__(self, size):
        self.bytes = np.empty(size, np.uint8)
        self.interface = self.bytes.__array_interface__


class _Lease:
    """The memory of one block lent to a simulated array. numpy arrays made from it keep it
    as their base (numpy collapses chains of ndarray views down to the first non-ndarray
    owner), so it dies, and the block returns to the pool, only when no array uses the memory
    any more."""

    __slots__ = ("__array_interface__", "_block", "__weakref__")

    def __init__(self, block):
        self.__array_interface__ = block.handle.interface
        self._block = block

    def __del__(self):
        # (cheaper than a weakref.finalize per array; the pool is gone only at shutdown)
        if _pool is not None:
            _pool.release(self._block)


def simulator_buffer(nbytes):
    """`nbytes` of uninitialised simulated device memory drawn from the pool of host buffers:
    a 1-D uint8 numpy array (view it as the dtype wanted)."""
    global _pool
    if _pool is None:
        _pool = BlockPool(_HostMemory, list.clear)
    memory = np.asarray(_Lease(_pool.allocate(nbytes)))  # the whole block: 512-byte multiple
    return memory if memory.shape[0] == nbytes else memory[:nbytes]


def install():
    """Make numba allocate device memory through the caching pool (call before the first
    CUDA context exists). Returns True if installed, False if numba's manager stays."""
    if os.environ.get("MINIGRAD_CUDA_ALLOCATOR", "caching").lower() == "numba":
        return False
    from numba import cuda
    cuda.set_memory_manager(_caching_manager_class())
    return True


def _caching_manager_class():
    """numba's EMM plugin over a BlockPool (defined lazily: it needs the real CUDA driver)."""
    from numba import cuda
    from numba.cuda.cudadrv import driver

    class CachingMemoryManager(cuda.GetIpcHandleMixin, cuda.HostOnlyCUDAMemoryManager):
        """Device allocations from the process's BlockPool; raw blocks come from numba's
        own manager, so its handling of the driver (and of running out) is reused."""

        def initialize(self):
            global _pool
            self._raw = driver.NumbaCUDAMemoryManager(context=self.context)
            self._raw.initialize()
            self._live = {}  # id of a handed-out MemoryPointer -> that pointer
            _pool = BlockPool(self._raw_alloc, self._raw_free)

        def _raw_alloc(self, size):
            try:
                return self._raw.memalloc(size)
            except driver.CudaAPIError as err:
                if "OUT_OF_MEMORY" in str(err).upper() or getattr(err, "code", None) == 2:
                    raise RawOutOfMemory() from err
                raise

        def _raw_free(self, handles):
            handles.clear()  # numba's manager queues each block's cuMemFree as it dies ...
            self._raw.deallocations.clear()  # ... and this runs the queue now

        def memalloc(self, size):
            block = _pool.allocate(size)
            live, key = self._live, [None]

            def release():  # must not refer to `memory`, or it would never be collected
                live.pop(key[0], None)
                _pool.release(block)

            # AutoFreePointer: released (finalizer called) when its last owner dies
            memory = driver.AutoFreePointer(weakref.proxy(self.context),
                                            block.handle.device_pointer, size, finalizer=release)
            key[0] = id(memory)
            live[key[0]] = memory  # numba's owners hold it weakly: keep it until they let go
            return memory.own()

        def get_memory_info(self):
            return self._raw.get_memory_info()

        def reset(self):
            super().reset()
            if _pool is not None:
                _pool.empty_cache()

        @property
        def interface_version(self):
            return 1

    return CachingMemoryManager
