"""Batch normalisation over the channel dim (dim 1) of (N, C) and (N, C, *) inputs."""
from .. import dtypes
from ..autograd.function import KernelFunction, rename_grad_fn
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..errors import DTypeError, InvalidArgumentError, ShapeError
from ..tensor import Tensor, check_same_device


def _stat_axes(ndim):
    """Every dim except the channel dim 1: the statistics are per channel."""
    return (0,) + tuple(range(2, ndim))


def _channel_shape(ndim, channels):
    """(1, C, 1, ...): a per-channel (C,) tensor shaped to broadcast against the input."""
    return (1, channels) + (1,) * (ndim - 2)


class BatchNormTraining(KernelFunction):
    """Normalise with the batch's own mean and biased variance per channel, then scale and
    shift: out = (x - mean) / sqrt(var + eps) * weight + bias, in one fused kernel, which also
    updates the running statistics: `running` is (running_mean, running_var, momentum,
    num_batches_tracked), arrays or None (see the backend's `batch_norm_forward`). They are
    arrays, not Tensor arguments: they are no inputs of the differentiable op (PyTorch's node
    has three edges: input, weight, bias).

    The backward is one fused kernel too; when it is itself recorded (create_graph) it is the
    closed form written with Tensor ops that recompute the statistics from x, so it is
    differentiable again.
    """

    backward_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, kernels, x, weight, bias, eps, running):
        out, mean, _, invstd = kernels.batch_norm_forward(x, weight, bias, eps, *running)
        ctx.save(inputs=(0, 1))
        ctx.eps, ctx.mean, ctx.invstd = eps, mean, invstd
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        if is_grad_enabled():
            return _recorded_backward(ctx, grad, x, weight)
        grads = x._backend.batch_norm_backward(
            grad._data, x._data, None if weight is None else weight._data, ctx.mean,
            ctx.invstd, need[0])
        return (*(None if g is None or not wanted else x._new(g)
                  for g, wanted in zip(grads, need[:3])), None, None)


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
            grad_bias if ctx.needs_input_grad[2] else None, None, None)


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
    """A per-channel tensor as (C,) (itself when it already is: no view node), or None."""
    if t is None or tuple(t.shape) == (channels,):
        return t
    return t.reshape(channels)


def _check_channel_tensors(input, named):
    """Check the per-channel tensors `named` ((tensor or None, name), ...) against input: one
    element per channel, input's device, and input's dtype, or all float32 for a float16 or
    bfloat16 input (PyTorch's mixed-type batch norm)."""
    given = [(t, what) for t, what in named if t is not None]
    channels = input.shape[1]
    for t, what in given:
        if not isinstance(t, Tensor):
            raise TypeError(f"batch_norm: {what} must be a Tensor or None, got "
                            f"{type(t).__name__}")
        if t.numel() != channels:
            raise ShapeError(f"batch_norm: {what} must have {channels} elements (one per "
                             f"channel of input shape {tuple(input.shape)}), got shape "
                             f"{tuple(t.shape)}")
    check_same_device([input] + [t for t, _ in given], "batch_norm")
    mixed = input.dtype.is_reduced and any(t.dtype is dtypes.float32 for t, _ in given)
    expected = dtypes.float32 if mixed else input.dtype
    for t, what in given:
        if t.dtype is not expected:
            raise DTypeError(
                f"batch_norm: {what} has dtype {t.dtype} but input has {input.dtype}; all must "
                "share one dtype, except that with a float16 or bfloat16 input all of weight, "
                "bias, running_mean and running_var that are given may be float32")


class _RunningStatistics:
    """The running statistics a training-mode batch norm updates, as the kernel takes them:
    (C,) C-contiguous arrays (a contiguous copy of a tensor that is not, written back after),
    the momentum, and the batch count (a one-element int64 array: the one the module passes,
    counted by the same kernel)."""

    def __init__(self, running_mean, running_var, momentum, num_batches_tracked, input):
        self.tensors = [t for t in (running_mean, running_var) if t is not None]
        self.copies = []
        self.counted = None
        arrays = []
        for t in (running_mean, running_var):
            if t is not None and not t._backend.is_contiguous(t._data):
                copy = t.contiguous()
                self.copies.append((t, copy))
                t = copy
            arrays.append(None if t is None else t._data)
        count = None
        if num_batches_tracked is not None:
            self.counted = num_batches_tracked
            if _countable(num_batches_tracked, input):
                count = num_batches_tracked._data
        self.arrays = (*arrays, float(momentum), count)

    def commit(self):
        """After the kernel: write back the copies, bump the tensors' versions (they were
        changed in place), and count a batch the kernel did not count."""
        with no_grad():
            for t, copy in self.copies:
                t.copy_(copy)
            if self.counted is not None and self.arrays[3] is None:
                self.counted.add_(1)
        for t in self.tensors:
            t._version.value += 1
        if self.arrays[3] is not None:
            self.counted._version.value += 1


def _countable(count, input):
    """Whether the batch count can be incremented by the batch norm kernel itself."""
    return (isinstance(count, Tensor) and count.dtype is dtypes.int64 and count.numel() == 1
            and count.device == input.device and count._backend.is_contiguous(count._data))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation of input (N, C) or (N, C, *) per channel C.

    training=True normalises with the batch statistics (mean and biased variance over every
    dim but 1) and, for the running statistics that are not None, updates them in place:
    running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance
    (in the same kernel as the normalisation).
    training=False normalises with running_mean and running_var (both required).
    weight and bias (C,) scale and shift the result when given. All of them have input's
    dtype; with a float16 or bfloat16 input they may all be float32 instead, as in PyTorch.
    """
    return batch_norm_counted(input, running_mean, running_var, weight, bias, training,
                              momentum, eps)


def batch_norm_counted(input, running_mean, running_var, weight=None, bias=None,
                       training=False, momentum=0.1, eps=1e-5, num_batches_tracked=None):
    """`batch_norm`, and when training, one more batch counted in `num_batches_tracked` (the
    batch norm modules' int64 buffer; None: nothing counted) by the same kernel."""
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise DTypeError("batch_norm: input must be a floating point Tensor, got "
                         f"{getattr(input, 'dtype', type(input).__name__)}")
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected input of shape (N, C) or (N, C, *), got "
                         f"{tuple(input.shape)}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: running_mean and running_var must either both be None or "
                         "neither be None")
    _check_channel_tensors(input, ((running_mean, "running_mean"), (running_var, "running_var"),
                                   (weight, "weight"), (bias, "bias")))
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
        return _in_dtype_of(input, rename_grad_fn(out, "NativeBatchNormBackward0"))
    if input.numel() == 0:
        # an empty batch: an empty result (weight and bias get zero gradients) and the running
        # statistics untouched, as in PyTorch (the module counts the batch all the same)
        if num_batches_tracked is not None:
            with no_grad():
                num_batches_tracked.add_(1)
        out = input * (1.0 if weight is None else weight.reshape(shape))
        return _in_dtype_of(input, out if bias is None else out + bias.reshape(shape))
    if input.numel() // channels <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {tuple(input.shape)}")
    running = _RunningStatistics(running_mean, running_var, momentum, num_batches_tracked, input)
    out = BatchNormTraining.apply(input, _flat(weight, channels), _flat(bias, channels),
                                  float(eps), running.arrays)
    running.commit()
    return out


def _in_dtype_of(input, out):
    """out cast to input's dtype (float32 statistics with a 16-bit input give a 16-bit result,
    as in PyTorch)."""
    return out if out.dtype is input.dtype else out.to(dtype=input.dtype)


__all__ = ["batch_norm", "batch_norm_counted"]
