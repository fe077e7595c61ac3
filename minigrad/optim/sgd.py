"""Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay."""
from ..backend.update_rules import SGDScalars
from ..creation import empty_like
from .hyperparameters import check_flag, check_implementation_flags, check_non_negative, check_real
from .optimizer import FusedUpdate, Optimizer, fused_updates


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

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_implementation_flags("SGD", foreach=foreach, differentiable=differentiable,
                                   fused=fused)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("momentum", group["momentum"])
        check_real("dampening", group["dampening"])
        check_non_negative("weight_decay", group["weight_decay"])
        check_flag("nesterov", group["nesterov"])
        check_flag("maximize", group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _update_group(self, params, group):
        fused_updates(lambda kernels: kernels.sgd_multi_tensor_step, params,
                      lambda p: self._fused_update(p, self.state[p], group))

    def _fused_update(self, param, state, group):
        first_step = group["momentum"] != 0 and "momentum_buffer" not in state
        buffer = empty_like(param) if first_step else state.get("momentum_buffer")
        scalars = SGDScalars(lr=group["lr"], momentum=group["momentum"],
                             dampening_complement=1 - group["dampening"],
                             weight_decay=group["weight_decay"], nesterov=bool(group["nesterov"]),
                             maximize=bool(group["maximize"]), first_step=first_step)

        def commit():
            if first_step:  # the step has set it
                state["momentum_buffer"] = buffer
        return FusedUpdate(param, param.grad, (buffer,), scalars, commit)
