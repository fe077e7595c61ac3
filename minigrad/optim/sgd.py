"""Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay."""
from ..creation import empty_like
from .optimizer import Optimizer, check_non_negative, fused_update


class SGD(Optimizer):
    """`SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False)`, PyTorch's update rule:

        g = grad (negated if maximize) + weight_decay * p
        b = g on the first step, else momentum * b + (1 - dampening) * g   (if momentum != 0)
        g = g + momentum * b if nesterov else b
        p = p - lr * g

    State per parameter: "momentum_buffer" (only when momentum != 0).
    """

    _param_shaped_state = ("momentum_buffer",)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        check_non_negative("learning rate (lr)", lr)
        check_non_negative("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening, got "
                             f"momentum={momentum}, dampening={dampening}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        first_step = group["momentum"] != 0 and "momentum_buffer" not in state
        if first_step:
            state["momentum_buffer"] = empty_like(param)  # the update sets it
        fused_update("sgd_step", param, grad, (state.get("momentum_buffer"),), lr=group["lr"],
                     momentum=group["momentum"], dampening=group["dampening"],
                     weight_decay=group["weight_decay"], nesterov=group["nesterov"],
                     maximize=group["maximize"], first_step=first_step)
