"""Tensor hooks as in PyTorch: register_hook on leaves and non-leaves (replacing gradients,
removal), retain_grad and the warning on reading a non-leaf's .grad, post-accumulate-grad hooks,
and the grad_fn node hooks (register_hook / register_prehook). Each case runs the same program
in torch where it is installed and compares."""
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.autograd import AutogradError


def _lib(name):
    return minigrad if name == "minigrad" else pytest.importorskip("torch")


LIBS = ["minigrad", "torch"]


def _vals(t):
    return None if t is None else np.asarray(t.detach().cpu().numpy() if hasattr(t, "detach")
                                             else t)


def _hook_program(lib, device):
    """Leaf and non-leaf hooks, a replacing hook, a removed hook, retain_grad; returns what a
    user would print."""
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True, device=device)
    seen = []
    x.register_hook(lambda g: seen.append(("x", _vals(g))))
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)  # runs before retain_grad fills y.grad
    removed = y.register_hook(lambda g: seen.append(("removed", _vals(g))))
    removed.remove()
    z = (y * y).sum()
    z.backward()
    return seen, _vals(y.grad), _vals(x.grad), y.retains_grad, x.retains_grad


@pytest.mark.parametrize("lib", LIBS)
def test_hooks_on_leaves_and_non_leaves_match_torch(lib, device):
    if lib == "torch" and device != "cpu":
        pytest.skip("torch runs on cpu here")
    seen, y_grad, x_grad, y_retains, x_retains = _hook_program(_lib(lib), device)
    expected_y = 10 * 2 * np.array([2.0, -4.0, 6.0])
    assert [name for name, _ in seen] == ["x"]
    np.testing.assert_allclose(seen[0][1], 2 * expected_y)
    np.testing.assert_allclose(y_grad, expected_y)
    np.testing.assert_allclose(x_grad, 2 * expected_y)
    assert y_retains is True and x_retains is False


def test_retain_grad_accumulates_across_backward_calls(device):
    x = minigrad.tensor([1.0, 2.0], requires_grad=True, device=device)
    y = x * 3
    y.retain_grad()
    z = y.sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(y.grad.numpy(), [2.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])


def test_retain_grad_survives_an_in_place_op(device):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        y.mul_(2)
        (y * y).sum().backward()
        results.append(_vals(y.grad))
    np.testing.assert_allclose(results[0], results[1])


def test_reading_grad_of_a_non_leaf_warns_as_torch_does():
    torch = pytest.importorskip("torch")
    for lib in (minigrad, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        with pytest.warns(UserWarning, match="retain_grad"):
            assert y.grad is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert x.grad is None  # a leaf: no warning
            y.retain_grad()
            assert y.grad is None  # retains its grad: no warning


@pytest.mark.parametrize("lib", LIBS)
def test_refusals_match_torch(lib):
    m = _lib(lib)
    plain = m.ones(2)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        plain.register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        plain.retain_grad()
    with pytest.raises(RuntimeError, match="non-leaf"):
        (m.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_a_hook_that_changes_the_shape_is_refused():
    x = minigrad.ones(2, requires_grad=True)
    x.register_hook(lambda g: minigrad.ones(3))
    with pytest.raises(AutogradError, match="changed the size"):
        (x * 2).sum().backward()
    with pytest.raises(TypeError, match="must return None or a Tensor"):
        y = minigrad.ones(2, requires_grad=True)
        y.register_hook(lambda g: 3)
        (y * 2).sum().backward()


def test_register_hook_rejects_a_non_callable():
    with pytest.raises(TypeError, match="callable"):
        minigrad.ones(2, requires_grad=True).register_hook(3)


@pytest.mark.parametrize("lib", LIBS)
def test_leaf_hooks_shape_what_grad_returns(lib):
    m = _lib(lib)
    a = m.ones(2, requires_grad=True)
    a.register_hook(lambda g: g * 10)
    (ga,) = m.autograd.grad((a * 3).sum(), a)
    b = a * 1
    b.register_hook(lambda g: g * 10)
    b.retain_grad()
    (gb,) = m.autograd.grad((b * 3).sum(), b)
    np.testing.assert_allclose(_vals(ga), [30.0, 30.0])
    np.testing.assert_allclose(_vals(gb), [30.0, 30.0])
    np.testing.assert_allclose(_vals(b.grad), [30.0, 30.0])
    assert a.grad is None


@pytest.mark.parametrize("lib", LIBS)
def test_post_accumulate_grad_hook_sees_the_accumulated_grad(lib, device):
    if lib == "torch" and device != "cpu":
        pytest.skip("torch runs on cpu here")
    m = _lib(lib)
    w = m.tensor([1.0, 2.0], requires_grad=True, device=device)
    events = []
    w.register_hook(lambda g: events.append(("hook", _vals(g).tolist())))
    handle = w.register_post_accumulate_grad_hook(
        lambda t: events.append(("post", _vals(t.grad).tolist())))
    # w is used twice: its gradients are summed before the hooks see them, once
    (w * 2 + w * w).sum().backward()
    (w * 3).sum().backward()
    handle.remove()
    (w * 3).sum().backward()
    assert events == [("hook", [4.0, 6.0]), ("post", [4.0, 6.0]),
                      ("hook", [3.0, 3.0]), ("post", [7.0, 9.0]), ("hook", [3.0, 3.0])]


def test_post_accumulate_grad_hook_can_step_and_clear_the_grad():
    """The use data-parallel code makes of it: act on .grad as soon as it is ready."""
    w = minigrad.nn.Parameter(minigrad.tensor([1.0, 2.0]))
    order = []

    def step(param):
        order.append(param.grad.numpy().tolist())
        with minigrad.no_grad():
            param.sub_(param.grad * 0.5)
        param.grad = None

    w.register_post_accumulate_grad_hook(step)
    (w * w).sum().backward()
    assert order == [[2.0, 4.0]]
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    assert w.grad is None


def test_post_accumulate_grad_hook_must_return_none():
    w = minigrad.ones(2, requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda t: 5)
    with pytest.raises(TypeError, match="must return None"):
        (w * 2).sum().backward()


def test_post_accumulate_grad_hook_does_not_run_for_grad():
    w = minigrad.ones(2, requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(calls.append)
    minigrad.autograd.grad((w * 2).sum(), w)
    assert calls == []


@pytest.mark.parametrize("lib", LIBS)
def test_grad_fn_pre_and_post_hooks(lib):
    m = _lib(lib)
    x = m.ones(2, requires_grad=True)
    y = x * 3
    z = y.sum()
    events = []
    z.grad_fn.register_prehook(lambda go: events.append(("pre", _vals(go[0]).tolist())))
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 2,) + tuple(gi[1:]))
    z.backward()
    assert events == [("pre", 1.0)]
    np.testing.assert_allclose(_vals(x.grad), [6.0, 6.0])


def test_hook_handle_is_a_context_manager():
    x = minigrad.ones(2, requires_grad=True)
    with x.register_hook(lambda g: g * 0):
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_hooks_see_differentiable_grads_under_create_graph():
    x = minigrad.tensor([2.0], requires_grad=True, dtype=minigrad.float64)
    y = x * x
    y.register_hook(lambda g: g * x)  # the gradient becomes 2x * x, whose derivative is 4x
    (gx,) = minigrad.autograd.grad(y.sum(), x, create_graph=True)
    (ggx,) = minigrad.autograd.grad(gx.sum(), x)
    np.testing.assert_allclose(gx.detach().numpy(), [8.0])
    np.testing.assert_allclose(ggx.numpy(), [8.0])


def test_handles_are_torch_utils_hooks_removable_handles():
    from minigrad.utils.hooks import RemovableHandle
    x = minigrad.ones(2, requires_grad=True)
    assert isinstance(x.register_hook(lambda g: None), RemovableHandle)
    assert isinstance(minigrad.nn.ReLU().register_full_backward_hook(lambda *a: None),
                      RemovableHandle)
    assert minigrad.utils.hooks.RemovableHandle is RemovableHandle
