"""Tests of the cuda backend. They run where the cuda device is usable: on a GPU, or under
numba's CUDA simulator, in a pytest process of their own:

    NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/cuda

Elsewhere (the main test run on a machine without a GPU) this directory is skipped. Under the
simulator, which runs one Python thread per CUDA thread, launches are shrunk to blocks of a few
threads and tiles of a few elements, so tiny shapes still cross block and tile edges.
"""
import warnings

import pytest

import minigrad

AVAILABLE = minigrad.cuda.is_available()
collect_ignore_glob = [] if AVAILABLE else ["test_*.py"]

if AVAILABLE:
    from minigrad.backend import get_backend
    from minigrad.backend.cuda import _array, _launch

    SIMULATOR = _array.SIMULATOR
    TINY_LAUNCHES = dict(threads_per_block=4, max_blocks=2, reduce_threads=4,
                         reduce_serial_len=3, gemm_block_m=4, gemm_block_n=4, gemm_block_k=2,
                         gemm_thread_m=2, gemm_thread_n=2, rng_blocks=2)

    @pytest.fixture(autouse=True, scope="session")
    def _launch_sizes():
        """Under the simulator: tiny launches, and a simulator several times faster (see
        fast_simulator.py)."""
        if SIMULATOR:
            from fast_simulator import fast_simulator
            with _launch.override(**TINY_LAUNCHES), fast_simulator():
                yield
        else:
            yield

    @pytest.fixture(autouse=True)
    def _quiet_simulator():
        """Simulated kernels do their arithmetic on numpy scalars, which warn where a GPU
        silently gives inf, nan or a wrapped integer (log(0), uint64 hashing)."""
        if SIMULATOR:
            warnings.filterwarnings("ignore", category=RuntimeWarning)
            warnings.filterwarnings("ignore", message=".*nopython=False.*")

    @pytest.fixture
    def cu():
        """The cuda backend module."""
        return get_backend("cuda")

    @pytest.fixture
    def cpu():
        return get_backend("cpu")

