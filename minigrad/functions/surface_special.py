"""The gamma-family special functions: lgamma, digamma, polygamma, mvlgamma, and the modified
Bessel function i0, as PyTorch defines them (values at the poles included).

Each is computed from Tensor ops (so it runs on every device): lgamma by Lanczos' series with
the reflection formula below 0.5, digamma and polygamma(n) by shifting the argument up by the
recurrence and summing the asymptotic (Euler-Maclaurin) series, i0 by its power series for
|x| <= 15 and its asymptotic series above. Accurate to a few ulps of float64 for the arguments
one meets in practice (x > -1e3). The gradients are PyTorch's: lgamma' = digamma,
digamma' = polygamma(1), polygamma(n)' = polygamma(n + 1), i0 by its series.
"""
import math

from .. import dtypes
from ..autograd.function import Function
from ..creation import arange
from ..tensor import Tensor
from ._util import to_float
from .elementwise import where

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
# Bernoulli numbers B_2k, k = 1..10, for the Euler-Maclaurin tails
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
_SHIFT = 10  # arguments are moved to x + 10 before the asymptotic series is summed


def _floating(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x if x.dtype.is_floating_point else to_float(x)


def _in_float64(values, x):
    """values(x) computed in float64 (the series lose digits in narrower floats), in x's
    dtype."""
    if x.dtype is dtypes.float64:
        return values(x)
    return values(x.to(dtype=dtypes.float64)).to(dtype=x.dtype)


def _is_pole(x):
    """x is 0 or a negative integer."""
    return (x <= 0) & (x == x.floor())


def _lgamma_values(x):
    """log|Gamma(x)| of a floating point tensor (no autograd)."""
    reflect = x < 0.5
    # Lanczos on z = x or 1 - x, whichever is >= 0.5
    z = where(reflect, 1.0 - x, x) - 1.0
    series = _LANCZOS[0] + z * 0.0
    for k, coefficient in enumerate(_LANCZOS[1:], start=1):
        series = series + coefficient / (z + k)
    t = z + _LANCZOS_G + 0.5
    lanczos = 0.5 * math.log(2 * math.pi) + (z + 0.5) * t.log() - t + series.log()
    sine = (where(reflect, x, 0.5) * math.pi).sin().abs()
    reflected = math.log(math.pi) - sine.log() - lanczos
    values = where(reflect, reflected, lanczos)
    values = where(_is_pole(x) | x.isinf(), math.inf, values)
    return where(x.isnan(), x, values)


def _digamma_values(x):
    """digamma(x) of a floating point tensor (no autograd)."""
    reflect = x < 0.5
    y = where(reflect, 1.0 - x, x)
    values = _psi_shifted(y)
    # digamma(x) = digamma(1 - x) - pi / tan(pi x)
    cotangent = math.pi / (where(reflect, x, 0.25) * math.pi).tan()
    values = where(reflect, values - cotangent, values)
    values = where(_is_pole(x), math.nan, values)
    values = where(x == 0, where(x.signbit(), math.inf, -math.inf), values)
    values = where(x == math.inf, math.inf, where(x == -math.inf, math.nan, values))
    return where(x.isnan(), x, values)


def _psi_shifted(y):
    """digamma(y) for y >= 0.5 by the recurrence up to y + 10 and the asymptotic series."""
    correction = 0.0
    for k in range(_SHIFT):
        correction = correction + 1.0 / (y + k)
    w = y + _SHIFT
    inverse_square = 1.0 / (w * w)
    tail, power = 0.0, inverse_square
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        tail = tail + bernoulli / (2 * k) * power
        power = power * inverse_square
    return w.log() - 0.5 / w - tail - correction


def _polygamma_values(n, x):
    """polygamma(n, x), n >= 1: (-1)^(n+1) n! zeta(n + 1, x) (no autograd)."""
    s = n + 1
    finite = x.isfinite() & ~_is_pole(x)
    q = where(finite, x, 1.0)
    # direct sum up to q + shift, far enough right of 0 for the tail series to converge
    lowest = float(q.min()) if q.numel() else 0.0
    shift = _SHIFT + (math.ceil(-lowest) if lowest < 0 else 0)
    steps = arange(shift, dtype=q.dtype, device=q.device)
    total = ((q.unsqueeze(-1) + steps) ** -s).sum(-1)
    w = q + shift
    total = total + w ** (1 - s) / (s - 1) + 0.5 * w ** -s
    # Euler-Maclaurin: B_2k / (2k)! * s (s+1) ... (s+2k-2) * w^(-s-2k+1)
    rising, factorial = 1.0, 1.0
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        rising *= (s + 2 * k - 2) * (s + 2 * k - 3) if k > 1 else s
        factorial *= (2 * k) * (2 * k - 1)
        total = total + bernoulli / factorial * rising * w ** (-s - 2 * k + 1)
    values = (-1.0) ** (n + 1) * math.factorial(n) * total
    at_pole = where(_is_pole(x), math.inf * (-1.0) ** (n + 1), 0.0)
    values = where(finite, values, at_pole)
    if n == 1:
        values = where(x == math.inf, 0.0, where(x == -math.inf, math.nan, values))
    else:  # PyTorch's values at the infinities for n >= 2 (from its zeta's limits)
        values = where(x == math.inf, math.nan,
                       where(x == -math.inf, math.inf * (-1.0) ** (n + 1), values))
    return where(x.isnan(), x, values)


class Lgamma(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _in_float64(_lgamma_values, x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * digamma(x)


class Digamma(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _in_float64(_digamma_values, x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * polygamma(1, x)


class Polygamma(Function):
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _in_float64(lambda t: _polygamma_values(n, t), x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * polygamma(ctx.n + 1, x), None


def lgamma(input):
    """log|Gamma(input)|; +inf at 0, the negative integers and +-inf."""
    return Lgamma.apply(_floating(input, "lgamma"))


def digamma(input):
    """d/dx lgamma(x); -inf at +0 (+inf at -0), NaN at the negative integers."""
    return Digamma.apply(_floating(input, "digamma"))


def polygamma(n, input):
    """The n-th derivative of digamma (n = 0 is digamma itself); n a non-negative int."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"polygamma(n, x) does not support negative n, got n = {n}")
    x = _floating(input, "polygamma")
    return digamma(x) if n == 0 else Polygamma.apply(x, n)


def mvlgamma(input, p):
    """The multivariate log-gamma of dimension p: sum_i lgamma(x - i/2) + p(p-1)/4 log(pi)."""
    if isinstance(p, bool) or not isinstance(p, int):
        raise TypeError(f"mvlgamma(): argument 'p' must be int, not {type(p).__name__}")
    if p < 1:
        raise ValueError(f"mvlgamma: p has to be greater than or equal to 1, got {p}")
    x = _floating(input, "mvlgamma")
    total = lgamma(x)
    for i in range(1, p):
        total = total + lgamma(x - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def i0(input):
    """The modified Bessel function of the first kind, order 0 (even, >= 1)."""
    x = _floating(input, "i0")
    if x.dtype is not dtypes.float64:
        return i0(x.to(dtype=dtypes.float64)).to(dtype=x.dtype)
    small = x.abs() <= 15
    # each branch sees a harmless argument where the other one is used, so gradients stay finite
    xs = where(small, x, 0.0)
    quarter_square = xs * xs * 0.25
    term, total = quarter_square * 0.0 + 1.0, 1.0
    for k in range(1, 60):
        term = term * quarter_square / (k * k)
        total = total + term
    xa = where(small, 16.0, x.abs())
    coefficient, series, inverse = 1.0, 1.0, 1.0 / (8.0 * xa)
    power = 1.0
    for k in range(1, 20):
        coefficient *= (2 * k - 1) ** 2 / k
        power = power * inverse
        series = series + coefficient * power
    asymptotic = xa.exp() / (2 * math.pi * xa).sqrt() * series
    return where(small, total, asymptotic)

