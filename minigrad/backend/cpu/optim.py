"""Fused optimizer updates: one pass over a parameter and its state instead of several
elementwise ops, each of which would read and write every element again.

The update rules (PyTorch's) are stated with their scalar records in
minigrad/backend/update_rules.py, which also validates the operands and casts the scalars
before these kernels run. The kernels apply them element by element, in the operand order of
PyTorch's own kernels, on flat contiguous arrays of one size and dtype.
"""
import numba
import numpy as np

from ..update_rules import DeviceOps, fused_optimizer_steps
from ._config import get_config
from ._parallel import call


@numba.njit(cache=True, parallel=True)
def _sgd_kernel(param, grad, buf, lr, momentum, keep, weight_decay, nesterov, maximize,
                first_step):
    """keep = 1 - dampening."""
    for i in numba.prange(param.size):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        if momentum != 0:
            b = g if first_step else buf[i] * momentum + keep * g
            buf[i] = b
            g = g + momentum * b if nesterov else b
        param[i] = param[i] + (-lr) * g


@numba.njit(cache=True, parallel=True)
def _adam_kernel(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, weight, beta2, keep2, eps,
                 weight_decay, shrink, decoupled, amsgrad, maximize, step_size,
                 bias_correction2_sqrt, one, half):
    """weight = 1 - beta1 (lerp weight), keep2 = 1 - beta2, shrink = 1 - lr * weight_decay."""
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


@numba.njit(cache=True, parallel=True)
def _rmsprop_kernel(param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, keep, eps,
                    weight_decay, momentum, centered, maximize, one, half):
    """keep = 1 - alpha (also the lerp weight of the centered average)."""
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
    """(`a` as a 1-D C-contiguous array, whether that is a copy): a view when it can be one."""
    if a.flags.c_contiguous:
        return a.reshape(-1), False
    return np.array(a, order="C").reshape(-1), True


def _copy_back(a, flat):
    a[...] = flat.reshape(a.shape)


def _launch(kernel, n, *args):
    call(kernel, n >= get_config().optim_parallel_min_elements, *args)


sgd_step, adam_step, rmsprop_step = fused_optimizer_steps(
    DeviceOps(array_type=np.ndarray, is_writable=lambda a: a.flags.writeable,
              is_contiguous=lambda a: a.flags.c_contiguous, flatten=_flatten,
              copy_back=_copy_back, launch=_launch),
    sgd_kernel=_sgd_kernel, adam_kernel=_adam_kernel, rmsprop_kernel=_rmsprop_kernel)
