"""RMSprop: scale each step by a running root-mean-square of the gradients."""
from ..backend.update_rules import RMSpropScalars
from ..creation import zeros_like
from .hyperparameters import check_flag, check_implementation_flags, check_non_negative
from .optimizer import FusedUpdate, Optimizer, fused_updates


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
    _required_state = ("step", "square_avg")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False):
        check_implementation_flags("RMSprop", foreach=foreach, capturable=capturable,
                                   differentiable=differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("eps", group["eps"], "epsilon value")
        check_non_negative("momentum", group["momentum"])
        check_non_negative("weight_decay", group["weight_decay"])
        check_non_negative("alpha", group["alpha"])
        check_flag("centered", group["centered"])
        check_flag("maximize", group["maximize"])

    def _update_group(self, params, group):
        fused_updates(lambda kernels: kernels.rmsprop_multi_tensor_step, params,
                      lambda p: self._fused_update(p, self.state[p], group))

    def _fused_update(self, param, state, group):
        fresh = {} if "step" in state else {"square_avg": zeros_like(param)}
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            fresh["momentum_buffer"] = zeros_like(param)
        if group["centered"] and "grad_avg" not in state:
            fresh["grad_avg"] = zeros_like(param)
        buffers = {**state, **fresh}
        alpha = group["alpha"]
        scalars = RMSpropScalars(lr=group["lr"], alpha=alpha, alpha_complement=1 - alpha,
                                 eps=group["eps"], weight_decay=group["weight_decay"],
                                 momentum=group["momentum"], centered=bool(group["centered"]),
                                 maximize=bool(group["maximize"]))
        step = state.get("step", 0) + 1
        return FusedUpdate(param, param.grad, (buffers["square_avg"], buffers.get("grad_avg"),
                                               buffers.get("momentum_buffer")),
                           scalars, lambda: state.update(fresh, step=step))
