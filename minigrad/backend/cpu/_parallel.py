"""Running a Numba parallel kernel on the calling thread alone when its work is small."""
import numba


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
