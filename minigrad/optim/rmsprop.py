"""RMSprop: scale each step by a running root-mean-square of the gradients."""
from ..creation import zeros_like
from .optimizer import Optimizer, check_non_negative


class RMSprop(Optimizer):
    """`RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, *, maximize=False)`, PyTorch's update rule:

        g = grad (negated if maximize) + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        a = sqrt(v - m * m) + eps  with m = alpha * m + (1 - alpha) * g   if centered
        a = sqrt(v) + eps                                                 otherwise
        b = momentum * b + g / a;  p = p - lr * b     if momentum > 0
        p = p - lr * g / a                            otherwise

    State per parameter: "step" (an int), "square_avg", "momentum_buffer" (momentum > 0) and
    "grad_avg" (centered).
    """

    _param_shaped_state = ("square_avg", "momentum_buffer", "grad_avg")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        check_non_negative("learning rate (lr)", lr)
        check_non_negative("epsilon value (eps)", eps)
        check_non_negative("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        check_non_negative("alpha", alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        momentum, alpha = group["momentum"], group["alpha"]
        if "step" not in state:
            state["step"] = 0
            state["square_avg"] = zeros_like(param)
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = zeros_like(param)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = zeros_like(param)
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        square_avg = state["square_avg"].mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"].lerp_(grad, 1 - alpha)
            avg = (square_avg - grad_avg * grad_avg).sqrt()
        else:
            avg = square_avg.sqrt()
        avg = avg + group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"].mul_(momentum).addcdiv_(grad, avg)
            param.add_(buf, alpha=-group["lr"])
        else:
            param.addcdiv_(grad, avg, value=-group["lr"])
