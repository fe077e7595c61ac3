"""`Categorical(probs=None, logits=None)`: one of K categories, with probabilities along the
last dim of `probs` (normalised to sum to 1) or of softmax(`logits`)."""
import math

from .. import dtypes
from ..creation import arange
from ..functions.activation import softmax
from ..functions.reduce_more import logsumexp
from ..functions.search_sample import multinomial
from ..tensor import Size
from ._params import as_float_tensor, check_argument
from .distribution import Distribution


class Categorical(Distribution):
    """Samples are int64 category indices of shape sample_shape + batch_shape, where
    batch_shape is the parameter's shape without its last dim (the K categories)."""

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = as_float_tensor(probs if probs is not None else logits)
        if given.ndim < 1:
            raise ValueError("`probs` or `logits` parameter must be at least one-dimensional.")
        super().__init__(Size(tuple(given.shape[:-1])), Size(), validate_args)
        if probs is not None:
            check_argument(self, "probs", given, given >= 0, "non-negative weights")
            self.probs = given / given.sum(-1, keepdim=True)
            self.logits = self.probs.clamp(min=dtypes.finfo(given.dtype).tiny).log()
        else:
            self.logits = given - logsumexp(given, -1, keepdim=True)
            self.probs = softmax(self.logits, -1)
        self._num_events = given.shape[-1]

    @property
    def param_shape(self):
        return Size(tuple(self.probs.shape))

    @property
    def mean(self):
        return self.probs.new_full(tuple(self._batch_shape), math.nan)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.probs.new_full(tuple(self._batch_shape), math.nan)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        n = math.prod(tuple(sample_shape))
        flat = self.probs.detach().reshape(-1, self._num_events)
        if n == 0 or flat.shape[0] == 0:
            return flat.new_zeros(tuple(shape), dtype=dtypes.int64)
        draws = multinomial(flat, n, replacement=True)  # (batch, n)
        return draws.t().reshape(tuple(shape))

    def log_prob(self, value):
        valid = (value >= 0) & (value < self._num_events) & (value == value.floor()) \
            if value.dtype.is_floating_point else (value >= 0) & (value < self._num_events)
        self._check_value(value, valid, f"IntegerInterval(0, {self._num_events - 1})")
        index = value.long().unsqueeze(-1)
        shape = tuple(index.shape[:-1])
        logits = self.logits
        common = tuple(Size(_broadcast(shape, tuple(logits.shape[:-1]))))
        index = index.expand(*common, 1)
        logits = logits.expand(*common, self._num_events)
        return logits.gather(-1, index).squeeze(-1)

    def entropy(self):
        min_real = dtypes.finfo(self.logits.dtype).min
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = arange(self._num_events, device=self.probs.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand(self._num_events, *tuple(self._batch_shape))
        return values

    def __repr__(self):
        return f"Categorical(probs: {tuple(self.probs.shape)})"


def _broadcast(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"value of shape {a} does not broadcast with batch shape {b}")
        out.append(max(x, y))
    return tuple(out)
