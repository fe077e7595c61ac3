"""Bitwise ops on int64 and bool tensors (& | ^ << >>, bitwise_* functions, methods and in-place
forms) against PyTorch, with broadcasting, Python scalars and non-contiguous inputs."""
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.testing import assert_close, broadcastable_shape_pairs

torch = pytest.importorskip("torch")

OPS = {
    "and": (operator.and_, "bitwise_and"),
    "or": (operator.or_, "bitwise_or"),
    "xor": (operator.xor, "bitwise_xor"),
    "lshift": (operator.lshift, "bitwise_left_shift"),
    "rshift": (operator.rshift, "bitwise_right_shift"),
}
SHIFTS = ("lshift", "rshift")


@st.composite
def operands(draw, dtype, shift=False):
    shape_a, shape_b = draw(broadcastable_shape_pairs(max_dims=3, max_side=4))
    if dtype == "bool":
        elements = st.booleans()
        a, b = (draw(hnp.arrays(np.bool_, s, elements=elements)) for s in (shape_a, shape_b))
    else:
        a = draw(hnp.arrays(np.int64, shape_a, elements=st.integers(-2 ** 40, 2 ** 40)))
        b = draw(hnp.arrays(np.int64, shape_b, elements=st.integers(0, 70) if shift
                            else st.integers(-2 ** 40, 2 ** 40)))
    return a, b


def _pair(a, b, device, transpose):
    ours_a, ours_b = minigrad.tensor(a, device=device), minigrad.tensor(b, device=device)
    if transpose and ours_a.ndim >= 2:
        ours_a = minigrad.tensor(np.ascontiguousarray(a.swapaxes(0, 1)), device=device)
        ours_a = ours_a.transpose(0, 1)
    return ours_a, ours_b


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("dtype", ["int64", "bool"])
@given(data=st.data())
def test_operators_and_functions_match_torch(device, name, dtype, data):
    if dtype == "bool" and name in SHIFTS:
        return  # checked by test_shifts_of_bools_are_refused
    a, b = data.draw(operands(dtype, shift=name in SHIFTS))
    op, function = OPS[name]
    ours_a, ours_b = _pair(a, b, device, data.draw(st.booleans()))
    expected = op(torch.tensor(a), torch.tensor(b))
    for out in (op(ours_a, ours_b), getattr(minigrad, function)(ours_a, ours_b),
                getattr(ours_a, function)(ours_b)):
        assert str(out.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
        assert_close(out.cpu(), expected)


@pytest.mark.parametrize("name", sorted(OPS))
def test_python_scalars_on_either_side(device, name):
    op, _ = OPS[name]
    a = [[-9, 0, 5], [12, -1, 3]]
    for scalar in (3, True):
        ours, theirs = minigrad.tensor(a, device=device), torch.tensor(a)
        assert_close(op(ours, scalar).cpu(), op(theirs, scalar))
        assert_close(op(scalar, ours.abs() % 8).cpu(), op(scalar, theirs.abs() % 8))
    flags = [True, False, True]
    if name not in SHIFTS:
        assert_close(op(minigrad.tensor(flags, device=device), True).cpu(),
                     op(torch.tensor(flags), True))
        assert_close(op(minigrad.tensor(flags, device=device), 6).cpu(),
                     op(torch.tensor(flags), 6))


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_bitwise_not(device, dtype):
    values = np.array([[-3, 0, 7]]) if dtype == "int64" else np.array([[True, False, True]])
    ours = minigrad.tensor(values, device=device)
    expected = torch.bitwise_not(torch.tensor(values))
    assert_close(minigrad.bitwise_not(ours).cpu(), expected)
    assert_close(ours.bitwise_not().cpu(), expected)
    assert ours.bitwise_not_() is ours
    assert_close(ours.cpu(), expected)


def test_inplace_forms(device):
    ours, theirs = minigrad.tensor([5, -6, 7], device=device), torch.tensor([5, -6, 7])
    for name, arg in [("bitwise_and_", 3), ("bitwise_or_", 8), ("bitwise_xor_", 5),
                      ("bitwise_left_shift_", 2), ("bitwise_right_shift_", 1),
                      ("__iand__", 6), ("__ior__", 1), ("__ixor__", 7), ("__ilshift__", 3),
                      ("__irshift__", 2)]:
        ours = getattr(ours, name)(arg)
        theirs = getattr(theirs, name)(arg)
        assert_close(ours.cpu(), theirs)


def test_floats_are_refused(device):
    x = minigrad.tensor([1.0, 2.0], device=device)
    n = minigrad.tensor([1, 2], device=device)
    for fn in [lambda: x & n, lambda: n | x, lambda: x ^ 1, lambda: n << 1.5,
               lambda: minigrad.bitwise_not(x), lambda: n & 2.0]:
        with pytest.raises(TypeError):
            fn()


def test_shifts_of_bools_are_refused(device):
    """Two bools cannot be shifted (as in torch); a bool shifted by an int is an int64."""
    flags = minigrad.tensor([True, False], device=device)
    assert_close((flags << 1).cpu(), torch.tensor([True, False]) << 1)
    with pytest.raises(TypeError):
        minigrad.bitwise_right_shift(flags, flags)
