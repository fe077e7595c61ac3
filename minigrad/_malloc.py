"""Keep freed array memory in the process for the next training step (glibc's malloc).

A training step allocates and frees the same few hundred arrays every step: activations,
gradients, im2col column buffers, each from a few KiB to tens of MiB. glibc serves blocks from
128 KiB up (the threshold moves with use, up to 32 MiB) with a fresh mmap, and gives the top of
its heap back to the kernel once more than twice that threshold lies free there. Either way the
next step's arrays land on pages the kernel has never mapped for the process, and the first
write to each 4 KiB page is a page fault. A LeNet-5 step at batch 64 took 3,300 faults (10.5 ms
a step; 4.3-6 ms with none); at batch 16 the arrays stay small enough to be reused and it took
none.

So at import minigrad asks glibc to serve every block below 32 MiB (its largest allowed mmap
threshold) from the heap, and to keep up to 1 GiB of free heap instead of returning it: a
training step then reuses the memory of the step before, as PyTorch's caching allocators do
for GPU memory. The cost: a process keeps up to 1 GiB of memory it freed (and more if
fragmentation strands it below live blocks) until it exits or asks for it back (below).

Nothing changes when the C library is not glibc, when the process was started with glibc's own
`MALLOC_MMAP_THRESHOLD_` or `MALLOC_TRIM_THRESHOLD_` (or their `GLIBC_TUNABLES` names: the
user chose), or with `MINIGRAD_KEEP_FREED_MEMORY=0`.
`minigrad.utils.release_cpu_memory()` hands the free memory back when a program wants it.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's upper limit for this parameter on 64-bit systems
TRIM_THRESHOLD = 1 << 30

_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
_USER_TUNABLES = ("glibc.malloc.mmap_threshold", "glibc.malloc.trim_threshold")


def _glibc():
    """The process's C library if it is glibc, else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only: musl and others lack it
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):
        return None
    return libc


def keep_freed_memory():
    """Apply the settings above; returns whether they were applied."""
    if os.environ.get("MINIGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return False
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if any(name in os.environ for name in _USER_SETTINGS) or \
            any(name in tunables for name in _USER_TUNABLES):
        return False
    libc = _glibc()
    if libc is None:
        return False
    # mallopt returns 1 on success; setting the mmap threshold also stops glibc from moving it
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) & \
        bool(libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def release_cpu_memory():
    """Return the free memory glibc holds to the operating system now (`malloc_trim(0)`);
    returns whether any was returned. A no-op (False) where the C library is not glibc."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False


KEEPING_FREED_MEMORY = keep_freed_memory()
