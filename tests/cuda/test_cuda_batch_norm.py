"""The cuda backend's batch norm: one kernel launch each for the training forward, its backward
(with and without the input gradient) and evaluation, with and without weight and bias; values
against the cpu backend (float64 statistics, rounded once) at an odd size with one channel."""
import numpy as np
import pytest

import minigrad
from launch_counter import count_launches

rng = np.random.default_rng(15)


def _arrays(device, *arrays):
    """The backend arrays (or None) of `arrays` on `device`."""
    return [None if a is None else minigrad.tensor(a, device=device)._data
            for a in arrays]


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("need_input_grad", [False, True])
def test_one_launch_each_and_the_cpu_backends_values(cu, cpu, monkeypatch, affine,
                                                     need_input_grad):
    shape = (3, 1, 7, 3)  # N * H * W = 63: no block size divides it
    x = rng.standard_normal(shape).astype(np.float32) * 4 + 2
    grad = rng.standard_normal(shape).astype(np.float32)
    weight, bias = (rng.standard_normal((2, 1)).astype(np.float32) if affine else [None, None])
    running = [np.array([0.5], np.float32), np.array([1.5], np.float32)]
    results = {}
    for name, backend in (("cuda", cu), ("cpu", cpu)):
        xd, gd, wd, bd, md, vd = _arrays(name, x, grad, weight, bias, *running)
        launched = count_launches(monkeypatch)
        out, mean, var, invstd = backend.batch_norm_forward(xd, wd, bd, 1e-3)
        grads = backend.batch_norm_backward(gd, xd, wd, mean, invstd, need_input_grad)
        evaluated = backend.batch_norm_eval(xd, md, vd, wd, bd, 1e-3)
        if name == "cuda":
            assert launched == ["batch_norm_train_forward", "batch_norm_train_backward",
                                "batch_norm_eval_kernel"]
        monkeypatch.undo()
        results[name] = [None if a is None else _host(a)
                         for a in (out, mean, var, invstd, *grads, evaluated)]
    for ours, reference in zip(results["cuda"], results["cpu"]):
        if reference is None:
            assert ours is None
            continue
        assert ours.dtype == np.float32 and ours.shape == reference.shape
        np.testing.assert_allclose(ours, reference, rtol=2e-6, atol=2e-6)


def _host(a):
    """A backend array (numpy on cpu, a device array on cuda) as numpy."""
    return a.copy_to_host() if hasattr(a, "copy_to_host") else np.asarray(a)
