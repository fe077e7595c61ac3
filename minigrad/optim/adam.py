"""Adam and AdamW (Adam with decoupled weight decay)."""
from ..creation import zeros_like
from .optimizer import Optimizer, check_non_negative, fused_update


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

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        check_non_negative("learning rate (lr)", lr)
        check_non_negative("epsilon value (eps)", eps)
        betas = tuple(betas)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta} (betas must be in "
                                 "[0, 1))")
        check_non_negative("weight_decay", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros_like(param)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        fused_update("adam_step", param, grad,
                     (state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")),
                     lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                     weight_decay=group["weight_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"],
                     amsgrad=group["amsgrad"], maximize=group["maximize"], step=state["step"])


class AdamW(Adam):
    """`AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    *, maximize=False)`: Adam whose weight decay shrinks the parameters directly instead of
    adding to the gradient (see `Adam` for the update rule)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # an Adam state dict must not turn off the decoupling
            group["decoupled_weight_decay"] = True
