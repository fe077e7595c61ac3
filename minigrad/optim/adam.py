"""Adam and AdamW (Adam with decoupled weight decay)."""
from ..backend.update_rules import AdamScalars
from ..creation import zeros_like
from .hyperparameters import check_betas, check_flag, check_implementation_flags, check_non_negative
from .optimizer import FusedUpdate, Optimizer, fused_updates


class Adam(Optimizer):
    """`Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False)`, PyTorch's update rule at step t:

        g = grad (negated if maximize)
        p = p * (1 - lr * weight_decay)   if decoupled_weight_decay (AdamW)
        g = g + weight_decay * p          otherwise
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        v_hat = max(v_max, v) if amsgrad else v   (v_max keeps that running maximum)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)

    State per parameter: "step" (an int), "exp_avg", "exp_avg_sq", and "max_exp_avg_sq" when
    amsgrad.
    """

    _param_shaped_state = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    _required_state = ("step", "exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_implementation_flags(type(self).__name__, foreach=foreach, fused=fused,
                                   capturable=capturable, differentiable=differentiable)
        check_betas(betas)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("eps", group["eps"], "epsilon value")
        check_betas(group["betas"])
        check_non_negative("weight_decay", group["weight_decay"])
        for flag in ("amsgrad", "maximize", "decoupled_weight_decay"):
            check_flag(flag, group[flag])

    def _update_group(self, params, group):
        fused_updates(lambda kernels: kernels.adam_multi_tensor_step, params,
                      lambda p: self._fused_update(p, self.state[p], group))

    def _fused_update(self, param, state, group):
        fresh = {} if "step" in state else {"exp_avg": zeros_like(param),
                                            "exp_avg_sq": zeros_like(param)}
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            fresh["max_exp_avg_sq"] = zeros_like(param)
        buffers = {**state, **fresh}
        step = state.get("step", 0) + 1
        return FusedUpdate(param, param.grad, (buffers["exp_avg"], buffers["exp_avg_sq"],
                                               buffers.get("max_exp_avg_sq")),
                           adam_scalars(group, step), lambda: state.update(fresh, step=step))


def adam_scalars(group, step):
    """The scalars of Adam's step number `step` (counted from 1) for the settings `group`,
    derived as PyTorch's single-tensor Adam derives them."""
    lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
    return AdamScalars(lerp_weight=1 - beta1, beta2=beta2, beta2_complement=1 - beta2,
                       eps=group["eps"], weight_decay=weight_decay,
                       decay_factor=1 - lr * weight_decay,
                       decoupled_weight_decay=bool(group["decoupled_weight_decay"]),
                       amsgrad=bool(group["amsgrad"]), maximize=bool(group["maximize"]),
                       step_size=lr / (1 - beta1 ** step),
                       bias_correction2_sqrt=(1 - beta2 ** step) ** 0.5)


class AdamW(Adam):
    """`AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    *, maximize=False)`: Adam whose weight decay shrinks the parameters directly instead of
    adding to the gradient (see `Adam` for the update rule)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         foreach=foreach, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # an Adam state dict must not turn off the decoupling
            group["decoupled_weight_decay"] = True
