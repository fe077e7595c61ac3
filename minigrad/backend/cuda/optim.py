"""Fused optimizer updates on the device: one kernel launch updates up to
`LaunchConfig.optimizer_tensors_per_launch` parameters, reading each parameter, its gradient
and its state once and writing them once, where the same update as Tensor ops would launch a
dozen elementwise kernels per parameter.

The same kernels as the cpu backend's (minigrad/backend/cpu/optim.py), with the same arguments
and arithmetic: the update rules, operand validation, scalar casts and the tuples of flat
arrays with their `offsets` table are in minigrad/backend/update_rules.py. A thread finds the
parameter of its element in the offsets table (a handful of comparisons). Non-contiguous arrays
are updated through contiguous copies that are written back.
"""
from numba import cuda

from ..update_rules import DeviceOps, fused_optimizer_steps
from ._array import SIMULATOR, buffer, has_repeats, is_contiguous, reshaped
from ._copy import contiguous, copy_into
from ._launch import get_config, launch_1d
from ._math import sqrt

if SIMULATOR:
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray as _DeviceArray
else:
    from numba.cuda.cudadrv.devicearray import DeviceNDArray as _DeviceArray


@cuda.jit(device=True, inline=True)
def _segment(offsets, i):
    """The parameter whose elements include element i of the launch."""
    j = 0
    while i >= offsets[j + 1]:
        j += 1
    return j


@cuda.jit(cache=True)
def _sgd_kernel(params, grads, bufs, offsets, lr, momentum, keep, weight_decay, nesterov,
                maximize, first_step, n):
    """keep = 1 - dampening."""
    for t in range(cuda.grid(1), n, cuda.gridsize(1)):
        j = _segment(offsets, t)
        param, grad, buf = params[j], grads[j], bufs[j]
        i = t - offsets[j]
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
def _adam_kernel(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, offsets, weight, beta2,
                 keep2, eps, weight_decay, shrink, decoupled, amsgrad, maximize, step_size,
                 bias_correction2_sqrt, one, half, n):
    """weight = 1 - beta1 (lerp weight), keep2 = 1 - beta2, shrink = 1 - lr * weight_decay;
    one and half are 1 and 0.5 in the parameter's dtype."""
    for t in range(cuda.grid(1), n, cuda.gridsize(1)):
        j = _segment(offsets, t)
        param, grad, exp_avg, exp_avg_sq = params[j], grads[j], exp_avgs[j], exp_avg_sqs[j]
        max_exp_avg_sq = max_exp_avg_sqs[j]
        i = t - offsets[j]
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
        denom = sqrt(v) / bias_correction2_sqrt + eps
        param[i] = p + (-step_size) * m / denom


@cuda.jit(cache=True)
def _rmsprop_kernel(params, grads, square_avgs, grad_avgs, momentum_buffers, offsets, lr, alpha,
                    keep, eps, weight_decay, momentum, centered, maximize, one, half, n):
    """keep = 1 - alpha (also the lerp weight of the centered average); one and half are 1
    and 0.5 in the parameter's dtype."""
    for t in range(cuda.grid(1), n, cuda.gridsize(1)):
        j = _segment(offsets, t)
        param, grad, square_avg = params[j], grads[j], square_avgs[j]
        grad_avg, momentum_buffer = grad_avgs[j], momentum_buffers[j]
        i = t - offsets[j]
        g = grad[i]
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        v = square_avg[i] * alpha + keep * g * g
        square_avg[i] = v
        if centered:
            m = grad_avg[i]
            if keep < half:  # lerp(m, g, keep) as PyTorch's lerp kernel writes it
                m = m + keep * (g - m)
            else:
                m = g - (g - m) * (one - keep)
            grad_avg[i] = m
            v = v - m * m
        avg = sqrt(v) + eps
        if momentum > 0:
            b = momentum_buffer[i] * momentum + g / avg
            momentum_buffer[i] = b
            param[i] = param[i] + (-lr) * b
        else:
            param[i] = param[i] + (-lr) * g / avg


def _flatten(a):
    """(the flat contiguous buffer of `a`'s elements, whether it is a copy of them)."""
    if is_contiguous(a):
        return buffer(a), False
    return buffer(contiguous(a)), True


def _copy_back(a, flat):
    copy_into(a, reshaped(flat, a.shape))


def _launch(kernel, n, *args):
    """The cuda kernels take the element count last."""
    launch_1d(kernel, n, *args, n)


_STEPS = fused_optimizer_steps(
    DeviceOps(array_type=_DeviceArray, is_writable=lambda a: not has_repeats(a),
              is_contiguous=is_contiguous, flatten=_flatten, copy_back=_copy_back,
              launch=_launch,
              tensors_per_launch=lambda: get_config().optimizer_tensors_per_launch),
    sgd_kernel=_sgd_kernel, adam_kernel=_adam_kernel, rmsprop_kernel=_rmsprop_kernel)
sgd_multi_tensor_step = _STEPS["sgd_multi_tensor_step"]
adam_multi_tensor_step = _STEPS["adam_multi_tensor_step"]
rmsprop_multi_tensor_step = _STEPS["rmsprop_multi_tensor_step"]
sgd_step = _STEPS["sgd_step"]
adam_step = _STEPS["adam_step"]
rmsprop_step = _STEPS["rmsprop_step"]
