"""Batch normalisation kernels: statistics, normalisation and the closed-form gradient, each
in one or two passes over the input per channel.

Composed from elementwise ops, a training step's batch norm is about a dozen passes with an
array each (sum, subtract, square, sum, sqrt, divide, scale, shift; more in backward). Here an
(N, C, *) array is viewed as (N, C, L) and each channel is one parallel task: its sums
accumulate in float64 (so float32 statistics are as accurate as the data allow) and the
results are rounded once to the input's dtype. The training forward also updates the running
statistics in the same pass over the channels, as PyTorch's kernel does.
"""
import math

import numba
import numpy as np

from ._config import get_config
from ._parallel import call, ready


def _as_ncl(a):
    """(N, C, *) as a C-contiguous (N, C, L) array (a view when a already is contiguous)."""
    return ready(a).reshape(a.shape[0], a.shape[1], -1)


def _run(kernel, elements, *args):
    """A per-channel kernel on the thread pool, or on the calling thread for small maps."""
    call(kernel, elements >= get_config().elementwise_parallel_min_elements, *args)


def _channel_or(values, channels, fill):
    """A per-channel (C,) float64 array: `values` (an array) or `fill` everywhere (None)."""
    if values is None:
        return np.full(channels, fill, dtype=np.float64)
    return np.asarray(values, dtype=np.float64).reshape(channels)


@numba.njit(cache=True, parallel=True)
def _train_forward(out, mean, var, invstd, x, weight, bias, eps, running_mean, update_mean,
                   running_var, update_var, momentum):
    n, channels, length = x.shape
    count = n * length
    for c in numba.prange(channels):
        total = 0.0
        for i in range(n):
            for j in range(length):
                total += x[i, c, j]
        m = total / count
        squares = 0.0  # two passes: the centred sum of squares, no cancellation
        for i in range(n):
            for j in range(length):
                d = x[i, c, j] - m
                squares += d * d
        v = squares / count
        s = 1.0 / math.sqrt(v + eps)
        scale, shift = s * weight[c], bias[c]
        for i in range(n):
            for j in range(length):
                out[i, c, j] = (x[i, c, j] - m) * scale + shift
        mean[c], var[c], invstd[c] = m, v, s
        # PyTorch's update, in its order of operations, with the unbiased variance
        if update_mean:
            running_mean[c] = momentum * m + (1.0 - momentum) * running_mean[c]
        if update_var:
            unbiased = squares / (count - 1) if count > 1 else math.nan
            running_var[c] = momentum * unbiased + (1.0 - momentum) * running_var[c]


@numba.njit(cache=True, parallel=True)
def _train_backward(grad_x, grad_weight, grad_bias, grad, x, weight, mean, invstd, need_x):
    n, channels, length = x.shape
    count = n * length
    for c in numba.prange(channels):
        m, s = mean[c], invstd[c]
        sum_g = 0.0
        sum_gx = 0.0
        for i in range(n):
            for j in range(length):
                g = grad[i, c, j]
                sum_g += g
                sum_gx += g * (x[i, c, j] - m)
        grad_bias[c] = sum_g
        grad_weight[c] = sum_gx * s
        if need_x:
            # scale * (grad - mean(grad) - normalised * mean(grad * normalised))
            scale = s * weight[c]
            mean_g = sum_g / count
            along = s * s * sum_gx / count
            for i in range(n):
                for j in range(length):
                    grad_x[i, c, j] = scale * (grad[i, c, j] - mean_g
                                               - (x[i, c, j] - m) * along)


@numba.njit(cache=True, parallel=True)
def _eval_forward(out, x, mean, var, weight, bias, eps):
    n, channels, length = x.shape
    for c in numba.prange(channels):
        scale = weight[c] / math.sqrt(var[c] + eps)
        m, shift = mean[c], bias[c]
        for i in range(n):
            for j in range(length):
                out[i, c, j] = (x[i, c, j] - m) * scale + shift


_NO_STATISTICS = np.empty(0, dtype=np.float64)


def batch_norm_forward(x, weight, bias, eps, running_mean=None, running_var=None, momentum=0.0,
                       num_batches_tracked=None):
    """Training-mode batch norm of x (N, C, *) with the batch's statistics per channel C.

    Returns (out, mean, var, invstd): out shaped as x; mean, biased var and 1/sqrt(var + eps),
    each (C,), all in x's dtype. weight / bias (C,) or None (1 and 0).
    running_mean / running_var, (C,) C-contiguous arrays or None, are updated in place:
    running = momentum * batch + (1 - momentum) * running, with the unbiased variance (sum of
    squares / (N * L - 1)) for running_var, computed in float64 and rounded once to their dtype.
    num_batches_tracked, a one-element int64 array or None, is incremented by one.
    """
    channels = x.shape[1]
    xs = _as_ncl(x)
    out = np.empty(xs.shape, dtype=x.dtype)
    stats = [np.empty(channels, dtype=np.float64) for _ in range(3)]
    _run(_train_forward, x.size, out, *stats, xs, _channel_or(weight, channels, 1.0),
         _channel_or(bias, channels, 0.0), float(eps),
         _NO_STATISTICS if running_mean is None else running_mean, running_mean is not None,
         _NO_STATISTICS if running_var is None else running_var, running_var is not None,
         float(momentum))
    if num_batches_tracked is not None:
        np.add(num_batches_tracked, 1, out=num_batches_tracked)
    mean, var, invstd = (a.astype(x.dtype) for a in stats)
    return out.reshape(x.shape), mean, var, invstd


def batch_norm_backward(grad, x, weight, mean, invstd, need_input_grad):
    """The gradients of training-mode batch norm: grad and x (N, C, *), weight (C,) or None,
    mean and invstd (C,) from `batch_norm_forward`.

    Returns (grad_x or None when not `need_input_grad`, grad_weight, grad_bias), the last two
    (C,), all in x's dtype.
    """
    channels = x.shape[1]
    xs, gs = _as_ncl(x), _as_ncl(grad)
    grad_x = np.empty(xs.shape, dtype=x.dtype) if need_input_grad else np.empty((0, 0, 0),
                                                                               x.dtype)
    grad_weight = np.empty(channels, dtype=np.float64)
    grad_bias = np.empty(channels, dtype=np.float64)
    _run(_train_backward, x.size, grad_x, grad_weight, grad_bias, gs, xs,
         _channel_or(weight, channels, 1.0), _channel_or(mean, channels, 0.0),
         _channel_or(invstd, channels, 1.0), bool(need_input_grad))
    return (grad_x.reshape(x.shape) if need_input_grad else None,
            grad_weight.astype(x.dtype), grad_bias.astype(x.dtype))


def batch_norm_eval(x, mean, var, weight, bias, eps):
    """Evaluation-mode batch norm: (x - mean) / sqrt(var + eps) * weight + bias per channel,
    x (N, C, *), mean / var (C,) (the running statistics), weight / bias (C,) or None."""
    channels = x.shape[1]
    xs = _as_ncl(x)
    out = np.empty(xs.shape, dtype=x.dtype)
    _run(_eval_forward, x.size, out, xs, _channel_or(mean, channels, 0.0),
         _channel_or(var, channels, 1.0), _channel_or(weight, channels, 1.0),
         _channel_or(bias, channels, 0.0), float(eps))
    return out.reshape(x.shape)
