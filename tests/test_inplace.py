"""In-place operations: values, version counters and the checks they feed, the leaf rule, views,
and gradients through in-place ops on non-leaf tensors (against the out-of-place formula)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.autograd import AutogradError, InplaceModificationError


def f64(values, device="cpu", requires_grad=False):
    return minigrad.tensor(values, dtype=minigrad.float64, device=device,
                           requires_grad=requires_grad)


# name -> (in-place form, out-of-place formula); `o` is a second tensor operand
INPLACE = {
    "add_": (lambda t, o: t.add_(o), lambda t, o: t + o),
    "add_alpha": (lambda t, o: t.add_(o, alpha=-0.5), lambda t, o: t - 0.5 * o),
    "sub_": (lambda t, o: t.sub_(o), lambda t, o: t - o),
    "sub_alpha": (lambda t, o: t.sub_(o, alpha=2), lambda t, o: t - 2 * o),
    "mul_": (lambda t, o: t.mul_(o), lambda t, o: t * o),
    "div_": (lambda t, o: t.div_(o), lambda t, o: t / o),
    "pow_": (lambda t, o: t.pow_(2), lambda t, o: t ** 2),
    "iadd": (lambda t, o: t.__iadd__(o), lambda t, o: t + o),
    "isub": (lambda t, o: t.__isub__(o), lambda t, o: t - o),
    "imul": (lambda t, o: t.__imul__(o), lambda t, o: t * o),
    "itruediv": (lambda t, o: t.__itruediv__(o), lambda t, o: t / o),
    "iadd_scalar": (lambda t, o: t.__iadd__(2.5), lambda t, o: t + 2.5),
    "clamp_": (lambda t, o: t.clamp_(-0.5, 0.75), lambda t, o: t.clamp(-0.5, 0.75)),
    "clamp_tensor": (lambda t, o: t.clamp_(max=o), lambda t, o: minigrad.minimum(t, o)),
    "addcmul_": (lambda t, o: t.addcmul_(o, o, value=0.5), lambda t, o: t + 0.5 * o * o),
    "lerp_": (lambda t, o: t.lerp_(o, 0.25), lambda t, o: t + 0.25 * (o - t)),
    "neg_": (lambda t, o: t.neg_(), lambda t, o: -t),
    "exp_": (lambda t, o: t.exp_(), lambda t, o: t.exp()),
    "tanh_": (lambda t, o: t.tanh_(), lambda t, o: t.tanh()),
    "sigmoid_": (lambda t, o: t.sigmoid_(), lambda t, o: t.sigmoid()),
    "relu_": (lambda t, o: t.relu_(), lambda t, o: t.relu()),
    "copy_": (lambda t, o: t.copy_(o), lambda t, o: o + 0 * t),
    "fill_": (lambda t, o: t.fill_(1.5), lambda t, o: 0 * t + 1.5),
    "zero_": (lambda t, o: t.zero_(), lambda t, o: 0 * t),
    "setitem_scalar": (lambda t, o: t.__setitem__(1, 4.0) or t,
                       lambda t, o: t * f64([1, 0, 1], t.device) + f64([0, 4.0, 0], t.device)),
    "setitem_tensor": (lambda t, o: t.__setitem__(slice(0, 2), o[1:] * 3) or t,
                       lambda t, o: minigrad.cat([o[1:] * 3, t[2:]])),
    "mul_self": (lambda t, o: t.mul_(t), lambda t, o: t * t),
    "add_self": (lambda t, o: t.add_(t, alpha=2), lambda t, o: t * 3),
}

values3 = hnp.arrays(np.float64, 3, elements=st.floats(-2, 2).filter(lambda v: abs(v) > 0.1))


@pytest.mark.parametrize("name", INPLACE)
@given(a=values3, b=values3)
def test_inplace_on_a_non_leaf_gives_the_out_of_place_gradients(name, a, b):
    inplace, formula = INPLACE[name]
    weights = f64([1.0, -2.0, 3.0])

    def run(op):
        x, o = f64(a, requires_grad=True), f64(b, requires_grad=True)
        t = x * 1.5  # a non-leaf
        result = op(t, o)
        (result * weights).sum().backward()
        zeros = np.zeros(3)
        return (result.numpy(), zeros if x.grad is None else x.grad.numpy(),
                zeros if o.grad is None else o.grad.numpy(), t, result)

    *got, t, result = run(inplace)
    *want, _, _ = run(formula)
    assert result is t  # in place: the same object comes back
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_values_and_version_without_autograd(device, name):
    inplace, formula = INPLACE[name]
    t = f64([0.5, -1.0, 2.0], device)
    o = f64([1.5, 0.25, -0.75], device)
    expected = formula(t.detach(), o).numpy()
    storage = t._data
    version = t._version_value
    assert inplace(t, o) is t
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-12)
    assert t._data is storage  # the same storage was written
    assert t._version_value == version + 1


def test_inplace_on_a_leaf_that_requires_grad_raises_outside_no_grad(device):
    x = f64([1.0, 2.0], device, requires_grad=True)
    for op in (lambda: x.add_(1), lambda: x.mul_(2), lambda: x.zero_(),
               lambda: x.__setitem__(0, 3.0), lambda: x.copy_(f64([0.0, 0.0], device))):
        with pytest.raises(AutogradError, match="leaf tensor that requires grad.*in-place"):
            op()
    assert x.tolist() == [1.0, 2.0]
    with minigrad.no_grad():  # what optimizers do
        x.sub_(f64([0.5, 0.5], device))
        x[1] = 7.0
    assert x.tolist() == [0.5, 7.0] and x.is_leaf and x.requires_grad


@pytest.mark.parametrize("modify", [
    lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.__setitem__(0, 5.0),
    lambda t: t.zero_(), lambda t: t.copy_(f64([0.0, 1.0, 2.0])),
])
def test_modifying_a_saved_tensor_is_detected_at_backward(modify):
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    t = x * 2
    y = (t * t).sum()  # saves t
    modify(t)
    with pytest.raises(InplaceModificationError,
                       match=r"MulBackward.*modified in place.*version 0.*version 1"):
        y.backward()


def test_modifying_a_saved_output_is_detected(device):
    x = f64([0.0, 1.0], device, requires_grad=True)
    y = x.exp()  # saves its output
    z = y + 1
    with minigrad.no_grad():
        y.mul_(2)
    with pytest.raises(InplaceModificationError, match="ExpBackward"):
        z.sum().backward()


def test_modifying_a_tensor_saved_before_and_used_after_is_fine():
    x = f64([1.0, 2.0], requires_grad=True)
    t = x * 1
    t.add_(1)  # nothing saved t yet
    (t * t).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.array([1.0, 2.0]) + 1))


def test_views_share_the_version_counter(device):
    base = f64([[1.0, 2.0], [3.0, 4.0]], device)
    for view in (base[0], base.reshape(4), base.t(), base.transpose(0, 1), base[:, 1:],
                 base.unsqueeze(0), base.expand(2, 2, 2), base.flatten(), base.view(4)):
        before = base._version_value
        with minigrad.no_grad():
            base[0, 0] = float(before)
        assert view._version_value == base._version_value == before + 1
    row = base[1]
    row.mul_(10)
    assert base.tolist()[1] == [30.0, 40.0] and base._version_value == row._version_value


def test_a_write_through_a_view_is_seen_by_a_node_that_saved_the_base():
    x = f64([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    t = x * 1
    y = (t * t).sum()
    with minigrad.no_grad():
        t[0:2].mul_(3)
    with pytest.raises(InplaceModificationError):
        y.backward()


def test_a_detached_alias_shares_the_counter_too():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * x
    x.detach().add_(1)
    with pytest.raises(InplaceModificationError):
        y.sum().backward()


def test_inplace_under_autograd_on_a_tensor_with_a_live_view_raises():
    x = f64([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    t = x * 1
    view = t.reshape(2, 2)
    with pytest.raises(AutogradError, match="shares storage with another live tensor"):
        t.add_(1)
    with pytest.raises(AutogradError, match="shares storage with another live tensor"):
        view.mul_(2)
    leaf_view = x[0]
    with pytest.raises(AutogradError, match="shares storage"):
        leaf_view.add_(1)


def test_inplace_on_a_view_whose_base_is_gone_gives_correct_gradients():
    x = f64([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    view = (x * 2).reshape(2, 2)  # the base is a temporary
    view.mul_(view)
    view.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 8 * np.array([1.0, 2.0, 3.0, 4.0]))


def test_copy_into_a_buffer_connects_the_buffer_to_the_source(device):
    buffer = minigrad.zeros(3, dtype=minigrad.float64, device=device)
    x = f64([1.0, 2.0, 3.0], device, requires_grad=True)
    buffer.copy_(x)
    assert not buffer.is_leaf and buffer.requires_grad
    (buffer * f64([1.0, 2.0, 3.0], device)).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0]
    with pytest.warns(UserWarning, match="retain_grad"):  # a non-leaf, as in PyTorch
        assert buffer.grad is None


def test_setitem_into_a_buffer_with_a_value_that_requires_grad(device):
    buffer = minigrad.zeros(2, 2, dtype=minigrad.float64, device=device)
    v = f64([5.0, 6.0], device, requires_grad=True)
    buffer[1] = v
    assert buffer.tolist() == [[0.0, 0.0], [5.0, 6.0]]
    (buffer * f64([[1.0, 1.0], [2.0, 3.0]], device)).sum().backward()
    assert v.grad.tolist() == [2.0, 3.0]


def test_fill_on_a_non_leaf_keeps_it_in_the_graph_with_zero_gradient(device):
    x = f64([1.0, 2.0], device, requires_grad=True)
    t = x * 3
    t.fill_(4.0)
    assert t.requires_grad and t.grad_fn is not None
    t.sum().backward()  # as PyTorch: works, and x gets zeros
    assert x.grad.tolist() == [0.0, 0.0] and t.tolist() == [4.0, 4.0]


def test_fill_with_a_one_element_tensor(device):
    t = minigrad.zeros(3, device=device)
    t.fill_(minigrad.tensor(2.0, device=device))
    assert t.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(ValueError, match="one-element"):
        t.fill_(minigrad.ones(2, device=device))


def test_inplace_dtype_rules_follow_pytorch(device):
    t = minigrad.zeros(2, device=device)
    t.add_(minigrad.ones(2, dtype=minigrad.float64, device=device))  # float64 into float32: ok
    assert t.dtype is minigrad.float32 and t.tolist() == [1.0, 1.0]
    i = minigrad.zeros(2, dtype=minigrad.int64, device=device)
    i += 3
    assert i.tolist() == [3, 3] and i.dtype is minigrad.int64
    with pytest.raises(TypeError, match="float32 cannot be stored in place.*int64"):
        i.add_(minigrad.ones(2, device=device))
    with pytest.raises(TypeError, match="cannot be stored in place"):
        i.div_(2)
    with pytest.raises(TypeError, match="cannot be stored in place"):
        minigrad.zeros(2, dtype=minigrad.bool, device=device).add_(1)


def test_inplace_result_must_keep_the_shape(device):
    t = minigrad.zeros(2, device=device)
    with pytest.raises(ValueError, match=r"in-place result has shape \(3, 2\)"):
        t.add_(minigrad.ones(3, 2, device=device))
    with pytest.raises(TypeError, match="copy_ expects a Tensor"):
        t.copy_([1.0, 2.0])


def test_copy_broadcasts_and_casts(device):
    t = minigrad.zeros(2, 3, device=device)
    t.copy_(minigrad.tensor([1, 2, 3], device=device))
    assert t.tolist() == [[1.0, 2.0, 3.0]] * 2 and t.dtype is minigrad.float32


def test_double_backward_through_an_inplace_op():
    x = f64([0.5, 1.5], requires_grad=True)
    t = x * x
    t.mul_(x)  # x^3
    (g,) = minigrad.grad(t.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), 3 * np.array([0.5, 1.5]) ** 2)
    (h,) = minigrad.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * np.array([0.5, 1.5]))


def test_inplace_matches_torch():
    torch = pytest.importorskip("torch")
    values = np.array([0.3, -1.2, 2.0])

    def run(lib, tensor):
        x = tensor(values, requires_grad=True)
        t = x * 2
        t.mul_(x)
        t.add_(x, alpha=3)
        t.clamp_(-1.0, 5.0)
        t[1] = x[2] * 2
        (t * t).sum().backward()
        return t.detach().numpy(), x.grad.numpy()

    ours = run(minigrad, lambda v, **k: minigrad.tensor(v, dtype=minigrad.float64, **k))
    theirs = run(torch, lambda v, **k: torch.tensor(v, dtype=torch.float64, **k))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("shape, wrap", [((7, 3), True), ((7, 3), False), ((3, 7), True),
                                         ((4, 4), False), ((2, 2, 2), False), ((1, 5), True)])
def test_fill_diagonal_matches_torch(device, shape, wrap):
    torch = pytest.importorskip("torch")
    values = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    ref = torch.tensor(values).fill_diagonal_(-1.5, wrap=wrap)
    got = minigrad.tensor(values, device=device)
    assert got.fill_diagonal_(-1.5, wrap=wrap) is got
    np.testing.assert_array_equal(got.cpu().numpy(), ref.numpy())
    strided = minigrad.zeros(4, 4, device=device)[:, ::2]
    strided.fill_diagonal_(5)
    assert strided.tolist() == torch.zeros(4, 4)[:, ::2].fill_diagonal_(5).tolist()
    ints = minigrad.zeros(2, 2, dtype=minigrad.int64, device=device).fill_diagonal_(2.7)
    assert ints.tolist() == [[2, 0], [0, 2]]


def test_fill_diagonal_gradient_and_errors():
    x = minigrad.ones(3, 3, requires_grad=True)
    y = x * 2
    y.fill_diagonal_(0)
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 2.0], [2.0, 0.0, 2.0], [2.0, 2.0, 0.0]]
    with pytest.raises(RuntimeError, match="all dimensions of input must be of equal length"):
        minigrad.zeros(2, 3, 2).fill_diagonal_(1)
    with pytest.raises(RuntimeError, match="dimensions must larger than 1"):
        minigrad.zeros(3).fill_diagonal_(1)
    with pytest.raises(AutogradError):
        minigrad.zeros(2, 2, requires_grad=True).fill_diagonal_(1)
