"""Indexing compared with PyTorch: the order of dims when ints meet index arrays, bools, 0-d
index tensors, tuples and lists inside an index, out-of-range indices; for reading, writing
(`x[index] = value`) and `index_put_` with accumulate, values and gradients. A hypothesis
strategy draws index expressions of every kind; each runs on minigrad and torch."""
import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")


# ---- index expressions, built for either library -----------------------------------------------

def _build(spec, lib, device):
    """The index item `spec` describes, with tensors of `lib` (minigrad or torch)."""
    kind, value = spec
    if kind in ("tensor", "mask", "int0d", "bool0d"):
        return lib.tensor(value, device=device) if lib is minigrad else lib.tensor(value)
    if kind == "tuple":
        return tuple(value)
    return value


def build_index(specs, lib, device="cpu"):
    items = tuple(_build(s, lib, device) for s in specs)
    return items[0] if len(items) == 1 and specs[0][0] != "tuple" else items


@st.composite
def _index_array(draw, n, length, unique):
    """A 1-D integer index array of `length` into a dim of size n (negatives allowed)."""
    if unique:  # (a length over n makes the arrays unbroadcastable: an error on both sides)
        length = min(length, n)
        values = draw(st.lists(st.integers(0, n - 1), min_size=length, max_size=length,
                               unique=True))
    else:
        values = draw(st.lists(st.integers(0, n - 1), min_size=length, max_size=length))
    signs = draw(st.lists(st.booleans(), min_size=length, max_size=length))
    return [v - n if neg else v for v, neg in zip(values, signs)]


@st.composite
def _items_for(draw, shape, length, unique):
    """Index item specs consuming the dims of `shape` in order (bools and None in between)."""
    specs, dim = [], 0
    while dim < len(shape):
        if draw(st.integers(0, 5)) == 0:
            specs.append(draw(st.sampled_from([("value", None), ("value", True),
                                               ("value", False), ("bool0d", True)])))
            continue
        n = shape[dim]
        kinds = ["int", "slice", "list", "tensor", "tuple", "int0d", "nparray", "mask"]
        if not unique:
            kinds.append("tensor2d")
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            specs.append(("value", draw(st.integers(-n, n - 1))))
        elif kind == "int0d":
            specs.append(("int0d", draw(st.integers(-n, n - 1))))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.integers(1, 3))
            specs.append(("value", slice(start, stop, step)))
        elif kind == "mask":
            k = draw(st.integers(1, min(2, len(shape) - dim)))
            size = int(np.prod(shape[dim:dim + k]))
            mask = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)),
                            dtype=bool).reshape(shape[dim:dim + k])
            specs.append(("mask", mask))
            dim += k
            continue
        else:
            values = draw(_index_array(n, draw(st.sampled_from([length, 1])), unique))
            if kind == "tensor2d":
                values = [values, draw(_index_array(n, len(values), unique))]
            converted = {"list": ("value", values), "tuple": ("tuple", values),
                         "nparray": ("value", np.array(values, dtype=np.int64))}
            specs.append(converted.get(kind, ("tensor", np.array(values, dtype=np.int64))))
        dim += 1
    return specs


@st.composite
def index_expressions(draw, shape, unique=False):
    """Specs of an index into `shape`: a prefix of the dims indexed, then optionally an
    Ellipsis and a suffix. With `unique`, no element is selected twice (so writes through
    the index do not depend on their order)."""
    ndim = len(shape)
    length = draw(st.integers(1, 3))
    prefix = draw(st.integers(0, ndim))
    if draw(st.booleans()):
        suffix = draw(st.integers(0, ndim - prefix))
        specs = draw(_items_for(shape[:prefix], length, unique)) + [("value", Ellipsis)] + \
            draw(_items_for(shape[ndim - suffix:], length, unique))
    else:
        specs = draw(_items_for(shape[:prefix], length, unique))
    return specs or [("value", Ellipsis)]


shapes_to_index = st.lists(st.integers(1, 3), min_size=1, max_size=4).map(tuple)


def _values(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _torch_result(fn):
    """(result, None) or (None, the exception torch raised)."""
    try:
        return fn(), None
    except (IndexError, RuntimeError, ValueError, TypeError) as err:
        return None, err


# ---- reading -------------------------------------------------------------------------------------

@given(data=st.data(), shape=shapes_to_index)
def test_getitem_matches_torch(device, data, shape):
    specs = data.draw(index_expressions(shape))
    note(f"index specs: {specs}")
    base = _values(shape)
    theirs_x = torch.tensor(base, requires_grad=True)
    expected, error = _torch_result(lambda: theirs_x[build_index(specs, torch)])
    ours_x = minigrad.tensor(base, device=device, requires_grad=True)
    if error is not None:
        with pytest.raises(type(error)):
            ours_x[build_index(specs, minigrad, device)]
        return
    out = ours_x[build_index(specs, minigrad, device)]
    assert tuple(out.shape) == tuple(expected.shape)
    assert_close(out, expected.detach())
    upstream = _values(tuple(expected.shape), seed=1)
    expected.backward(torch.tensor(upstream))
    out.backward(minigrad.tensor(upstream, device=device))
    assert_close(ours_x.grad, theirs_x.grad)


@pytest.mark.parametrize("shape, index, expected_shape", [  # [0, [1, 2]] is (0, [1, 2])
    ((3, 4, 5), (1, slice(None), [1, 2]), (4, 2)),
    ((2, 3, 3), (0, slice(None), [0, 2, 1]), (3, 3)),
    ((3, 4, 5, 6), ([0, 1], slice(None), 0, [1, 2]), (2, 4)),
    ((3, 4, 5, 6), (slice(None), [0, 1], 0, [1, 2]), (3, 2)),
    ((3, 4, 5), ((0, 1), Ellipsis), (2, 4, 5)),
    ((3, 4, 5), [0, [1, 2]], (2, 5)),
    ((3, 4, 5), [[0, 1], [1, 2]], (2, 5)),
    ((3, 4, 5), (True,), (1, 3, 4, 5)),
    ((3, 4, 5), (False,), (0, 3, 4, 5)),
    ((3, 4, 5), ([0, 1], slice(None), True), (2, 4, 5)),
    ((3, 4, 5), (-1, slice(None), [1, -1]), (4, 2)),
    ((3, 4, 5), (0, slice(None), np.array([True, False, True, False, True])), (4, 3)),
])
@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
def test_issue_examples(device, shape, index, expected_shape):
    base = _values(shape)
    x = minigrad.tensor(base, device=device)
    out = x[index]
    assert tuple(out.shape) == expected_shape
    assert_close(out, torch.tensor(base)[index])


def test_transposed_result_and_gradient_of_the_issue(device):
    base = _values((2, 3, 3))
    x = minigrad.tensor(base, device=device, requires_grad=True)
    t = torch.tensor(base, requires_grad=True)
    weights = _values((3, 3), seed=2)
    (x[0, :, [0, 2, 1]] * minigrad.tensor(weights, device=device)).sum().backward()
    (t[0, :, [0, 2, 1]] * torch.tensor(weights)).sum().backward()
    assert_close(x.grad, t.grad)


def test_a_list_holding_sequences_is_read_as_a_tuple_with_torchs_warning():
    x = minigrad.tensor(_values((3, 4, 5)))
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        out = x[[0, [1, 2]]]
    assert_close(out, x[0, [1, 2]])


def test_more_than_one_ellipsis_is_an_index_error():
    with pytest.raises(IndexError, match="single ellipsis"):
        minigrad.zeros(3, 4)[..., 0, ...]


def test_zero_dim_index_tensors_act_as_int_and_bool(device):
    x = minigrad.tensor(_values((3, 4, 5)), device=device)
    t = torch.tensor(x.numpy())
    for index in [(1, slice(None), [1, 2]), (True, slice(None), [1, 2])]:
        ours = tuple(minigrad.tensor(i, device=device) if isinstance(i, (int, bool)) else i
                     for i in index)
        theirs = tuple(torch.tensor(i) if isinstance(i, (int, bool)) else i for i in index)
        assert_close(x[ours], t[theirs])


@pytest.mark.parametrize("index", [3, -4, [3], [0, -4], (0, 5), (slice(None), [0, 4])])
def test_out_of_range_indices_raise_index_error(index):
    x = minigrad.zeros(3, 4)
    with pytest.raises(IndexError):
        torch.zeros(3, 4)[index]
    with pytest.raises(IndexError):
        x[index]
    with pytest.raises(IndexError):
        x[index] = 1.0


@pytest.mark.parametrize("index", [1.0, (0, 0, 0), (slice(None), [[True]])])
def test_bad_indices_raise_index_error_as_torch(index):
    with pytest.raises(IndexError):
        torch.zeros(3, 4)[index]
    with pytest.raises(IndexError):
        minigrad.zeros(3, 4)[index]


def test_float_index_lists_raise_rather_than_truncate():
    # (PyTorch truncates [0.5] to [0] silently; minigrad refuses, as numpy does)
    with pytest.raises(IndexError, match="integer or bool"):
        minigrad.zeros(3, 4)[[0.5]]


# ---- writing -------------------------------------------------------------------------------------

@given(data=st.data(), shape=shapes_to_index)
def test_setitem_matches_torch(device, data, shape):
    specs = data.draw(index_expressions(shape, unique=True))
    note(f"index specs: {specs}")
    base = _values(shape)
    theirs = torch.tensor(base)
    indexed, error = _torch_result(lambda: theirs[build_index(specs, torch)])
    if error is not None:
        with pytest.raises(type(error)):
            minigrad.tensor(base, device=device)[build_index(specs, minigrad, device)] = 1.0
        return
    value_shape = tuple(indexed.shape)[data.draw(st.integers(0, indexed.ndim)):]
    value = _values(value_shape, seed=3)
    theirs[build_index(specs, torch)] = torch.tensor(value)
    ours = minigrad.tensor(base, device=device)
    ours[build_index(specs, minigrad, device)] = minigrad.tensor(value, device=device)
    assert_close(ours, theirs)

    # recorded: gradients of the tensor written into and of the value written
    theirs_x = torch.tensor(base, requires_grad=True)
    theirs_v = torch.tensor(value, requires_grad=True)
    theirs_out = theirs_x * 2.0
    theirs_out[build_index(specs, torch)] = theirs_v * 3.0
    ours_x = minigrad.tensor(base, device=device, requires_grad=True)
    ours_v = minigrad.tensor(value, device=device, requires_grad=True)
    ours_out = ours_x * 2.0
    ours_out[build_index(specs, minigrad, device)] = ours_v * 3.0
    upstream = _values(shape, seed=4)
    theirs_out.backward(torch.tensor(upstream))
    ours_out.backward(minigrad.tensor(upstream, device=device))
    assert_close(ours_out, theirs_out.detach())
    assert_close(ours_x.grad, theirs_x.grad)
    assert_close(ours_v.grad, theirs_v.grad)


@st.composite
def index_put_cases(draw):
    """(shape, index arrays for the leading dims (repeats allowed), value shape)."""
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    count = draw(st.integers(1, len(shape)))
    length = draw(st.integers(1, 4))
    arrays = [draw(st.lists(st.integers(-n, n - 1), min_size=length, max_size=length))
              for n in shape[:count]]
    indexed = (length,) + shape[count:]
    value_shape = indexed[draw(st.integers(0, len(indexed))):]
    return shape, arrays, value_shape


@given(case=index_put_cases(), accumulate=st.booleans())
def test_index_put_matches_torch(device, case, accumulate):
    shape, arrays, value_shape = case
    if not accumulate:  # repeated writes without accumulate keep an unspecified one
        positions = list(zip(*[np.array(a) % n for a, n in zip(arrays, shape)]))
        if len(set(positions)) != len(positions):
            accumulate = True
    base, value = _values(shape), _values(value_shape, seed=5)
    theirs_x = torch.tensor(base, requires_grad=True)
    theirs_v = torch.tensor(value, requires_grad=True)
    theirs = (theirs_x * 1.0).index_put_(tuple(torch.tensor(a) for a in arrays), theirs_v,
                                         accumulate=accumulate)
    ours_x = minigrad.tensor(base, device=device, requires_grad=True)
    ours_v = minigrad.tensor(value, device=device, requires_grad=True)
    ours = (ours_x * 1.0).index_put_(tuple(minigrad.tensor(a, device=device) for a in arrays),
                                     ours_v, accumulate=accumulate)
    assert_close(ours, theirs.detach())
    upstream = _values(shape, seed=6)
    theirs.backward(torch.tensor(upstream))
    ours.backward(minigrad.tensor(upstream, device=device))
    assert_close(ours_x.grad, theirs_x.grad)
    assert_close(ours_v.grad, theirs_v.grad)
    # the out-of-place form and no_grad give the same values
    again = minigrad.tensor(base, device=device).index_put(
        tuple(minigrad.tensor(a, device=device) for a in arrays),
        minigrad.tensor(value, device=device), accumulate=accumulate)
    assert_close(again, theirs.detach())


def test_index_put_accumulates_repeats(device):
    x = minigrad.zeros(5, device=device)
    x.index_put_((minigrad.tensor([0, 0, 2, -1], device=device),),
                 minigrad.tensor([1.0, 2.0, 3.0, 4.0], device=device), accumulate=True)
    assert x.tolist() == [3.0, 0.0, 3.0, 0.0, 4.0]


def test_index_put_checks_its_arguments():
    x = minigrad.zeros(3)
    with pytest.raises(TypeError, match="tuple of tensors"):
        x.index_put_([0, 1], minigrad.ones(2))
    with pytest.raises(RuntimeError, match="dtypes"):
        x.index_put_((minigrad.tensor([0]),), minigrad.ones(1, dtype=minigrad.float64))
    with pytest.raises(IndexError):
        x.index_put_((minigrad.tensor([0.0]),), minigrad.ones(1))
