"""Pieces the Tensor-op optimizers (Adadelta, Adagrad, Adamax, NAdam, RAdam) share."""


def effective_grad(param, grad, group):
    """The gradient the update uses: negated if `maximize`, plus weight_decay * param (L2
    weight decay; callers with decoupled weight decay pass the group's weight decay as 0)."""
    if group.get("maximize", False):
        grad = -grad
    weight_decay = group.get("weight_decay", 0)
    if weight_decay != 0:
        grad = grad + param * weight_decay
    return grad


def l2_or_decoupled(param, grad, group):
    """NAdam/RAdam's weight decay: with `decoupled_weight_decay` the parameter shrinks by
    lr * weight_decay (as AdamW), otherwise weight_decay * param joins the gradient."""
    weight_decay = group["weight_decay"]
    if group["maximize"]:
        grad = -grad
    if weight_decay == 0:
        return grad
    if group["decoupled_weight_decay"]:
        param.mul_(1 - group["lr"] * weight_decay)
        return grad
    return grad + param * weight_decay
