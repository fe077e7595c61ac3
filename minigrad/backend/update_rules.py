"""The fused optimizer updates every backend provides: `sgd_step`, `adam_step`, `rmsprop_step`.

An optimizer (minigrad/optim/) works out the scalars of one step from its hyper-parameters into
one of the named records below, as PyTorch's single-tensor optimizers do (bias corrections,
step sizes, 1 - beta, ...), in float64. A backend's step then only validates its operands
(minigrad/backend/checks.py), casts the scalars to the parameter's dtype (so float32 parameters
are updated in float32 arithmetic, as PyTorch updates them) and launches one kernel that reads
and writes every element once. `fused_optimizer_steps` builds that validate-cast-launch path,
shared by the backends; each one supplies its kernels and how it flattens and launches them
(`DeviceOps`).

Kernel arguments: the flat arrays in the order of the step's signature (an array a step does
not use is replaced by another operand of the same dtype, which the kernel does not touch),
then the record's fields in order, then `one` and `half` (1 and 0.5 in the parameter's dtype)
for the steps that lerp, as PyTorch's lerp kernel does (and on cuda the element count last).
"""
import math
from typing import Callable, NamedTuple

import numpy as np

from .checks import check_elementwise_operands, check_flat


class SGDScalars(NamedTuple):
    """One SGD step: g = -grad if maximize; g += weight_decay * p;
    b = g on the first step else momentum * b + dampening_complement * g (momentum != 0);
    g = g + momentum * b if nesterov else b; p += -lr * g."""
    lr: float
    momentum: float
    dampening_complement: float  # 1 - dampening
    weight_decay: float
    nesterov: bool
    maximize: bool
    first_step: bool


class AdamScalars(NamedTuple):
    """One Adam / AdamW step at step t: g = -grad if maximize; p *= decay_factor (decoupled)
    or g += weight_decay * p; m = lerp(m, g, lerp_weight); v = beta2 * v + beta2_complement *
    g * g; v_hat = max(v_max, v) if amsgrad; p += -step_size * m / (sqrt(v_hat) /
    bias_correction2_sqrt + eps)."""
    lerp_weight: float  # 1 - beta1
    beta2: float
    beta2_complement: float  # 1 - beta2
    eps: float
    weight_decay: float
    decay_factor: float  # 1 - lr * weight_decay
    decoupled_weight_decay: bool
    amsgrad: bool
    maximize: bool
    step_size: float  # lr / (1 - beta1 ** t)
    bias_correction2_sqrt: float  # (1 - beta2 ** t) ** 0.5


class RMSpropScalars(NamedTuple):
    """One RMSprop step: g = -grad if maximize; g += weight_decay * p;
    v = alpha * v + alpha_complement * g * g; a = sqrt(v) + eps, or, if centered,
    m = lerp(m, g, alpha_complement) and a = sqrt(v - m * m) + eps;
    b = momentum * b + g / a and p += -lr * b (momentum > 0), else p += -lr * g / a."""
    lr: float
    alpha: float
    alpha_complement: float  # 1 - alpha
    eps: float
    weight_decay: float
    momentum: float
    centered: bool
    maximize: bool


class DeviceOps(NamedTuple):
    """What a backend supplies to run flat elementwise kernels on its arrays."""
    array_type: type  # the backend's array class
    is_writable: Callable  # array -> whether it can be updated in place
    is_contiguous: Callable  # array -> whether it is C-contiguous
    flatten: Callable  # array -> (1-D contiguous array over its elements, whether a copy)
    copy_back: Callable  # (array, flat copy) -> writes the copy's values into the array
    launch: Callable  # (kernel, n, *args) -> runs kernel(*args) over n elements


def fused_optimizer_steps(ops, *, sgd_kernel, adam_kernel, rmsprop_kernel):
    """A backend's public `sgd_step`, `adam_step` and `rmsprop_step` (plain functions, as the
    kernel contract wants), from its three kernels and its `DeviceOps`."""

    def sgd_step(param, grad, momentum_buffer, scalars):
        """One SGD step on `param` (any shape) in place; `grad` has its shape and dtype. With
        momentum != 0, `momentum_buffer` (param's shape) is updated in place (set on the first
        step); otherwise it is not used and may be None. `scalars`: an SGDScalars."""
        operands = {"param": param, "grad": grad}
        if scalars.momentum != 0:
            operands["momentum_buffer"] = momentum_buffer
        _run(ops, "sgd_step", sgd_kernel, operands, ("param", "grad", "momentum_buffer"),
             scalars, ())

    def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, scalars):
        """One Adam / AdamW step on `param` in place, its state arrays (param's shape and
        dtype) updated in place; `max_exp_avg_sq` is used only with amsgrad (else it may be
        None). `scalars`: an AdamScalars."""
        operands = {"param": param, "grad": grad, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        if scalars.amsgrad:
            operands["max_exp_avg_sq"] = max_exp_avg_sq
        _run(ops, "adam_step", adam_kernel, operands,
             ("param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), scalars, (1.0, 0.5))

    def rmsprop_step(param, grad, square_avg, grad_avg, momentum_buffer, scalars):
        """One RMSprop step on `param` in place, its state arrays (param's shape and dtype)
        updated in place; `grad_avg` is used only when centered and `momentum_buffer` only
        with momentum > 0 (else either may be None). `scalars`: an RMSpropScalars."""
        operands = {"param": param, "grad": grad, "square_avg": square_avg}
        if scalars.centered:
            operands["grad_avg"] = grad_avg
        if scalars.momentum > 0:
            operands["momentum_buffer"] = momentum_buffer
        _run(ops, "rmsprop_step", rmsprop_kernel, operands,
             ("param", "grad", "square_avg", "grad_avg", "momentum_buffer"), scalars, (1.0, 0.5))

    return sgd_step, adam_step, rmsprop_step


def _run(ops, name, kernel, operands, signature, scalars, constants):
    """Validate `operands` (grad is read, every other one written), cast the scalars to the
    parameter's dtype and launch `kernel` on flat contiguous arrays, in `signature` order;
    operands that had to be copied to be flat are copied back."""
    written = [key for key in operands if key != "grad"]
    check_elementwise_operands(name, operands, written, array_type=ops.array_type,
                               is_writable=ops.is_writable)
    param = operands["param"]
    n = math.prod(param.shape)
    if n == 0:
        return
    flats = {key: ops.flatten(array) for key, array in operands.items()}
    for key, (flat, _) in flats.items():
        check_flat(name, key, flat, n, ops.is_contiguous)
    stand_in = flats["grad"][0]  # for the arrays this step does not use
    args = [flats[key][0] if key in flats else stand_in for key in signature]
    dtype = param.dtype.type
    cast = [bool(value) if isinstance(value, (bool, np.bool_)) else dtype(value)
            for value in (*scalars, *constants)]
    ops.launch(kernel, n, *args, *cast)
    for key in written:
        flat, copied = flats[key]
        if copied:
            ops.copy_back(operands[key], flat)
