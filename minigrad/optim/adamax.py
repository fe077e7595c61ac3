"""Adamax: Adam with the infinity norm of past gradients in place of their RMS."""
from ..creation import zeros_like
from ..functions import maximum
from ._common_updates import effective_grad
from .hyperparameters import check_betas, check_flag, check_implementation_flags, check_non_negative
from .optimizer import Optimizer


class Adamax(Optimizer):
    """`Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *,
    maximize=False)`, PyTorch's update rule at step t:

        g = grad (negated if maximize) + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1^t) * m / u

    State per parameter: "step" (an int), "exp_avg" (m) and "exp_inf" (u).
    """

    _param_shaped_state = ("exp_avg", "exp_inf")
    _required_state = ("step", "exp_avg", "exp_inf")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False):
        check_implementation_flags("Adamax", foreach=foreach, capturable=capturable,
                                   differentiable=differentiable)
        check_betas(betas)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("eps", group["eps"], "epsilon value")
        check_betas(group["betas"])
        check_non_negative("weight_decay", group["weight_decay"])
        check_flag("maximize", group["maximize"])

    def _update(self, param, grad, state, group):
        if "step" not in state:
            state.update(step=0, exp_avg=zeros_like(param), exp_inf=zeros_like(param))
        state["step"] += 1
        beta1, beta2 = group["betas"]
        grad = effective_grad(param, grad, group)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_inf.copy_(maximum(exp_inf * beta2, grad.abs() + group["eps"]))
        step_size = group["lr"] / (1 - beta1 ** state["step"])
        param.addcdiv_(exp_avg, exp_inf, value=-step_size)
