"""RAdam: Adam whose adaptive step is switched on (and rectified) once the variance estimate
is reliable."""
import math

from ..creation import zeros_like
from ._common_updates import l2_or_decoupled
from .hyperparameters import check_betas, check_flag, check_implementation_flags, check_non_negative
from .optimizer import Optimizer


class RAdam(Optimizer):
    """`RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, *, maximize=False)`, PyTorch's update rule at step t:

        g = grad (negated if maximize), with weight decay as in Adam (or AdamW if decoupled)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1^t)
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        if rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                       p = p - lr * m_hat * r * sqrt(1 - beta2^t) / (sqrt(v) + eps)
        else:          p = p - lr * m_hat

    State per parameter: "step" (an int), "exp_avg" (m) and "exp_avg_sq" (v).
    """

    _param_shaped_state = ("exp_avg", "exp_avg_sq")
    _required_state = ("step", "exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False):
        check_implementation_flags("RAdam", foreach=foreach, capturable=capturable,
                                   differentiable=differentiable)
        check_betas(betas)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        check_non_negative("eps", group["eps"], "epsilon value")
        check_betas(group["betas"])
        check_non_negative("weight_decay", group["weight_decay"])
        check_flag("decoupled_weight_decay", group["decoupled_weight_decay"])
        check_flag("maximize", group["maximize"])

    def _update(self, param, grad, state, group):
        if "step" not in state:
            state.update(step=0, exp_avg=zeros_like(param), exp_avg_sq=zeros_like(param))
        state["step"] += 1
        step, lr = state["step"], group["lr"]
        beta1, beta2 = group["betas"]
        grad = l2_or_decoupled(param, grad, group)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction2 = 1 - beta2 ** step
        corrected = exp_avg / (1 - beta1 ** step)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                             ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = bias_correction2 ** 0.5 / (exp_avg_sq.sqrt() + group["eps"])
            param.sub_(corrected * lr * adaptive * rect)
        else:
            param.sub_(corrected * lr)
