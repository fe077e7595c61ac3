"""Fused optimizer updates: one pass over a parameter and its state instead of several
elementwise ops, each of which would read and write every element again.

The update rules (PyTorch's) are stated in minigrad/optim/sgd.py and adam.py; here they are
applied element by element, in the operand order of PyTorch's own kernels, with every scalar
cast to the parameter's dtype so that float32 parameters are updated in float32 arithmetic as
PyTorch updates them (the scalars come from minigrad/backend/update_rules.py, shared with the
cuda backend). `param` and the state arrays are updated in place; they and `grad` have
one shape. A state argument an update does not use may be any array of the dtype (it is not
touched).
"""
import numba
import numpy as np

from ..update_rules import adam_arguments, sgd_arguments
from ._parallel import call

# Below this many elements an update runs on the calling thread alone.
_PARALLEL_MIN_ELEMENTS = 1 << 16


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
                 bias_correction2_sqrt):
    """weight = 1 - beta1 (lerp weight), keep2 = 1 - beta2, shrink = 1 - lr * weight_decay."""
    one, half = param.dtype.type(1), param.dtype.type(0.5)
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


def _flat(a):
    """(`a` as a 1-D C-contiguous writeable array, whether that is a copy): a view when it can
    be one."""
    if a.flags.c_contiguous and a.flags.writeable:
        return a.reshape(-1), False
    return np.array(a, order="C").reshape(-1), True


def _run(kernel, arrays, written, scalars):
    """kernel(*flat arrays, *scalars as the arrays' dtype); arrays at the `written` positions
    that had to be copied are copied back."""
    flats, copied = zip(*(_flat(a) for a in arrays))
    dtype = arrays[0].dtype.type
    cast = [s if isinstance(s, bool) else dtype(s) for s in scalars]
    call(kernel, arrays[0].size >= _PARALLEL_MIN_ELEMENTS, *flats, *cast)
    for index in written:
        if copied[index]:
            arrays[index][...] = flats[index].reshape(arrays[index].shape)


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
    _run(_adam_kernel, arrays, written, scalars)
