"""batch_norm: training and evaluation values, gradients and running statistics against PyTorch,
first and second order gradient checks, and argument errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F

INPUT_SHAPES = [(4, 3), (2, 3, 5), (2, 3, 2, 3)]


def _mg(array, device, dtype=minigrad.float64, requires_grad=False):
    return minigrad.tensor(array, dtype=dtype, device=device, requires_grad=requires_grad)


@pytest.mark.parametrize("shape", INPUT_SHAPES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_values_gradients_and_running_stats_match_torch(device, shape, affine, training):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    channels = shape[1]
    weight = rng.random(channels) + 0.5 if affine else None
    bias = rng.standard_normal(channels) if affine else None
    mean0, var0 = rng.standard_normal(channels), rng.random(channels) + 0.5
    running = [_mg(mean0, device), _mg(var0, device)]
    torch_running = [torch.tensor(mean0), torch.tensor(var0)]
    params = [None if p is None else _mg(p, device, requires_grad=True) for p in (weight, bias)]
    torch_params = [None if p is None else torch.tensor(p, requires_grad=True)
                    for p in (weight, bias)]
    for step in range(3):  # running statistics accumulate over several steps
        data = rng.standard_normal(shape) * (step + 1) + step
        x = _mg(data, device, requires_grad=True)
        out = F.batch_norm(x, *running, *params, training=training, momentum=0.3, eps=1e-3)
        ref = torch.tensor(data, requires_grad=True)
        expected = torch.nn.functional.batch_norm(ref, *torch_running, *torch_params,
                                                  training=training, momentum=0.3, eps=1e-3)
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12,
                                   atol=1e-12)
        for mine, theirs in zip(running, torch_running):
            np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-13, atol=1e-14)
        seed = rng.standard_normal(shape)
        (out * _mg(seed, device)).sum().backward()
        (expected * torch.tensor(seed)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-10, atol=1e-12)
        for mine, theirs in zip(params, torch_params):
            if mine is not None:
                np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-10)


def test_running_stats_update_in_float32_without_affine_matches_torch(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    running_mean, running_var = minigrad.zeros(4, device=device), minigrad.ones(4, device=device)
    torch_mean, torch_var = torch.zeros(4), torch.ones(4)
    version = running_mean._version_value
    for _ in range(5):
        data = rng.standard_normal((6, 4, 3)).astype(np.float32) * 2 + 1
        out = F.batch_norm(minigrad.tensor(data, device=device), running_mean, running_var,
                           training=True)
        expected = torch.nn.functional.batch_norm(torch.tensor(data), torch_mean, torch_var,
                                                  training=True)
        assert out.dtype is minigrad.float32
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(running_mean.numpy(), torch_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(running_var.numpy(), torch_var.numpy(), rtol=1e-5, atol=1e-6)
    assert running_mean._version_value > version  # written in place, so views see it


def test_training_without_running_stats_uses_batch_statistics(device):
    data = np.random.default_rng(2).standard_normal((8, 2))
    out = F.batch_norm(_mg(data, device), None, None, training=True, eps=0.0).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-12)


@given(shape=st.sampled_from([(3, 2), (2, 2, 2)]), affine=st.booleans(),
       seed=st.integers(0, 2**16))
def test_training_gradcheck_and_gradgradcheck(device, shape, affine, seed):
    rng = np.random.default_rng(seed)
    x = _mg(rng.standard_normal(shape), device, requires_grad=True)
    inputs = [x]
    if affine:
        inputs += [_mg(rng.random(shape[1]) + 0.5, device, requires_grad=True),
                   _mg(rng.standard_normal(shape[1]), device, requires_grad=True)]

    def fn(x, weight=None, bias=None):
        return F.batch_norm(x, None, None, weight, bias, training=True, eps=1e-2)
    assert minigrad.gradcheck(fn, tuple(inputs))
    assert minigrad.gradgradcheck(fn, tuple(inputs))


def test_evaluation_gradcheck_and_gradgradcheck(device):
    rng = np.random.default_rng(4)
    x = _mg(rng.standard_normal((2, 3, 2)), device, requires_grad=True)
    weight = _mg(rng.random(3) + 0.5, device, requires_grad=True)
    bias = _mg(rng.standard_normal(3), device, requires_grad=True)
    mean, var = _mg(rng.standard_normal(3), device), _mg(rng.random(3) + 0.5, device)

    def fn(x, weight, bias):
        return F.batch_norm(x, mean, var, weight, bias)
    assert minigrad.gradcheck(fn, (x, weight, bias))
    assert minigrad.gradgradcheck(fn, (x, weight, bias))


def test_evaluation_leaves_running_stats_alone(device):
    mean, var = minigrad.zeros(2, device=device), minigrad.ones(2, device=device)
    F.batch_norm(minigrad.randn(4, 2, device=device), mean, var, training=False)
    np.testing.assert_array_equal(mean.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(var.numpy(), [1.0, 1.0])


def test_errors(device):
    mean, var = minigrad.zeros(3, device=device), minigrad.ones(3, device=device)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(minigrad.randn(1, 3, device=device), mean, var, training=True)
    with pytest.raises(ValueError, match="evaluation mode"):
        F.batch_norm(minigrad.randn(2, 3, device=device), None, None)
    with pytest.raises(ValueError, match="3 elements"):
        F.batch_norm(minigrad.randn(2, 3, device=device), mean, var,
                     weight=minigrad.ones(4, device=device))
    with pytest.raises(TypeError, match="dtype"):
        F.batch_norm(minigrad.randn(2, 3, dtype=minigrad.float64, device=device), mean, var,
                     training=True)
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        F.batch_norm(minigrad.randn(3, device=device), mean, var)
    with pytest.raises(TypeError, match="floating point"):
        F.batch_norm(minigrad.tensor([[1, 2, 3]], device=device), mean, var)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("training", [True, False])
def test_fused_kernels_in_float32_match_a_float64_reference(device, training, parallel):
    """The fused kernels (one thread or the pool) in float32, on data far from zero mean:
    on the cpu statistics accumulate in float64, so values and gradients stay within float32
    rounding of the float64 computation; the cuda twin (float32 reductions) and PyTorch's
    float32 agree to a looser tolerance."""
    from minigrad.backend.cpu import _config as cpu_config
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    shape = (3, 4, 5, 2) if str(device) == "cpu" else (2, 2, 3)
    data = (rng.standard_normal(shape) * 0.5 + 100).astype(np.float32)
    weight, bias = rng.random(shape[1]) + 0.5, rng.standard_normal(shape[1])
    rm, rv = rng.standard_normal(shape[1]) + 100, rng.random(shape[1]) + 0.5
    seed = rng.standard_normal(shape)
    results = {}
    threshold = 1 if parallel else 1 << 30
    with cpu_config.override(elementwise_parallel_min_elements=threshold):
        for name, dtype in (("float32", "float32"), ("reference", "float64")):
            x = minigrad.tensor(data.astype(dtype), device=device, requires_grad=True)
            w, b = (minigrad.tensor(p.astype(dtype), device=device, requires_grad=True)
                    for p in (weight, bias))
            out = F.batch_norm(x, minigrad.tensor(rm.astype(dtype), device=device),
                               minigrad.tensor(rv.astype(dtype), device=device), w, b,
                               training=training)
            out.backward(minigrad.tensor(seed.astype(dtype), device=device))
            results[name] = [t.numpy().astype(np.float64)
                             for t in (out.detach(), x.grad, w.grad, b.grad)]
    tx = torch.tensor(data, requires_grad=True)
    tw, tb = (torch.tensor(p.astype(np.float32), requires_grad=True) for p in (weight, bias))
    t_out = torch.nn.functional.batch_norm(tx, torch.tensor(rm, dtype=torch.float32),
                                           torch.tensor(rv, dtype=torch.float32), tw, tb,
                                           training=training)
    t_out.backward(torch.tensor(seed, dtype=torch.float32))
    theirs = [t.detach().numpy() for t in (t_out, tx.grad, tw.grad, tb.grad)]
    for mine, ref, torch_value in zip(results["float32"], results["reference"], theirs):
        scale = np.abs(ref).max() + 1
        tol = 2e-5 if str(device) == "cpu" else 2e-4
        np.testing.assert_allclose(mine, ref, atol=tol * scale, rtol=0)
        np.testing.assert_allclose(torch_value, ref, atol=2e-4 * scale, rtol=0)
