"""minigrad.distributions against torch.distributions: log_prob, entropy, mean/variance, KL,
the gradients of log_prob and rsample, sample shapes and dtypes, sample frequencies, and
PyTorch's argument validation."""
import numpy as np
import pytest

import minigrad
from minigrad import distributions as D

torch = pytest.importorskip("torch")
T = torch.distributions


def _pair(a, device, requires_grad=False):
    return (minigrad.tensor(a, device=device, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _close(ours, theirs, **kw):
    np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().numpy(),
                               rtol=1e-5, atol=1e-6, **kw)


@pytest.mark.parametrize("by", ["logits", "probs"])
def test_categorical_matches_torch(device, by):
    rng = np.random.default_rng(0)
    raw = rng.standard_normal((3, 4))
    param = raw if by == "logits" else np.exp(raw)
    ours_p, theirs_p = _pair(param, device, requires_grad=True)
    ours, theirs = D.Categorical(**{by: ours_p}), T.Categorical(**{by: theirs_p})
    value = np.array([[0, 3, 1], [2, 2, 0]])
    our_v, their_v = _pair(value, device)
    _close(ours.log_prob(our_v), theirs.log_prob(their_v))
    _close(ours.entropy(), theirs.entropy())
    _close(ours.probs, theirs.probs)
    (ours.log_prob(our_v).sum() + ours.entropy().sum()).backward()
    (theirs.log_prob(their_v).sum() + theirs.entropy().sum()).backward()
    _close(ours_p.grad, theirs_p.grad)
    sample = ours.sample((5, 2))
    assert tuple(sample.shape) == (5, 2, 3) and sample.dtype is minigrad.int64
    assert tuple(ours.batch_shape) == (3,) and tuple(ours.event_shape) == ()
    other = rng.standard_normal((3, 4))
    _close(D.kl_divergence(ours, D.Categorical(logits=minigrad.tensor(other, device=device))),
           T.kl_divergence(theirs, T.Categorical(logits=torch.tensor(other))))


def test_categorical_sample_frequencies(device):
    probs = minigrad.tensor([0.1, 0.6, 0.3], device=device)
    draws = D.Categorical(probs).sample((4000,)).cpu().numpy()
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 4000, [0.1, 0.6, 0.3],
                               atol=0.03)


def test_normal_matches_torch(device):
    rng = np.random.default_rng(1)
    loc, scale = rng.standard_normal((2, 3)), rng.uniform(0.5, 2.0, (3,))
    our_loc, their_loc = _pair(loc, device, requires_grad=True)
    our_scale, their_scale = _pair(scale, device, requires_grad=True)
    ours, theirs = D.Normal(our_loc, our_scale), T.Normal(their_loc, their_scale)
    value = rng.standard_normal((4, 2, 3))
    our_v, their_v = _pair(value, device)
    for name in ["mean", "variance", "stddev"]:
        _close(getattr(ours, name), getattr(theirs, name))
    _close(ours.log_prob(our_v), theirs.log_prob(their_v))
    _close(ours.cdf(our_v), theirs.cdf(their_v))
    _close(ours.entropy(), theirs.entropy())
    q = D.Normal(minigrad.tensor(0.5, device=device), 2.0)
    _close(D.kl_divergence(ours, q), T.kl_divergence(theirs, T.Normal(0.5, 2.0)))
    ours.log_prob(our_v).sum().backward()
    theirs.log_prob(their_v).sum().backward()
    _close(our_loc.grad, their_loc.grad)
    _close(our_scale.grad, their_scale.grad)
    assert not ours.sample((5,)).requires_grad
    our_scale.grad = None
    draw = D.Normal(our_loc, our_scale).rsample((7,))
    assert tuple(draw.shape) == (7, 2, 3) and draw.requires_grad
    draw.sum().backward()
    eps = (draw.detach() - our_loc.detach()) / our_scale.detach()
    _close(our_scale.grad, torch.tensor(eps.cpu().numpy().sum(axis=(0, 1))))


def test_bernoulli_matches_torch(device):
    for by, param in [("probs", np.array([0.0, 0.3, 0.9, 1.0])),
                      ("logits", np.array([-2.0, 0.0, 0.5, 3.0]))]:
        ours_p, theirs_p = _pair(param, device)
        ours, theirs = D.Bernoulli(**{by: ours_p}), T.Bernoulli(**{by: theirs_p})
        value = np.array([1.0, 0.0, 1.0, 1.0])
        our_v, their_v = _pair(value, device)
        _close(ours.log_prob(our_v), theirs.log_prob(their_v))
        _close(ours.entropy(), theirs.entropy())
        _close(ours.mean, theirs.mean)
        _close(ours.variance, theirs.variance)
        assert tuple(ours.sample((3,)).shape) == (3, 4)


def test_arguments_are_validated_as_in_torch():
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        D.Categorical()
    with pytest.raises(ValueError, match="constraint"):
        D.Categorical(probs=minigrad.tensor([0.5, -0.1]))
    with pytest.raises(ValueError, match="constraint"):
        D.Normal(0.0, minigrad.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="constraint"):
        D.Bernoulli(probs=minigrad.tensor([1.5]))
    with pytest.raises(ValueError, match="support"):
        D.Categorical(logits=minigrad.zeros(3)).log_prob(minigrad.tensor(3))
    assert D.Normal(0.0, minigrad.tensor([1.0, 0.0]), validate_args=False).loc.shape == (2,)
    with pytest.raises(NotImplementedError, match="Normal/Normal"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(probs=0.5))
