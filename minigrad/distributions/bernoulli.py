"""`Bernoulli(probs=None, logits=None)`: 1 with probability `probs` (or sigmoid(`logits`)),
else 0; samples are floats of the parameter's dtype."""
from .. import dtypes
from ..functions.elementwise import sigmoid
from ..functions.fill import bernoulli
from ..functions.loss import binary_cross_entropy_with_logits
from ..tensor import Size
from ._params import as_float_tensor, check_argument
from .distribution import Distribution


class Bernoulli(Distribution):
    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = as_float_tensor(probs if probs is not None else logits)
        super().__init__(Size(tuple(given.shape)), Size(), validate_args)
        if probs is not None:
            check_argument(self, "probs", given, (given >= 0) & (given <= 1), "Interval(0, 1)")
            self.probs = given
            eps = dtypes.finfo(given.dtype).eps
            clamped = given.clamp(eps, 1 - eps)
            self.logits = clamped.log() - (-clamped).log1p()
        else:
            self.logits = given
            self.probs = sigmoid(given)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(dtype=self.probs.dtype)
        return mode.masked_fill(self.probs == 0.5, float("nan"))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        return bernoulli(self.probs.detach().expand(*shape))

    def log_prob(self, value):
        self._check_value(value, (value == 0) | (value == 1), "Boolean()")
        logits, value = self.logits, value.to(dtype=self.logits.dtype)
        return -binary_cross_entropy_with_logits(logits.expand_as(value + logits),
                                                 value.expand_as(value + logits),
                                                 reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def __repr__(self):
        return f"Bernoulli(probs: {tuple(self.probs.shape)})"
