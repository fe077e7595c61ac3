"""Shared test set-up: hypothesis profiles and the `device` fixture.

Profiles: "ci" (the default: few examples, so the suite stays within minutes on 2 cores) and
"thorough" (many examples); pick one with HYPOTHESIS_PROFILE=thorough.
"""
import os
import warnings

import pytest
from hypothesis import HealthCheck, settings

import minigrad
from minigrad.backend import is_available

# `device` is a parametrized fixture that holds no state, so reusing it across the examples of
# one @given test is safe.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=12, deadline=None, print_blob=True,
                          suppress_health_check=_SUPPRESSED)
settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=_SUPPRESSED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DEVICES = ["cpu"] + (["cuda"] if is_available("cuda") else [])


@pytest.fixture(params=DEVICES)
def device(request):
    """Each test that takes `device` runs once per available device."""
    return request.param


if "cuda" in DEVICES:
    from minigrad.backend.cuda import _array, _launch

    SIMULATOR = _array.SIMULATOR
    # The simulator runs one Python thread per CUDA thread: blocks of a few threads and tiles
    # of a few elements keep it fast, and make tiny shapes cross block and tile edges.
    TINY_LAUNCHES = dict(threads_per_block=4, max_blocks=2, reduce_threads=4,
                         reduce_serial_len=3, gemm_block_m=4, gemm_block_n=4, gemm_block_k=2,
                         gemm_thread_m=2, gemm_thread_n=2, rng_blocks=2)

    @pytest.fixture(autouse=True, scope="session")
    def _simulator_launches():
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


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same global seed."""
    minigrad.manual_seed(0)
