"""The fused optimizer updates every backend provides: `sgd_multi_tensor_step`,
`adam_multi_tensor_step`, `rmsprop_multi_tensor_step`, and their one-parameter forms
`sgd_step`, `adam_step`, `rmsprop_step`.

An optimizer (minigrad/optim/) works out the scalars of one step from its hyper-parameters into
one of the named records below, as PyTorch's single-tensor optimizers do (bias corrections,
step sizes, 1 - beta, ...), in float64. A backend's step then only validates its operands
(minigrad/backend/checks.py), casts the scalars to the parameters' dtype (so float32 parameters
are updated in float32 arithmetic, as PyTorch updates them) and launches kernels that read and
write every element once. A multi-tensor step updates a list of parameters that share one
record with one kernel launch per `tensors_per_launch` parameters (PyTorch's multi-tensor
apply): a training step's optimizer is then a handful of launches, not one per parameter.
`fused_optimizer_steps` builds that validate-cast-launch path, shared by the backends; each
one supplies its kernels and how it flattens and launches them (`DeviceOps`).

Kernel arguments: for each operand of the step's signature, a tuple of `tensors_per_launch`
flat contiguous arrays, one per parameter (an array a step does not use is replaced by another
operand of the same parameter, which the kernel does not touch; slots past the last parameter
repeat the first one); then `offsets`, a tuple of `tensors_per_launch + 1` ints, parameter j
being elements offsets[j] to offsets[j + 1] of the launch's flat index space (the slots past
the last parameter are empty: their offsets repeat the total); then the record's fields in
order, then `one` and `half` (1 and 0.5 in the parameters' dtype) for the steps that lerp, as
PyTorch's lerp kernel does (and on cuda the total element count last). The tuples have one
length per backend configuration, so each kernel is compiled once per dtype.
"""
import math
from typing import Callable, NamedTuple

import numpy as np

from .checks import KernelOperandError, check_elementwise_operands, check_flat


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
    tensors_per_launch: Callable  # () -> how many parameters one launch updates


def fused_optimizer_steps(ops, *, sgd_kernel, adam_kernel, rmsprop_kernel):
    """A backend's public optimizer steps (plain functions, as the kernel contract wants):
    {name: function} for the multi-tensor steps and their one-parameter forms, from its
    three kernels and its `DeviceOps`."""

    def sgd_multi_tensor_step(params, grads, momentum_buffers, scalars):
        """One SGD step on every array of the list `params` (any shapes) in place; `grads`
        lists arrays of their shapes and dtypes. With momentum != 0, the arrays of
        `momentum_buffers` (params' shapes) are updated in place (set on the first step);
        otherwise they are not used and the list may hold None. `scalars`: an SGDScalars,
        the same for every parameter."""
        operands = {"param": params, "grad": grads}
        if scalars.momentum != 0:
            operands["momentum_buffer"] = momentum_buffers
        _run(ops, "sgd_step", sgd_kernel, operands, ("param", "grad", "momentum_buffer"),
             scalars, ())

    def adam_multi_tensor_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, scalars):
        """One Adam / AdamW step on every array of `params` in place, their state arrays
        (params' shapes and dtypes) updated in place; `max_exp_avg_sqs` is used only with
        amsgrad (else it may hold None). `scalars`: an AdamScalars, the same for every
        parameter (so for one step count)."""
        operands = {"param": params, "grad": grads, "exp_avg": exp_avgs,
                    "exp_avg_sq": exp_avg_sqs}
        if scalars.amsgrad:
            operands["max_exp_avg_sq"] = max_exp_avg_sqs
        _run(ops, "adam_step", adam_kernel, operands,
             ("param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), scalars, (1.0, 0.5))

    def rmsprop_multi_tensor_step(params, grads, square_avgs, grad_avgs, momentum_buffers,
                                  scalars):
        """One RMSprop step on every array of `params` in place, their state arrays (params'
        shapes and dtypes) updated in place; `grad_avgs` is used only when centered and
        `momentum_buffers` only with momentum > 0 (else either may hold None). `scalars`: an
        RMSpropScalars, the same for every parameter."""
        operands = {"param": params, "grad": grads, "square_avg": square_avgs}
        if scalars.centered:
            operands["grad_avg"] = grad_avgs
        if scalars.momentum > 0:
            operands["momentum_buffer"] = momentum_buffers
        _run(ops, "rmsprop_step", rmsprop_kernel, operands,
             ("param", "grad", "square_avg", "grad_avg", "momentum_buffer"), scalars, (1.0, 0.5))

    def sgd_step(param, grad, momentum_buffer, scalars):
        """`sgd_multi_tensor_step` on the one parameter `param`."""
        sgd_multi_tensor_step([param], [grad], [momentum_buffer], scalars)

    def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, scalars):
        """`adam_multi_tensor_step` on the one parameter `param`."""
        adam_multi_tensor_step([param], [grad], [exp_avg], [exp_avg_sq], [max_exp_avg_sq],
                               scalars)

    def rmsprop_step(param, grad, square_avg, grad_avg, momentum_buffer, scalars):
        """`rmsprop_multi_tensor_step` on the one parameter `param`."""
        rmsprop_multi_tensor_step([param], [grad], [square_avg], [grad_avg], [momentum_buffer],
                                  scalars)

    return {step.__name__: step for step in (
        sgd_multi_tensor_step, adam_multi_tensor_step, rmsprop_multi_tensor_step,
        sgd_step, adam_step, rmsprop_step)}


def _run(ops, name, kernel, operands, signature, scalars, constants):
    """Validate every parameter's operands (`operands` maps each name to a list with one array
    per parameter; grad is read, every other one written), then cast the scalars to the
    parameters' dtype and launch `kernel` on flat contiguous arrays, `tensors_per_launch`
    parameters at a time, in `signature` order; operands that had to be copied to be flat are
    copied back. Nothing is written unless every operand passed its checks."""
    count = len(operands["param"])
    for key, arrays in operands.items():
        if not isinstance(arrays, (list, tuple)) or len(arrays) != count:
            raise KernelOperandError(f"{name}: {key} must be a list of {count} arrays, one per "
                                     f"parameter, got {_describe_list(arrays)}")
    written = [key for key in operands if key != "grad"]
    rows = [{key: arrays[i] for key, arrays in operands.items()} for i in range(count)]
    for row in rows:
        check_elementwise_operands(name, row, written, array_type=ops.array_type,
                                   is_writable=ops.is_writable)
    rows = [row for row in rows if math.prod(row["param"].shape) > 0]
    dtypes = {row["param"].dtype for row in rows}
    if len(dtypes) > 1:
        raise KernelOperandError(f"{name}: the parameters of one step must share a dtype, got "
                                 f"{', '.join(sorted(str(d) for d in dtypes))}")
    if not rows:
        return
    dtype = rows[0]["param"].dtype.type
    cast = [bool(value) if isinstance(value, (bool, np.bool_)) else dtype(value)
            for value in (*scalars, *constants)]
    for chunk in _chunks(rows, ops.tensors_per_launch()):
        _launch_chunk(ops, name, kernel, chunk, signature, written, cast)


def _chunks(rows, size):
    """`rows` in consecutive runs of at most `size`, a parameter never twice in one run (its
    two updates must follow each other, not race)."""
    chunk, seen = [], set()
    for row in rows:
        if len(chunk) == size or id(row["param"]) in seen:
            yield chunk
            chunk, seen = [], set()
        chunk.append(row)
        seen.add(id(row["param"]))
    yield chunk


def _launch_chunk(ops, name, kernel, rows, signature, written, cast):
    size = ops.tensors_per_launch()
    flats = []
    offsets = [0]
    for row in rows:
        n = math.prod(row["param"].shape)
        flat = {key: ops.flatten(array) for key, array in row.items()}
        for key, (array, _) in flat.items():
            check_flat(name, key, array, n, ops.is_contiguous)
        flats.append(flat)
        offsets.append(offsets[-1] + n)
    total = offsets[-1]
    offsets += [total] * (size - len(rows))
    padded = flats + [flats[0]] * (size - len(rows))
    args = [tuple(flat[key][0] if key in flat else flat["grad"][0] for flat in padded)
            for key in signature]
    ops.launch(kernel, total, *args, tuple(offsets), *cast)
    for row, flat in zip(rows, flats):
        for key in written:
            array, copied = flat[key]
            if copied:
                ops.copy_back(row[key], array)


def _describe_list(value):
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"
