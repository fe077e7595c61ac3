"""Adadelta: steps scaled by the ratio of running RMS of updates to running RMS of gradients."""
from ..creation import zeros_like
from ._common_updates import effective_grad
from .hyperparameters import check_flag, check_implementation_flags, check_non_negative
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """`Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False)`,
    PyTorch's update rule:

        g = grad (negated if maximize) + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    State per parameter: "step" (an int), "square_avg" (v) and "acc_delta" (u).
    """

    _param_shaped_state = ("square_avg", "acc_delta")
    _required_state = ("step", "square_avg", "acc_delta")

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False,
                 foreach=None, capturable=False, differentiable=False):
        check_implementation_flags("Adadelta", foreach=foreach, capturable=capturable,
                                   differentiable=differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("eps", group["eps"], "epsilon value")
        check_non_negative("weight_decay", group["weight_decay"])
        check_non_negative("rho", group["rho"])
        if group["rho"] > 1:
            raise ValueError(f"Invalid rho value: {group['rho']} (expected a value in [0, 1])")
        check_flag("maximize", group["maximize"])

    def _update(self, param, grad, state, group):
        if "step" not in state:
            state.update(step=0, square_avg=zeros_like(param), acc_delta=zeros_like(param))
        rho, eps = group["rho"], group["eps"]
        grad = effective_grad(param, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        delta = (acc_delta + eps).sqrt() / (square_avg + eps).sqrt() * grad
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        param.add_(delta, alpha=-group["lr"])
        state["step"] += 1
