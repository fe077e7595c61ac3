"""NAdam: Adam with Nesterov momentum (and PyTorch's momentum-decay schedule)."""
import numpy as np

from ..creation import zeros_like
from ._common_updates import l2_or_decoupled
from .hyperparameters import check_betas, check_flag, check_implementation_flags, check_non_negative
from .optimizer import Optimizer


class NAdam(Optimizer):
    """`NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False)`, PyTorch's update
    rule at step t:

        mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  P_t = mu_1 * ... * mu_t
        g = grad (negated if maximize), with weight decay as in Adam (or AdamW if decoupled)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2^t)) + eps
        p = p - lr * (1 - mu_t) / (1 - P_t) * g / d - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d

    State per parameter: "step" (an int), "mu_product" (P_t), "exp_avg" (m), "exp_avg_sq" (v).
    """

    _param_shaped_state = ("exp_avg", "exp_avg_sq")
    _required_state = ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False, foreach=None,
                 capturable=False, differentiable=False):
        check_implementation_flags("NAdam", foreach=foreach, capturable=capturable,
                                   differentiable=differentiable)
        check_betas(betas)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("eps", group["eps"], "epsilon value")
        check_betas(group["betas"])
        check_non_negative("weight_decay", group["weight_decay"])
        check_non_negative("momentum_decay", group["momentum_decay"])
        check_flag("decoupled_weight_decay", group["decoupled_weight_decay"])
        check_flag("maximize", group["maximize"])

    def _update(self, param, grad, state, group):
        if "step" not in state:
            state.update(step=0, mu_product=1.0, exp_avg=zeros_like(param),
                         exp_avg_sq=zeros_like(param))
        state["step"] += 1
        step, lr, eps = state["step"], group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        grad = l2_or_decoupled(param, grad, group)
        decay = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        # PyTorch keeps this running product in a float32 scalar tensor; rounding it the same
        # way keeps float64 runs equal to PyTorch's step by step.
        mu_product = float(np.float32(state["mu_product"]) * np.float32(mu))
        state["mu_product"] = mu_product
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = (exp_avg_sq / (1 - beta2 ** step)).sqrt() + eps
        param.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
        param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1.0 - mu_product * mu_next))
