"""Without a usable GPU, the cuda device fails clearly and `minigrad.cuda` answers harmlessly.

Skipped where cuda is available (a GPU, or numba's CUDA simulator): tests/cuda covers that.
"""
import pytest

import minigrad
from minigrad.backend import get_backend, is_available

pytestmark = pytest.mark.skipif(minigrad.cuda.is_available(),
                                reason="a cuda device is available here")


def test_get_backend_says_no_gpu_was_found_and_how_to_install():
    with pytest.raises(RuntimeError) as info:
        get_backend("cuda")
    message = str(info.value)
    assert "no CUDA GPU was found" in message
    assert "pip install 'minigrad[cuda]'" in message
    assert not is_available("cuda")


def test_tensors_cannot_be_placed_on_cuda():
    with pytest.raises(RuntimeError, match="no CUDA GPU was found"):
        minigrad.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="no CUDA GPU was found"):
        minigrad.ones(2).to("cuda")


def test_cuda_module_answers_without_a_gpu():
    assert minigrad.cuda.device_count() == 0
    assert minigrad.cuda.transfer_count() == 0
    minigrad.cuda.reset_transfer_count()
    minigrad.cuda.synchronize()
    minigrad.cuda.manual_seed(3)
    minigrad.manual_seed(3)  # reseeding every generator works with the cuda one absent
    with pytest.raises(TypeError, match="int"):
        minigrad.cuda.manual_seed("3")
