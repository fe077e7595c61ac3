"""optim.swa_utils: AveragedModel (running mean, EMA, custom avg_fn, buffers), update_bn and
SWALR, against PyTorch's."""
import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.optim.swa_utils import (SWALR, AveragedModel, get_ema_avg_fn,
                                      get_ema_multi_avg_fn, get_swa_avg_fn, update_bn)

torch = pytest.importorskip("torch")


def _pair(device):
    """A small model with BatchNorm in both libraries, same weights (minigrad's on `device`)."""
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ours.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    return ref, ours.to(device)


def _perturb(ref, ours, step, device):
    """The same training-like change to both: new weights and a forward pass (BN stats)."""
    rng = np.random.default_rng(step)
    with torch.no_grad():
        for p in ref.parameters():
            p.add_(torch.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    ours.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    x = rng.standard_normal((5, 3)).astype(np.float32)
    ref(torch.tensor(x))
    ours(minigrad.tensor(x, device=device))


def _assert_state_close(ours, ref):
    got, want = ours.state_dict(), ref.state_dict()
    assert list(got) == list(want)
    for key in want:
        np.testing.assert_allclose(got[key].cpu().numpy(), want[key].numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=key)


@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema_one", "swa_one", "custom"])
@pytest.mark.parametrize("use_buffers", [False, True])
def test_averaged_model_matches_torch(device, kind, use_buffers):
    ref, ours = _pair(device)
    tsw = torch.optim.swa_utils
    fns = {"swa": ({}, {}),
           "ema_multi": ({"multi_avg_fn": tsw.get_ema_multi_avg_fn(0.9)},
                         {"multi_avg_fn": get_ema_multi_avg_fn(0.9)}),
           "ema_one": ({"avg_fn": tsw.get_ema_avg_fn(0.8)}, {"avg_fn": get_ema_avg_fn(0.8)}),
           "swa_one": ({"avg_fn": tsw.get_swa_avg_fn()}, {"avg_fn": get_swa_avg_fn()}),
           "custom": ({"avg_fn": lambda a, c, n: (a + 3 * c) / 4},
                      {"avg_fn": lambda a, c, n: (a + 3 * c) / 4})}
    ref_kwargs, our_kwargs = fns[kind]
    ref_avg = tsw.AveragedModel(ref, use_buffers=use_buffers, **ref_kwargs)
    our_avg = AveragedModel(ours, use_buffers=use_buffers, **our_kwargs)
    for step in range(3):
        _perturb(ref, ours, step, device)
        ref_avg.update_parameters(ref)
        our_avg.update_parameters(ours)
        _assert_state_close(our_avg, ref_avg)
    assert our_avg.n_averaged.dtype is minigrad.int64 and our_avg.n_averaged.item() == 3
    assert not any(p.requires_grad and p.grad_fn is not None for p in our_avg.parameters())
    x = np.ones((2, 3), np.float32)
    ref_avg.eval()
    our_avg.eval()
    np.testing.assert_allclose(our_avg(minigrad.tensor(x, device=device)).cpu().numpy(),
                               ref_avg(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_averaged_model_is_a_copy_and_rejects_two_averaging_functions():
    model = nn.Linear(2, 2)
    averaged = AveragedModel(model)
    assert averaged.module is not model and averaged.module.weight is not model.weight
    with pytest.raises(ValueError, match="Only one of avg_fn and multi_avg_fn"):
        AveragedModel(model, avg_fn=get_swa_avg_fn(), multi_avg_fn=get_ema_multi_avg_fn())


def test_update_bn_matches_torch(device):
    ref, ours = _pair(device)
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(3)]
    ref.eval()
    ours.eval()
    bn_momentum = ours[1].momentum
    tsw = torch.optim.swa_utils
    tsw.update_bn([(torch.tensor(b), 0) for b in batches], ref)
    update_bn([minigrad.tensor(b) for b in batches], ours, device=device)
    _assert_state_close(ours, ref)
    assert not ours.training and ours[1].momentum == bn_momentum
    update_bn([], nn.Linear(2, 2))  # no BatchNorm: nothing to do


@pytest.mark.parametrize("strategy, anneal_epochs", [("cos", 3), ("linear", 2), ("cos", 0)])
def test_swalr_matches_torch(strategy, anneal_epochs):
    ref_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                               {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}],
                              lr=1.0)
    our_opt = minigrad.optim.SGD([{"params": [minigrad.zeros(1, requires_grad=True)]},
                                  {"params": [minigrad.zeros(1, requires_grad=True)], "lr": 0.3}],
                                 lr=1.0)
    ref = torch.optim.swa_utils.SWALR(ref_opt, swa_lr=[0.1, 0.05], anneal_epochs=anneal_epochs,
                                      anneal_strategy=strategy)
    ours = SWALR(our_opt, swa_lr=[0.1, 0.05], anneal_epochs=anneal_epochs,
                 anneal_strategy=strategy)
    for _ in range(5):
        np.testing.assert_allclose(ours.get_last_lr(), ref.get_last_lr(), rtol=1e-12)
        ref_opt.step()
        our_opt.step()
        ref.step()
        ours.step()
    assert our_opt.param_groups[1]["swa_lr"] == 0.05


def test_swalr_rejects_bad_arguments():
    opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must by one of 'cos' or 'linear'"):
        SWALR(opt, swa_lr=0.1, anneal_strategy="step")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr must have the same length"):
        SWALR(opt, swa_lr=[0.1, 0.2])
    assert "swa_lr" not in opt.param_groups[0]
