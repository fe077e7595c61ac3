"""Behaviours that real PyTorch programs depend on, each found by running such a program
(tests/programs) under minigrad: checked against PyTorch where it is installed."""
import numpy as np
import pytest

import minigrad
from minigrad.nn import init


@pytest.mark.parametrize("make", [lambda x: x.repeat(2, 1, 1), lambda x: x.repeat(1, 1, 1),
                                  lambda x: x.tile((2, 1)),
                                  lambda x: x.repeat_interleave(2, dim=0)])
def test_repeat_tile_and_repeat_interleave_return_writable_copies(device, make):
    """fast_neural_style: a repeated batch is then divided in place (div_)."""
    x = minigrad.arange(6.0, device=device).reshape(1, 2, 3)
    y = make(x)
    expected = y.cpu().numpy() / 2
    y.div_(2.0)
    np.testing.assert_array_equal(y.cpu().numpy(), expected)
    np.testing.assert_array_equal(x.cpu().numpy(), np.arange(6.0).reshape(1, 2, 3))


@pytest.mark.parametrize("shape, gain", [((6, 3, 3, 3), 2.0), ((3, 8), 1.0), ((5, 5), 0.5)])
def test_orthogonal_init(device, shape, gain):
    """super_resolution: init.orthogonal_(w, init.calculate_gain('relu'))."""
    w = minigrad.empty(*shape, device=device)
    assert init.orthogonal_(w, gain, generator=np.random.default_rng(0)) is w
    flat = w.cpu().numpy().reshape(shape[0], -1).astype(np.float64)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(minigrad.empty(3))


def test_trunc_normal_init_bounds_and_moments(device):
    w = minigrad.empty(200, 100, device=device)
    init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0, generator=np.random.default_rng(0))
    values = w.cpu().numpy()
    assert values.min() >= -0.5 and values.max() <= 1.0
    # the mean of N(0.5, 1) truncated to [-0.5, 1]: 0.5 + (phi(-1) - phi(0.5)) / (Phi(0.5) -
    # Phi(-1))
    assert abs(values.mean() - 0.2945) < 0.01


def test_eye_and_dirac_init_match_torch(device):
    torch = pytest.importorskip("torch")
    w = minigrad.empty(2, 3, device=device)
    np.testing.assert_array_equal(init.eye_(w).cpu().numpy(),
                                  torch.nn.init.eye_(torch.empty(2, 3)).numpy())
    for shape, groups in [((4, 4, 3, 3), 2), ((3, 2, 3), 1), ((2, 3, 1, 3, 3), 1)]:
        w = minigrad.empty(*shape, device=device)
        expected = torch.nn.init.dirac_(torch.empty(shape), groups)
        np.testing.assert_array_equal(init.dirac_(w, groups).cpu().numpy(), expected.numpy())
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(minigrad.empty(3, 3, 3, 3), 2)
