"""matmul / @: 1-D, 2-D, batched and broadcast batch shapes; values against numpy, gradients
against finite differences, and errors that name both shapes."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, broadcastable_shape_pairs, tensors


@st.composite
def matmul_shapes(draw, max_batch_dims=2, max_side=3):
    """Shapes (a, b) that numpy's matmul accepts: each operand 1-D, 2-D, or with batch dims
    that broadcast together (size-1 stretching, missing leading dims)."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    batch_a, batch_b = draw(broadcastable_shape_pairs(max_dims=max_batch_dims,
                                                      max_side=max_side))
    kind_a, kind_b = draw(st.sampled_from(["1d", "2d", "batched"])), \
        draw(st.sampled_from(["1d", "2d", "batched"]))
    a = {"1d": (k,), "2d": (n, k), "batched": batch_a + (n, k)}[kind_a]
    b = {"1d": (k,), "2d": (k, m), "batched": batch_b + (k, m)}[kind_b]
    return a, b


@given(data=st.data())
def test_matmul_matches_numpy_and_gradcheck(device, data):
    sa, sb = data.draw(matmul_shapes())
    a, b = data.draw(tensors(sa, device=device)), data.draw(tensors(sb, device=device))
    expected = np.matmul(a.numpy(), b.numpy())
    out = a @ b
    assert out.shape == expected.shape and out.dtype is minigrad.float64
    assert_close(out, expected, rtol=1e-12, atol=1e-12)
    assert_close(minigrad.matmul(a, b), expected, rtol=1e-12, atol=1e-12)
    assert_close(a.matmul(b), expected, rtol=1e-12, atol=1e-12)
    assert minigrad.gradcheck(lambda x, y: x @ y, (a, b))


@given(data=st.data())
def test_matmul_gradgradcheck(device, data):
    sa, sb = data.draw(matmul_shapes(max_batch_dims=1, max_side=2))
    a, b = data.draw(tensors(sa, device=device)), data.draw(tensors(sb, device=device))
    assert minigrad.gradgradcheck(minigrad.matmul, (a, b))


@given(data=st.data())
def test_matmul_with_one_operand_constant(device, data):
    """Only the operand that requires grad gets a gradient, and it is still right."""
    sa, sb = data.draw(matmul_shapes())
    a = data.draw(tensors(sa, device=device))
    b = data.draw(tensors(sb, device=device, requires_grad=False))
    assert minigrad.gradcheck(lambda x: x @ b, (a,))
    assert minigrad.gradcheck(lambda y: a.detach() @ y, (b.requires_grad_(),))


@pytest.mark.parametrize("name, sa, sb", [("matmul", (2, 3), (3,)), ("mm", (2, 3), (3, 2)),
                                          ("mv", (2, 3), (3,)), ("dot", (3,), (3,)),
                                          ("bmm", (1, 2, 3), (1, 3, 2))])
def test_matrix_products_of_two_dtypes_raise_as_torch(name, sa, sb):
    torch = pytest.importorskip("torch")
    for first, second in [("float32", "float64"), ("float64", "float32")]:
        with pytest.raises(RuntimeError, match="dtype|scalar type"):
            getattr(torch, name)(torch.ones(sa, dtype=getattr(torch, first)),
                                 torch.ones(sb, dtype=getattr(torch, second)))
        with pytest.raises(RuntimeError, match=f"{first} and minigrad.{second}"):
            getattr(minigrad, name)(minigrad.ones(sa, dtype=getattr(minigrad, first)),
                                    minigrad.ones(sb, dtype=getattr(minigrad, second)))


@pytest.mark.parametrize("sa, sb", [((3, 4), (3, 5)), ((4,), (3,)), ((2, 3), (2,)),
                                    ((2, 3, 4), (3, 4, 5)), ((5,), (2, 4, 3)),
                                    ((2, 2, 3), (4, 3, 2))])
def test_mismatched_matmul_shapes_name_both(sa, sb):
    with pytest.raises(ValueError) as err:
        minigrad.ones(*sa) @ minigrad.ones(*sb)
    message = str(err.value)
    assert str(sa) in message and str(sb) in message


def test_matmul_rejects_0d_and_non_tensors():
    with pytest.raises(ValueError, match="at least 1 dim"):
        minigrad.ones(()) @ minigrad.ones(3)
    with pytest.raises(TypeError, match="two Tensors"):
        minigrad.matmul(minigrad.ones(3), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="bool"):
        minigrad.tensor([[True, False]]) @ minigrad.tensor([[True], [False]])
