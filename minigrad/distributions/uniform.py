"""`Uniform(low, high)`: the uniform distribution on [low, high), elementwise over the
broadcast shape of low and high."""
from ..autograd.grad_mode import no_grad
from ..creation import rand
from ..tensor import Size
from ._params import broadcast_all, check_argument
from .distribution import Distribution


class Uniform(Distribution):
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(Size(tuple(self.low.shape)), Size(), validate_args)
        check_argument(self, "low", self.low, self.low < self.high,
                       "LessThan(upper_bound=high)")

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.low * float("nan")

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape=Size()):
        """low + u (high - low), u ~ U[0, 1): differentiable in low and high."""
        shape = tuple(self._extended_shape(sample_shape))
        u = rand(*shape, dtype=self.low.dtype, device=self.low.device)
        return self.low + u * (self.high - self.low)

    def sample(self, sample_shape=Size()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        inside = (self.low <= value) & (value < self.high)
        self._check_value(value, inside, f"Interval(lower_bound={self.low}, "
                                         f"upper_bound={self.high})")
        lb = (self.low <= value).to(dtype=self.low.dtype)
        ub = (value < self.high).to(dtype=self.low.dtype)
        return (lb * ub).log() - (self.high - self.low).log()

    def cdf(self, value):
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def entropy(self):
        return (self.high - self.low).log()

    def __repr__(self):
        return f"Uniform(low: {tuple(self.low.shape)}, high: {tuple(self.high.shape)})"
