"""Parametrizations built on `parametrize`, as `torch.nn.utils.parametrizations`:
`weight_norm`, the module form of weight normalisation (the weight's magnitude and direction
are `parametrizations.weight.original0` and `original1`)."""
from ..module import Module
from . import parametrize
from .weight_norm import norm_except_dim


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Weight-normalise `module.<name>` as a parametrization: it reads as
    original1 * (original0 / ||original1||), the norm over every dim but `dim` (all of them
    for None); returns the module."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module
