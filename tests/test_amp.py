"""minigrad.amp against torch.amp: GradScaler's scale, unscale, skipped steps and scale
schedule step by step on the cpu, the disabled pass-through, and autocast(enabled=False)."""
import numpy as np
import pytest

import minigrad
from minigrad import amp

torch = pytest.importorskip("torch")


def _run(lib, grads, **kwargs):
    param = lib.nn.Parameter(lib.tensor([1.0, -1.0]))
    opt = lib.optim.SGD([param], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2, **kwargs)
    trace = []
    for g in grads:
        opt.zero_grad()
        loss = (param * lib.tensor(g)).sum()
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        trace.append((scaler.get_scale(), param.detach().numpy().copy().tolist()))
    return trace


def test_grad_scaler_matches_torch_step_by_step():
    grads = [[1.0, 2.0], [float("inf"), 1.0], [0.5, 0.5], [1.0, 1.0], [2.0, -1.0]]
    ours, theirs = _run(minigrad, grads), _run(torch, grads)
    for (s, p), (ts, tp) in zip(ours, theirs):
        assert s == ts
        np.testing.assert_allclose(p, tp, rtol=1e-6)


def test_disabled_scaler_and_autocast_pass_through():
    grads = [[1.0, 2.0], [0.5, 0.5]]
    ours = _run(minigrad, grads, enabled=False)
    theirs = _run(torch, grads, enabled=False)
    np.testing.assert_allclose([p for _, p in ours], [p for _, p in theirs], rtol=1e-6)
    x = minigrad.ones(2)
    with minigrad.autocast(device_type="cpu", enabled=False):
        assert (x * 2).dtype is minigrad.float32
    with minigrad.cuda.amp.autocast(enabled=False):
        pass
    with pytest.raises(RuntimeError, match="enabled=False"):
        minigrad.autocast(device_type="cpu", dtype=minigrad.bfloat16)


def test_unscale_twice_and_state_dict():
    param = minigrad.nn.Parameter(minigrad.tensor([1.0]))
    opt = minigrad.optim.SGD([param], lr=0.1)
    scaler = amp.GradScaler("cpu", init_scale=4.0)
    scaler.scale(param.sum()).backward()
    scaler.unscale_(opt)
    assert float(param.grad) == 1.0
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    other = amp.GradScaler("cpu")
    other.load_state_dict(scaler.state_dict())
    assert other.get_scale() == scaler.get_scale() == 4.0
