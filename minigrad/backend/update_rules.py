"""What the fused optimizer kernels of every backend take: the arrays they read and write and
the scalars of the update, worked out once from the hyper-parameters.

Each backend's `sgd_step` / `adam_step` (cpu/optim.py, cuda/optim.py, where the kernels are)
passes its arguments here and launches its kernel on the result: (arrays, written, scalars),
`written` being the positions in `arrays` that the kernel updates in place. Scalars are
derived the way PyTorch derives them (1 - dampening, lr / (1 - beta1^t), ...) in float64; the
backends then cast them to the parameter's dtype.
"""


def sgd_arguments(param, grad, momentum_buffer, *, lr, momentum, dampening, weight_decay,
                  nesterov, maximize, first_step):
    """Kernel arguments (param, grad, buffer), lr, momentum, 1 - dampening, weight_decay,
    nesterov, maximize, first_step. Without momentum the buffer is not used (grad stands in
    for it and is not written)."""
    buffer, written = (momentum_buffer, (0, 2)) if momentum != 0 else (grad, (0,))
    scalars = (lr, momentum, 1 - dampening, weight_decay, bool(nesterov), bool(maximize),
               bool(first_step))
    return (param, grad, buffer), written, scalars


def adam_arguments(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, lr, beta1, beta2, eps,
                   weight_decay, decoupled_weight_decay, amsgrad, maximize, step):
    """Kernel arguments (param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq), 1 - beta1, beta2,
    1 - beta2, eps, weight_decay, 1 - lr * weight_decay, decoupled, amsgrad, maximize,
    lr / (1 - beta1^step), sqrt(1 - beta2^step). Without amsgrad max_exp_avg_sq is not used
    (exp_avg_sq stands in for it and is written once)."""
    arrays = (param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq if amsgrad else exp_avg_sq)
    scalars = (1 - beta1, beta2, 1 - beta2, eps, weight_decay, 1 - lr * weight_decay,
               bool(decoupled_weight_decay), bool(amsgrad), bool(maximize),
               lr / (1 - beta1 ** step), (1 - beta2 ** step) ** 0.5)
    return arrays, (0, 2, 3, 4) if amsgrad else (0, 2, 3), scalars
