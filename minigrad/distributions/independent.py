"""`Independent(base, reinterpreted_batch_ndims)`: the last batch dims of `base` read as event
dims, so log_prob and entropy sum over them (a diagonal Gaussian as one distribution over
vectors: `Independent(Normal(mu, sigma), 1)`)."""
from ..tensor import Size
from .distribution import Distribution


def _sum_rightmost(value, dims):
    return value.sum(tuple(range(-dims, 0))) if dims > 0 else value


class Independent(Distribution):

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n = reinterpreted_batch_ndims
        batch = tuple(base_distribution.batch_shape)
        if n > len(batch):
            raise ValueError("Expected reinterpreted_batch_ndims <= "
                             f"len(base_distribution.batch_shape), actual {n} vs {len(batch)}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        split = len(batch) - n
        super().__init__(Size(batch[:split]),
                         Size(batch[split:] + tuple(base_distribution.event_shape)),
                         validate_args)

    @property
    def has_rsample(self):
        return getattr(self.base_dist, "has_rsample", False)

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=Size()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=Size()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return (f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})")
