"""More activations, as PyTorch defines them: silu, hardswish, hardsigmoid, mish, selu, celu,
logsigmoid, softsign, glu, prelu, rrelu, threshold, hardshrink, softshrink, tanhshrink, softmin,
and the special functions erfc and erfinv.

Most are compositions of differentiable Tensor ops, so they run on every device and their
gradients of any order come from the ops they are made of. erfc and erfinv are kernels (1 - erf
would lose all precision in the tails), with closed-form backward passes.
"""
import math

from .. import dtypes
from ..autograd.function import Function
from ..creation import rand_like
from ..errors import DTypeError, InvalidArgumentError, ShapeError
from ..tensor import Tensor, _normalize_dim
from .activation import (_check_float, _maybe_inplace, _softmax_like, Erf, Hardtanh, Softmax,
                         elu, leaky_relu, softplus)
from .elementwise import exp, sigmoid, tanh, where

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


class Erfc(Function):
    """erfc(x) = 1 - erf(x); d/dx erfc(x) = -2/sqrt(pi) exp(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._new(x._backend.erfc(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * exp(-(x * x)) * -_TWO_OVER_SQRT_PI


class Erfinv(Function):
    """y = erfinv(x); dy/dx = sqrt(pi)/2 exp(y^2)."""

    @staticmethod
    def forward(ctx, x):
        out = x._new(x._backend.erfinv(x._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * exp(out * out) * _SQRT_PI_OVER_TWO


def _floating(input, name):
    """Integer and bool input becomes the default float dtype, as torch's special functions."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(input).__name__}")
    return input if input.dtype.is_floating_point else input.to(dtype=dtypes.default_float)


def erf(input):
    """The error function, elementwise."""
    return Erf.apply(_floating(input, "erf"))


def erfc(input):
    """The complementary error function 1 - erf(input), accurate in the tails."""
    return Erfc.apply(_floating(input, "erfc"))


def erfinv(input):
    """The inverse error function: erfinv(erf(x)) = x; +-inf at +-1, NaN outside [-1, 1]."""
    return Erfinv.apply(_floating(input, "erfinv"))


def _hardtanh(x, lo, hi):
    return Hardtanh.apply(x, float(lo), float(hi))


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish)."""
    _check_float(input, "silu")
    return _maybe_inplace(input, inplace, lambda x: x * sigmoid(x))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    _check_float(input, "hardswish")
    return _maybe_inplace(input, inplace, lambda x: x * _hardtanh(x + 3, 0, 6) / 6)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    _check_float(input, "hardsigmoid")
    return _maybe_inplace(input, inplace, lambda x: _hardtanh(x + 3, 0, 6) / 6)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    _check_float(input, "mish")
    return _maybe_inplace(input, inplace, lambda x: x * tanh(softplus(x)))


def selu(input, inplace=False):
    """scale * elu(x, alpha) with PyTorch's self-normalising constants."""
    _check_float(input, "selu")
    return _maybe_inplace(input, inplace, lambda x: elu(x, _SELU_ALPHA) * _SELU_SCALE)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    _check_float(input, "celu")
    alpha = float(alpha)
    if alpha == 0:
        raise ValueError("celu: alpha must be non-zero (the negative side divides by it)")
    return _maybe_inplace(input, inplace, lambda x: elu(x / alpha) * alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), finite for large |x|."""
    _check_float(input, "logsigmoid")
    return -softplus(-input)


def softsign(input):
    """x / (1 + |x|)."""
    _check_float(input, "softsign")
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    _check_float(input, "tanhshrink")
    return input - tanh(input)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    _check_float(input, "hardshrink")
    return where(input.abs() > lambd, input, 0.0)


def softshrink(input, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    _check_float(input, "softshrink")
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be greater or equal to 0, got {lambd}")
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def _threshold(input, limit, value, inplace):
    _check_float(input, "threshold")
    return _maybe_inplace(input, inplace, lambda x: where(x > limit, x, value))


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value (the gradient is 0 there)."""
    return _threshold(input, threshold, value, inplace)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, True)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the first and second halves of input along `dim`."""
    _check_float(input, "glu")
    if input.ndim == 0:
        raise ShapeError("glu: does not support 0-d (scalar) tensors")
    dim = _normalize_dim(dim, input.ndim)
    size = input.shape[dim]
    if size % 2:
        raise ShapeError(f"glu: halving dimension must be even, but dimension {dim} is size "
                         f"{size}")
    a, b = input.split(size // 2, dim)
    return a * sigmoid(b)


def prelu(input, weight):
    """x where x > 0, else weight * x; weight holds 1 value, or one per channel (dim 1; input
    of fewer than 2 dims has one channel)."""
    _check_float(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim > 1:
        raise ShapeError(f"prelu: weight must be 0-D or 1-D, got shape {tuple(weight.shape)}")
    if weight.dtype is not input.dtype:
        raise DTypeError(f"prelu: weight has dtype {weight.dtype} but input has {input.dtype}; "
                         "both must share one dtype")
    count = weight.numel()
    if count == 1:
        return where(input > 0, input, input * weight.reshape(()))
    channels = input.shape[1] if input.ndim >= 2 else 1
    if count != channels:
        raise ShapeError(f"prelu: weight has {count} values, but it must have 1, or one per "
                         f"channel ({channels}) of input shape {tuple(input.shape)}")
    weight = weight.reshape((1, count) + (1,) * (input.ndim - 2))
    return where(input > 0, input, input * weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomised leaky ReLU. In training, each negative element is scaled by a slope drawn
    uniformly from [lower, upper]; in evaluation the slope is fixed at (lower + upper) / 2."""
    _check_float(input, "rrelu")
    if lower > upper:
        raise InvalidArgumentError(f"rrelu: lower ({lower}) must not be greater than upper "
                                   f"({upper})")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)

    def compute(x):
        slope = rand_like(x) * (upper - lower) + lower
        return where(x > 0, x, x * slope)
    return _maybe_inplace(input, inplace, compute)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along `dim`; `dtype` casts the input first.

    `_stacklevel` is accepted for PyTorch compatibility and has no effect.
    """
    if dtype is not None:
        input = input.to(dtype=dtype)
    _check_float(input, "softmin")
    return _softmax_like(Softmax, -input, dim, None, "softmin")


__all__ = ["celu", "celu_", "erf", "erfc", "erfinv", "glu", "hardshrink", "hardsigmoid",
           "hardswish", "logsigmoid", "mish", "prelu", "rrelu", "rrelu_", "selu", "selu_",
           "silu", "softmin", "softshrink", "softsign", "tanhshrink", "threshold", "threshold_"]
