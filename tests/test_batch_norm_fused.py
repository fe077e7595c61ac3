"""batch norm's fused kernels (on cuda one launch each for the training forward, its backward
and evaluation: tests/cuda/test_cuda_batch_norm.py counts them) against PyTorch in float64, at
sizes whose N * H * W is no multiple of any block size, with one channel or several, with and
without weight and bias, on both devices."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")

SHAPES = [(3, 1, 5, 3), (5, 1), (2, 3, 7), (1, 2, 3, 3, 1)]


def _tensors(arrays, device, dtype):
    return [None if a is None else minigrad.tensor(a.astype(dtype), device=device,
                                                   requires_grad=True) for a in arrays]


def _torch(arrays):
    return [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_matches_torch_in_float64(device, shape, affine, dtype):
    rng = np.random.default_rng(len(shape) + affine)
    channels = shape[1]
    x = rng.standard_normal(shape) * 3 + 1
    weight = rng.standard_normal(channels) if affine else None
    bias = rng.standard_normal(channels) if affine else None
    upstream = rng.standard_normal(shape)
    ours = _tensors([x, weight, bias], device, dtype)
    theirs = _torch([x, weight, bias])
    out = F.batch_norm(ours[0], None, None, ours[1], ours[2], training=True, eps=1e-3)
    expected = torch.nn.functional.batch_norm(theirs[0], None, None, theirs[1], theirs[2],
                                              training=True, eps=1e-3)
    (out * minigrad.tensor(upstream.astype(dtype), device=device)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert out.dtype == getattr(minigrad, dtype)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=tol, atol=tol)
    for a, b in zip(ours, theirs):
        if a is not None:
            assert a.grad.dtype == a.dtype
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("affine", [False, True])
def test_evaluation_matches_torch_in_float64(device, affine):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 2, 5))
    mean, var = rng.standard_normal(2), rng.uniform(0.5, 2.0, 2)
    params = [rng.standard_normal(2), rng.standard_normal(2)] if affine else [None, None]
    out = F.batch_norm(*(None if a is None else minigrad.tensor(a, device=device)
                         for a in [x, mean, var, *params]), training=False, eps=1e-2)
    expected = torch.nn.functional.batch_norm(*(None if a is None else torch.tensor(a)
                                                for a in [x, mean, var, *params]),
                                              training=False, eps=1e-2)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-13, atol=1e-13)
