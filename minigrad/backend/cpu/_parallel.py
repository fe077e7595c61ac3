"""The two things every Numba kernel call needs: arrays ready for a kernel, and a thread count
that fits the work."""
import numba
import numpy as np
from numba.np.ufunc import parallel as _numba_pool


def ready(a):
    """`a` as a writeable C-contiguous array, copied only if it is not one: each kernel is then
    compiled for one array type per dtype and rank (Numba types read-only and strided arrays
    apart)."""
    return np.require(a, requirements=("C", "W"))


def _bind_thread_count():
    """(get, set) of the calling thread's Numba thread count.

    Numba's public `get_num_threads` / `set_num_threads` take two locks and re-check that the
    pool is running on every call (about 2 us for the three calls a serial kernel call makes,
    a dozen times per small training step). Once the pool runs, they only call the threading
    layer's own per-thread getter and setter, which Numba binds as module globals then; those
    are used directly, or the public functions where this Numba version has no such globals.
    """
    numba.get_num_threads()  # starts the pool (once), which binds the layer's functions
    get = getattr(_numba_pool, "_get_num_threads", None)
    set_ = getattr(_numba_pool, "_set_num_threads", None)
    if not (callable(get) and callable(set_)) or get() != numba.get_num_threads():
        get, set_ = numba.get_num_threads, numba.set_num_threads
    _thread_count[:] = (get, set_)
    return get, set_


_thread_count = []  # [get, set] once bound


def set_num_threads(n):
    """The number of threads the calling thread's parallel cpu kernels use (PyTorch's
    `torch.set_num_threads`); more than the pool has are capped to the pool's size."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValueError(f"set_num_threads expects a positive integer, got {n!r}")
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))


def get_num_threads():
    """The number of threads the calling thread's parallel cpu kernels use."""
    return numba.get_num_threads()


def call(kernel, parallel, *args):
    """kernel(*args) on Numba's thread pool if `parallel`, else on the calling thread only:
    for small work, waking the pool costs more than splitting the work saves (measured: a
    128-element relu_backward took 20-30 us with the pool woken, 2-4 us on one thread)."""
    if parallel:
        kernel(*args)
        return
    get, set_ = _thread_count or _bind_thread_count()
    threads = get()
    if threads == 1:  # one thread already (NUMBA_NUM_THREADS=1, or the caller set it)
        kernel(*args)
        return
    set_(1)
    try:
        kernel(*args)
    finally:
        set_(threads)
