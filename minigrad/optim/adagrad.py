"""Adagrad: per-coordinate steps scaled by the root of the sum of all squared gradients."""
from ..creation import full_like
from ._common_updates import effective_grad
from .hyperparameters import check_flag, check_implementation_flags, check_non_negative
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """`Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, *, maximize=False)`, PyTorch's update rule at step t:

        g = grad (negated if maximize) + weight_decay * p
        s = s + g * g                       (s starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    State per parameter: "step" (an int) and "sum" (s), created with the optimizer (as in
    PyTorch) so an optimizer saved before its first step already holds them.
    """

    _param_shaped_state = ("sum",)
    _required_state = ("step", "sum")

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False, foreach=None, differentiable=False, fused=None):
        check_implementation_flags("Adagrad", foreach=foreach, differentiable=differentiable,
                                   fused=fused)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "maximize": maximize}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(step=0, sum=full_like(
                    p, group["initial_accumulator_value"]))

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("lr_decay", group["lr_decay"])
        check_non_negative("weight_decay", group["weight_decay"])
        check_non_negative("initial_accumulator_value", group["initial_accumulator_value"])
        check_non_negative("eps", group["eps"], "epsilon value")
        check_flag("maximize", group["maximize"])

    def _update(self, param, grad, state, group):
        if "step" not in state:  # a parameter group added after construction
            state.update(step=0, sum=full_like(param, group["initial_accumulator_value"]))
        state["step"] += 1
        grad = effective_grad(param, grad, group)
        step_size = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"].addcmul_(grad, grad, value=1)
        param.addcdiv_(grad, state["sum"].sqrt() + group["eps"], value=-step_size)
