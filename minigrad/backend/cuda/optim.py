"""Fused optimizer updates on the device: one kernel launch per parameter reads the parameter,
its gradient and its state once and writes them once, where the same update as Tensor ops would
launch a dozen elementwise kernels.

Same names, signatures and arithmetic as the cpu backend's (minigrad/backend/cpu/optim.py,
where the update rules are described): scalars are cast to the parameter's dtype, operands are
combined in the order of PyTorch's kernels. Non-contiguous arrays are updated through
contiguous copies that are written back.
"""
import math

from numba import cuda

from ._array import buffer, is_contiguous, numel
from ._copy import contiguous, copy_into
from ..update_rules import adam_arguments, sgd_arguments
from ._launch import launch_1d


@cuda.jit(cache=True)
def _sgd_kernel(param, grad, buf, lr, momentum, keep, weight_decay, nesterov, maximize,
                first_step, n):
    """keep = 1 - dampening."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        g = grad[i]
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        if momentum != 0:
            if first_step:
                b = g
            else:
                b = buf[i] * momentum + keep * g
            buf[i] = b
            if nesterov:
                g = g + momentum * b
            else:
                g = b
        param[i] = param[i] + (-lr) * g


@cuda.jit(cache=True)
def _adam_kernel(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, weight, beta2, keep2, eps,
                 weight_decay, shrink, decoupled, amsgrad, maximize, step_size,
                 bias_correction2_sqrt, one, half, n):
    """weight = 1 - beta1 (lerp weight), keep2 = 1 - beta2, shrink = 1 - lr * weight_decay;
    one and half are 1 and 0.5 in the parameter's dtype."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        g = grad[i]
        if maximize:
            g = -g
        p = param[i]
        if weight_decay != 0:
            if decoupled:
                p = p * shrink
            else:
                g = g + weight_decay * p
        m = exp_avg[i]
        if weight < half:  # lerp(m, g, weight) as PyTorch's lerp kernel writes it
            m = m + weight * (g - m)
        else:
            m = g - (g - m) * (one - weight)
        exp_avg[i] = m
        v = exp_avg_sq[i] * beta2 + keep2 * g * g
        exp_avg_sq[i] = v
        if amsgrad:
            if max_exp_avg_sq[i] > v:
                v = max_exp_avg_sq[i]
            max_exp_avg_sq[i] = v
        denom = math.sqrt(v) / bias_correction2_sqrt + eps
        param[i] = p + (-step_size) * m / denom


def _run(kernel, arrays, written, scalars):
    """kernel(*flat arrays, *scalars as the arrays' dtype, n); arrays at the `written`
    positions that had to be copied are copied back."""
    n = numel(arrays[0].shape)
    if n == 0:
        return
    work = [a if is_contiguous(a) else contiguous(a) for a in arrays]
    dtype = arrays[0].dtype.type
    cast = [s if isinstance(s, bool) else dtype(s) for s in scalars]
    launch_1d(kernel, n, *(buffer(a) for a in work), *cast, n)
    for index in written:
        if work[index] is not arrays[index]:
            copy_into(arrays[index], work[index])


def sgd_step(param, grad, momentum_buffer, **hyper):
    """One SGD step on param (any shape) in place. With momentum != 0, momentum_buffer (param's
    shape) is updated in place (set to the decayed gradient on the first step); without, it is
    not used and may be None. `hyper`: lr, momentum, dampening, weight_decay, nesterov,
    maximize, first_step."""
    arrays, written, scalars = sgd_arguments(param, grad, momentum_buffer, **hyper)
    _run(_sgd_kernel, arrays, written, scalars)


def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, **hyper):
    """One Adam / AdamW step on param in place, with its state arrays (param's shape) updated
    in place; max_exp_avg_sq is used only when amsgrad (else it may be None). `hyper`: lr,
    beta1, beta2, eps, weight_decay, decoupled_weight_decay, amsgrad, maximize, step (counted
    from 1)."""
    arrays, written, scalars = adam_arguments(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                                              **hyper)
    _run(_adam_kernel, arrays, written, scalars + (1.0, 0.5))
