"""backend/cpu/_parallel.call: a serial call runs its kernel with one Numba thread and gives
the calling thread its thread count back (also when the kernel raises, and on a thread of its
own); a parallel call leaves the count as it is."""
import threading

import numba
import numpy as np
import pytest

from minigrad.backend.cpu._parallel import call


@numba.njit
def _threads_seen(out):
    out[0] = numba.get_num_threads()


@numba.njit
def _fails(out):
    raise ValueError("kernel failed")


def _seen(parallel):
    out = np.zeros(1, np.int64)
    call(_threads_seen, parallel, out)
    return int(out[0])


def test_serial_calls_run_on_one_thread_and_restore_the_count():
    before = numba.get_num_threads()
    assert _seen(False) == 1
    assert numba.get_num_threads() == before
    assert _seen(True) == before
    with pytest.raises(ValueError, match="kernel failed"):
        call(_fails, False, np.zeros(1))
    assert numba.get_num_threads() == before


def test_a_count_the_caller_set_is_kept():
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert _seen(False) == _seen(True) == 1
        assert numba.get_num_threads() == 1
    finally:
        numba.set_num_threads(before)


def test_each_thread_keeps_its_own_count():
    before = numba.get_num_threads()
    results = []

    def worker():
        results.append((_seen(False), numba.get_num_threads()))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert results == [(1, numba.config.NUMBA_NUM_THREADS)]
    assert numba.get_num_threads() == before
