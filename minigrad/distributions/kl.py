"""`kl_divergence(p, q)`: KL(p || q) for two distributions of the same kind, elementwise over
their broadcast batch shape."""
from ..functions.activation import softplus
from .bernoulli import Bernoulli
from .categorical import Categorical
from .normal import Normal


def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = t.masked_fill(q.probs == 0, float("inf"))
    t = t.masked_fill(p.probs == 0, 0.0)
    return t.sum(-1)


def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = t1.masked_fill(q.probs == 0, float("inf")).masked_fill(p.probs == 0, 0.0)
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = t2.masked_fill(q.probs == 1, float("inf")).masked_fill(p.probs == 1, 0.0)
    return t1 + t2


_KL = {(Normal, Normal): _kl_normal_normal,
       (Categorical, Categorical): _kl_categorical_categorical,
       (Bernoulli, Bernoulli): _kl_bernoulli_bernoulli}


def kl_divergence(p, q):
    """KL(p || q); the pairs known are two Normals, two Categoricals and two Bernoullis."""
    fn = _KL.get((type(p), type(q)))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p = {type(p).__name__} "
                                  f"and q = {type(q).__name__}; the pairs known are "
                                  f"Normal/Normal, Categorical/Categorical and "
                                  f"Bernoulli/Bernoulli")
    return fn(p, q)
