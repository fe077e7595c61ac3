"""Gradient clipping: `clip_grad_norm_` and `clip_grad_value_` (in place on `.grad`)."""
import math

from ...autograd.grad_mode import no_grad
from ...creation import tensor
from ...functions import stack
from ...tensor import Tensor


def _grads(parameters):
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"expected Tensors (parameters), got {type(p).__name__}")
    return [p.grad for p in params if p.grad is not None]


def _vector_norm(x, norm_type):
    """The p-norm of all of x's elements as a 0-d tensor (p = inf: max |x|; p = 0: the number
    of non-zeros)."""
    if norm_type == math.inf:
        return x.abs().amax()
    if norm_type == -math.inf:
        return x.abs().amin()
    if norm_type == 0:
        return (x != 0).sum().to(dtype=x.dtype)
    if norm_type == 1:
        return x.abs().sum()
    if norm_type == 2:
        return (x * x).sum().sqrt()
    return (x.abs() ** norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the grads of `parameters` (a Tensor or an iterable of them) in place so that their
    combined `norm_type`-norm (taken over all grads as one vector) is at most `max_norm`.

    Returns that total norm, measured before clipping, as a 0-d tensor. Grads are multiplied by
    min(1, max_norm / (total_norm + 1e-6)). With `error_if_nonfinite`, a nan or inf total norm
    raises RuntimeError instead of scaling.
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    max_norm = float(max_norm)
    if not grads:
        return tensor(0.0)
    with no_grad():
        norms = [_vector_norm(g, norm_type) for g in grads]
        total = _vector_norm(stack([n.to(device=grads[0].device) for n in norms]), norm_type)
        if error_if_nonfinite and not math.isfinite(total.item()):
            raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                               "`parameters` is non-finite, so it cannot be clipped. To disable "
                               "this error and scale the gradients by the non-finite norm "
                               "anyway, set `error_if_nonfinite=False`")
        coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(device=g.device, dtype=g.dtype))
    return total


def clip_grad_value_(parameters, clip_value):
    """Clamp the grads of `parameters` in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)
