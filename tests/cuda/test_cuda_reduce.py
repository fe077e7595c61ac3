"""Reduction kernels of the cuda backend against the naive references of
minigrad.testing.kernels: any set of axes, keepdims, strided input, both kernels (block per row
and thread per row), NaN and ties."""
import numpy as np
import pytest

from cuda_helpers import check, dev, strided_copy

rng = np.random.default_rng(1)

# (shape, axes): rows long and short (the two kernels), leading, trailing and split axes
CASES = [((3, 5), (1,)), ((3, 5), (0,)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (1,)),
         ((4, 7), (0, 1)), ((5,), (0,)), ((2, 3), ()), ((2, 0, 3), (1,))]


@pytest.mark.parametrize("shape,axes", CASES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "amax", "amin"])
def test_values(cu, ref, shape, axes, keepdims, name):
    if name != "sum" and 0 in shape:
        return  # numpy has no identity for max/min of nothing; the op layer refuses it
    a = rng.standard_normal(shape).astype(np.float32)
    check(getattr(cu, name)(dev(a), axes, keepdims), getattr(ref, name)(a, axes, keepdims))


@pytest.mark.parametrize("layout", ["transposed", "sliced"])
@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_strided_input(cu, ref, layout, dtype):
    a = (rng.standard_normal((3, 2, 5)) * 4).astype(dtype)
    for axes in [(0,), (2,), (0, 1), (1, 2)]:
        check(cu.sum(strided_copy(a, layout), axes, False), ref.sum(a, axes, False))
        check(cu.amax(strided_copy(a, layout), axes, True), ref.amax(a, axes, True))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_extremes_pick_the_first_among_ties(cu, ref, name, axis, keepdims):
    a = rng.integers(0, 3, (4, 6)).astype(np.float32)  # many ties
    check(getattr(cu, name)(dev(a), axis, keepdims), getattr(ref, name)(a, axis, keepdims))
    check(getattr(cu, name)(strided_copy(a, "transposed"), axis, keepdims),
          getattr(ref, name)(a, axis, keepdims))


def test_nan_wins_max_min_and_their_positions(cu, ref):
    a = np.array([[1.0, np.nan, 3.0, np.nan, 0.5], [2.0, 1.0, 9.0, -1.0, 4.0]], np.float64)
    for name in ["amax", "amin"]:
        check(getattr(cu, name)(dev(a), (1,), False), getattr(ref, name)(a, (1,), False))
    for name in ["argmax", "argmin"]:
        check(getattr(cu, name)(dev(a), 1, False), getattr(ref, name)(a, 1, False))


def test_bool_and_integer_input(cu, ref):
    b = rng.random((3, 4)) < 0.5
    check(cu.sum(dev(b), (1,), False), ref.sum(b, (1,), False).astype(np.int64))
    check(cu.amax(dev(b), (0,), False), ref.amax(b, (0,), False))
    check(cu.argmax(dev(b), 1, False), ref.argmax(b, 1, False))
    i = rng.integers(-5, 5, (3, 4))
    check(cu.sum(dev(i), (0, 1), True), ref.sum(i, (0, 1), True))


def test_many_rows_reduced_by_a_thread_each_with_adjacent_rows(cu, ref):
    a = rng.standard_normal((6, 10)).astype(np.float32)  # columns: rows adjacent in memory
    check(cu.sum(dev(a), (0,), False), ref.sum(a, (0,), False))
    check(cu.argmin(dev(a), 0, False), ref.argmin(a, 0, False))
