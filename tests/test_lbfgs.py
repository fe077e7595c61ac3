"""LBFGS (plain and strong-Wolfe) against PyTorch's, step by step, in float64."""
import numpy as np
import pytest

import minigrad
from minigrad import optim

torch = pytest.importorskip("torch")


def _run(lib, kwargs, steps, problem="least_squares", device="cpu"):
    """Parameters, losses and counters after each `opt.step(closure)`."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((6, 4)), rng.standard_normal(6)
    extra = {"device": device} if lib is minigrad else {}
    if problem == "rosenbrock":
        x = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True, **extra)
    else:
        x = lib.tensor(np.full(4, 0.3), dtype=lib.float64, requires_grad=True, **extra)
    y = lib.tensor([[0.5, -1.0]], dtype=lib.float64, requires_grad=True, **extra)
    at, bt = lib.tensor(a, **extra), lib.tensor(b, **extra)
    opt = (optim.LBFGS if lib is minigrad else torch.optim.LBFGS)([x, y], **kwargs)

    def closure():
        opt.zero_grad()
        if problem == "rosenbrock":
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (y * y).sum()
        else:
            r = at @ x - bt
            loss = (r * r).sum() + (x ** 4).sum() + ((y - 1) ** 2 * y ** 2).sum()
        loss.backward()
        return loss
    history = []
    for _ in range(steps):
        loss = opt.step(closure)
        state = opt.state[x]
        history.append((float(loss.detach()), x.detach().numpy().copy(),
                        y.detach().numpy().copy(), state["func_evals"], state["n_iter"]))
    return history


@pytest.mark.parametrize("kwargs", [
    {}, {"lr": 0.5, "max_iter": 4}, {"max_iter": 3, "history_size": 2},
    {"line_search_fn": "strong_wolfe"},
    {"line_search_fn": "strong_wolfe", "max_iter": 5, "history_size": 3, "lr": 0.8},
    {"line_search_fn": "strong_wolfe", "max_eval": 6},
    {"tolerance_change": 1e-3, "tolerance_grad": 1e-3},
])
@pytest.mark.parametrize("problem", ["least_squares", "rosenbrock"])
@pytest.mark.cpu_suffices  # L-BFGS is Tensor ops: on cuda it runs kernels every op test runs
def test_matches_torch_step_by_step(kwargs, problem, device):
    # Same evaluation counts; values to rounding noise (Rosenbrock's narrow valley amplifies
    # last-bit differences in the gradients over 80 iterations).
    ours = _run(minigrad, kwargs, 4, problem, device)
    theirs = _run(torch, kwargs, 4, problem)
    for (loss, x, y, evals, iters), (t_loss, t_x, t_y, t_evals, t_iters) in zip(ours, theirs):
        assert (evals, iters) == (t_evals, t_iters)
        np.testing.assert_allclose(loss, t_loss, rtol=1e-6, atol=1e-10)
        np.testing.assert_allclose(x, t_x, rtol=1e-7, atol=1e-8)
        np.testing.assert_allclose(y, t_y, rtol=1e-7, atol=1e-8)


def test_strong_wolfe_solves_rosenbrock():
    final = _run(minigrad, {"line_search_fn": "strong_wolfe", "max_iter": 100}, 3,
                 "rosenbrock")[-1]
    np.testing.assert_allclose(final[1], [1.0, 1.0], atol=1e-5)


def test_state_dict_round_trip_continues_identically(tmp_path):
    def setup():
        p = minigrad.tensor([2.0, -1.0], dtype=minigrad.float64, requires_grad=True)
        return optim.LBFGS([p], max_iter=3, history_size=4), p

    def closure_for(opt, p):
        def closure():
            opt.zero_grad()
            loss = ((p - 0.5) ** 4).sum() + (p ** 2).sum()
            loss.backward()
            return loss
        return closure
    opt, p = setup()
    opt.step(closure_for(opt, p))
    minigrad.save({"opt": opt.state_dict(), "p": p.detach()}, tmp_path / "lbfgs.mg")
    opt.step(closure_for(opt, p))
    fresh, q = setup()
    saved = minigrad.load(tmp_path / "lbfgs.mg")
    with minigrad.no_grad():
        q.copy_(saved["p"])
    fresh.load_state_dict(saved["opt"])
    fresh.step(closure_for(fresh, q))
    np.testing.assert_array_equal(q.numpy(), p.numpy())


def test_lbfgs_arguments_are_checked():
    p = minigrad.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        torch.optim.LBFGS([{"params": [torch.ones(1, requires_grad=True)]},
                           {"params": [torch.ones(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [p]}, {"params": [minigrad.ones(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="line_search_fn"):
        optim.LBFGS([p], line_search_fn="armijo")
    with pytest.raises(ValueError, match="max_iter"):
        optim.LBFGS([p], max_iter=0)
    with pytest.raises(ValueError, match="learning rate"):
        optim.LBFGS([p], lr=-1)
    with pytest.raises(ValueError, match="closure"):
        optim.LBFGS([p]).step(None)
    assert optim.LBFGS([p]).defaults["max_eval"] == torch.optim.LBFGS(
        [torch.ones(1, requires_grad=True)]).defaults["max_eval"] == 25
