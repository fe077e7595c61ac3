"""Batch normalisation on the device, written with the elementwise and reduction kernels (the
twin of the cpu backend's fused kernels, with the same contract: see backend/contract.py)."""
from .elementwise import add, div, mul, pow, sub
from .reduce import sum
from .shape import reshape


def _stat_axes(ndim):
    return (0,) + tuple(range(2, ndim))


def _per_channel(a, ndim):
    """A (C,) array shaped (1, C, 1, ...) to broadcast against an (N, C, *) array."""
    return reshape(a, (1, a.shape[0]) + (1,) * (ndim - 2))


def _count(x):
    return x.size // x.shape[1] if x.shape[1] else 0


def batch_norm_forward(x, weight, bias, eps):
    """(out, mean, var, invstd) of training-mode batch norm of x (N, C, *)."""
    axes, channels = _stat_axes(x.ndim), x.shape[1]
    count = _count(x)
    mean = div(sum(x, axes, True), float(count))
    centered = sub(x, mean)
    var = div(sum(mul(centered, centered), axes, True), float(count))
    invstd = pow(add(var, float(eps)), -0.5)
    out = mul(centered, invstd)
    if weight is not None:
        out = mul(out, _per_channel(weight, x.ndim))
    if bias is not None:
        out = add(out, _per_channel(bias, x.ndim))
    return out, *(reshape(a, (channels,)) for a in (mean, var, invstd))


def batch_norm_backward(grad, x, weight, mean, invstd, need_input_grad):
    """(grad_x or None, grad_weight, grad_bias) of training-mode batch norm."""
    axes, ndim = _stat_axes(x.ndim), x.ndim
    count = float(_count(x))
    normalized = mul(sub(x, _per_channel(mean, ndim)), _per_channel(invstd, ndim))
    grad_bias = sum(grad, axes, False)
    grad_weight = sum(mul(grad, normalized), axes, False)
    grad_x = None
    if need_input_grad:
        scale = _per_channel(invstd if weight is None else mul(invstd, weight), ndim)
        centered_grad = sub(grad, div(_per_channel(grad_bias, ndim), count))
        along = mul(normalized, div(_per_channel(grad_weight, ndim), count))
        grad_x = mul(scale, sub(centered_grad, along))
    return grad_x, grad_weight, grad_bias


def batch_norm_eval(x, mean, var, weight, bias, eps):
    """(x - mean) / sqrt(var + eps) * weight + bias per channel of x (N, C, *)."""
    ndim = x.ndim
    scale = pow(add(var, float(eps)), -0.5)
    if weight is not None:
        scale = mul(scale, weight)
    out = mul(sub(x, _per_channel(mean, ndim)), _per_channel(scale, ndim))
    return out if bias is None else add(out, _per_channel(bias, ndim))
