"""Layers of classic networks against PyTorch: LocalResponseNorm, ChannelShuffle, Bilinear,
Softmax2d, AdaptiveAvgPool1d, Dropout1d/Dropout3d, pdist, and the in-place functional
activations; values, gradients (gradcheck in float64) and state_dict keys."""
import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F

torch = pytest.importorskip("torch")


def _both(shape, device, seed=0, requires_grad=False):
    x = np.random.default_rng(seed).standard_normal(shape)
    return (minigrad.tensor(x, device=device, requires_grad=requires_grad),
            torch.tensor(x, requires_grad=requires_grad))


def _close(a, b, rtol=1e-7, atol=1e-9):
    np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("shape, size", [((2, 5, 3, 4), 3), ((2, 6, 7), 4), ((1, 4, 2, 3, 2), 2)])
def test_local_response_norm_matches_torch(device, shape, size):
    ours, theirs = _both(shape, device, requires_grad=True)
    layer, their_layer = nn.LocalResponseNorm(size, 1e-2, 0.75, 2.0), \
        torch.nn.LocalResponseNorm(size, 1e-2, 0.75, 2.0)
    out, their_out = layer(ours), their_layer(theirs)
    _close(out, their_out)
    w = np.random.default_rng(1).standard_normal(shape)
    (out * minigrad.tensor(w, device=device)).sum().backward()
    (their_out * torch.tensor(w)).sum().backward()
    _close(ours.grad, theirs.grad)


def test_local_response_norm_gradcheck(device):
    x = minigrad.tensor(np.random.default_rng(2).standard_normal((1, 4, 2, 2)), device=device,
                        requires_grad=True)
    assert minigrad.gradcheck(lambda t: F.local_response_norm(t, 3, 0.1, 0.75, 1.0), (x,))


def test_channel_shuffle_matches_torch(device):
    ours, theirs = _both((2, 6, 3), device)
    _close(nn.ChannelShuffle(3)(ours), torch.nn.ChannelShuffle(3)(theirs))
    _close(F.channel_shuffle(ours, 2), torch.nn.functional.channel_shuffle(theirs, 2))
    with pytest.raises(ValueError, match="divisible by groups"):
        F.channel_shuffle(ours, 4)


def test_bilinear_matches_torch(device):
    torch.manual_seed(0)
    theirs = torch.nn.Bilinear(3, 4, 5).double()
    ours = nn.Bilinear(3, 4, 5).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    ours = ours.to(device)
    a, ta = _both((2, 6, 3), device, 1, requires_grad=True)
    b, tb = _both((2, 6, 4), device, 2, requires_grad=True)
    out, their_out = ours(a, b), theirs(ta, tb)
    _close(out, their_out)
    out.sum().backward()
    their_out.sum().backward()
    _close(a.grad, ta.grad)
    _close(b.grad, tb.grad)
    _close(ours.weight.grad, theirs.weight.grad)
    assert minigrad.gradcheck(lambda x, y: F.bilinear(x, y, ours.weight.detach()),
                              (a[0, :2].detach().requires_grad_(),
                               b[0, :2].detach().requires_grad_()))


def test_softmax2d_adaptive_avg_pool1d_and_pdist_match_torch(device):
    ours, theirs = _both((2, 3, 4, 5), device)
    _close(nn.Softmax2d()(ours), torch.nn.Softmax2d()(theirs))
    ours, theirs = _both((2, 3, 10), device)
    _close(nn.AdaptiveAvgPool1d(4)(ours), torch.nn.AdaptiveAvgPool1d(4)(theirs))
    ours, theirs = _both((5, 3), device, requires_grad=True)
    for p in (1.0, 2.0, 3.0):
        _close(F.pdist(ours, p), torch.nn.functional.pdist(theirs, p))


def test_channel_dropout_modules(device):
    x = minigrad.ones(4, 8, 3, 2, 2, device=device)
    out = nn.Dropout3d(0.5)(x).cpu().numpy()
    per_channel = out.reshape(4, 8, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    x = minigrad.ones(4, 8, 5, device=device)
    out = nn.Dropout1d(0.5)(x).cpu().numpy()
    assert np.all((out == 0).all(-1) | (out == 2).all(-1))
    layer = nn.Dropout3d(0.5).eval()
    assert layer(x.reshape(4, 8, 5, 1, 1)) is not None
    assert repr(nn.Dropout1d(0.2)) == repr(torch.nn.Dropout1d(0.2))


@pytest.mark.parametrize("name, args", [("relu_", ()), ("elu_", (0.5,)),
                                        ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.5))])
def test_in_place_functional_activations(device, name, args):
    ours, theirs = _both((3, 4), device)
    result = getattr(F, name)(ours, *args)
    getattr(torch.nn.functional, name)(theirs, *args)
    assert result is ours
    _close(ours, theirs)
