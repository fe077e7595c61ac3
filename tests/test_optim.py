"""Optimizers against PyTorch step by step, parameter groups, state dicts, gradient clipping."""
import math

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.nn import Parameter
from minigrad.nn.utils import clip_grad_norm_, clip_grad_value_

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5,)]


def _arrays(seed=0):
    rng = np.random.default_rng(seed)
    inits = [rng.standard_normal(s) for s in SHAPES]
    coefs = [rng.standard_normal(s) for s in SHAPES]
    return inits, coefs


def _loss(params, coefs):
    """A loss whose gradient 2 * c * p + c changes sign and size from step to step."""
    return sum((p * p * c).sum() + (p * c).sum() for p, c in zip(params, coefs))


def _groups(params, group_options):
    if group_options is None:
        return params
    return [{"params": [p], **opts} for p, opts in zip(params, group_options)]


def run_both(name, kwargs, steps=6, dtype="float64", group_options=None, device="cpu"):
    """Run minigrad's and torch's optimizer `name` side by side; yield both params per step."""
    inits, coefs = _arrays()
    mg_params = [minigrad.tensor(a, dtype=dtype, device=device, requires_grad=True)
                 for a in inits]
    mg_coefs = [minigrad.tensor(c, dtype=dtype, device=device) for c in coefs]
    th_dtype = getattr(torch, dtype)
    th_params = [torch.tensor(a, dtype=th_dtype, requires_grad=True) for a in inits]
    th_coefs = [torch.tensor(c, dtype=th_dtype) for c in coefs]
    mg_opt = getattr(optim, name)(_groups(mg_params, group_options), **kwargs)
    th_opt = getattr(torch.optim, name)(_groups(th_params, group_options), **kwargs)
    for _ in range(steps):
        for opt, params, cs in ((mg_opt, mg_params, mg_coefs), (th_opt, th_params, th_coefs)):
            opt.zero_grad()
            _loss(params, cs).backward()
            opt.step()
        yield [p.numpy() for p in mg_params], [p.detach().numpy() for p in th_params]


CONFIGS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-3, "maximize": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS)
def test_matches_torch_float64(name, kwargs, device):
    for ours, theirs in run_both(name, kwargs, device=device):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_matches_torch_float32(name, device):
    kwargs = {"lr": 0.01, "weight_decay": 0.05}
    if name in ("SGD", "RMSprop"):
        kwargs["momentum"] = 0.9
    for ours, theirs in run_both(name, kwargs, dtype="float32", device=device):
        for a, b in zip(ours, theirs):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_param_groups_match_torch(name, device):
    groups = [{"lr": 0.1, "weight_decay": 0.2}, {}]
    kwargs = {"lr": 0.01, "momentum": 0.9} if name != "Adam" else {"lr": 0.01}
    for ours, theirs in run_both(name, kwargs, group_options=groups, device=device):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kwargs", [("SGD", {}), ("SGD", {"momentum": 0.9}),
                                         ("Adam", {"amsgrad": True}),
                                         ("RMSprop", {"momentum": 0.5, "centered": True})])
def test_state_and_group_keys_match_torch(name, kwargs):
    """The state dict has PyTorch's layout and per-parameter state names."""
    p, tp = minigrad.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    ours, theirs = getattr(optim, name)([p], **kwargs), getattr(torch.optim, name)([tp], **kwargs)
    for opt, x in ((ours, p), (theirs, tp)):
        (x * x).sum().backward()
        opt.step()
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert set(sd["state"]) == set(tsd["state"])
    for i in tsd["state"]:
        assert set(sd["state"][i]) == set(tsd["state"][i])
    assert sd["param_groups"][0]["params"] == [0]
    assert set(sd["param_groups"][0]) <= set(tsd["param_groups"][0])


def test_defaults_match_torch():
    p, tp = minigrad.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    for name in ("SGD", "Adam", "AdamW", "RMSprop"):
        ours = getattr(optim, name)([p]).defaults
        theirs = getattr(torch.optim, name)([tp]).defaults
        for key, value in ours.items():
            assert theirs[key] == value, (name, key)


@pytest.mark.parametrize("name,kwargs", CONFIGS)
def test_fused_updates_on_threads_match_torch(name, kwargs):
    """The CPU updates split large parameters over threads; force that on small ones."""
    from minigrad.backend.cpu._config import override
    with override(optim_parallel_min_elements=0):
        for ours, theirs in run_both(name, kwargs):
            for a, b in zip(ours, theirs):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def _as_array(value):
    return value.numpy() if isinstance(value, minigrad.Tensor) else np.asarray(value)


@pytest.mark.parametrize("name,kwargs", CONFIGS)
def test_non_contiguous_parameter_is_updated_like_a_contiguous_one(name, kwargs, device):
    values = np.random.default_rng(1).standard_normal((4, 3))
    params = [minigrad.tensor(values.T.copy(), device=device).requires_grad_(),
              minigrad.tensor(values, device=device).t().detach().requires_grad_()]
    assert params[0].is_contiguous() and not params[1].is_contiguous()
    optimizers = [getattr(optim, name)([p], **kwargs) for p in params]
    for _ in range(3):
        for p, opt in zip(params, optimizers):
            opt.zero_grad()
            (p * p * p).sum().backward()
            opt.step()
        np.testing.assert_array_equal(params[1].numpy(), params[0].numpy())
    for key, value in optimizers[0].state[params[0]].items():
        np.testing.assert_array_equal(_as_array(optimizers[1].state[params[1]][key]),
                                      _as_array(value))


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_step_bumps_the_version_of_saved_parameters(name, device):
    p = Parameter(minigrad.randn(4, device=device))
    y = (p * p).sum()  # saves p for backward
    y.backward(retain_graph=True)
    getattr(optim, name)([p], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {})).step()
    with pytest.raises(minigrad.autograd.AutogradError, match="was modified in place"):
        y.backward()


def test_step_is_in_place_and_records_no_graph(device):
    p = Parameter(minigrad.randn(4, device=device))
    alias = p.detach()  # shares p's storage
    opt = optim.Adam([p], lr=0.1)
    before = p.numpy().copy()  # numpy() shares the parameter's memory, as in PyTorch
    (p * p).sum().backward()
    opt.step()
    assert not np.allclose(p.numpy(), before)
    np.testing.assert_array_equal(alias.numpy(), p.numpy())
    assert p.is_leaf and p.grad_fn is None and p.requires_grad
    assert isinstance(p, Parameter)


def test_params_without_grad_are_skipped():
    a, b = minigrad.ones(2, requires_grad=True), minigrad.ones(2, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    (a * 3).sum().backward()
    opt.step()
    np.testing.assert_allclose(a.numpy(), [-0.5, -0.5])
    np.testing.assert_array_equal(b.numpy(), [1, 1])
    assert b not in opt.state and "momentum_buffer" in opt.state[a]


def test_step_with_closure_enables_grad():
    p = minigrad.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.numpy(), [0.8, -1.6], rtol=1e-6)
    assert opt.step() is None


def test_zero_grad():
    p = minigrad.ones(3, requires_grad=True)
    opt = optim.SGD([p])
    (p * 2).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


def test_param_group_validation():
    a, b = minigrad.ones(2, requires_grad=True), minigrad.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(a)
    with pytest.raises(TypeError, match="sets"):
        optim.SGD({a, b})
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([a, 3.0])
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([a * 2])
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a, b]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([b])
    opt.add_param_group({"params": b, "lr": 0.5})
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.9
    with pytest.warns(UserWarning, match="duplicate"):
        optim.SGD([b, b])


@pytest.mark.parametrize("make,match", [
    (lambda p: optim.SGD(p, lr=-1), "learning rate"),
    (lambda p: optim.SGD(p, momentum=-0.1), "momentum"),
    (lambda p: optim.SGD(p, weight_decay=-1), "weight_decay"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
    (lambda p: optim.Adam(p, lr=-1e-3), "learning rate"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "beta parameter at index 0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "beta parameter at index 1"),
    (lambda p: optim.Adam(p, eps=-1), "eps"),
    (lambda p: optim.AdamW(p, weight_decay=-1), "weight_decay"),
    (lambda p: optim.RMSprop(p, alpha=-0.5), "alpha"),
    (lambda p: optim.RMSprop(p, lr=-0.5), "learning rate"),
    (lambda p: optim.RMSprop(p, momentum=-0.5), "momentum"),
    (lambda p: optim.RMSprop(p, eps=-1), "epsilon value"),
    (lambda p: optim.SGD(p, lr=math.nan), r"learning rate \(lr\): nan"),
    (lambda p: optim.Adam(p, lr=math.inf), "finite"),
    (lambda p: optim.Adam(p, betas=(0.9,)), "pair"),
    (lambda p: optim.SGD([{"params": p, "lr": -1}], lr=0.1), "learning rate"),
    (lambda p: optim.Adam([{"params": p, "betas": (0.9, 1.5)}]), "beta parameter at index 1"),
])
def test_invalid_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make([minigrad.ones(1, requires_grad=True)])


@pytest.mark.parametrize("make,match", [
    (lambda p: optim.SGD(p, lr="0.1"), r"rate \(lr\) must be a real number, got str '0.1'"),
    (lambda p: optim.Adam(p, lr="0.1"), r"\(lr\) must be a real number"),
    (lambda p: optim.RMSprop(p, alpha="0.9"), "alpha must be a real number"),
    (lambda p: optim.SGD(p, momentum=None), "momentum must be a real number"),
    (lambda p: optim.Adam(p, betas=(0.9, "0.99")), r"betas\[1\]"),
    (lambda p: optim.SGD(p, nesterov="False"), "nesterov must be a bool"),
    (lambda p: optim.Adam(p, amsgrad=None), "amsgrad must be a bool"),
    (lambda p: optim.SGD(p, weight_decay=True), "weight_decay must be a real number"),
])
def test_hyperparameters_of_the_wrong_type_name_themselves(make, match):
    with pytest.raises(TypeError, match=match):
        make([minigrad.ones(1, requires_grad=True)])
    with pytest.raises(TypeError):  # torch raises TypeError for a string lr too
        torch.optim.SGD([torch.ones(1, requires_grad=True)], lr="0.1")


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_settings_changed_after_construction_are_checked_before_the_step(name):
    p = minigrad.ones(3, requires_grad=True)
    opt = getattr(optim, name)([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one"):  # a bad group is not added
        opt.add_param_group({"params": [p], "lr": -1})
    q = minigrad.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="learning rate"):
        opt.add_param_group({"params": [q], "lr": -1})
    assert len(opt.param_groups) == 1
    opt.param_groups[0]["lr"] = "0.1"
    p.grad = minigrad.ones(3)
    with pytest.raises(TypeError, match=r"\(lr\) must be a real number"):
        opt.step()
    np.testing.assert_array_equal(p.numpy(), np.ones(3))
    assert not opt.state[p]


def _train(opt, params, coefs, steps):
    for _ in range(steps):
        opt.zero_grad()
        _loss(params, coefs).backward()
        opt.step()


def _setup(name, kwargs):
    inits, coefs = _arrays(1)
    params = [minigrad.tensor(a, requires_grad=True) for a in inits]
    coefs = [minigrad.tensor(c) for c in coefs]
    groups = [{"params": params[:1], "lr": 0.02}, {"params": params[1:]}]
    return getattr(optim, name)(groups, **kwargs), params, coefs


@pytest.mark.parametrize("name,kwargs", [("SGD", {"momentum": 0.9, "lr": 0.01}),
                                         ("Adam", {"amsgrad": True}),
                                         ("RMSprop", {"centered": True, "momentum": 0.3})])
def test_state_dict_resumes_exactly(name, kwargs):
    opt, params, coefs = _setup(name, kwargs)
    _train(opt, params, coefs, 3)
    snapshot = opt.state_dict()
    values = [p.numpy().copy() for p in params]  # numpy() shares memory: snapshot
    _train(opt, params, coefs, 3)
    expected = [p.numpy().copy() for p in params]

    fresh, fresh_params, _ = _setup(name, {})  # other settings: the state dict restores them
    for p, v in zip(fresh_params, values):
        with minigrad.no_grad():
            p.copy_(minigrad.tensor(v))
    fresh.load_state_dict(snapshot)
    assert fresh.param_groups[0]["lr"] == 0.02
    for key, value in kwargs.items():
        assert fresh.param_groups[1][key] == value
    _train(fresh, fresh_params, coefs, 3)
    for p, e in zip(fresh_params, expected):
        np.testing.assert_array_equal(p.numpy(), e)


def test_state_dict_is_a_snapshot():
    opt, params, coefs = _setup("Adam", {})
    _train(opt, params, coefs, 2)
    sd = opt.state_dict()
    exp_avg = sd["state"][0]["exp_avg"].numpy()
    _train(opt, params, coefs, 2)
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].numpy(), exp_avg)
    assert sd["state"][0]["step"] == 2 and opt.state_dict()["state"][0]["step"] == 4


def _describe(opt):
    state = {id(p): {k: v.numpy().tolist() if hasattr(v, "numpy") else v for k, v in s.items()}
             for p, s in opt.state.items()}
    groups = [{k: (v if k != "params" else [id(p) for p in v]) for k, v in g.items()}
              for g in opt.param_groups]
    return state, groups


def test_load_state_dict_errors_leave_optimizer_unchanged():
    opt, params, coefs = _setup("SGD", {"momentum": 0.9})
    _train(opt, params, coefs, 1)
    good = opt.state_dict()
    before = _describe(opt)

    one_group = {"state": {}, "param_groups": good["param_groups"][:1]}
    wrong_size = {"state": {}, "param_groups": [dict(good["param_groups"][0], params=[0, 1]),
                                                good["param_groups"][1]]}
    unknown = {"state": {7: {"momentum_buffer": minigrad.zeros(1)}},
               "param_groups": good["param_groups"]}
    bad_shape = {"state": {**good["state"], 1: {"momentum_buffer": minigrad.zeros(2)}},
                 "param_groups": good["param_groups"]}
    cases = [(one_group, "2 parameter groups|1 parameter groups"),
             (wrong_size, "group 0 has 2 parameters"),
             (unknown, "parameter index 7"),
             (bad_shape, "momentum_buffer.*shape"),
             ({"state": {}}, "param_groups"),
             ({"optimizer": good}, "param_groups"),
             ({"state": [], "param_groups": good["param_groups"]}, "malformed"),
             ([1, 2], "state")]
    for bad, match in cases:
        with pytest.raises(ValueError, match=match):
            opt.load_state_dict(bad)
        assert _describe(opt) == before


def _adam_after_a_step(amsgrad=False):
    p = minigrad.ones(3, requires_grad=True)
    opt = optim.Adam([p], amsgrad=amsgrad)
    (p * p).sum().backward()
    opt.step()
    return opt, p


def _edit(sd, **state0):
    """A deep copy of `sd` with entries of parameter 0's state replaced (None: removed)."""
    sd = {"state": {i: dict(s) for i, s in sd["state"].items()},
          "param_groups": [dict(g) for g in sd["param_groups"]]}
    for key, value in state0.items():
        if value is None:
            del sd["state"][0][key]
        else:
            sd["state"][0][key] = value
    return sd


def test_load_state_dict_validates_every_state_entry_and_changes_nothing():
    opt, p = _adam_after_a_step()
    good = opt.state_dict()
    before = _describe(opt)
    cases = [
        (_edit(good, step=1.5), "'step' of parameter 0 must be a non-negative int, got float"),
        (_edit(good, step="3"), "must be a non-negative int"),
        (_edit(good, step=True), "must be a non-negative int"),
        (_edit(good, step=-1), "must be a non-negative int"),
        (_edit(good, exp_avg=None), "parameter 0 has no exp_avg"),
        (_edit(good, step=None), "has no step"),
        (_edit(good, exp_avg=minigrad.zeros(4)), r"'exp_avg' of parameter 0 has shape \(4,\)"),
        (_edit(good, exp_avg_sq=minigrad.zeros(3, 1)), "exp_avg_sq' of parameter 0 has shape"),
        (_edit(good, exp_avg=minigrad.zeros(3, dtype=minigrad.int64)), "floating dtype"),
        (_edit(good, exp_avg=np.zeros(3, np.float32)), "must be a Tensor, got ndarray"),
        ({"state": good["state"], "param_groups": [dict(good["param_groups"][0], lr="0.1")]},
         r"\(lr\) must be a real number"),
        ({"state": good["state"], "param_groups": [dict(good["param_groups"][0], eps=-1.0)]},
         "epsilon value"),
        ({"state": good["state"], "param_groups": [dict(good["param_groups"][0], params=[0.0])]},
         "distinct ints"),
        ({"state": good["state"], "param_groups": [dict(good["param_groups"][0], params=None)]},
         "malformed"),
    ]
    for bad, match in cases:
        with pytest.raises((ValueError, TypeError), match=match):
            opt.load_state_dict(bad)
        assert _describe(opt) == before
    opt.load_state_dict(good)  # still loads
    assert _describe(opt) == before


def test_load_state_dict_rejects_parameters_numbered_twice():
    a, b = minigrad.ones(2, requires_grad=True), minigrad.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][1]["params"] = [0]
    with pytest.raises(ValueError, match="distinct ints"):
        opt.load_state_dict(sd)


def test_load_state_dict_accepts_torch_style_empty_momentum_buffer():
    p = minigrad.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    sd = opt.state_dict()
    sd["state"][0] = {"momentum_buffer": None}  # what torch saves without momentum
    opt.load_state_dict(sd)
    assert "momentum_buffer" not in opt.state[p]


def test_load_state_dict_casts_to_param_dtype_and_copies():
    p = minigrad.ones(3, requires_grad=True)  # float32
    opt = optim.Adam([p])
    (p * p).sum().backward()
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].double()
    opt.load_state_dict(sd)
    assert opt.state[p]["exp_avg"].dtype == minigrad.float32
    with minigrad.no_grad():
        sd["state"][0]["exp_avg_sq"].fill_(7.0)
    assert opt.state[p]["exp_avg_sq"].numpy().max() < 7.0


def test_adamw_keeps_decoupled_weight_decay_when_loading_adam_state():
    p = minigrad.ones(2, requires_grad=True)
    adam_sd = optim.Adam([minigrad.ones(2, requires_grad=True)], weight_decay=0.1).state_dict()
    opt = optim.AdamW([p])
    opt.load_state_dict(adam_sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    assert opt.param_groups[0]["weight_decay"] == 0.1


def test_repr_lists_groups():
    text = repr(optim.SGD([minigrad.ones(1, requires_grad=True)], lr=0.5))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.5" in text


# ---- gradient clipping -----------------------------------------------------------------------
def _grads_pair(scale, device):
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal(s) * scale for s in SHAPES]
    ours = [minigrad.zeros(*s, device=device, requires_grad=True) for s in SHAPES]
    theirs = [torch.zeros(s, requires_grad=True) for s in SHAPES]
    for p, tp, g in zip(ours, theirs, grads):
        p.grad = minigrad.tensor(g, dtype=minigrad.float32, device=device)
        tp.grad = torch.tensor(g, dtype=torch.float32)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 3.0, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, device):
    ours, theirs = _grads_pair(2.0, device)
    total = clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, minigrad.Tensor) and total.ndim == 0
    assert total.dtype == minigrad.float32
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-6)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_edge_cases():
    p = minigrad.ones(2, requires_grad=True)
    assert clip_grad_norm_([p], 1.0).item() == 0.0  # no grads at all
    p.grad = minigrad.tensor([3.0, 4.0])
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)  # a single tensor
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    p.grad = minigrad.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad.numpy(), [math.inf, 1.0])
    with np.errstate(invalid="ignore"):  # inf * 0 = nan, as in PyTorch
        assert math.isinf(clip_grad_norm_([p], 1.0).item())
    assert np.isnan(p.grad.numpy()[0])


def test_clip_grad_value_matches_torch(device):
    ours, theirs = _grads_pair(2.0, device)
    clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, tp in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())
