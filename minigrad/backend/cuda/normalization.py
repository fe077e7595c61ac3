"""Batch normalisation on the device: one launch for the training forward, one for the backward,
one for evaluation (the twins of the cpu backend's kernels, with the same contract: see
backend/contract.py). Written with elementwise and reduction ops, the same steps took 8-9, 8 and
4-6 launches each.

An (N, C, *) array is read as (N, C, L), contiguous. The training kernels give each channel one
block: its threads stride over the channel's N * L elements and sum them in a shared-memory tree
(no float atomics, so the results are the same run to run). Statistics accumulate in float64
and are rounded once to the input's dtype, as on the cpu. The forward makes two passes for the
statistics (the mean, then the centred sum of squares, free of cancellation) and a third to
normalise, and its first thread updates the channel's running statistics (and block 0's the
batch count): a training step's batch norm is one launch forward and one backward. The backward
makes one pass for sum(g) and sum(g * (x - mean)) and one for grad_x.
"""
import math

from numba import cuda, float64

from ._array import buffer, empty, is_contiguous
from ._copy import contiguous
from ._launch import get_config, launch, launch_1d
from ._math import sqrt


@cuda.jit(device=True)
def _at(k, c, channels, length):
    """The flat index of element k (of N * L) of channel c in a contiguous (N, C, L) array."""
    i = k // length
    return (i * channels + c) * length + (k - i * length)


@cuda.jit(device=True)
def _tree_sum(values, t, threads):
    """Sum values[:threads] (shared memory, threads a power of two) into values[0]; every
    thread of the block calls it, and may read values[0] when it returns."""
    half = threads // 2
    while half > 0:
        if t < half:
            values[t] += values[t + half]
        cuda.syncthreads()
        half //= 2


def _kernels_for(threads):
    """The training kernels for blocks of `threads` (a compile-time shared-memory size)."""

    @cuda.jit(cache=True)
    def batch_norm_train_forward(out, mean, var, invstd, x, weight, has_weight, bias, has_bias,
                                 eps, channels, length, count, running_mean, update_mean,
                                 running_var, update_var, momentum, batches, count_batch):
        sums = cuda.shared.array(threads, float64)
        squares = cuda.shared.array(threads, float64)
        c = cuda.blockIdx.x
        t = cuda.threadIdx.x
        total = float64(0.0)
        for k in range(t, count, threads):
            total += float64(x[_at(k, c, channels, length)])
        sums[t] = total
        cuda.syncthreads()
        _tree_sum(sums, t, threads)
        m = sums[0] / count
        total = float64(0.0)
        for k in range(t, count, threads):
            d = float64(x[_at(k, c, channels, length)]) - m
            total += d * d
        squares[t] = total
        cuda.syncthreads()
        _tree_sum(squares, t, threads)
        v = squares[0] / count
        s = 1.0 / sqrt(v + eps)
        scale = s
        if has_weight:
            scale = s * float64(weight[c])
        shift = float64(0.0)
        if has_bias:
            shift = float64(bias[c])
        for k in range(t, count, threads):
            at = _at(k, c, channels, length)
            out[at] = (float64(x[at]) - m) * scale + shift
        if t == 0:
            mean[c] = m
            var[c] = v
            invstd[c] = s
            # PyTorch's update, in its order of operations, with the unbiased variance
            if update_mean:
                running_mean[c] = momentum * m + (1.0 - momentum) * float64(running_mean[c])
            if update_var:
                unbiased = squares[0] / (count - 1) if count > 1 else float64(math.nan)
                running_var[c] = (momentum * unbiased
                                  + (1.0 - momentum) * float64(running_var[c]))
            if count_batch and c == 0:
                batches[0] += 1

    @cuda.jit(cache=True)
    def batch_norm_train_backward(grad_x, grad_weight, grad_bias, grad, x, weight, has_weight,
                                  mean, invstd, need_x, channels, length, count):
        sums_g = cuda.shared.array(threads, float64)
        sums_gx = cuda.shared.array(threads, float64)
        c = cuda.blockIdx.x
        t = cuda.threadIdx.x
        m = float64(mean[c])
        s = float64(invstd[c])
        total_g = float64(0.0)
        total_gx = float64(0.0)
        for k in range(t, count, threads):
            at = _at(k, c, channels, length)
            g = float64(grad[at])
            total_g += g
            total_gx += g * (float64(x[at]) - m)
        sums_g[t] = total_g
        sums_gx[t] = total_gx
        cuda.syncthreads()
        half = threads // 2
        while half > 0:
            if t < half:
                sums_g[t] += sums_g[t + half]
                sums_gx[t] += sums_gx[t + half]
            cuda.syncthreads()
            half //= 2
        sum_g = sums_g[0]
        sum_gx = sums_gx[0]
        if t == 0:
            grad_bias[c] = sum_g
            grad_weight[c] = sum_gx * s
        if need_x:
            # scale * (grad - mean(grad) - normalised * mean(grad * normalised))
            scale = s
            if has_weight:
                scale = s * float64(weight[c])
            mean_g = sum_g / count
            along = s * s * sum_gx / count
            for k in range(t, count, threads):
                at = _at(k, c, channels, length)
                grad_x[at] = scale * (float64(grad[at]) - mean_g
                                      - (float64(x[at]) - m) * along)

    return batch_norm_train_forward, batch_norm_train_backward


_kernels = {}


def _train_kernels():
    threads = get_config().reduce_threads
    kernels = _kernels.get(threads)
    if kernels is None:
        kernels = _kernels[threads] = _kernels_for(threads)
    return threads, kernels


@cuda.jit(cache=True)
def batch_norm_eval_kernel(out, x, mean, var, weight, has_weight, bias, has_bias, eps, channels,
                           length, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        c = (i // length) % channels
        scale = 1.0 / sqrt(float64(var[c]) + eps)
        if has_weight:
            scale = float64(weight[c]) / sqrt(float64(var[c]) + eps)
        shift = float64(0.0)
        if has_bias:
            shift = float64(bias[c])
        out[i] = (float64(x[i]) - float64(mean[c])) * scale + shift


def _flat(a):
    return buffer(a if is_contiguous(a) else contiguous(a))


def _optional(a, fallback):
    """(flat array, present): an array or None, which passes `fallback` (never read)."""
    return (fallback, False) if a is None else (_flat(a), True)


def _sizes(x):
    """(channels, length, count) of x (N, C, *) read as (N, C, L): count = N * L per channel."""
    channels = int(x.shape[1])
    length = x.size // (x.shape[0] * channels) if x.size else 0
    return channels, length, x.shape[0] * length


def batch_norm_forward(x, weight, bias, eps, running_mean=None, running_var=None, momentum=0.0,
                       num_batches_tracked=None):
    """(out, mean, var, invstd) of training-mode batch norm of x (N, C, *): out shaped as x,
    the statistics (C,), all in x's dtype. weight / bias (C,) or None (1 and 0).
    running_mean / running_var ((C,) C-contiguous arrays or None) are updated in place,
    running = momentum * batch + (1 - momentum) * running with the unbiased variance, computed
    in float64 and rounded once; num_batches_tracked (one int64 element or None) gets one more.
    All in the one launch."""
    channels, length, count = _sizes(x)
    out = empty(x.shape, x.dtype)
    mean, var, invstd = (empty((channels,), x.dtype) for _ in range(3))
    if channels == 0:
        return out, mean, var, invstd
    xs = _flat(x)
    threads, (kernel, _) = _train_kernels()
    launch(kernel, channels, threads, buffer(out), mean, var, invstd, xs, *_optional(weight, xs),
           *_optional(bias, xs), float(eps), channels, length, count,
           *_optional(running_mean, mean), *_optional(running_var, mean), float(momentum),
           *_optional(num_batches_tracked, mean))
    return out, mean, var, invstd


def batch_norm_backward(grad, x, weight, mean, invstd, need_input_grad):
    """(grad_x or None when not `need_input_grad`, grad_weight, grad_bias) of training-mode
    batch norm: grad and x (N, C, *), weight (C,) or None, mean and invstd (C,) from
    `batch_norm_forward`; grad_weight and grad_bias (C,); all in x's dtype."""
    channels, length, count = _sizes(x)
    grad_x = empty(x.shape, x.dtype) if need_input_grad else None
    grad_weight = empty((channels,), x.dtype)
    grad_bias = empty((channels,), x.dtype)
    if channels == 0:
        return grad_x, grad_weight, grad_bias
    xs = _flat(x)
    threads, (_, kernel) = _train_kernels()
    launch(kernel, channels, threads, xs if grad_x is None else buffer(grad_x), grad_weight,
           grad_bias, _flat(grad), xs, *_optional(weight, xs), _flat(mean), _flat(invstd),
           bool(need_input_grad), channels, length, count)
    return grad_x, grad_weight, grad_bias


def batch_norm_eval(x, mean, var, weight, bias, eps):
    """(x - mean) / sqrt(var + eps) * weight + bias per channel of x (N, C, *), mean / var
    (C,) (the running statistics), weight / bias (C,) or None -> shaped as x."""
    channels, length, _ = _sizes(x)
    out = empty(x.shape, x.dtype)
    if x.size == 0:
        return out
    xs = _flat(x)
    launch_1d(batch_norm_eval_kernel, x.size, buffer(out), xs, _flat(mean), _flat(var),
              *_optional(weight, xs), *_optional(bias, xs), float(eps), channels, length,
              x.size)
    return out
