"""Activations: relu, relu6, hardtanh, leaky_relu, elu, gelu, softplus, sigmoid, tanh, softmax
and log_softmax (with erf, the error function exact GELU is built on).

Each backward is written with Tensor ops, so every activation is twice differentiable.
"""
import math
import warnings

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..errors import DTypeNotImplementedError
from ..tensor import _normalize_dim
from .elementwise import exp, relu as _relu, sigmoid, tanh, where

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _check_float(x, name):
    if not x.dtype.is_floating_point:
        raise DTypeNotImplementedError(f"{name}: expected a floating point tensor, got "
                                       f"{x.dtype}; convert it with .float() or .double() first")


def _maybe_inplace(x, inplace, compute):
    """compute(x), or the same written into x's storage when `inplace` (PyTorch's inplace=)."""
    return x._inplace(compute) if inplace else compute(x)


class Erf(Function):
    """erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt; d/dx erf(x) = 2/sqrt(pi) exp(-x^2)."""

    backward_name = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._new(x._backend.erf(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * exp(-(x * x)) * _TWO_OVER_SQRT_PI


class LeakyRelu(Function):
    backward_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, negative_slope):
        b = x._backend
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return x._new(b.leaky_relu(x._data, negative_slope))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the backward recorded as Tensor ops
            return where(x > 0, grad, grad * ctx.negative_slope), None
        return grad._new(grad._backend.leaky_relu_backward(grad._data, x._data,
                                                           ctx.negative_slope)), None


class Elu(Function):
    backward_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return x._new(x._backend.elu(x._data, alpha))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # clamping keeps exp from overflowing on the positive side, where it is not used
        return where(x > 0, grad, grad * exp(x.clamp(max=0)) * ctx.alpha), None


class Hardtanh(Function):
    """Clamp to [min_val, max_val]; the gradient passes except at or beyond the bounds (so
    strictly inside, and at NaN, as PyTorch)."""

    backward_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        b = x._backend
        ctx.save_for_backward(x)
        ctx.bounds = (min_val, max_val)
        return x._new(b.minimum(b.maximum(x._data, min_val), max_val))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        # zero where x <= lo or x >= hi, so a NaN passes its gradient (as PyTorch)
        return where(x <= lo, 0.0, where(x >= hi, 0.0, grad)), None, None


class Gelu(Function):
    """x * Phi(x) with Phi the standard normal CDF, 0.5 * (1 + erf(x / sqrt(2)))."""

    backward_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x):
        b = x._backend
        ctx.save_for_backward(x)
        cdf = b.mul(b.add(b.erf(b.div(x._data, _SQRT_2)), 1), 0.5)
        return x._new(b.mul(x._data, cdf))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        cdf = (Erf.apply(x / _SQRT_2) + 1) * 0.5
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return grad * (cdf + x * pdf)


class Softplus(Function):
    """log(1 + exp(beta x)) / beta, linear (x itself) where beta * x > threshold."""

    backward_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return x._new(x._backend.softplus(x._data, beta, threshold))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        z = x * ctx.beta
        return where(z > ctx.threshold, grad, grad * sigmoid(z)), None, None


class Softmax(Function):
    """exp(x - max) / sum(exp(x - max)) along `dim`: subtracting the max keeps exp finite."""

    backward_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        b = x._backend
        ctx.dim = dim
        if x.shape[dim] == 0:
            out = x._new(b.copy(x._data))
        else:
            e = b.exp(b.sub(x._data, b.amax(x._data, (dim,), True)))
            out = x._new(b.div(e, b.sum(e, (dim,), True)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(dim=ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """x - max - log(sum(exp(x - max))) along `dim`: finite even for logits like 1e4."""

    backward_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        b = x._backend
        ctx.dim = dim
        if x.shape[dim] == 0:
            out = x._new(b.copy(x._data))
        else:
            shifted = b.sub(x._data, b.amax(x._data, (dim,), True))
            out = x._new(b.sub(shifted, b.log(b.sum(b.exp(shifted), (dim,), True))))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - exp(out) * grad.sum(dim=ctx.dim, keepdim=True), None


# ---- public functional forms ------------------------------------------------------------------

def erf(input):
    """The error function, elementwise; integer inputs become the default float dtype."""
    if not input.dtype.is_floating_point:
        input = input.to(dtype=dtypes.default_float)
    return Erf.apply(input)


def relu(input, inplace=False):
    """max(input, 0); the gradient at 0 is 0, as in PyTorch."""
    return _maybe_inplace(input, inplace, _relu)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """input where input > 0, else negative_slope * input."""
    _check_float(input, "leaky_relu")
    slope = float(negative_slope)
    return _maybe_inplace(input, inplace, lambda x: LeakyRelu.apply(x, slope))


def elu(input, alpha=1.0, inplace=False):
    """input where input > 0, else alpha * (exp(input) - 1)."""
    _check_float(input, "elu")
    alpha = float(alpha)
    return _maybe_inplace(input, inplace, lambda x: Elu.apply(x, alpha))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """input clamped to [min_val, max_val]."""
    _check_float(input, "hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    lo, hi = float(min_val), float(max_val)
    return _maybe_inplace(input, inplace, lambda x: Hardtanh.apply(x, lo, hi))


def relu_(input):
    """relu in place."""
    return relu(input, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    """leaky_relu in place."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input, alpha=1.0):
    """elu in place."""
    return elu(input, alpha, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh in place."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(input, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF (`approximate='none'`, computed with erf), or
    the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (`'tanh'`)."""
    _check_float(input, "gelu")
    if approximate == "none":
        return Gelu.apply(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * _SQRT_2_OVER_PI
        return input * (tanh(inner) + 1) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * input)) / beta; input itself where beta * input > threshold."""
    _check_float(input, "softplus")
    return Softplus.apply(input, beta, threshold)


def _softmax_dim(input, dim, name):
    if dim is None:
        # PyTorch's legacy rule for a missing dim, with its deprecation warning
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", stacklevel=4)
    return _normalize_dim(dim, input.ndim)


def _softmax_like(cls, input, dim, dtype, name):
    if dtype is not None:
        input = input.to(dtype=dtype)
    _check_float(input, name)
    dim = _softmax_dim(input, dim, name)
    if input.dtype.is_reduced:  # float16/bfloat16: in float32, rounded once, as PyTorch
        return _softmax_like(cls, input.float(), dim, None, name).to(dtype=input.dtype)
    if input.ndim == 0:
        return cls.apply(input.reshape(1), 0).reshape(())
    return cls.apply(input, dim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(input) / sum(exp(input)) along `dim`; `dtype` casts the input first.

    `_stacklevel` is accepted for PyTorch compatibility and has no effect.
    """
    return _softmax_like(Softmax, input, dim, dtype, "softmax")


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(input, dim)), computed stably; `dtype` casts the input first."""
    return _softmax_like(LogSoftmax, input, dim, dtype, "log_softmax")


__all__ = ["elu", "elu_", "erf", "gelu", "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_",
           "log_softmax", "relu", "relu_", "relu6", "sigmoid", "softmax", "softplus", "tanh"]
