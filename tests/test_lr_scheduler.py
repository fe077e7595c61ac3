"""Learning-rate schedulers: exact lr (and momentum) sequences against PyTorch, state dicts."""
import pytest

import minigrad
from minigrad import optim
from minigrad.optim import lr_scheduler

torch = pytest.importorskip("torch")


def _optimizers(name="SGD", lrs=(0.1, 0.02), **kwargs):
    """Matching minigrad and torch optimizers with one parameter group per lr."""
    ours = getattr(optim, name)([{"params": [minigrad.ones(2, requires_grad=True)], "lr": lr}
                                 for lr in lrs], **kwargs)
    theirs = getattr(torch.optim, name)([{"params": [torch.ones(2, requires_grad=True)],
                                          "lr": lr} for lr in lrs], **kwargs)
    return ours, theirs


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _compare(scheduler_name, steps, opt_name="SGD", opt_kwargs=None, **kwargs):
    """Step both schedulers (after an optimizer step, as in training); lrs must be equal."""
    ours, theirs = _optimizers(opt_name, **(opt_kwargs or {"momentum": 0.9}))
    mine = getattr(lr_scheduler, scheduler_name)(ours, **kwargs)
    ref = getattr(torch.optim.lr_scheduler, scheduler_name)(theirs, **kwargs)
    assert mine.get_last_lr() == ref.get_last_lr()
    for _ in range(steps):
        theirs.step()
        ours.step()
        mine.step()
        ref.step()
        assert mine.get_last_lr() == ref.get_last_lr()
        assert [g["lr"] for g in ours.param_groups] == ref.get_last_lr()
        assert _momenta(ours) == _momenta(theirs)
    return mine


@pytest.mark.parametrize("kwargs", [{"step_size": 3}, {"step_size": 2, "gamma": 0.5}])
def test_step_lr(kwargs):
    _compare("StepLR", 10, **kwargs)


@pytest.mark.parametrize("kwargs", [{"milestones": [2, 5, 5, 8]},
                                    {"milestones": [7, 3], "gamma": 0.3}])
def test_multistep_lr(kwargs):
    _compare("MultiStepLR", 10, **kwargs)


@pytest.mark.parametrize("kwargs", [{"T_max": 5}, {"T_max": 4, "eta_min": 0.001},
                                    {"T_max": 1, "eta_min": 0.01}])
def test_cosine_annealing_lr(kwargs):
    _compare("CosineAnnealingLR", 23, **kwargs)  # several periods, through the restart branch


@pytest.mark.parametrize("kwargs", [
    {"max_lr": 0.5, "total_steps": 20},
    {"max_lr": [0.5, 0.2], "epochs": 3, "steps_per_epoch": 7, "anneal_strategy": "linear"},
    {"max_lr": 1.0, "total_steps": 30, "three_phase": True, "pct_start": 0.25},
    {"max_lr": 0.3, "total_steps": 12, "div_factor": 10.0, "final_div_factor": 100.0,
     "base_momentum": [0.8, 0.7], "max_momentum": 0.9},
    {"max_lr": 0.3, "total_steps": 12, "cycle_momentum": False},
])
def test_one_cycle_lr_sgd(kwargs):
    steps = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    _compare("OneCycleLR", steps - 1, **kwargs)


def test_one_cycle_lr_cycles_adam_beta1():
    _compare("OneCycleLR", 15, opt_name="Adam", opt_kwargs={"betas": (0.9, 0.99)},
             max_lr=0.01, total_steps=16)


def test_one_cycle_lr_rejects_bad_arguments():
    ours, _ = _optimizers()
    with pytest.raises(ValueError, match="total_steps OR"):
        lr_scheduler.OneCycleLR(ours, 0.1)
    with pytest.raises(ValueError, match="total_steps"):
        lr_scheduler.OneCycleLR(ours, 0.1, total_steps=0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        lr_scheduler.OneCycleLR(ours, 0.1, total_steps=10, anneal_strategy="exp")
    with pytest.raises(ValueError, match="pct_start"):
        lr_scheduler.OneCycleLR(ours, 0.1, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        lr_scheduler.OneCycleLR(ours, [0.1, 0.2, 0.3], total_steps=10)
    sched = lr_scheduler.OneCycleLR(ours, 0.1, total_steps=3)
    for _ in range(3):
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


def test_scheduler_argument_errors():
    ours, _ = _optimizers()
    with pytest.raises(TypeError, match="not an Optimizer"):
        lr_scheduler.StepLR("sgd", 2)
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(ours, 0)
    with pytest.raises(ValueError, match="T_max"):
        lr_scheduler.CosineAnnealingLR(ours, 0)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(ours, 2, last_epoch=4)


@pytest.mark.parametrize("name,kwargs", [("StepLR", {"step_size": 2}),
                                         ("MultiStepLR", {"milestones": [1, 4, 4]}),
                                         ("CosineAnnealingLR", {"T_max": 3, "eta_min": 0.01}),
                                         ("OneCycleLR", {"max_lr": 0.4, "total_steps": 12})])
def test_state_dict_resumes_the_schedule(name, kwargs, tmp_path):
    """Resume from a state dict that went through minigrad.save / load: same lrs onwards."""
    ours, _ = _optimizers()
    sched = getattr(lr_scheduler, name)(ours, **kwargs)
    for _ in range(4):
        sched.step()
    minigrad.save({"optimizer": ours.state_dict(), "scheduler": sched.state_dict()},
                  tmp_path / "ckpt")
    expected = []
    for _ in range(5):
        sched.step()
        expected.append((sched.get_last_lr(), _momenta(ours)))

    checkpoint = minigrad.load(tmp_path / "ckpt")
    fresh, _ = _optimizers(lrs=(1.0, 1.0))
    resumed = getattr(lr_scheduler, name)(fresh, **kwargs)
    fresh.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    assert resumed.optimizer is fresh
    for lrs, momenta in expected:
        resumed.step()
        assert resumed.get_last_lr() == lrs
        assert _momenta(fresh) == momenta
