"""Uniform, Independent and MultivariateNormal (and their KL divergences) against PyTorch's:
log_prob, entropy, moments, reparameterised gradients, sample shapes and argument checks."""
import numpy as np
import pytest

import minigrad
from minigrad import distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions


def _close(got, want, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=rtol,
                               atol=atol)


def _spd(rng, batch, k):
    a = rng.standard_normal(batch + (k, k))
    return a @ np.swapaxes(a, -1, -2) + k * np.eye(k)


@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_multivariate_normal_matches_torch(device, param, batch):
    rng = np.random.default_rng(len(batch))
    k = 3
    loc = rng.standard_normal(batch + (k,))
    matrix = _spd(rng, batch, k)
    if param == "scale_tril":
        matrix = np.linalg.cholesky(matrix)
    value = rng.standard_normal((4,) + batch + (k,))
    ref_loc = torch.tensor(loc, requires_grad=True)
    ref_m = torch.tensor(matrix, requires_grad=True)
    our_loc = minigrad.tensor(loc, device=device, requires_grad=True)
    our_m = minigrad.tensor(matrix, device=device, requires_grad=True)
    ref = TD.MultivariateNormal(ref_loc, **{param: ref_m})
    ours = D.MultivariateNormal(our_loc, **{param: our_m})
    assert ours.batch_shape == ref.batch_shape and ours.event_shape == ref.event_shape
    want = ref.log_prob(torch.tensor(value))
    got = ours.log_prob(minigrad.tensor(value, device=device))
    _close(got, want)
    _close(ours.entropy(), ref.entropy())
    _close(ours.variance, ref.variance)
    _close(ours.covariance_matrix, ref.covariance_matrix)
    _close(ours.scale_tril, ref.scale_tril)
    (want.sum() + ref.entropy().sum()).backward()
    (got.sum() + ours.entropy().sum()).backward()
    _close(our_loc.grad, ref_loc.grad, rtol=1e-8)
    _close(our_m.grad, ref_m.grad, rtol=1e-8, atol=1e-10)
    draws = ours.rsample((5,))
    assert tuple(draws.shape) == (5,) + batch + (k,) and draws.requires_grad
    assert tuple(ours.sample().shape) == batch + (k,)


def test_multivariate_normal_kl_and_diagonal_case(device):
    rng = np.random.default_rng(0)
    loc_p, loc_q = rng.standard_normal((2, 3)), rng.standard_normal(3)
    cov_p, cov_q = _spd(rng, (2,), 3), _spd(rng, (), 3)
    ref = TD.kl_divergence(TD.MultivariateNormal(torch.tensor(loc_p), torch.tensor(cov_p)),
                           TD.MultivariateNormal(torch.tensor(loc_q), torch.tensor(cov_q)))
    got = D.kl_divergence(
        D.MultivariateNormal(minigrad.tensor(loc_p, device=device),
                             minigrad.tensor(cov_p, device=device)),
        D.MultivariateNormal(minigrad.tensor(loc_q, device=device),
                             minigrad.tensor(cov_q, device=device)))
    _close(got, ref, rtol=1e-9)
    # the PPO idiom: a diagonal covariance from diag_embed of per-action variances
    var = np.array([[0.5, 0.2], [0.3, 0.4]])
    mean = np.array([[0.1, -0.2], [0.0, 0.3]])
    action = np.array([[0.2, 0.1], [-0.1, 0.5]])
    ref = TD.MultivariateNormal(torch.tensor(mean), torch.diag_embed(torch.tensor(var)))
    ours = D.MultivariateNormal(minigrad.tensor(mean, device=device),
                                minigrad.diag_embed(minigrad.tensor(var, device=device)))
    _close(ours.log_prob(minigrad.tensor(action, device=device)),
           ref.log_prob(torch.tensor(action)))


def test_independent_and_uniform_match_torch(device):
    rng = np.random.default_rng(1)
    loc, scale = rng.standard_normal((2, 3)), rng.uniform(0.5, 2, (2, 3))
    value = rng.standard_normal((2, 3))
    ref = TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1)
    ours = D.Independent(D.Normal(minigrad.tensor(loc, device=device),
                                  minigrad.tensor(scale, device=device)), 1)
    assert ours.batch_shape == ref.batch_shape == (2,)
    assert ours.event_shape == ref.event_shape == (3,)
    _close(ours.log_prob(minigrad.tensor(value, device=device)),
           ref.log_prob(torch.tensor(value)))
    _close(ours.entropy(), ref.entropy())
    other = (TD.Independent(TD.Normal(torch.tensor(loc * 0), torch.tensor(scale * 2)), 1),
             D.Independent(D.Normal(minigrad.tensor(loc * 0, device=device),
                                    minigrad.tensor(scale * 2, device=device)), 1))
    _close(D.kl_divergence(ours, other[1]), TD.kl_divergence(ref, other[0]))

    low, high = rng.uniform(-1, 0, 3), rng.uniform(1, 2, 3)
    ref_low = torch.tensor(low, requires_grad=True)
    our_low = minigrad.tensor(low, device=device, requires_grad=True)
    ref_u = TD.Uniform(ref_low, torch.tensor(high))
    ours_u = D.Uniform(our_low, minigrad.tensor(high, device=device))
    inside = np.array([0.0, 0.5, -0.2])
    _close(ours_u.log_prob(minigrad.tensor(inside, device=device)),
           ref_u.log_prob(torch.tensor(inside)))
    _close(ours_u.entropy(), ref_u.entropy())
    _close(ours_u.mean, ref_u.mean)
    _close(ours_u.variance, ref_u.variance)
    _close(ours_u.cdf(minigrad.tensor(inside, device=device)), ref_u.cdf(torch.tensor(inside)))
    draws = ours_u.rsample((100,))
    assert bool((draws >= our_low).all()) and bool((draws < ours_u.high).all())
    draws.sum().backward()
    assert our_low.grad is not None
    _close(D.kl_divergence(D.Uniform(minigrad.tensor(0.0), minigrad.tensor(1.0)),
                           D.Uniform(minigrad.tensor(-1.0), minigrad.tensor(2.0))),
           TD.kl_divergence(TD.Uniform(0.0, 1.0), TD.Uniform(-1.0, 2.0)), rtol=1e-6)


def test_arguments_are_checked_as_in_torch():
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix or precision_matrix"):
        D.MultivariateNormal(minigrad.zeros(2))
    with pytest.raises(ValueError, match="Expected parameter low"):
        D.Uniform(minigrad.tensor([1.0]), minigrad.tensor([0.0]))
    with pytest.raises(ValueError, match="within the support"):
        D.Uniform(0.0, 1.0).log_prob(minigrad.tensor(2.0))
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        D.Independent(D.Normal(minigrad.zeros(2), minigrad.ones(2)), 2)
