"""Small Tensor methods programs print or call: sizes in elements and bytes, new_* factories,
in-place shape changes (unsqueeze_, squeeze_, t_, transpose_, resize_). Compared with torch."""
import numpy as np
import pytest

import minigrad
from minigrad.autograd import AutogradError

torch = pytest.importorskip("torch")


def _pair(values, dtype="float32", requires_grad=False):
    values = np.asarray(values, dtype=dtype)
    return (minigrad.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


def _same(a, b):
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_sizes_in_elements_and_bytes(dtype):
    a, b = _pair(np.zeros((2, 3)), dtype)
    for name in ("numel", "nelement", "element_size", "dim", "ndimension"):
        assert getattr(a, name)() == getattr(b, name)(), name
    assert (a.nbytes, a.itemsize) == (b.nbytes, b.itemsize)
    assert [a.size(d) for d in (-2, -1, 0, 1)] == [b.size(d) for d in (-2, -1, 0, 1)]
    assert a.tolist() == b.tolist()
    with pytest.raises(IndexError, match="out of range"):
        a.size(-3)


@pytest.mark.parametrize("call", [
    lambda t: t.new_zeros(2, 3), lambda t: t.new_zeros((2,)), lambda t: t.new_ones(3),
    lambda t: t.new_full((2,), 3), lambda t: t.new_full((1,), True),
    lambda t: t.new_tensor([1, 2]), lambda t: t.new_zeros(2, dtype=t.new_tensor([1]).dtype),
    lambda t: t.new_empty((2, 0)),
])
def test_new_factories_match_torch(call):
    a, b = _pair([1.0, 2.0], "float64", requires_grad=True)
    made, expected = call(a), call(b)
    assert tuple(made.shape) == tuple(expected.shape)
    assert str(made.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    if made.numel():
        np.testing.assert_array_equal(made.numpy(), expected.numpy())
    assert not made.requires_grad and made.is_leaf
    assert a.new_ones(2, requires_grad=True).requires_grad


def test_new_full_needs_a_tuple_like_torch():
    with pytest.raises(TypeError, match="tuple of ints"):
        torch.ones(2).new_full(2, 1.0)
    with pytest.raises(TypeError, match="tuple of ints"):
        minigrad.ones(2).new_full(2, 1.0)


@pytest.mark.parametrize("call", [
    lambda t: t.unsqueeze_(0), lambda t: t.unsqueeze_(-1), lambda t: t.t_(),
    lambda t: t.transpose_(0, 1), lambda t: t.swapdims_(1, 0),
    lambda t: t.unsqueeze_(1).squeeze_(), lambda t: t.unsqueeze_(2).squeeze_(2),
])
def test_inplace_shape_methods_match_torch_values_and_gradients(call):
    a, b = _pair(np.arange(6.0).reshape(2, 3), "float64", requires_grad=True)
    ours, theirs = a * 1, b * 1
    assert call(ours) is ours and call(theirs) is theirs
    _same(ours, theirs)
    weights = np.random.default_rng(0).normal(size=tuple(theirs.shape))
    (ours * minigrad.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


def test_inplace_shape_methods_share_storage_and_refuse_grad_leaves():
    t = minigrad.zeros(2, 3)
    view_before = t.detach()
    t.t_()
    t[0, 1] = 5.0
    assert view_before[1, 0].item() == 5.0
    leaf = minigrad.zeros(3, requires_grad=True)
    with pytest.raises(AutogradError, match="leaf"):
        leaf.unsqueeze_(0)
    with minigrad.no_grad():
        leaf.unsqueeze_(0)
    leaf.sum().backward()
    assert tuple(leaf.grad.shape) == (1, 3) and leaf.is_leaf


def test_inplace_shape_change_of_a_saved_tensor_fails_in_backward_like_torch():
    a, b = _pair(np.ones((2, 3)), requires_grad=True)
    for x, error in ((a * 1, minigrad.autograd.InplaceModificationError),
                     (b * 1, RuntimeError)):
        loss = (x * x).sum()
        x.t_()
        with pytest.raises(error, match="modified"):
            loss.backward()


@pytest.mark.parametrize("shape", [(2, 3), (2, 2), (4,), (7,), (0,), (3, 3)])
def test_resize_matches_torch_where_defined(shape):
    a, b = _pair(np.arange(6.0))
    a.resize_(*shape)
    b.resize_(*shape)
    assert tuple(a.shape) == tuple(b.shape)
    kept = min(6, int(np.prod(shape)))
    np.testing.assert_array_equal(a.numpy().reshape(-1)[:kept], b.numpy().reshape(-1)[:kept])
    assert np.all(a.numpy().reshape(-1)[kept:] == 0)  # beyond the old storage: zeros
    a.resize_as_(minigrad.zeros(3, 1))
    assert tuple(a.shape) == (3, 1)


def test_resize_refuses_grad_tensors_like_torch():
    a, b = _pair([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot resize"):
        b.resize_(1)
    with pytest.raises(AutogradError, match="cannot resize"):
        a.resize_(1)
    with pytest.raises(ValueError, match="non-negative"):
        minigrad.zeros(2).resize_(-1)
