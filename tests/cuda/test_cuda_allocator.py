"""The caching allocator under the device: tensors draw their memory from the pool, freed
memory is reused, views keep their memory, and minigrad.cuda's statistics follow."""
import gc

import numpy as np
import pytest

import minigrad

pytestmark = pytest.mark.skipif(not minigrad.cuda.is_available(),
                                reason="needs the cuda device (a GPU or the simulator)")


def settle():
    gc.collect()


def test_statistics_follow_tensors_and_freed_memory_is_reused():
    settle()
    minigrad.cuda.empty_cache()
    base = minigrad.cuda.memory_allocated()
    x = minigrad.zeros(1000, device="cuda")  # 4000 bytes: a 4096-byte block
    assert minigrad.cuda.memory_allocated() == base + 4096
    assert minigrad.cuda.memory_reserved() >= minigrad.cuda.memory_allocated()
    raw = minigrad.cuda.memory_stats()["num_device_alloc"]
    del x
    settle()
    assert minigrad.cuda.memory_allocated() == base
    y = minigrad.ones(1000, device="cuda")
    assert minigrad.cuda.memory_stats()["num_device_alloc"] == raw  # the cached block
    assert y.sum().item() == 1000
    minigrad.cuda.reset_peak_memory_stats()
    assert minigrad.cuda.max_memory_allocated() == minigrad.cuda.memory_allocated()


def test_a_view_keeps_its_memory_after_the_base_is_gone():
    settle()
    x = minigrad.arange(64, dtype=minigrad.float32, device="cuda")
    v = x[8:16]
    held = minigrad.cuda.memory_allocated()
    del x
    settle()
    filler = [minigrad.full((64,), -1.0, device="cuda") for _ in range(4)]
    assert minigrad.cuda.memory_allocated() > held
    np.testing.assert_array_equal(v.numpy(), np.arange(8, 16, dtype=np.float32))
    del filler


def test_empty_cache_gives_back_unused_memory_only():
    settle()
    keep = minigrad.zeros(3000, device="cuda")
    drop = minigrad.zeros(5000, device="cuda")
    del drop
    settle()
    minigrad.cuda.empty_cache()
    assert minigrad.cuda.memory_reserved() == minigrad.cuda.memory_allocated()
    assert keep.sum().item() == 0


def test_uniform_draws_stay_below_one():
    minigrad.manual_seed(0)
    for dtype in (minigrad.float32, minigrad.float64):
        x = minigrad.rand(4000, dtype=dtype, device="cuda").numpy()
        assert x.min() >= 0 and x.max() < 1
