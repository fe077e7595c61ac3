"""Shared test set-up: hypothesis profiles, the `device` fixture and the device selection.

Profiles: "ci" (the default: few examples, so the suite stays within minutes on 2 cores, drawn
from a fixed seed per test so that a run is repeatable and CI never fails by chance),
"thorough" (many examples, freshly random each run; HYPOTHESIS_PROFILE=thorough) and
"simulator" (the fewest, the default of a cuda pass under numba's CUDA simulator, which runs one
Python thread per CUDA thread).

`--devices cpu,cuda` chooses the devices the `device` fixture runs on (default: every available
one). A pass without cpu (`NUMBA_ENABLE_CUDASIM=1 python -m pytest --devices cuda`) runs only
what can say something new on those devices: the device-parametrized tests, less those marked
`cpu_suffices`, and tests/cuda.
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
                          derandomize=True, suppress_health_check=_SUPPRESSED)
settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=_SUPPRESSED)
settings.register_profile("simulator", max_examples=1, deadline=None, print_blob=True,
                          derandomize=True, suppress_health_check=_SUPPRESSED)

AVAILABLE = ["cpu"] + (["cuda"] if is_available("cuda") else [])
DEVICES = list(AVAILABLE)  # set from --devices in pytest_configure


def pytest_addoption(parser):
    parser.addoption("--devices", default=None,
                     help="comma-separated devices for the `device` fixture (default: every "
                          "available one); without cpu, only device-parametrized tests and "
                          "tests/cuda run")


def pytest_configure(config):
    config.addinivalue_line("markers", "cuda_only: a test outside tests/cuda that checks the cuda "
                            "device only (e.g. launch counts); kept in a cuda-only run")
    config.addinivalue_line("markers", "cpu_suffices: a device-parametrized test whose cuda case "
                                       "adds nothing (it fails before any kernel runs, runs a "
                                       "whole program or layers that tests/cuda runs on the "
                                       "device, takes statistics of many random draws, or "
                                       "checks by finite differences gradients that a "
                                       "comparison with torch checks on the device); passes "
                                       "without cpu leave it out")
    chosen = config.getoption("--devices")
    if chosen:
        names = [d.strip() for d in chosen.split(",") if d.strip()]
        unknown = [d for d in names if d not in AVAILABLE]
        if unknown:
            raise pytest.UsageError(f"--devices {chosen}: {unknown} not available here "
                                    f"(available: {AVAILABLE})")
        DEVICES[:] = names
    if "cpu" not in DEVICES and "HYPOTHESIS_PROFILE" not in os.environ and SIMULATOR:
        settings.load_profile("simulator")
    else:
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:
        metafunc.parametrize("device", DEVICES)


def pytest_collection_modifyitems(config, items):
    """Without cpu, keep what says something new on the chosen devices."""
    if "cpu" in DEVICES:
        return
    cuda_dir = os.path.join(os.path.dirname(__file__), "cuda") + os.sep
    keep, drop = [], []
    for item in items:
        own = str(item.path).startswith(cuda_dir)
        parametrized = "device" in getattr(item, "fixturenames", ())
        cuda_only = item.get_closest_marker("cuda_only") is not None
        new = own or cuda_only or (parametrized and item.get_closest_marker("cpu_suffices") is None)
        (keep if new else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


SIMULATOR = False
if "cuda" in AVAILABLE:
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
