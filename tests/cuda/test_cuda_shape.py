"""Shape and indexing kernels of the cuda backend against the naive references of
minigrad.testing.kernels: views and when they share memory, basic and advanced indexing,
index_add, setitem, concatenate, pad."""
import numpy as np
import pytest

import minigrad
from cuda_helpers import check, dev, host, strided_copy

rng = np.random.default_rng(2)
A = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def _shares_memory(cu, a, b):
    """Whether writing through `b` changes `a`."""
    before = host(a).copy()
    cu.copy_into(b, cu.add(b, 100.0))
    return not np.array_equal(host(a), before)


def test_reshape_is_a_view_when_the_layout_allows(cu, ref):
    a = dev(A)
    check(cu.reshape(a, (6, -1)), ref.reshape(A, (6, -1)))
    assert _shares_memory(cu, a, cu.reshape(a, (4, 6)))
    transposed = np.transpose(A, (2, 1, 0))
    out = cu.reshape(cu.permute(dev(A), (2, 1, 0)), (4, 1, 3, 1, 2))  # only adds dims of 1
    check(out, ref.reshape(transposed, (4, 1, 3, 1, 2)))
    t = cu.permute(dev(A), (2, 1, 0))
    assert _shares_memory(cu, t, cu.reshape(t, (4, 3, 2, 1)))
    t = cu.permute(dev(A), (2, 1, 0))
    flat = cu.reshape(t, (24,))  # needs a copy
    check(flat, transposed.reshape(24))
    assert not _shares_memory(cu, t, flat)
    expanded = cu.broadcast_to(dev(A[0, 0]), (3, 4))
    check(cu.reshape(expanded, (3, 1, 4)), np.broadcast_to(A[0, 0], (3, 1, 4)))


def test_permute_and_broadcast_to_are_strided_views(cu, ref):
    a = dev(A)
    p = cu.permute(a, (1, 2, 0))
    check(p, ref.permute(A, (1, 2, 0)))
    assert not cu.is_contiguous(p) and cu.is_contiguous(a)
    row = dev(A[0, 0])
    b = cu.broadcast_to(row, (3, 2, 4))
    check(b, np.broadcast_to(A[0, 0], (3, 2, 4)))
    assert not cu.is_contiguous(b)
    with pytest.raises(ValueError, match="broadcast"):
        cu.copy_into(b, dev(np.zeros((3, 2, 4), np.float32)))


BASIC = [(1,), (slice(None), 2), (Ellipsis, slice(1, None, 2)), (None, 1, slice(None, None, -1)),
         (slice(None, None, -1), Ellipsis, slice(3, 0, -2)), (-1, -2, -3), (slice(5, 9),),
         (slice(None), None, slice(1, 3), None)]


def _numpy_says_contiguous(a):
    """numpy's verdict on an array of a's shape and strides."""
    template = np.lib.stride_tricks.as_strided(np.empty(1, a.dtype), a.shape, a.strides)
    return template.flags.c_contiguous


@pytest.mark.parametrize("index", BASIC)
def test_basic_indexing(cu, ref, index):
    for layout in ["contiguous", "transposed"]:
        out = cu.getitem(strided_copy(A, layout), index)
        check(out, ref.getitem(A, index))
        assert bool(cu.is_contiguous(out)) == _numpy_says_contiguous(out)


def test_basic_index_views_share_memory_and_report_contiguity(cu):
    a = dev(A)
    row = cu.getitem(a, (1, slice(None)))
    assert cu.is_contiguous(row) and _shares_memory(cu, a, row)
    col = cu.getitem(a, (slice(None), slice(None), 2))
    assert not cu.is_contiguous(col) and _shares_memory(cu, a, col)
    flipped = cu.getitem(a, (slice(None, None, -1),))  # a copy: views keep positive strides
    assert cu.is_contiguous(flipped) and not _shares_memory(cu, a, flipped)


ADVANCED = [(np.array([1, 0, 1]),), (slice(None), np.array([[0, -1], [1, 1]])),
            (np.array([1, 0]), slice(None), np.array([3, -4])),
            (slice(None), np.array([0, 2]), np.array([[1], [3]])),
            (np.array([1]), slice(None, None, -1), 0), (Ellipsis, np.array(2)),
            (np.array([True, False]),), (slice(None), np.array([True, False, True]), 1),
            (A[..., 0] > 5,), (None, np.array([0, 1]), 0, slice(1, 3))]


@pytest.mark.parametrize("index", ADVANCED)
def test_advanced_indexing_with_host_arrays(cu, ref, index):
    check(cu.getitem(strided_copy(A, "sliced"), index), ref.getitem(A, index))


@pytest.mark.parametrize("index", ADVANCED)
def test_advanced_indexing_with_device_arrays(cu, ref, index):
    on_device = tuple(dev(i) if isinstance(i, np.ndarray) else i for i in index)
    check(cu.getitem(dev(A), on_device), ref.getitem(A, index))


def test_indexing_copies_only_host_index_arrays_and_masks(cu):
    a = dev(A)
    index, mask = dev(np.array([1, 0, 1])), dev(A[..., 0] > 5)
    minigrad.cuda.reset_transfer_count()
    cu.getitem(a, (slice(None), index))
    cu.index_add(A.shape, (slice(None), index), dev(np.ones((2, 3, 4), np.float32)))
    assert minigrad.cuda.transfer_count() == 1  # the values: device indices never move
    minigrad.cuda.reset_transfer_count()
    cu.getitem(a, (np.array([1, 0]), 2))  # both host indices go over in one copy
    assert minigrad.cuda.transfer_count() == 1
    minigrad.cuda.reset_transfer_count()
    cu.getitem(a, (mask,))  # the mask comes to the host, its positions go back
    assert minigrad.cuda.transfer_count() == 2


def test_out_of_range_indices(cu):
    with pytest.raises(IndexError, match="out of bounds"):
        cu.getitem(dev(A), (5,))
    with pytest.raises(IndexError, match="out of bounds"):
        cu.getitem(dev(A), (np.array([0, 2]),))
    with pytest.raises(IndexError, match="too many indices"):
        cu.getitem(dev(A), (0, 0, 0, 0))
    with pytest.raises(IndexError, match="boolean index did not match"):
        cu.getitem(dev(A), (np.array([True, False, True]),))
    out = cu.getitem(dev(A), (dev(np.array([0, 7])),))  # found on the device, reported later
    with pytest.raises(IndexError, match="out of range"):
        host(out)
    host(out)  # reported once


@pytest.mark.parametrize("index", [(slice(None), 1), (np.array([1, 1, 0]),),
                                   (slice(None), np.array([0, 0, 2]), slice(None, None, -2)),
                                   (0, slice(None, None, -1))])
def test_index_add_accumulates_repeats(cu, ref, index):
    values = rng.standard_normal(np.asarray(A[index]).shape).astype(np.float64)
    check(cu.index_add(A.shape, index, dev(values)), ref.index_add(A.shape, index, values))
    on_device = tuple(dev(i) if isinstance(i, np.ndarray) else i for i in index)
    check(cu.index_add(A.shape, on_device, dev(values)), ref.index_add(A.shape, index, values))


@pytest.mark.parametrize("index,value", [((1,), 7.0), ((slice(None), slice(None, None, -2)), None),
                                         ((np.array([0, 1]), 1), None),
                                         ((A[..., 0] > 10,), -1.0), ((Ellipsis, 0), None)])
def test_setitem(cu, ref, index, value):
    expected = A.copy()
    shape = np.asarray(A[index]).shape
    if value is None:
        value = rng.standard_normal(shape[-1:]).astype(np.float32)  # broadcast along rows
        ref.setitem(expected, index, value)
        target = dev(A)
        cu.setitem(target, index, dev(value))
    else:
        ref.setitem(expected, index, value)
        target = dev(A)
        cu.setitem(target, index, value)
    check(target, expected)


def test_setitem_reads_an_overlapping_value_before_writing(cu):
    a = dev(np.arange(6.0))
    cu.setitem(a, (slice(1, None),), cu.getitem(a, (slice(None, -1),)))
    check(a, np.array([0.0, 0.0, 1.0, 2.0, 3.0, 4.0]))


def test_concatenate_and_pad(cu, ref):
    parts = [A[:, :1], A[:, 1:], A[:, :0]]
    check(cu.concatenate([strided_copy(p, "sliced") if p.size else dev(p) for p in parts], 1),
          ref.concatenate(parts, 1))
    width = ((1, 0), (0, 2), (1, 1))
    check(cu.pad(strided_copy(A, "transposed"), width, -1.0), ref.pad(A, width, -1.0))
