"""Module hooks as in PyTorch: full backward hooks and backward pre-hooks (what they see, what
they replace), the deprecated register_backward_hook, forward hooks with with_kwargs / prepend /
always_call, and the global module hooks. Each program runs on minigrad and, where installed,
on torch from the same weights, and the two are compared."""
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.nn.modules import module as mg_module_hooks

torch = pytest.importorskip("torch")


def _np(t):
    return None if t is None else t.detach().cpu().numpy()


def _same_weights(mg_model, torch_model):
    mg_model.load_state_dict({k: minigrad.tensor(v.detach().numpy())
                              for k, v in torch_model.state_dict().items()})


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.ReLU(), lib.nn.Linear(5, 3))


def _both(build):
    """The same model in minigrad and torch, with torch's initial weights."""
    t_model = build(torch)
    m_model = build(minigrad)
    _same_weights(m_model, t_model)
    return m_model, t_model


X = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)


def _run_full_hooks(lib, model):
    seen = {}

    def record(name):
        def hook(module, grad_input, grad_output):
            seen[name] = ([_np(g) for g in grad_input], [_np(g) for g in grad_output])
        return hook

    model[0].register_full_backward_hook(record("linear0"))
    model[1].register_full_backward_hook(record("relu"))
    x = lib.tensor(X, requires_grad=True)
    model(x).sum().backward()
    return seen, _np(x.grad)


def test_full_backward_hooks_see_what_torch_sees():
    m_model, t_model = _both(_mlp)
    m_seen, m_grad = _run_full_hooks(minigrad, m_model)
    t_seen, t_grad = _run_full_hooks(torch, t_model)
    assert m_seen.keys() == t_seen.keys()
    for name in t_seen:
        for m_side, t_side in zip(m_seen[name], t_seen[name]):
            assert len(m_side) == len(t_side)
            for m_g, t_g in zip(m_side, t_side):
                np.testing.assert_allclose(m_g, t_g, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m_grad, t_grad, rtol=1e-5, atol=1e-6)


def _guided_backprop(lib, model):
    """Guided backprop as usually written: ReLUs pass only positive gradients back."""
    handles = [m.register_full_backward_hook(
        lambda module, grad_in, grad_out: (lib.clamp(grad_in[0], min=0.0),))
        for m in model.modules() if isinstance(m, lib.nn.ReLU)]
    x = lib.tensor(X, requires_grad=True)
    out = model(x)
    out[:, 1].sum().backward()
    for h in handles:
        h.remove()
    return _np(x.grad)


def test_guided_backprop_replaces_relu_grad_input_as_torch():
    m_model, t_model = _both(_mlp)
    guided = _guided_backprop(minigrad, m_model)
    np.testing.assert_allclose(guided, _guided_backprop(torch, t_model), rtol=1e-5, atol=1e-6)
    x = minigrad.tensor(X, requires_grad=True)
    m_model(x)[:, 1].sum().backward()  # hooks removed: the plain gradient differs
    assert not np.allclose(_np(x.grad), guided)


def _cnn(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(1, 3, 3, padding=1), lib.nn.ReLU(),
                             lib.nn.Conv2d(3, 4, 3), lib.nn.ReLU(), lib.nn.Flatten(),
                             lib.nn.Linear(4 * 4 * 4, 2))


def _grad_cam(lib, model, use_tensor_hook):
    """Grad-CAM as usually written: a forward hook keeps the activations of the last conv,
    a full backward hook (or a tensor hook on the activations) keeps their gradients."""
    store = {}
    layer = model[2]

    def keep_activation(module, inputs, output):
        store["act"] = output.detach()
        if use_tensor_hook:
            output.register_hook(lambda grad: store.__setitem__("grad", grad.detach()))

    handles = [layer.register_forward_hook(keep_activation)]
    if not use_tensor_hook:
        handles.append(layer.register_full_backward_hook(
            lambda module, gin, gout: store.__setitem__("grad", gout[0].detach())))
    x = lib.tensor(np.linspace(-1, 1, 36, dtype=np.float32).reshape(1, 1, 6, 6))
    score = model(x)[0, 1]
    model.zero_grad()
    score.backward()
    weights = store["grad"].mean(dim=(2, 3), keepdim=True)
    cam = lib.relu((weights * store["act"]).sum(dim=1))
    for h in handles:
        h.remove()
    return _np(cam / (cam.max() + 1e-8))


@pytest.mark.parametrize("use_tensor_hook", [False, True])
def test_grad_cam_matches_torch(use_tensor_hook):
    m_model, t_model = _both(_cnn)
    np.testing.assert_allclose(_grad_cam(minigrad, m_model, use_tensor_hook),
                               _grad_cam(torch, t_model, use_tensor_hook),
                               rtol=1e-4, atol=1e-6)


def _pre_hook_program(lib, model):
    events = []
    model[2].register_full_backward_pre_hook(
        lambda module, grad_output: (grad_output[0] * 2,))
    model[2].register_full_backward_hook(
        lambda module, gin, gout: events.append(_np(gout[0])))
    x = lib.tensor(X, requires_grad=True)
    model(x).sum().backward()
    return events, _np(x.grad)


def test_backward_pre_hook_replaces_grad_output():
    m_model, t_model = _both(_mlp)
    m_events, m_grad = _pre_hook_program(minigrad, m_model)
    t_events, t_grad = _pre_hook_program(torch, t_model)
    np.testing.assert_allclose(m_events[0], t_events[0])
    np.testing.assert_allclose(m_events[0], 2 * np.ones((2, 3)))
    np.testing.assert_allclose(m_grad, t_grad, rtol=1e-5, atol=1e-6)


class _Scale:
    """A module taking a tensor and a number (grad_input holds None for the number)."""

    @staticmethod
    def build(lib):
        class Scale(lib.nn.Module):
            def forward(self, x, factor):
                return x * factor, x.sum()
        return Scale()


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_grad_input_has_none_for_non_tensor_args_and_outputs_are_tuples(lib):
    module = _Scale.build(lib)
    seen = []
    module.register_full_backward_hook(lambda m, gin, gout: seen.append((gin, gout)))
    x = lib.ones(3, requires_grad=True)
    a, b = module(x, 3.0)
    (a.sum() + b).backward()
    (gin, gout), = seen
    assert len(gin) == 2 and gin[1] is None
    np.testing.assert_allclose(_np(gin[0]), [4.0, 4.0, 4.0])
    assert len(gout) == 2
    np.testing.assert_allclose(_np(gout[0]), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(_np(gout[1]), 1.0)


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_full_hook_fires_with_none_grad_input_when_no_input_requires_grad(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 2)
    seen = []
    layer.register_full_backward_hook(lambda m, gin, gout: seen.append((gin, _np(gout[0]))))
    with pytest.warns(UserWarning):
        layer(lib.ones(1, 3)).sum().backward()
    assert seen[0][0] == (None,)
    np.testing.assert_allclose(seen[0][1], [[1.0, 1.0]])


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_full_and_non_full_hooks_do_not_mix(lib):
    layer = lib.nn.ReLU()
    layer.register_full_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError, match="Cannot use both"):
        layer.register_backward_hook(lambda *a: None)


def _non_full_relu(lib):
    relu = lib.nn.ReLU()
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that this hook is deprecated
        relu.register_backward_hook(lambda m, gin, gout: (lib.clamp(gin[0], min=0.0) * 0.5,))
        relu.register_backward_hook(lambda m, gin, gout: seen.append(_np(gin[0])))
    x = lib.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
    y = x * 1.0
    relu(y).mul(lib.tensor([[1.0, 1.0, -3.0]])).sum().backward()
    return seen, _np(x.grad)


def test_deprecated_backward_hook_on_a_single_op_module():
    m_seen, m_grad = _non_full_relu(minigrad)
    t_seen, t_grad = _non_full_relu(torch)
    np.testing.assert_allclose(m_seen[0], t_seen[0])
    np.testing.assert_allclose(m_grad, t_grad)


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_deprecated_backward_hook_warns_on_a_module_of_several_ops(lib):
    model = _mlp(lib)
    model.register_backward_hook(lambda *a: None)
    with pytest.warns(FutureWarning):
        model(lib.ones(1, 4) * 1.0)


def _forward_hook_program(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(2, 2)
    calls = []
    layer.register_forward_hook(lambda m, args, out: calls.append("plain"))
    layer.register_forward_hook(lambda m, args, out: calls.append("first"), prepend=True)
    layer.register_forward_hook(
        lambda m, args, kwargs, out: calls.append(("kw", sorted(kwargs))), with_kwargs=True)
    layer.register_forward_pre_hook(
        lambda m, args, kwargs: ((args[0] * 0,), kwargs), with_kwargs=True)
    out = layer(lib.ones(1, 2))
    return calls, _np(out), _np(layer.bias)


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_forward_hooks_prepend_and_with_kwargs(lib):
    calls, out, bias = _forward_hook_program(lib)
    assert calls == ["first", "plain", ("kw", [])]
    np.testing.assert_allclose(out[0], bias)  # the pre-hook zeroed the input


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_always_call_forward_hook_runs_when_forward_raises(lib):
    class Broken(lib.nn.Module):
        def forward(self, x):
            raise ValueError("broken forward")

    module = Broken()
    calls = []
    module.register_forward_hook(lambda m, args, out: calls.append(("always", out)),
                                 always_call=True)
    module.register_forward_hook(lambda m, args, out: calls.append("normal"))
    with pytest.raises(ValueError, match="broken forward"):
        module(lib.ones(1))
    assert calls == [("always", None)]


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_global_module_hooks(lib):
    hooks = mg_module_hooks if lib is minigrad else torch.nn.modules.module
    model = _mlp(lib)
    order = []
    handles = [
        hooks.register_module_forward_pre_hook(
            lambda m, args: order.append(("pre", type(m).__name__))),
        hooks.register_module_forward_hook(
            lambda m, args, out: order.append(("fwd", type(m).__name__))),
        hooks.register_module_full_backward_pre_hook(
            lambda m, gout: order.append(("bpre", type(m).__name__))),
        hooks.register_module_full_backward_hook(
            lambda m, gin, gout: order.append(("bwd", type(m).__name__))),
    ]
    try:
        model[0].register_forward_hook(lambda m, a, o: order.append(("own", "Linear")))
        model(lib.ones(1, 4, requires_grad=True)).sum().backward()
    finally:
        for h in handles:
            h.remove()
    assert order[:3] == [("pre", "Sequential"), ("pre", "Linear"), ("fwd", "Linear")]
    assert order[3] == ("own", "Linear")
    assert [e for e in order if e[0] == "bwd"] == [("bwd", "Linear"), ("bwd", "ReLU"),
                                                    ("bwd", "Linear"), ("bwd", "Sequential")]
    assert order.index(("bpre", "Sequential")) < order.index(("bwd", "Linear"))
    count = len(order)
    model(lib.ones(1, 4))
    assert len(order) == count + 1  # only the module's own hook is left


def test_global_and_module_hooks_agree_with_torch_on_the_whole_order():
    results = []
    for lib, hooks in ((minigrad, mg_module_hooks), (torch, torch.nn.modules.module)):
        model = _mlp(lib)
        order = []
        handles = [hooks.register_module_full_backward_hook(
            lambda m, gin, gout: order.append(type(m).__name__))]
        handles.append(model[2].register_full_backward_hook(
            lambda m, gin, gout: order.append("own")))
        model(lib.ones(1, 4, requires_grad=True)).sum().backward()
        for h in handles:
            h.remove()
        results.append(order)
    assert results[0] == results[1]


def test_a_hook_that_returns_the_wrong_number_of_grads_is_refused():
    layer = minigrad.nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda m, gin, gout: (gin[0], gin[0]))
    with pytest.raises(RuntimeError, match="expected 1"):
        layer(minigrad.ones(1, 2, requires_grad=True)).sum().backward()


def test_hooks_cost_nothing_after_removal():
    layer = minigrad.nn.ReLU()
    handle = layer.register_full_backward_hook(lambda *a: None)
    x = minigrad.ones(2, requires_grad=True)
    assert type(layer(x).grad_fn).__name__ == "BackwardHookFunctionBackward"
    handle.remove()
    assert type(layer(x).grad_fn).__name__ == "ReluBackward0"
