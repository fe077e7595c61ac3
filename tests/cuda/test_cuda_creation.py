"""Creation, copies, casts, transfers and random numbers of the cuda backend."""
import numpy as np
import pytest

import minigrad
from cuda_helpers import check, dev, host, strided_copy

A = np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_round_trip_and_transfer_count(cu, dtype):
    minigrad.cuda.reset_transfer_count()
    for shape in [(), (0, 3), (2, 3)]:
        values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
        a = cu.from_numpy(values, np.dtype(dtype))
        back = cu.to_numpy(a)
        np.testing.assert_array_equal(back, values.astype(dtype))
        assert back.dtype == dtype and back.shape == shape and back.flags.c_contiguous
    assert minigrad.cuda.transfer_count() == 4  # the empty array moves nothing


def test_to_numpy_of_a_view_is_contiguous(cu):
    back = cu.to_numpy(strided_copy(A, "transposed"))
    assert back.flags.c_contiguous
    np.testing.assert_array_equal(back, A)


def test_full_and_arange(cu, ref):
    check(cu.full((2, 3), np.float32, 2.5), ref.full((2, 3), np.float32, 2.5))
    check(cu.full((), np.bool_, True), ref.full((), np.bool_, True))
    for args in [(0, 5, 1, np.int64), (5, -3, -2, np.int64), (0.5, 2.0, 0.25, np.float64),
                 (0, 1, 0.3, np.float32), (3, 1, 1, np.int64)]:
        check(cu.arange(*args), ref.arange(*args))


@pytest.mark.parametrize("to", [np.float64, np.float32, np.int64, np.bool_])
def test_astype_copy_and_copy_into(cu, ref, to):
    check(cu.astype(strided_copy(A, "sliced"), to), ref.astype(A, to))
    copied = cu.copy(strided_copy(A, "transposed"))
    assert cu.is_contiguous(copied)
    check(copied, A)
    target = dev(np.zeros((2, 3, 4), to))
    cu.copy_into(target, strided_copy(A, "transposed"))  # broadcast over the first dim
    expected = np.zeros((2, 3, 4), to)
    ref.copy_into(expected, A)
    check(target, expected)
    cu.copy_into(target, 1)
    check(target, np.ones((2, 3, 4), to))


def test_copy_into_a_view_writes_through(cu):
    a = dev(A)
    cu.copy_into(cu.getitem(a, (slice(None), 1)), dev(np.array([7.0, 8.0, 9.0], np.float32)))
    expected = A.copy()
    expected[:, 1] = [7, 8, 9]
    check(a, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_numbers_follow_the_seed(cu, dtype):
    minigrad.manual_seed(5)
    u1, n1 = host(cu.uniform((3, 5), dtype, None)), host(cu.normal((40,), dtype, None))
    minigrad.manual_seed(5)
    u2, n2 = host(cu.uniform((3, 5), dtype, None)), host(cu.normal((40,), dtype, None))
    np.testing.assert_array_equal(u1, u2)
    np.testing.assert_array_equal(n1, n2)
    assert u1.dtype == dtype and u1.shape == (3, 5)
    assert ((u1 >= 0) & (u1 < 1)).all() and len(np.unique(u1)) == u1.size
    assert -1.5 < n1.mean() < 1.5 and 0.3 < n1.std() < 2.0
    later = host(cu.uniform((3, 5), dtype, None))
    assert not np.array_equal(later, u1)  # the states advanced
    minigrad.cuda.manual_seed(6)
    assert not np.array_equal(host(cu.uniform((3, 5), dtype, None)), u1)


def test_random_floats_agree_across_dtypes(cu):
    minigrad.manual_seed(1)
    double = host(cu.uniform((7,), np.float64, None))
    minigrad.manual_seed(1)
    single = host(cu.uniform((7,), np.float32, None))
    np.testing.assert_array_equal(single, double.astype(np.float32))


def test_random_draws_make_no_transfers(cu):
    minigrad.manual_seed(3)
    minigrad.cuda.reset_transfer_count()
    cu.normal((4, 4), np.float32, None)
    cu.uniform((2,), np.float64, None)
    assert minigrad.cuda.transfer_count() == 0
