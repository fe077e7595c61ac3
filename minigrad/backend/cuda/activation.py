"""Activation kernels beyond the elementwise basics: erf (for exact GELU), ELU and a stable
softplus. Each is one op code of the unary elementwise kernel."""
from .elementwise import ELU, ERF, SOFTPLUS, gt, mul, unary, where
from .threshold_grad import threshold_backward


def erf(a):
    """The error function, elementwise (CUDA's erf: accurate to a few ulp)."""
    return unary(ERF, a)


def elu(a, alpha):
    """a where a > 0, else alpha * (exp(a) - 1) (expm1 keeps precision near 0)."""
    return unary(ELU, a, alpha)


def softplus(a, beta, threshold):
    """log(1 + exp(beta * a)) / beta, or `a` itself where beta * a > threshold.

    Computed as max(z, 0) + log1p(exp(-|z|)) with z = beta * a, so no exp overflows.
    """
    return unary(SOFTPLUS, a, beta, threshold)


def relu_backward(grad, out):
    """0 where out <= 0, else grad (a NaN output passes its gradient), in one launch."""
    return threshold_backward(grad, out)


def leaky_relu(a, negative_slope):
    """a where a > 0, else a * negative_slope."""
    return where(gt(a, 0.0), a, mul(a, float(a.dtype.type(negative_slope))))


def leaky_relu_backward(grad, a, negative_slope):
    """grad where a > 0, else grad * negative_slope."""
    return where(gt(a, 0.0), grad, mul(grad, float(grad.dtype.type(negative_slope))))
