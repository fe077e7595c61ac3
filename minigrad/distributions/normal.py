"""`Normal(loc, scale)`: the Gaussian N(loc, scale^2), elementwise over the broadcast shape of
loc and scale."""
import math

from ..creation import randn
from ..autograd.grad_mode import no_grad
from ..tensor import Size
from ._params import broadcast_all, check_argument
from .distribution import Distribution


class Normal(Distribution):
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(Size(tuple(self.loc.shape)), Size(), validate_args)
        check_argument(self, "loc", self.loc, self.loc == self.loc, "Real()")
        check_argument(self, "scale", self.scale, self.scale > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def _noise(self, sample_shape):
        shape = tuple(self._extended_shape(sample_shape))
        return randn(*shape, dtype=self.loc.dtype, device=self.loc.device)

    def sample(self, sample_shape=Size()):
        """Draws with no gradient."""
        with no_grad():
            return self.loc + self._noise(sample_shape) * self.scale

    def rsample(self, sample_shape=Size()):
        """Reparameterised draws loc + eps * scale, differentiable in loc and scale."""
        return self.loc + self._noise(sample_shape) * self.scale

    def log_prob(self, value):
        self._check_value(value, value == value, "Real()")
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() \
            - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        return 0.5 * (1 + ((value - self.loc) / (self.scale * math.sqrt(2))).erf())

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    def __repr__(self):
        return f"Normal(loc: {tuple(self.loc.shape)}, scale: {tuple(self.scale.shape)})"
