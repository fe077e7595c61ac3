"""`kl_divergence(p, q)`: KL(p || q) for two distributions of the same kind, elementwise over
their broadcast batch shape."""
from ..functions.activation import softplus
from .bernoulli import Bernoulli
from .categorical import Categorical
from .independent import Independent, _sum_rightmost
from .multivariate_normal import MultivariateNormal, solve
from .normal import Normal
from .uniform import Uniform


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


def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL between Independents with different "
                                  "reinterpreted_batch_ndims is not implemented")
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


def _kl_mvn_mvn(p, q):
    """0.5 (tr(Sq^-1 Sp) + |Lq^-1 (mq - mp)|^2 - k) + log|Lq| - log|Lp|, through the Cholesky
    factors."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event "
                         "shapes cannot be computed")
    k = p.event_shape[0]
    lp, lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    shape = tuple(p.batch_shape) if len(p.batch_shape) >= len(q.batch_shape) \
        else tuple(q.batch_shape)
    lp_b, lq_b = lp.expand(shape + (k, k)), lq.expand(shape + (k, k))
    term_trace = solve(lq_b, lp_b).pow(2).sum((-2, -1))
    diff = (q.loc - p.loc).expand(shape + (k,)).unsqueeze(-1)
    term_mahalanobis = solve(lq_b, diff).squeeze(-1).pow(2).sum(-1)
    return q._half_log_det() - p._half_log_det() + 0.5 * (term_trace + term_mahalanobis - k)


def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return result.masked_fill((q.low > p.low) | (q.high < p.high), float("inf"))


_KL = {(Normal, Normal): _kl_normal_normal,
       (Independent, Independent): _kl_independent_independent,
       (MultivariateNormal, MultivariateNormal): _kl_mvn_mvn,
       (Uniform, Uniform): _kl_uniform_uniform,
       (Categorical, Categorical): _kl_categorical_categorical,
       (Bernoulli, Bernoulli): _kl_bernoulli_bernoulli}


def kl_divergence(p, q):
    """KL(p || q) for two of the same kind (Normal, Categorical, Bernoulli, Uniform,
    MultivariateNormal, or Independent over such)."""
    fn = _KL.get((type(p), type(q)))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p = {type(p).__name__} "
                                  f"and q = {type(q).__name__}; the pairs known are "
                                  + ", ".join(f"{a.__name__}/{b.__name__}" for a, b in _KL))
    return fn(p, q)
