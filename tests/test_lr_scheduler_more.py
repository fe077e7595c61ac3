"""The schedulers beyond StepLR/MultiStepLR/CosineAnnealingLR/OneCycleLR: every lr (and
momentum) step by step against PyTorch's, get_last_lr, and state_dict round trips."""
import math

import pytest

import minigrad
from minigrad import optim
from minigrad.optim import lr_scheduler

torch = pytest.importorskip("torch")


def _optimizers(name="SGD", lrs=(0.1, 0.02), **kwargs):
    ours = getattr(optim, name)([{"params": [minigrad.ones(2, requires_grad=True)], "lr": lr}
                                 for lr in lrs], **kwargs)
    theirs = getattr(torch.optim, name)([{"params": [torch.ones(2, requires_grad=True)],
                                          "lr": lr} for lr in lrs], **kwargs)
    return ours, theirs


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def _run(make, steps, opt_name="SGD", opt_kwargs=None, close=False):
    """Build with `make(module, optimizer)` for both libraries and step them side by side."""
    ours, theirs = _optimizers(opt_name, **(opt_kwargs if opt_kwargs is not None
                                            else {"momentum": 0.9}))
    mine, ref = make(lr_scheduler, ours), make(torch.optim.lr_scheduler, theirs)

    def check():
        if close:
            assert mine.get_last_lr() == pytest.approx(ref.get_last_lr(), rel=1e-12)
        else:
            assert mine.get_last_lr() == ref.get_last_lr()
        assert _lrs(ours) == pytest.approx(_lrs(theirs), rel=1e-12)
        assert _momenta(ours) == pytest.approx(_momenta(theirs), rel=1e-12)
    check()
    for _ in range(steps):
        ours.step()
        theirs.step()
        mine.step()
        ref.step()
        check()
    return mine, ours


CASES = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda epoch: 0.95 ** epoch),
    "LambdaLR per group": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: e + 1]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda epoch: 0.9),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.8),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=3),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=4),
    "LinearLR default": lambda m, o: m.LinearLR(o),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=5, power=2.0),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3),
    "CosineAnnealingWarmRestarts T_mult": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=2, T_mult=2, eta_min=0.001),
    "CyclicLR": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3),
    "CyclicLR triangular2": lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1,
                                                    step_size_up=2, step_size_down=3,
                                                    mode="triangular2"),
    "CyclicLR exp_range": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2,
                                                  mode="exp_range", gamma=0.9,
                                                  cycle_momentum=False),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=3), m.ExponentialLR(o, gamma=0.9)],
        milestones=[3]),
    "SequentialLR three": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=2), m.StepLR(o, step_size=2),
            m.CosineAnnealingLR(o, T_max=4)], milestones=[2, 5]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.1, total_iters=2), m.ExponentialLR(o, gamma=0.9)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_schedule_matches_torch_step_by_step(name):
    _run(CASES[name], 14, close=name.startswith(("SequentialLR three", "CyclicLR")))


def test_cyclic_lr_cycles_adam_beta1_like_torch():
    _run(lambda m, o: m.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=2), 8,
         opt_name="Adam", opt_kwargs={}, close=True)


def test_cyclic_lr_rejects_an_unknown_mode_like_torch():
    ours, theirs = _optimizers("SGD")
    with pytest.raises(ValueError, match="mode"):
        torch.optim.lr_scheduler.CyclicLR(theirs, 0.01, 0.1, mode="sawtooth")
    with pytest.raises(ValueError, match="mode"):
        lr_scheduler.CyclicLR(ours, 0.01, 0.1, mode="sawtooth")


def test_cosine_warm_restarts_fractional_epochs_match_torch():
    ours, theirs = _optimizers()
    mine = lr_scheduler.CosineAnnealingWarmRestarts(ours, T_0=2, T_mult=2)
    ref = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=2, T_mult=2)
    for epoch in [0.5, 1.0, 1.75, 2.0, 3.5, 6.0, 6.25, 13.9]:
        ref.step(epoch)
        mine.step(epoch)
        assert mine.get_last_lr() == pytest.approx(ref.get_last_lr(), rel=1e-12)
    with pytest.raises(ValueError, match="non-negative epoch"):
        mine.step(-1)


@pytest.mark.parametrize("kwargs", [{}, {"mode": "max", "threshold_mode": "abs",
                                         "threshold": 0.05},
                                    {"patience": 1, "cooldown": 2, "min_lr": [0.05, 0.001],
                                     "factor": 0.5},
                                    {"patience": 0, "eps": 0.05}])
def test_reduce_on_plateau_matches_torch(kwargs):
    ours, theirs = _optimizers()
    mine = lr_scheduler.ReduceLROnPlateau(ours, **kwargs)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kwargs)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.89, 0.9, 0.9, 0.9, 1.2, 1.3, 1.3, 0.1, 0.2] * 2
    for value in metrics:
        mine.step(minigrad.tensor(value, dtype=minigrad.float64))
        ref.step(value)
        assert mine.get_last_lr() == ref.get_last_lr()
        assert (mine.num_bad_epochs, mine.best, mine.last_epoch) == \
            (ref.num_bad_epochs, ref.best, ref.last_epoch)
    assert isinstance(mine, lr_scheduler.LRScheduler)


def test_reduce_on_plateau_rejects_bad_arguments_like_torch():
    ours, theirs = _optimizers()
    for kwargs, match in [({"factor": 1.0}, "Factor"), ({"mode": "mean"}, "mode"),
                          ({"threshold_mode": "ratio"}, "threshold mode"),
                          ({"min_lr": [0.1]}, "min_lrs")]:
        with pytest.raises(ValueError, match=match):
            torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kwargs)
        with pytest.raises(ValueError, match=match):
            lr_scheduler.ReduceLROnPlateau(ours, **kwargs)


@pytest.mark.parametrize("name", ["ExponentialLR", "LinearLR", "CyclicLR", "SequentialLR",
                                  "ChainedScheduler", "CosineAnnealingWarmRestarts T_mult",
                                  "LambdaLR", "PolynomialLR"])
def test_state_dict_resumes_the_schedule(name, tmp_path):
    make = CASES[name]
    straight, straight_opt = _run(make, 7)
    first, first_opt = _run(make, 3)
    path = tmp_path / "sched.mg"
    state = first.state_dict()
    assert "optimizer" not in state
    minigrad.save({"scheduler": state, "optimizer": first_opt.state_dict()}, path)
    loaded = minigrad.load(path)
    fresh_opt, _ = _optimizers()
    fresh = make(lr_scheduler, fresh_opt)  # built first, then both states loaded, as in torch
    fresh_opt.load_state_dict(loaded["optimizer"])
    fresh.load_state_dict(loaded["scheduler"])
    for _ in range(4):
        fresh_opt.step()
        fresh.step()
    assert fresh.get_last_lr() == pytest.approx(straight.get_last_lr(), rel=1e-12)
    assert _lrs(fresh_opt) == pytest.approx(_lrs(straight_opt), rel=1e-12)


def test_lambda_state_dict_keeps_callable_objects_like_torch():
    class Warmup:
        def __init__(self):
            self.scale = 2.0

        def __call__(self, epoch):
            return self.scale * (epoch + 1)
    ours, _ = _optimizers()
    rule = Warmup()
    scheduler = lr_scheduler.LambdaLR(ours, [rule, lambda e: 1.0])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"scale": 2.0}, None]
    rule.scale = 5.0
    scheduler.load_state_dict(state)
    assert rule.scale == 2.0


def test_factor_schedules_check_arguments_like_torch():
    ours, theirs = _optimizers()
    for name, kwargs in [("ConstantLR", {"factor": 1.5}), ("LinearLR", {"start_factor": 0}),
                         ("LinearLR", {"end_factor": 2})]:
        with pytest.raises(ValueError):
            getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs)
        with pytest.raises(ValueError, match="factor"):
            getattr(lr_scheduler, name)(ours, **kwargs)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(ours, [lambda e: 1.0])
    with pytest.raises(TypeError, match="should be a function"):
        lr_scheduler.MultiplicativeLR(ours, 0.9)
    with pytest.raises(ValueError, match="T_0"):
        lr_scheduler.CosineAnnealingWarmRestarts(ours, T_0=0)
    with pytest.raises(ValueError, match="milestone"):
        lr_scheduler.SequentialLR(ours, [lr_scheduler.ExponentialLR(ours, 0.9)], [1])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        lr_scheduler.ChainedScheduler([lr_scheduler.ReduceLROnPlateau(ours)])


def test_closed_form_epoch_argument_matches_torch():
    ours, theirs = _optimizers()
    mine = lr_scheduler.ExponentialLR(ours, gamma=0.5)
    ref = torch.optim.lr_scheduler.ExponentialLR(theirs, gamma=0.5)
    with pytest.warns(UserWarning):
        ref.step(3)
    with pytest.warns(UserWarning, match="deprecated"):
        mine.step(3)
    assert mine.get_last_lr() == pytest.approx(ref.get_last_lr(), rel=1e-12)
    assert math.isclose(mine.get_last_lr()[0], 0.1 * 0.5 ** 3)


def test_custom_scheduler_on_the_old_base_class_name_matches_torch():
    def make(module, opt):
        class Halving(module._LRScheduler):
            def get_lr(self):
                return [base / (2 ** self.last_epoch) for base in self.base_lrs]
        return Halving(opt)
    _run(make, 5)
