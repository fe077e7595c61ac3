"""The launch configuration: validated, overridable for a block of code, and without effect on
results (every kernel walks its work with grid-stride loops)."""
import numpy as np
import pytest

from cuda_helpers import check, dev, strided_copy
from minigrad.backend import get_backend
from minigrad.backend.cuda import _launch

rng = np.random.default_rng(5)


@pytest.mark.parametrize("changes,message", [
    (dict(threads_per_block=0), "positive"), (dict(reduce_threads=6), "power of two"),
    (dict(gemm_block_m=6, gemm_thread_m=4), "multiples"),
    (dict(gemm_block_m=128, gemm_block_n=128, gemm_thread_m=2, gemm_thread_n=2), "1024"),
])
def test_bad_configurations_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        with _launch.override(**changes):
            pass


def test_override_restores_the_previous_configuration():
    before = _launch.get_config()
    with _launch.override(max_blocks=1) as inside:
        assert _launch.get_config() is inside and inside.max_blocks == 1
    assert _launch.get_config() is before


@pytest.mark.parametrize("sizes", [dict(threads_per_block=1, max_blocks=1, reduce_threads=1),
                                   dict(threads_per_block=3, max_blocks=3, reduce_threads=2,
                                        reduce_serial_len=1)])
def test_results_do_not_depend_on_the_grid(cu, cpu, sizes):
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((5,))
    with _launch.override(**sizes):
        check(cu.mul(strided_copy(a, "transposed"), dev(b)), cpu.mul(a, b))
        check(cu.sum(dev(a), (1,), False), cpu.sum(a, (1,), False))
        check(cu.argmax(dev(a), 0, True), cpu.argmax(a, 0, True))
        check(cu.getitem(dev(a), (np.array([2, 0]), slice(None, None, -2))),
              cpu.getitem(a, (np.array([2, 0]), slice(None, None, -2))))


def test_a_kernel_missing_on_cuda_names_itself(monkeypatch):
    monkeypatch.setattr(get_backend("cpu"), "frobnicate_forward", lambda a: a, raising=False)
    with pytest.raises(AttributeError, match="no 'frobnicate_forward' kernel yet"):
        get_backend("cuda").frobnicate_forward
    assert not hasattr(get_backend("cuda"), "no_such_kernel_anywhere")
