"""`minigrad.testing`: the strategies generate what their docstrings promise, shrink to simple
examples, and the package stays optional."""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import minigrad
from minigrad.testing import (assert_close, broadcastable_shape_pairs, broadcastable_shapes,
                              float_arrays, shapes, tensors)


@given(shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
def test_shapes_respect_their_bounds(shape):
    assert 1 <= len(shape) <= 3 and all(2 <= n <= 4 for n in shape)


@given(st.data())
def test_broadcastable_shapes_broadcast_with_the_shape(data):
    shape = data.draw(shapes())
    other = data.draw(broadcastable_shapes(shape))
    np.broadcast_shapes(shape, other)  # raises if they do not broadcast
    assert len(other) <= len(shape) + 1


@given(broadcastable_shape_pairs(num_shapes=3))
def test_shape_pairs_broadcast_together(shapes_):
    assert len(shapes_) == 3
    np.broadcast_shapes(*shapes_)


def test_shape_pairs_cover_stretching_and_missing_dims():
    """`find` raises NoSuchExample if no generated pair has the property; the examples it
    returns are shrunk, so they are small."""
    def stretched(pair):
        a, b = pair
        return any(x == 1 and y > 1 for x, y in zip(a[::-1], b[::-1]))
    a, b = find(broadcastable_shape_pairs(), stretched)
    assert len(a) + len(b) <= 3 and max(b) == 2
    a, b = find(broadcastable_shape_pairs(), lambda p: len(p[0]) < len(p[1]))
    assert (a, b) == ((), (1,))


@given(float_arrays(shapes(max_dims=2), away_from=(0.0, 1.0), margin=0.25))
def test_float_arrays_stay_away_from_kinks(a):
    assert a.dtype == np.float64 and np.isfinite(a).all()
    assert (np.abs(a) >= 0.25).all() and (np.abs(a - 1.0) >= 0.25).all()
    assert ((-2 <= a) & (a <= 2)).all()


@given(float_arrays((3, 4), dtype=minigrad.float32, distinct=True, margin=0.05))
def test_distinct_float_arrays_have_no_near_ties(a):
    assert a.dtype == np.float32 and a.shape == (3, 4)
    gaps = np.diff(np.sort(a.reshape(-1).astype(np.float64)))
    assert (gaps >= 0.05 * (1 - 1e-6)).all()


def test_distinct_arrays_that_cannot_fit_are_an_error():
    with pytest.raises(InvalidArgument, match="at most"):
        find(float_arrays((50,), distinct=True, margin=0.5), lambda a: True)


@given(tensors(shapes(max_dims=3), contiguous=False))
def test_non_contiguous_tensors(t):
    assert t.is_leaf and t.requires_grad and t.dtype is minigrad.float64
    if any(n > 1 for n in t.shape):
        assert not t._backend.is_contiguous(t._data)
    assert not np.isnan(t.numpy()).any()


@given(tensors((2, 3), dtype=minigrad.float32, contiguous=True, requires_grad=False))
def test_contiguous_tensors(t):
    assert t._backend.is_contiguous(t._data)
    assert t.dtype is minigrad.float32 and not t.requires_grad


def test_failing_examples_shrink_to_simple_tensors():
    """A property that fails for any value above 1 shrinks to a single contiguous element."""
    example = find(tensors(contiguous=None), lambda t: (t.numpy() > 1).any())
    assert example.numel() == 1 and example._backend.is_contiguous(example._data)


def test_assert_close():
    assert_close(minigrad.tensor([1.0, 2.0]), np.array([1.0, 2.0 + 1e-6]))
    with pytest.raises(AssertionError, match="shape"):
        assert_close(minigrad.ones(2), np.ones(3))
    with pytest.raises(AssertionError):
        assert_close(minigrad.tensor([1.0, 2.0]), [1.0, 2.1])
    with pytest.raises(AssertionError, match="dtype"):
        assert_close(minigrad.tensor([1]), np.array([1.0]), check_dtype=True)


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_import_minigrad_does_not_import_testing():
    result = _run("import sys, minigrad; assert 'minigrad.testing' not in sys.modules; "
                  "assert 'hypothesis' not in sys.modules")
    assert result.returncode == 0, result.stderr


def test_missing_hypothesis_gives_a_clear_error():
    result = _run("import sys; sys.modules['hypothesis'] = None; import minigrad.testing")
    assert result.returncode != 0
    assert "pip install minigrad[test]" in result.stderr
