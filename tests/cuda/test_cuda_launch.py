"""The launch configuration: validated, overridable for a block of code, and without effect on
results (every kernel walks its work with grid-stride loops)."""
import numpy as np
import pytest

from cuda_helpers import check, dev, strided_copy
from minigrad.backend.cuda import _launch

rng = np.random.default_rng(5)


@pytest.mark.parametrize("changes,message", [
    (dict(threads_per_block=0), "positive"), (dict(reduce_threads=6), "power of two"),
    (dict(gemm_block_m=6, gemm_thread_m=4), "multiples"),
    (dict(gemm_block_m=128, gemm_block_n=128, gemm_thread_m=2, gemm_thread_n=2), "1024"),
    (dict(gemm_block_m=512, gemm_block_n=512, gemm_block_k=8, gemm_thread_m=16,
          gemm_thread_n=16),
     "shared memory"),
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
def test_results_do_not_depend_on_the_grid(cu, ref, sizes):
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((5,))
    with _launch.override(**sizes):
        check(cu.mul(strided_copy(a, "transposed"), dev(b)), ref.mul(a, b))
        check(cu.sum(dev(a), (1,), False), ref.sum(a, (1,), False))
        check(cu.argmax(dev(a), 0, True), ref.argmax(a, 0, True))
        check(cu.getitem(dev(a), (np.array([2, 0]), slice(None, None, -2))),
              ref.getitem(a, (np.array([2, 0]), slice(None, None, -2))))

