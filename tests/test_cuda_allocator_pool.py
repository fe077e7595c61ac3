"""The caching allocator's policy (BlockPool) over a fake driver: runs on any machine."""
import numpy as np
import pytest

from minigrad.backend.cuda.allocator import (BlockPool, OutOfMemoryError, RawOutOfMemory,
                                             rounded_size)


class FakeDriver:
    """Raw allocations as numbered handles, with a capacity in bytes."""

    def __init__(self, capacity=1 << 30):
        self.capacity, self.used, self.live, self.next = capacity, 0, {}, 0

    def alloc(self, size):
        if self.used + size > self.capacity:
            raise RawOutOfMemory()
        self.next += 1
        self.live[self.next] = size
        self.used += size
        return self.next

    def free(self, handles):
        for h in handles:
            self.used -= self.live.pop(h)
        handles.clear()


@pytest.mark.parametrize("request_bytes, expected", [
    (0, 512), (1, 512), (512, 512), (513, 1024), (1 << 20, 1 << 20),
    ((1 << 20) + 1, (1 << 20) + (1 << 17)), (3_000_000, 3_145_728), ((1 << 24) + 5, 18_874_368)])
def test_rounding_is_512_bytes_small_and_an_eighth_of_a_power_of_two_large(request_bytes,
                                                                            expected):
    got = rounded_size(request_bytes)
    assert got == expected and got >= request_bytes
    if request_bytes > 1 << 20:
        assert got - request_bytes <= got // 8


def test_a_released_block_is_reused_without_a_driver_call():
    driver = FakeDriver()
    pool = BlockPool(driver.alloc, driver.free)
    a = pool.allocate(1000)
    assert (pool.allocated, pool.reserved, pool.raw_allocations) == (1024, 1024, 1)
    pool.release(a)
    assert (pool.allocated, pool.reserved) == (0, 1024)
    b = pool.allocate(900)  # the same rounded size
    assert b is a and pool.raw_allocations == 1 and len(driver.live) == 1
    c = pool.allocate(5000)  # another size: a new block
    assert c is not a and pool.raw_allocations == 2
    assert pool.peak_allocated == 1024 + 5120 == pool.allocated


def test_empty_cache_returns_only_unused_blocks_and_peaks_reset():
    driver = FakeDriver()
    pool = BlockPool(driver.alloc, driver.free)
    keep, drop = pool.allocate(2048), pool.allocate(4096)
    pool.release(drop)
    pool.empty_cache()
    assert list(driver.live.values()) == [2048] and drop.handle is None
    assert (pool.allocated, pool.reserved, pool.cached_blocks()) == (2048, 2048, 0)
    assert pool.peak_allocated == pool.peak_reserved == 6144
    pool.reset_peak()
    assert pool.peak_allocated == pool.peak_reserved == 2048
    pool.release(keep)
    assert pool.allocated == 0 and pool.reserved == 2048


def test_out_of_memory_empties_the_cache_and_retries_once():
    driver = FakeDriver(capacity=8192)
    pool = BlockPool(driver.alloc, driver.free)
    cached = pool.allocate(4096)
    pool.release(cached)
    big = pool.allocate(6000)  # 6144 does not fit beside the cached 4096 block: retried
    assert pool.retries == 1 and pool.cached_blocks() == 0 and big.size == 6144
    assert driver.used == 6144 == pool.reserved
    with pytest.raises(OutOfMemoryError, match="tried to allocate 4,000 bytes") as err:
        pool.allocate(4000)
    assert isinstance(err.value, RuntimeError)
    assert pool.allocated == 6144 and pool.reserved == 6144  # unchanged by the failure


def test_many_sizes_keep_the_counters_consistent():
    driver = FakeDriver()
    pool = BlockPool(driver.alloc, driver.free)
    rng = np.random.default_rng(0)
    live = []
    for _ in range(300):
        if live and rng.random() < 0.5:
            pool.release(live.pop(rng.integers(len(live))))
        else:
            live.append(pool.allocate(int(rng.integers(1, 3 << 20))))
        assert pool.allocated == sum(b.size for b in live)
        assert pool.reserved == driver.used >= pool.allocated
    pool.empty_cache()
    assert pool.reserved == pool.allocated == driver.used


class _AlmostOne:
    """A generator whose uniform samples all round to 1.0 in float32."""

    def random(self, shape):
        return np.full(shape, 1 - 2.0 ** -40)


def test_cpu_uniform_in_a_narrower_dtype_stays_below_one():
    from minigrad.backend.cpu import random
    for dtype in (np.float32, np.float16):
        x = random.uniform((5,), dtype, _AlmostOne())
        assert x.dtype == dtype and np.all(x < 1) and np.all(x > 0.99)
    assert np.all(random.uniform((5,), np.float64, _AlmostOne()) == 1 - 2.0 ** -40)


def test_the_backend_silences_numba_low_occupancy_warnings():
    from minigrad.backend.cuda import _setup
    _setup._silence_low_occupancy_warnings()
    from numba.core import config
    assert config.CUDA_LOW_OCCUPANCY_WARNINGS == 0
