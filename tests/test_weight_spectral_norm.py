"""nn.utils.spectral_norm / weight_norm (PyTorch's hook-based forms) against PyTorch's: the
state dict layout, outputs, gradients and power-iteration buffers over training steps, eval
mode, removal and the errors."""
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn

torch = pytest.importorskip("torch")

LAYERS = {
    "linear": (lambda lib: lib.nn.Linear(4, 3), (2, 4)),
    "conv2d": (lambda lib: lib.nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    "conv_transpose2d": (lambda lib: lib.nn.ConvTranspose2d(3, 2, 3), (2, 3, 4, 4)),
}


def _pair(kind, wrap, device, **kwargs):
    make, shape = LAYERS[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.manual_seed(0)
        ref = getattr(torch.nn.utils, wrap)(make(torch), **kwargs)
        ours = getattr(nn.utils, wrap)(make(minigrad), **kwargs)
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    return ref, ours.to(device), shape


def _compare_steps(ref, ours, shape, device, steps=3):
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    our_opt = minigrad.optim.SGD(ours.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    for _ in range(steps):
        x = rng.standard_normal(shape).astype(np.float32)
        want = ref(torch.tensor(x))
        got = ours(minigrad.tensor(x, device=device))
        np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(),
                                   rtol=1e-4, atol=1e-5)
        ref_opt.zero_grad()
        our_opt.zero_grad()
        want.pow(2).mean().backward()
        got.pow(2).mean().backward()
        ref_opt.step()
        our_opt.step()
        for key, value in ref.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[key].cpu().numpy(), value.numpy(),
                                       rtol=1e-4, atol=1e-5, err_msg=key)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_spectral_norm_matches_torch(device, kind):
    ref, ours, shape = _pair(kind, "spectral_norm", device, n_power_iterations=2)
    _compare_steps(ref, ours, shape, device)
    ref.eval()
    ours.eval()
    u = ours.weight_u.cpu().numpy().copy()
    x = np.ones(shape, np.float32)
    np.testing.assert_allclose(ours(minigrad.tensor(x, device=device)).detach().cpu().numpy(),
                               ref(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(ours.weight_u.cpu().numpy(), u)  # no power step in eval
    torch.nn.utils.remove_spectral_norm(ref)
    nn.utils.remove_spectral_norm(ours)
    assert list(ours.state_dict()) == list(ref.state_dict())
    np.testing.assert_allclose(ours.weight.detach().cpu().numpy(), ref.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(device, kind, dim):
    ref, ours, shape = _pair(kind, "weight_norm", device, dim=dim)
    assert tuple(ours.weight_g.shape) == tuple(ref.weight_g.shape)
    _compare_steps(ref, ours, shape, device)
    torch.nn.utils.remove_weight_norm(ref)
    nn.utils.remove_weight_norm(ours)
    assert list(ours.state_dict()) == list(ref.state_dict())
    np.testing.assert_allclose(ours.weight.detach().cpu().numpy(), ref.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_errors_match_torch():
    layer = nn.utils.spectral_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(layer)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="spectral_norm of 'bias' not found"):
        nn.utils.remove_spectral_norm(layer, "bias")
    with pytest.warns(FutureWarning, match="weight_norm` is deprecated"):
        normed = nn.utils.weight_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        nn.utils.weight_norm(normed)
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found"):
        nn.utils.remove_weight_norm(normed, "bias")
