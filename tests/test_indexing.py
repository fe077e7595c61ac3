"""Indexing: `x[index]` with ints, slices (steps, negative steps), None, Ellipsis, integer
arrays/tensors and boolean masks, and `x[index] = value` both under no_grad and recorded."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.testing import (
    assert_close,
    broadcastable_shapes,
    index_by_pytorch_rule,
    shapes,
    tensors,
)

SMALL = dict(max_dims=3, max_side=4)


def _as_tensors(index, device):
    """The index with its numpy arrays turned into minigrad tensors."""
    items = index if isinstance(index, tuple) else (index,)
    return tuple(minigrad.tensor(i, device=device) if isinstance(i, np.ndarray) else i
                 for i in items)


@st.composite
def integer_arrays(draw, n, max_len=5):
    """Integer index arrays (1-D or 2-D) into a dim of size `n`: negative entries and repeats."""
    shape = draw(st.sampled_from([(draw(st.integers(1, max_len)),), (2, 2)]))
    return draw(hnp.arrays(np.int64, shape, elements=st.integers(-n, n - 1)))


@st.composite
def advanced_indices(draw, shape):
    """Indices mixing integer arrays with slices, ints and Ellipsis, as numpy understands them:
    arrays on one or more dims (broadcast together), the other dims sliced or left out."""
    ndim = len(shape)
    array_dims = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    arrays_shape = draw(st.sampled_from([(draw(st.integers(1, 4)),), (2, 2), (1,)]))
    index = []
    for d, n in enumerate(shape):
        if d in array_dims:
            index.append(draw(hnp.arrays(np.int64, arrays_shape, elements=st.integers(-n, n - 1))))
        else:
            index.append(draw(st.sampled_from([slice(None), slice(None, None, -1),
                                               slice(1, None), 0])))
    while index and draw(st.booleans()) and isinstance(index[-1], slice):
        index.pop()  # trailing dims left out
    if len(index) == ndim and not isinstance(index[0], np.ndarray) and draw(st.booleans()):
        index[0] = Ellipsis  # stands for dim 0 alone, as every other dim is indexed
    return tuple(index)


def _check_getitem(x, index, second_order=False):
    expected = index_by_pytorch_rule(x.numpy(), index)
    out = x[index]
    assert out.shape == expected.shape
    assert_close(out, expected)
    assert minigrad.gradcheck(lambda t: t[index], (x,))
    if second_order:
        assert minigrad.gradgradcheck(lambda t: t[index] ** 2, (x,))


@given(data=st.data())
def test_basic_indexing(device, data):
    """Ints, slices with any step (negative too), None and Ellipsis."""
    x = data.draw(tensors(shapes(**SMALL), device=device))
    index = data.draw(hnp.basic_indices(tuple(x.shape), allow_newaxis=True))
    _check_getitem(x, index)


@given(data=st.data())
def test_basic_indexing_gradgradcheck(device, data):
    x = data.draw(tensors(shapes(max_dims=2, max_side=3), device=device))
    index = data.draw(hnp.basic_indices(tuple(x.shape), allow_newaxis=True))
    _check_getitem(x, index, second_order=True)


@given(data=st.data())
def test_integer_array_indexing_scatter_adds_repeats(device, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device))
    rows = data.draw(integer_arrays(x.shape[0]))
    _check_getitem(x, rows)
    # the same index as a list and as a minigrad tensor (a nested list is read as a tuple of
    # indices, as PyTorch does: see test_edges_indexing.py)
    if rows.ndim == 1:
        assert_close(x[rows.tolist()], x.numpy()[rows])
    assert_close(x[minigrad.tensor(rows, device=device)], x.numpy()[rows])


@given(data=st.data())
def test_mixed_advanced_indexing(device, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device))
    index = data.draw(advanced_indices(tuple(x.shape)))
    _check_getitem(x, index)
    out = x[_as_tensors(index, device)]
    assert_close(out, index_by_pytorch_rule(x.numpy(), index))


@given(data=st.data())
def test_advanced_indexing_gradgradcheck(device, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=2, max_side=3), device=device))
    _check_getitem(x, data.draw(advanced_indices(tuple(x.shape))), second_order=True)


@given(data=st.data())
def test_boolean_mask_indexing(device, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device))
    lead = data.draw(st.integers(1, x.ndim))
    mask = data.draw(hnp.arrays(np.bool_, tuple(x.shape)[:lead]))
    _check_getitem(x, mask)
    assert_close(x[minigrad.tensor(mask, device=device)], x.numpy()[mask])
    assert_close(x[x > 0], x.numpy()[x.numpy() > 0])


def test_repeated_indices_accumulate_gradients(device):
    x = minigrad.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    idx = minigrad.tensor([2, 0, 2, 2], device=device)
    (x[idx] * minigrad.tensor([1.0, 10.0, 100.0, 1000.0], device=device)).sum().backward()
    assert_close(x.grad, np.array([10.0, 0.0, 1101.0], dtype=np.float32))


@pytest.mark.parametrize("index, error", [
    (minigrad.tensor([0.0]), IndexError),
    (np.array([0.5]), IndexError),
    (5, IndexError),
    ("a", IndexError),
    ((0, 0, 0), IndexError),
])
def test_bad_indices(index, error):
    with pytest.raises(error):
        minigrad.ones(2, 3)[index]


# ---- assignment --------------------------------------------------------------------------------

@st.composite
def assignments(draw, device="cpu", **tensor_kwargs):
    """(x, index, value) with an index whose elements are all distinct (no repeats, so the
    result does not depend on write order) and a value tensor broadcastable to x[index]."""
    x = draw(tensors(shapes(min_dims=1, **SMALL), device=device, **tensor_kwargs))
    kind = draw(st.sampled_from(["basic", "array", "mask"]))
    if kind == "basic":
        index = draw(hnp.basic_indices(tuple(x.shape), allow_newaxis=True))
    elif kind == "array":
        n = x.shape[0]
        index = np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n,
                                       unique=True)))
    else:
        index = draw(hnp.arrays(np.bool_, tuple(x.shape)))
    target = np.empty(tuple(x.shape))[index].shape
    value_shape = draw(broadcastable_shapes(target, max_extra_dims=0))
    value_shape = tuple(1 if t == 1 else v for v, t in
                        zip(value_shape, target[len(target) - len(value_shape):]))
    value = draw(tensors(value_shape, device=device, **tensor_kwargs))
    return x, index, value


@given(data=st.data())
def test_setitem_without_grad(device, data):
    x, index, value = data.draw(assignments(device, requires_grad=False))
    expected = x.numpy()
    expected[index] = value.numpy()
    version = x._version_value
    x[index] = value
    assert_close(x, expected)
    assert x._version_value > version
    scalar = data.draw(st.floats(-2, 2))
    expected[index] = scalar
    with minigrad.no_grad():
        x[index] = scalar
    assert_close(x, expected)


@given(data=st.data())
def test_setitem_is_differentiable(device, data):
    x, index, value = data.draw(assignments(device))

    def assign(base, v):
        out = base * 1.0  # a non-leaf copy: in-place writes to a leaf that needs grad fail
        out[index] = v * 2.0
        return out
    expected = x.numpy()
    expected[index] = value.numpy() * 2.0
    assert_close(assign(x, value), expected)
    assert minigrad.gradcheck(assign, (x, value))
    assert minigrad.gradgradcheck(lambda b, v: assign(b, v) ** 2, (x, value))

    def assign_number(base):
        out = base * 1.0
        out[index] = 0.5
        return out
    assert minigrad.gradcheck(assign_number, (x,))


def test_setitem_casts_the_value_to_the_targets_dtype():
    x = minigrad.zeros(3)
    x[1:] = minigrad.tensor([1.5, 2.5], dtype=minigrad.float64)
    assert x.dtype is minigrad.float32
    assert_close(x, np.array([0.0, 1.5, 2.5], dtype=np.float32))
    n = minigrad.zeros(2, dtype=minigrad.int64)
    n[0] = 3.7
    assert n.tolist() == [3, 0]


def test_setitem_on_a_leaf_that_requires_grad_is_an_error():
    x = minigrad.ones(3, requires_grad=True)
    with pytest.raises(minigrad.autograd.AutogradError, match="leaf"):
        x[0] = 2.0
    with minigrad.no_grad():
        x[0] = 2.0
    assert x.tolist() == [2.0, 1.0, 1.0]


def test_setitem_value_shape_must_fit():
    x = minigrad.zeros(2, 3)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        x[0] = minigrad.ones(2)
    with pytest.raises(ValueError, match="broadcast"):
        x[:, 0] = minigrad.ones(1, 2, 1)
