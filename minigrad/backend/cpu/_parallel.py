"""The two things every Numba kernel call needs: arrays ready for a kernel, and a thread count
that fits the work."""
import numba
import numpy as np


def ready(a):
    """`a` as a writeable C-contiguous array, copied only if it is not one: each kernel is then
    compiled for one array type per dtype and rank (Numba types read-only and strided arrays
    apart)."""
    return np.require(a, requirements=("C", "W"))


def call(kernel, parallel, *args):
    """kernel(*args) on Numba's thread pool if `parallel`, else on the calling thread only:
    for small work, waking the pool costs more than splitting the work saves."""
    if parallel:
        kernel(*args)
        return
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        kernel(*args)
    finally:
        numba.set_num_threads(threads)
