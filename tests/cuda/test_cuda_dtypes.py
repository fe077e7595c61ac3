"""The cuda backend's dtype kernels against the cpu's: bfloat16 conversion both ways (rounding
ties to even, infinities, NaN, signed zeros, 0-d arrays), narrowing integer casts that wrap, and
max pooling of integers; and float16 / bfloat16 tensors on the device against the cpu."""
import numpy as np
import pytest

import minigrad
from cuda_helpers import check, dev
from minigrad.geometry import PoolGeometry

EDGES = np.array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -0.0, 0.0, np.inf, -np.inf, np.nan, 3.4e38,
                  -1e-45, 1e-40, 65504.0, -2.5], np.float32)


def test_bfloat16_conversion_kernels_match_the_cpu(cu, cpu):
    bits = cpu.bfloat16_from_float32(EDGES)
    check(cu.bfloat16_from_float32(dev(EDGES)), bits)
    check(cu.float32_from_bfloat16(dev(bits)), cpu.float32_from_bfloat16(bits))
    check(cu.bfloat16_from_float32(dev(np.float32(1.5).reshape(()))),
          cpu.bfloat16_from_float32(np.float32(1.5).reshape(())))


@pytest.mark.parametrize("source, target", [(np.int64, np.int8), (np.int32, np.uint8),
                                            (np.int64, np.int16), (np.int16, np.int8)])
def test_narrowing_integer_casts_wrap(cu, source, target):
    values = np.array([[300, -129, 70000], [-1, 255, 128]], np.int64).astype(source)
    check(cu.astype(dev(values), target), values.astype(target))
    check(cu.astype(dev(values).T, target), values.T.astype(target))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32])
def test_integer_max_pool(cu, cpu, dtype):
    x = (np.arange(2 * 25).reshape(1, 2, 5, 5) * 7 % 100).astype(dtype)
    geometry = PoolGeometry((5, 5), (3, 3), (3, 3), (2, 2), (1, 1),
                            (1, 1))
    out, indices = cu.max_pool2d_forward(dev(x), geometry)
    expected, expected_indices = cpu.max_pool2d_forward(x, geometry)
    check(out, expected)
    check(indices, expected_indices)


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_reduced_tensors_on_the_device_match_the_cpu(name):
    dtype = getattr(minigrad, name)
    x = minigrad.tensor(EDGES[4:].reshape(2, 4)).to(dtype)
    d = x.cuda()
    assert d.dtype is dtype and d._data.dtype == x._data.dtype
    for op in (lambda t: t * 3 + 1, lambda t: t.exp(), lambda t: t.sum(1), lambda t: t @ t.T,
               lambda t: t > 0, lambda t: t.to(minigrad.float64), lambda t: t.max()):
        got, expected = op(d).cpu(), op(x)
        assert got.dtype is expected.dtype
        np.testing.assert_array_equal(got.float().numpy(), expected.float().numpy())
