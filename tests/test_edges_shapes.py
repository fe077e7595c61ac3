"""Shapes at the edges, against PyTorch: `view` of non-contiguous tensors (PyTorch's stride
rule; writes through a view reach the base), reshape and flatten with zero-size dims and -1,
chunk and split with bad sizes, and integers that int64 cannot hold."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs torch")


# ---- view ------------------------------------------------------------------------------------

LAYOUTS = ["contiguous", "transposed01", "transposed12", "row_slice", "column_slice", "step",
           "matrix_t", "expanded"]


def _layouts(base):
    """Non-contiguous (and contiguous) views of `base` (shape (2, 3, 4)), by name."""
    return {
        "contiguous": base,
        "transposed01": base.transpose(0, 1),
        "transposed12": base.transpose(1, 2),
        "row_slice": base[:, 1:],
        "column_slice": base[:, :, :2],
        "step": base[:, ::2],
        "matrix_t": base[0].t(),
        "expanded": base[:, :1].expand(2, 5, 4),
    }


VIEW_TARGETS = [(6, 4), (3, 8), (2, 12), (2, 4, 3), (2, 8), (2, 3, 2, 1), (6, 2), (12,), (4, 3),
                (4, 1, 3), (2, 5, 2, 2), (10, 4), (-1,), (2, -1), (1, -1, 2), (40,), (24,)]


def _outcome(fn, *args):
    """The shape of fn(*args), or the name of the RuntimeError it raises."""
    try:
        return tuple(fn(*args).shape)
    except RuntimeError:
        return "RuntimeError"


@needs_torch
@pytest.mark.parametrize("layout", LAYOUTS)
def test_view_is_allowed_exactly_where_torch_allows_it(layout, device):
    ours = _layouts(minigrad.arange(24, device=device).reshape(2, 3, 4))[layout]
    theirs = _layouts(torch.arange(24).reshape(2, 3, 4))[layout]
    for target in VIEW_TARGETS:  # (some hold the wrong number of elements: errors too)
        for method in ("view", "reshape"):
            expected = _outcome(getattr(theirs, method), target)
            assert _outcome(getattr(ours, method), target) == expected, (layout, method, target)


def test_writes_through_a_view_reach_the_base(device):
    base = minigrad.zeros(2, 3, 4, device=device)
    for make in (lambda b: b[:, :, :2].view(6, 2), lambda b: b.transpose(1, 2).view(2, 4, 3),
                 lambda b: b[0].t().view(4, 1, 3)):
        with minigrad.no_grad():
            base.zero_()
            v = make(base)
            v.fill_(1.0)
        assert base.sum().item() == v.numel()


def test_view_of_an_impossible_layout_raises_both_ways():
    x = minigrad.arange(24).reshape(2, 3, 4).transpose(0, 1)
    for catch in (RuntimeError, ValueError):
        with pytest.raises(catch, match="reshape"):
            x.view(24)
    assert x.reshape(24).tolist() == x.contiguous().view(24).tolist()
    with pytest.raises(RuntimeError, match="reshape"):
        x.view_as(minigrad.zeros(24))


def test_view_of_zero_dim_and_empty_tensors(device):
    assert tuple(minigrad.tensor(3.0, device=device).view(1, 1).shape) == (1, 1)
    empty = minigrad.zeros(0, 3, device=device).transpose(0, 1)
    assert tuple(empty.view(0, 3).shape) == (0, 3)


@given(st.data())
def test_view_gradient_is_reshape_gradient(data):
    shape = data.draw(st.sampled_from([(2, 3), (3, 1, 2), (4,)]))
    x = minigrad.randn(*shape, dtype=minigrad.float64, requires_grad=True)
    target = data.draw(st.sampled_from([(-1,), (1, -1), (-1, 1)]))
    assert minigrad.gradcheck(lambda t: t.view(target) * 2, (x,))


# ---- reshape and flatten with zero-size dims ------------------------------------------------

def test_flatten_of_an_empty_batch(device):
    x = minigrad.zeros(0, 3, 4, 4, device=device)
    assert tuple(x.flatten(1).shape) == (0, 48)
    assert tuple(x.flatten().shape) == (0,)
    assert tuple(x.flatten(2).shape) == (0, 3, 16)


@pytest.mark.parametrize("source, target", [
    ((0, 3, 4), (0, -1)), ((0, 3, 4), (-1, 12)), ((0, 3), (3, 0)), ((0, 3), (-1,)),
    ((0,), (2, -1, 0)), ((6,), (0, -1)), ((0, 3), (1, -1)), ((2, 3), (-1, 4)),
])
def test_reshape_with_zero_size_dims_as_torch(source, target):
    x = minigrad.zeros(*source)
    if torch is not None:
        try:
            expected = tuple(torch.zeros(*source).reshape(target).shape)
        except RuntimeError:
            expected = "RuntimeError"
    else:  # what torch gives: -1 next to a 0 is ambiguous
        expected = {((0, 3, 4), (-1, 12)): (0, 12), ((0, 3), (3, 0)): (3, 0),
                    ((0, 3), (-1,)): (0,), ((0, 3), (1, -1)): (1, 0)}.get((source, target),
                                                                          "RuntimeError")
    assert _outcome(lambda: x.reshape(target)) == expected


# ---- chunk and split ------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda x: x.chunk(0), lambda x: x.chunk(-1), lambda x: x.split(0), lambda x: x.split(-1),
    lambda x: x.split([3, 3]), lambda x: x.split([11, -1]), lambda x: x.split([]),
])
def test_bad_chunks_and_split_sizes_raise_runtime_error(call):
    for catch in (RuntimeError, ValueError):
        with pytest.raises(catch):
            call(minigrad.arange(10))
    if torch is not None:
        with pytest.raises(RuntimeError):
            call(torch.arange(10))


@pytest.mark.parametrize("call", [
    lambda x: x.chunk(3), lambda x: x.chunk(20), lambda x: x.chunk(4), lambda x: x.split(3),
    lambda x: x.split(20), lambda x: x.split([10, 0]), lambda x: x.split([5, 5]),
    lambda x: x[:0].chunk(3), lambda x: x[:0].split(0), lambda x: x[:0].split(2),
])
def test_chunk_and_split_sizes_as_torch(call):
    ours = [tuple(p.shape) for p in call(minigrad.arange(10))]
    if torch is not None:
        assert ours == [tuple(p.shape) for p in call(torch.arange(10))]
    assert sum(s[0] for s in ours) in (0, 10)


def test_split_size_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError):
        minigrad.arange(10).split(2.5)
    with pytest.raises(TypeError):
        minigrad.arange(10).chunk(2.0)


# ---- integers that int64 cannot hold ----------------------------------------------------------

@pytest.mark.parametrize("data", [np.array([2**63], dtype=np.uint64), [2**63], 2**63,
                                  [-(2**63) - 1], np.uint64(2**64 - 1), [1, 2**64]])
def test_integers_outside_int64_raise_instead_of_wrapping(data):
    with pytest.raises(ValueError, match="int64"):
        minigrad.tensor(data)
    if torch is not None and not isinstance(data, (np.ndarray, np.generic)):
        with pytest.raises(ValueError):
            torch.tensor(data)


def test_integers_inside_int64_keep_their_values():
    big = np.array([2**63 - 1, 5], dtype=np.uint64)
    assert minigrad.tensor(big).tolist() == [2**63 - 1, 5]
    assert minigrad.tensor([-(2**63)]).tolist() == [-(2**63)]
    as_float = minigrad.tensor(np.array([2**63], dtype=np.uint64), dtype=minigrad.float64)
    assert_close(as_float, [2.0**63])
