"""Work buffers kept between kernel calls, one set per thread.

A convolution's column matrix and GEMM products live only inside one call, but they are
megabytes: allocated afresh each call, the C allocator hands such blocks back to the system
when they are freed and takes them again on the next call, and every page is then faulted in
and zeroed anew. Measured on LeNet's first layer (batch 64, one thread, other ops' arrays
allocated in between as in a training step): the forward took 1.0-1.2 ms that way and 0.25-0.35
ms with the allocator told to keep its memory. Buffers here grow to the largest size asked
for and are kept, up to KEEP_MAX_BYTES each: larger ones (im2col of a 224x224 layer with many
channels, where the GEMM dwarfs the page faults) are allocated per call as before, so that a
big network does not hold its largest column matrix for good.
"""
import threading

import numpy as np

_local = threading.local()
KEEP_MAX_BYTES = 32 << 20


def scratch(slot, shape, dtype):
    """An uninitialised C-contiguous array of `shape` and `dtype`, valid until this thread
    asks for the same `slot` again (distinct slots never overlap)."""
    dtype = np.dtype(dtype)
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    size = int(np.prod(shape, dtype=np.int64))
    if size * dtype.itemsize > KEEP_MAX_BYTES:
        return np.empty(shape, dtype=dtype)
    key = (slot, dtype)
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = buffers[key] = np.empty(max(size, 1), dtype=dtype)
    return buffer[:size].reshape(shape)
