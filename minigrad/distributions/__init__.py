"""Probability distributions, PyTorch's `torch.distributions` for the ones published programs
use most: `Categorical` (policy gradients), `Bernoulli`, `Normal` (reparameterised sampling,
Gaussian policies and VAEs), `MultivariateNormal` (continuous-action policies, flows),
`Independent` (batch dims read as event dims), `Uniform`, and `kl_divergence` between two of
the same kind.

Each takes its parameters as tensors (numbers are turned into tensors), broadcasts them to a
`batch_shape`, and has `sample(sample_shape)`, `log_prob(value)`, `entropy()`, `mean` and
`variance`; `Normal` also `rsample`, whose draws carry gradients to loc and scale. Arguments
are validated as PyTorch validates them by default (`validate_args=False` turns it off).
"""
from .distribution import Distribution
from .bernoulli import Bernoulli
from .categorical import Categorical
from .normal import Normal
from .independent import Independent
from .multivariate_normal import MultivariateNormal
from .uniform import Uniform
from .kl import kl_divergence

__all__ = ["Bernoulli", "Categorical", "Distribution", "Independent", "MultivariateNormal",
           "Normal", "Uniform", "kl_divergence"]
