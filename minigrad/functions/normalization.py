"""Batch normalisation over the channel dim (dim 1) of (N, C) and (N, C, *) inputs."""
from ..autograd.function import KernelFunction, rename_grad_fn
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..errors import DTypeError, InvalidArgumentError, ShapeError
from ..tensor import Tensor


def _stat_axes(ndim):
    """Every dim except the channel dim 1: the statistics are per channel."""
    return (0,) + tuple(range(2, ndim))


def _channel_shape(ndim, channels):
    """(1, C, 1, ...): a per-channel (C,) tensor shaped to broadcast against the input."""
    return (1, channels) + (1,) * (ndim - 2)


class BatchNormTraining(KernelFunction):
    """Normalise with the batch's own mean and biased variance per channel, then scale and
    shift: out = (x - mean) / sqrt(var + eps) * weight + bias, in one fused kernel.

    Returns (out, mean, var), mean and var of shape (C,) and not differentiable (they feed the
    running statistics). The backward is one fused kernel too; when it is itself recorded
    (create_graph) it is the closed form written with Tensor ops that recompute the statistics
    from x, so it is differentiable again.
    """

    backward_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, kernels, x, weight, bias, eps):
        out, mean, var, invstd = kernels.batch_norm_forward(x, weight, bias, eps)
        ctx.save(inputs=(0, 1))
        ctx.mark_outputs_non_differentiable(1, 2)
        ctx.set_materialize_grads(False)  # no zeros made for mean and var
        ctx.eps, ctx.mean, ctx.invstd = eps, mean, invstd
        return out, mean, var

    @staticmethod
    def backward(ctx, grad, _grad_mean, _grad_var):
        x, weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        if is_grad_enabled():
            return _recorded_backward(ctx, grad, x, weight)
        grads = x._backend.batch_norm_backward(
            grad._data, x._data, None if weight is None else weight._data, ctx.mean,
            ctx.invstd, need[0])
        return (*(None if g is None or not wanted else x._new(g)
                  for g, wanted in zip(grads, need[:3])), None)


def _recorded_backward(ctx, grad, x, weight):
    """BatchNormTraining's backward as Tensor ops (differentiable: gradgradcheck runs it)."""
    axes = _stat_axes(x.ndim)
    shape = _channel_shape(x.ndim, x.shape[1])
    count = x.numel() // x.shape[1]
    centered = x - x.mean(dim=axes, keepdim=True)
    invstd = ((centered * centered).mean(dim=axes, keepdim=True) + ctx.eps) ** -0.5
    normalized = centered * invstd
    grad_bias = grad.sum(dim=axes)
    grad_weight = (grad * normalized).sum(dim=axes)
    grad_x = None
    if ctx.needs_input_grad[0]:
        scale = invstd if weight is None else invstd * weight.reshape(shape)
        # d/dx of the normalisation: remove the gradient's per-channel mean and its
        # component along the normalised input
        grad_x = scale * (grad - grad_bias.reshape(shape) / count
                          - normalized * (grad_weight.reshape(shape) / count))
    return (grad_x, grad_weight if ctx.needs_input_grad[1] else None,
            grad_bias if ctx.needs_input_grad[2] else None, None)


class BatchNormEval(KernelFunction):
    """(x - mean) / sqrt(var + eps) * weight + bias with fixed per-channel statistics (the
    running ones, which get no gradient), in one kernel; the backward is Tensor ops."""

    backward_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, kernels, x, mean, var, weight, bias, eps):
        ctx.save(inputs=(0, 1, 2, 3))
        ctx.eps = eps
        return kernels.batch_norm_eval(x, mean, var, weight, bias, eps)

    @staticmethod
    def backward(ctx, grad):
        x, mean, var, weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        shape = _channel_shape(x.ndim, x.shape[1])
        axes = _stat_axes(x.ndim)
        invstd = (var + ctx.eps) ** -0.5
        grad_x = grad_weight = None
        if need[0]:
            scale = invstd if weight is None else invstd * weight
            grad_x = grad * scale.reshape(shape)
        if need[3]:
            grad_weight = (grad * ((x - mean.reshape(shape)) * invstd.reshape(shape))).sum(
                dim=axes)
        grad_bias = grad.sum(dim=axes) if need[4] else None
        return grad_x, None, None, grad_weight, grad_bias, None


def _flat(t, channels):
    """A per-channel tensor as (C,), or None."""
    return None if t is None else t.reshape(channels)


def _check_channel_tensor(t, what, input):
    if t is None:
        return
    if not isinstance(t, Tensor):
        raise TypeError(f"batch_norm: {what} must be a Tensor or None, got {type(t).__name__}")
    channels = input.shape[1]
    if t.numel() != channels:
        raise ShapeError(f"batch_norm: {what} must have {channels} elements (one per channel "
                         f"of input shape {tuple(input.shape)}), got shape {tuple(t.shape)}")
    if t.dtype is not input.dtype:
        raise DTypeError(f"batch_norm: {what} has dtype {t.dtype} but input has {input.dtype}; "
                         "all must share one dtype")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation of input (N, C) or (N, C, *) per channel C.

    training=True normalises with the batch statistics (mean and biased variance over every
    dim but 1) and, for the running statistics that are not None, updates them in place:
    running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance.
    training=False normalises with running_mean and running_var (both required).
    weight and bias (C,) scale and shift the result when given.
    """
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise DTypeError("batch_norm: input must be a floating point Tensor, got "
                         f"{getattr(input, 'dtype', type(input).__name__)}")
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected input of shape (N, C) or (N, C, *), got "
                         f"{tuple(input.shape)}")
    for t, what in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_channel_tensor(t, what, input)
    channels = input.shape[1]
    shape = _channel_shape(input.ndim, channels)
    if not training:
        if running_mean is None or running_var is None:
            raise InvalidArgumentError("batch_norm: running_mean and running_var must be given "
                                       "in evaluation mode (training=False)")
        if not (running_mean.requires_grad or running_var.requires_grad) and input.numel():
            return BatchNormEval.apply(input, *(_flat(t, channels) for t in (
                running_mean, running_var, weight, bias)), float(eps))
        # statistics that take gradients (or an empty input): Tensor ops, differentiable in all
        scale = (running_var.reshape(shape) + eps) ** -0.5
        if weight is not None:
            scale = scale * weight.reshape(shape)
        out = (input - running_mean.reshape(shape)) * scale
        out = out if bias is None else out + bias.reshape(shape)
        return rename_grad_fn(out, "NativeBatchNormBackward0")
    if input.numel() == 0:
        # an empty batch: an empty result (weight and bias get zero gradients) and the running
        # statistics untouched, as in PyTorch
        out = input * (1.0 if weight is None else weight.reshape(shape))
        return out if bias is None else out + bias.reshape(shape)
    count = input.numel() // channels
    if count <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {tuple(input.shape)}")
    out, mean, var = BatchNormTraining.apply(
        input, None if weight is None else weight.reshape(channels),
        None if bias is None else bias.reshape(channels), float(eps))
    with no_grad():
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean.reshape(running_mean.shape),
                                                 alpha=momentum)
        if running_var is not None:
            unbiased = var.reshape(running_var.shape) * (count / (count - 1))
            running_var.mul_(1 - momentum).add_(unbiased, alpha=momentum)
    return out


__all__ = ["batch_norm"]
