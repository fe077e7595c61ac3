"""The cuda backend's own tests (launch configuration, layouts, transfers, kernel strategies
against naive references). They run where the cuda device is usable: on a GPU, or under numba's
CUDA simulator, in a pytest process of their own, with the device-parametrized suite:

    NUMBA_ENABLE_CUDASIM=1 python -m pytest --devices cuda

Elsewhere (the main test run on a machine without a GPU) this directory is skipped. Under the
simulator, tests/conftest.py shrinks launches for every test, these and the device-parametrized
ones alike.
"""

import pytest

import minigrad

AVAILABLE = minigrad.cuda.is_available()
collect_ignore_glob = [] if AVAILABLE else ["test_*.py"]

if AVAILABLE:
    from minigrad.backend import get_backend

    @pytest.fixture
    def cu():
        """The cuda backend module."""
        return get_backend("cuda")

    @pytest.fixture
    def cpu():
        return get_backend("cpu")

    @pytest.fixture
    def ref():
        """Naive references of the kernels (minigrad.testing.kernels), which the cuda kernels
        are checked against (as the cpu backend's are, by the device-parametrized tests)."""
        from minigrad.testing import kernels
        return kernels

