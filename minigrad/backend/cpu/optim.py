"""Fused optimizer updates: one pass over the parameters and their state instead of several
elementwise ops, each of which would read and write every element again.

The update rules (PyTorch's) are stated with their scalar records in
minigrad/backend/update_rules.py, which also validates the operands, casts the scalars and
hands these kernels up to `CpuConfig.optim_tensors_per_call` parameters at a time: each operand
as a tuple of flat contiguous arrays, one per parameter, with the `offsets` table of the
parameters' sizes (parameter j has offsets[j + 1] - offsets[j] elements). The kernels apply the
rules element by element, in the operand order of PyTorch's own kernels: a serial loop over
the parameters of a call, each updated by a parallel loop over its elements (a `prange` written
inside the loop over parameters loses some writes in Numba 0.68, so each parameter's loop is a
function of its own).
"""
import numba
import numpy as np

from ..update_rules import DeviceOps, fused_optimizer_steps
from ._config import get_config
from ._parallel import call, ready


@numba.njit(cache=True)
def _sgd_kernel(params, grads, bufs, offsets, lr, momentum, keep, weight_decay, nesterov,
                maximize, first_step):
    """keep = 1 - dampening."""
    for j in range(len(params)):
        if offsets[j + 1] > offsets[j]:
            _sgd_one(params[j], grads[j], bufs[j], lr, momentum, keep, weight_decay, nesterov,
                     maximize, first_step)


@numba.njit(cache=True, parallel=True)
def _sgd_one(param, grad, buf, lr, momentum, keep, weight_decay, nesterov, maximize, first_step):
    for i in numba.prange(param.size):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        if momentum != 0:
            b = g if first_step else buf[i] * momentum + keep * g
            buf[i] = b
            g = g + momentum * b if nesterov else b
        param[i] = param[i] + (-lr) * g


@numba.njit(cache=True)
def _adam_kernel(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, offsets, weight, beta2,
                 keep2, eps, weight_decay, shrink, decoupled, amsgrad, maximize, step_size,
                 bias_correction2_sqrt, one, half):
    """weight = 1 - beta1 (lerp weight), keep2 = 1 - beta2, shrink = 1 - lr * weight_decay."""
    for j in range(len(params)):
        if offsets[j + 1] > offsets[j]:
            _adam_one(params[j], grads[j], exp_avgs[j], exp_avg_sqs[j], max_exp_avg_sqs[j],
                      weight, beta2, keep2, eps, weight_decay, shrink, decoupled, amsgrad,
                      maximize, step_size, bias_correction2_sqrt, one, half)


@numba.njit(cache=True, parallel=True)
def _adam_one(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, weight, beta2, keep2, eps,
              weight_decay, shrink, decoupled, amsgrad, maximize, step_size,
              bias_correction2_sqrt, one, half):
    for i in numba.prange(param.size):
        g = -grad[i] if maximize else grad[i]
        p = param[i]
        if weight_decay != 0:
            if decoupled:
                p = p * shrink
            else:
                g = g + weight_decay * p
        m = exp_avg[i]
        # lerp(m, g, weight), written as PyTorch's lerp kernel writes it
        m = m + weight * (g - m) if weight < half else g - (g - m) * (one - weight)
        exp_avg[i] = m
        v = exp_avg_sq[i] * beta2 + keep2 * g * g
        exp_avg_sq[i] = v
        if amsgrad:
            if max_exp_avg_sq[i] > v:
                v = max_exp_avg_sq[i]
            max_exp_avg_sq[i] = v
        denom = np.sqrt(v) / bias_correction2_sqrt + eps
        param[i] = p + (-step_size) * m / denom


@numba.njit(cache=True)
def _rmsprop_kernel(params, grads, square_avgs, grad_avgs, momentum_buffers, offsets, lr, alpha,
                    keep, eps, weight_decay, momentum, centered, maximize, one, half):
    """keep = 1 - alpha (also the lerp weight of the centered average)."""
    for j in range(len(params)):
        if offsets[j + 1] > offsets[j]:
            _rmsprop_one(params[j], grads[j], square_avgs[j], grad_avgs[j], momentum_buffers[j],
                         lr, alpha, keep, eps, weight_decay, momentum, centered, maximize, one,
                         half)


@numba.njit(cache=True, parallel=True)
def _rmsprop_one(param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, keep, eps,
                 weight_decay, momentum, centered, maximize, one, half):
    for i in numba.prange(param.size):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        v = square_avg[i] * alpha + keep * g * g
        square_avg[i] = v
        if centered:
            m = grad_avg[i]
            m = m + keep * (g - m) if keep < half else g - (g - m) * (one - keep)
            grad_avg[i] = m
            v = v - m * m
        avg = np.sqrt(v) + eps
        if momentum > 0:
            b = momentum_buffer[i] * momentum + g / avg
            momentum_buffer[i] = b
            param[i] = param[i] + (-lr) * b
        else:
            param[i] = param[i] + (-lr) * g / avg


def _flatten(a):
    """(`a` as a 1-D writeable C-contiguous array, whether that is a copy): a view when it can
    be one (a read-only grad is copied too: the arrays of one tuple must share one Numba
    type)."""
    if a.flags.c_contiguous and a.flags.writeable:
        return a.reshape(-1), False
    return ready(a).reshape(-1), True


def _copy_back(a, flat):
    a[...] = flat.reshape(a.shape)


def _launch(kernel, n, *args):
    call(kernel, n >= get_config().optim_parallel_min_elements, *args)


_STEPS = fused_optimizer_steps(
    DeviceOps(array_type=np.ndarray, is_writable=lambda a: a.flags.writeable,
              is_contiguous=lambda a: a.flags.c_contiguous, flatten=_flatten,
              copy_back=_copy_back, launch=_launch,
              tensors_per_launch=lambda: get_config().optim_tensors_per_call),
    sgd_kernel=_sgd_kernel, adam_kernel=_adam_kernel, rmsprop_kernel=_rmsprop_kernel)
sgd_multi_tensor_step = _STEPS["sgd_multi_tensor_step"]
adam_multi_tensor_step = _STEPS["adam_multi_tensor_step"]
rmsprop_multi_tensor_step = _STEPS["rmsprop_multi_tensor_step"]
sgd_step = _STEPS["sgd_step"]
adam_step = _STEPS["adam_step"]
rmsprop_step = _STEPS["rmsprop_step"]
