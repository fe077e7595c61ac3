"""Adadelta, Adagrad, Adamax, NAdam and RAdam against PyTorch step by step (float64, several
steps, weight decay and the main options), their state dicts, and their argument checks."""
import numpy as np
import pytest

import minigrad
from minigrad import optim

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5,)]


def _loss(params, coefs):
    """A loss whose gradient 2 * c * p + c changes sign and size from step to step."""
    return sum((p * p * c).sum() + (p * c).sum() for p, c in zip(params, coefs))


def run_both(name, kwargs, steps=6, dtype="float64", group_options=None, device="cpu"):
    """Run minigrad's and torch's optimizer `name` side by side; yield both params per step."""
    rng = np.random.default_rng(0)
    inits = [rng.standard_normal(s) for s in SHAPES]
    coefs = [rng.standard_normal(s) for s in SHAPES]
    ours = [minigrad.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in inits]
    our_coefs = [minigrad.tensor(c, dtype=dtype, device=device) for c in coefs]
    theirs = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True) for a in inits]
    their_coefs = [torch.tensor(c, dtype=getattr(torch, dtype)) for c in coefs]

    def groups(params):
        if group_options is None:
            return params
        return [{"params": [p], **opts} for p, opts in zip(params, group_options)]
    our_opt = getattr(optim, name)(groups(ours), **kwargs)
    their_opt = getattr(torch.optim, name)(groups(theirs), **kwargs)
    for _ in range(steps):
        for opt, params, cs in ((our_opt, ours, our_coefs), (their_opt, theirs, their_coefs)):
            opt.zero_grad()
            _loss(params, cs).backward()
            opt.step()
        yield [p.numpy() for p in ours], [p.detach().numpy() for p in theirs]

CONFIGS = [
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adadelta", {"maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1,
                 "initial_accumulator_value": 0.3}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "betas": (0.8, 0.95), "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.05, "eps": 1e-2, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"lr": 0.05, "betas": (0.8, 0.9), "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "betas": (0.5, 0.6), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "betas": (0.5, 0.6), "weight_decay": 0.1,
               "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.05, "betas": (0.5, 0.6), "maximize": True}),
]


# The flags are Python branches over the same Tensor ops: on cuda each optimizer's default
# configuration runs them, the others say nothing new there.
@pytest.mark.parametrize("name,kwargs", [
    pytest.param(name, kwargs, marks=pytest.mark.cpu_suffices) if kwargs else (name, kwargs)
    for name, kwargs in CONFIGS])
def test_matches_torch_float64(name, kwargs, device):
    for ours, theirs in run_both(name, kwargs, steps=8, device=device):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name", ["Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam"])
def test_matches_torch_float32_with_groups(name):
    groups = [{"lr": 0.02, "weight_decay": 0.2}, {}]
    for ours, theirs in run_both(name, {"lr": 0.01}, dtype="float32", group_options=groups):
        for a, b in zip(ours, theirs):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam"])
def test_defaults_and_state_names_match_torch(name):
    p, tp = minigrad.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    ours, theirs = getattr(optim, name)([p]), getattr(torch.optim, name)([tp])
    for key, value in ours.defaults.items():
        assert theirs.defaults[key] == value, key
    for opt, x in ((ours, p), (theirs, tp)):
        (x * x).sum().backward()
        opt.step()
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert set(sd["state"][0]) == set(tsd["state"][0])
    assert sd["state"][0]["step"] == int(tsd["state"][0]["step"]) == 1


@pytest.mark.parametrize("name,kwargs", [("Adadelta", {"weight_decay": 0.1}),
                                         ("Adagrad", {"lr_decay": 0.1}),
                                         ("Adamax", {}), ("NAdam", {}), ("RAdam", {})])
def test_state_dict_resumes_exactly(name, kwargs, tmp_path):
    def train(opt, params, steps):
        for _ in range(steps):
            opt.zero_grad()
            sum(((p - 1) ** 2 * (i + 1)).sum() for i, p in enumerate(params)).backward()
            opt.step()

    def setup():
        params = [minigrad.tensor(np.linspace(-1, 1, 4), requires_grad=True),
                  minigrad.tensor([[0.5, -2.0]], requires_grad=True)]
        return getattr(optim, name)(params, lr=0.05, **kwargs), params
    opt, params = setup()
    train(opt, params, 3)
    minigrad.save({"opt": opt.state_dict(), "params": [p.detach() for p in params]},
                  tmp_path / "o.mg")
    train(opt, params, 3)
    fresh, fresh_params = setup()
    saved = minigrad.load(tmp_path / "o.mg")
    with minigrad.no_grad():
        for p, v in zip(fresh_params, saved["params"]):
            p.copy_(v)
    fresh.load_state_dict(saved["opt"])
    train(fresh, fresh_params, 3)
    for p, q in zip(params, fresh_params):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


@pytest.mark.parametrize("make, match", [
    (lambda p: optim.Adadelta(p, lr=-1), "learning rate"),
    (lambda p: optim.Adadelta(p, rho=1.5), "rho"),
    (lambda p: optim.Adagrad(p, lr_decay=-0.1), "lr_decay"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda p: optim.Adamax(p, betas=(1.0, 0.9)), "beta"),
    (lambda p: optim.NAdam(p, momentum_decay=-1), "momentum_decay"),
    (lambda p: optim.RAdam(p, eps=-1), "epsilon"),
    (lambda p: optim.NAdam(p, decoupled_weight_decay="yes"), "decoupled_weight_decay"),
])
def test_invalid_hyperparameters(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make([minigrad.ones(2, requires_grad=True)])


def test_adagrad_state_exists_before_the_first_step_like_torch():
    p = minigrad.ones(2, requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.5)
    theirs = torch.optim.Adagrad([torch.ones(2, requires_grad=True)],
                                 initial_accumulator_value=0.5)
    assert set(opt.state_dict()["state"][0]) == set(theirs.state_dict()["state"][0])
    assert opt.state[p]["sum"].tolist() == [0.5, 0.5]
