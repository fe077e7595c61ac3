"""Losses: cross_entropy, nll_loss, mse_loss, l1_loss, binary_cross_entropy (with and without
logits), and one_hot.

Class-index losses take input (N, C) with target (N,), input (C,) with a 0-d target, or input
(N, C, d1, ...) with target (N, d1, ...); the class dim of the input is always dim 1 (dim 0 for
1-D input). Every loss is composed of differentiable Tensor ops (or a Function whose backward
is), so all are twice differentiable.
"""
import math
import warnings

from .. import dtypes
from ..autograd.function import Function, KernelFunction, rename_grad_fn
from ..autograd.grad_mode import is_grad_enabled
from ..creation import arange
from ..errors import DTypeError, InvalidArgumentError, LabelOutOfRangeError, ShapeError
from ..tensor import Tensor
from .activation import log_softmax, softmax, softplus
from ._util import sum_to
from .elementwise import where

_REDUCTIONS = ("none", "mean", "sum")
# floor of x * (1 - x) in BCE's gradient: PyTorch's 1e-12, which it stores as a float32
_BCE_EPSILON = 9.999999960041972e-13


class BinaryCrossEntropy(Function):
    """-(t log(x) + (1 - t) log(1 - x)) elementwise, with both logs clamped at -100 (so x = 0
    or 1 gives a finite loss); the gradients are PyTorch's closed forms."""

    backward_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, t):
        b = x._backend
        ctx.save_for_backward(x, t)
        log_x = b.clamped_log(x._data, -100.0)
        log_rest = b.clamped_log(b.sub(1, x._data), -100.0)
        return x._new(b.neg(b.add(b.mul(t._data, log_x), b.mul(b.sub(1, t._data), log_rest))))

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        grad_x = grad_t = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * (x - t) / (x * (1 - x)).clamp(min=_BCE_EPSILON)
        if ctx.needs_input_grad[1]:
            grad_t = grad * ((1 - x).log() - x.log())
        return grad_x, grad_t


class CrossEntropy(KernelFunction):
    """cross_entropy of logits (N, C) against class indices (N,), in one kernel forward and one
    backward (about thirty as Tensor ops); outputs (loss, log_sum_exp, weight_total), the last
    two kept for backward only. Backward with create_graph=True writes the same gradient as
    Tensor ops, so that it can itself be differentiated."""

    backward_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, kernels, input, target, weight, ignore_index, reduction):
        ctx.ignore_index, ctx.reduction = ignore_index, reduction
        ctx.save(inputs=(0, 1, 2), outputs=(1, 2))
        ctx.mark_outputs_non_differentiable(1, 2)
        ctx.set_materialize_grads(False)  # no zeros made for the two outputs kept for backward
        return kernels.cross_entropy_forward(input, target, weight, ignore_index, reduction)

    @staticmethod
    def backward(ctx, grad, grad_log_sum_exp, grad_weight_total):
        input, target, weight, log_sum_exp, weight_total = ctx.saved_tensors
        if grad is None:
            return None, None, None, None, None
        if is_grad_enabled():
            grad_input = _cross_entropy_grad(grad, input, target, weight, weight_total,
                                             ctx.ignore_index, ctx.reduction)
        else:
            grad_input = CrossEntropyGrad.apply(grad, input, target, weight, log_sum_exp,
                                                weight_total, ctx.ignore_index, ctx.reduction)
        return grad_input, None, None, None, None


class CrossEntropyGrad(KernelFunction):
    """The gradient of CrossEntropy for its logits in one kernel (used when backward records
    no graph; its own backward is never needed)."""

    @staticmethod
    def forward(ctx, kernels, grad, input, target, weight, log_sum_exp, weight_total,
                ignore_index, reduction):
        return kernels.cross_entropy_backward(grad, input, target, weight, ignore_index,
                                              reduction, log_sum_exp, weight_total)


def _cross_entropy_grad(grad, input, target, weight, weight_total, ignore_index, reduction):
    """CrossEntropy's gradient for the logits as Tensor ops: (softmax - one_hot(target)) times
    each row's weight and share of grad (0 on ignored rows)."""
    kept = target != ignore_index
    safe = where(kept, target, 0)
    row_scale = kept.to(dtype=input.dtype)
    if weight is not None:
        row_scale = row_scale * weight[safe]
    row_scale = row_scale * (grad if reduction == "none" else grad.reshape(1))
    if reduction == "mean":
        row_scale = row_scale / weight_total
    one_hot = (safe.unsqueeze(1) == arange(input.shape[1], device=input.device))
    return (softmax(input, 1) - one_hot.to(dtype=input.dtype)) * row_scale.unsqueeze(1)


def _fused_cross_entropy_applies(input, target, weight, label_smoothing):
    """Whether cross_entropy can run as CrossEntropy: logits (N, C) in float32/64 against
    class indices, no label smoothing, and no gradient wanted for the class weights (PyTorch
    gives none either)."""
    return (input.ndim == 2 and input.dtype in (dtypes.float32, dtypes.float64)
            and isinstance(target, Tensor) and target.dtype is dtypes.int64
            and tuple(target.shape) == (input.shape[0],) and label_smoothing == 0.0
            and (weight is None or not weight.requires_grad))


# ---- argument checks --------------------------------------------------------------------------

def _reduction(size_average, reduce, reduction, name):
    """The reduction to use; the deprecated size_average/reduce flags win when given."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.mean()


def _check_float(x, what, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"{name}: {what} must be a floating point tensor, got {x.dtype}")


def _num_classes(input, name):
    _check_float(input, "input", name)
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dim, shape (C,), (N, C) or "
                         f"(N, C, d1, ...); got a 0-d tensor")
    return input.shape[0] if input.ndim == 1 else input.shape[1]


def _check_class_target(input, target, name):
    """Class-index targets: int64, of input's shape without the class dim."""
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: target must be a Tensor, got {type(target).__name__}")
    expected = () if input.ndim == 1 else (input.shape[0],) + tuple(input.shape[2:])
    if target.dtype is not dtypes.int64:
        raise DTypeError(f"{name}: expected class-index targets of dtype int64 with shape "
                        f"{expected} for input of shape {tuple(input.shape)}, got a {target.dtype} "
                         f"target of shape {tuple(target.shape)}")
    if tuple(target.shape) != expected:
        raise ShapeError(f"{name}: expected a target of shape {expected} for input of shape "
                         f"{tuple(input.shape)} (the input's shape without its class dim), got "
                         f"{tuple(target.shape)}")


def _check_labels(target, num_classes, ignore_index, name):
    """Every label is ignore_index or in [0, num_classes); else ValueError naming one bad one.

    Only on the cpu: reading labels back from a GPU would cost two copies and two waits per
    loss. There an out-of-range label reaches the gather in `_nll` as an out-of-range index,
    which the device reports as IndexError at the next synchronisation (as PyTorch's
    device-side assert does)."""
    if target.numel() == 0 or target.device.type != "cpu":
        return
    labels = where(target == ignore_index, 0, target)
    for bad in (labels.amin().item(), labels.amax().item()):
        if not 0 <= bad < num_classes:
            raise LabelOutOfRangeError(f"{name}: target label {bad} is out of range for "
                                       f"{num_classes} classes (labels must be in [0, "
                                       f"{num_classes - 1}] or equal "
                                       f"ignore_index={ignore_index})")


def _check_class_weight(weight, num_classes, input, name):
    if weight is None:
        return
    _check_float(weight, "weight", name)
    if tuple(weight.shape) != (num_classes,):
        raise ShapeError(f"{name}: weight must have shape ({num_classes},), one value per "
                         f"class, got {tuple(weight.shape)}")
    if weight.dtype is not input.dtype:
        raise TypeError(f"{name}: weight has dtype {weight.dtype} but input has {input.dtype}")


def _class_last(input):
    """input with the class dim moved last and everything else flattened: (M, C)."""
    if input.ndim == 1:
        return input.reshape(1, -1)
    dims = (0,) + tuple(range(2, input.ndim)) + (1,)
    return input.permute(dims).reshape(-1, input.shape[1])


def _class_weight_view(weight, input):
    """weight (C,) shaped to broadcast along input's class dim."""
    shape = [1] * input.ndim
    shape[0 if input.ndim == 1 else 1] = weight.shape[0]
    return weight.reshape(shape)


# ---- losses -----------------------------------------------------------------------------------

def _nll(log_probs, target, weight, ignore_index, reduction):
    """Negative log likelihood of already validated inputs."""
    flat = _class_last(log_probs)
    labels = target.reshape(-1)
    kept = (labels != ignore_index).to(dtype=log_probs.dtype)
    # ignored labels pick any valid index (their loss is zeroed); negative ones an invalid one
    # rather than wrapping around (only a device, which skips the host check, meets those)
    safe = where(labels == ignore_index, 0, where(labels < 0, flat.shape[-1], labels))
    picked = flat[arange(flat.shape[0], device=flat.device), safe]
    sample_weight = kept if weight is None else weight[safe] * kept
    losses = -(picked * sample_weight)
    if reduction == "none":
        return losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    # as PyTorch: the mean over the weights kept
    return _mean_over_kept(losses.sum(), sample_weight.sum(), kept)


def _mean_over_kept(total, denominator, kept):
    """total / denominator, PyTorch's 'mean' over the targets kept: when every target is
    ignored the loss is nan but its gradient is 0 (0 / 0 in the graph would make it nan)."""
    none_kept = kept.sum() == 0
    return total / where(none_kept, 1.0, denominator) + \
        where(none_kept, math.nan, 0.0).to(dtype=total.dtype)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log likelihood -input[n, target[n]] (input holds log-probabilities).

    `weight` (C,) scales each class; targets equal to `ignore_index` contribute nothing; 'mean'
    divides by the sum of the weights of the targets that are not ignored.
    """
    reduction = _reduction(size_average, reduce, reduction, "nll_loss")
    num_classes = _num_classes(input, "nll_loss")
    _check_class_target(input, target, "nll_loss")
    _check_class_weight(weight, num_classes, input, "nll_loss")
    _check_labels(target, num_classes, ignore_index, "nll_loss")
    return rename_grad_fn(_nll(input, target, weight, ignore_index, reduction),
                          "NllLossBackward0")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy between softmax(input) over the class dim and `target`.

    `target` holds class indices (int64, input's shape without the class dim) or class
    probabilities (floating point, input's shape). `label_smoothing` in [0, 1] mixes the target
    with the uniform distribution over the C classes; `weight`, `ignore_index` and `reduction`
    are as in `nll_loss`.
    """
    reduction = _reduction(size_average, reduce, reduction, "cross_entropy")
    num_classes = _num_classes(input, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    _check_class_weight(weight, num_classes, input, "cross_entropy")
    if _fused_cross_entropy_applies(input, target, weight, label_smoothing):
        _check_labels(target, num_classes, ignore_index, "cross_entropy")
        return CrossEntropy.apply(input, target, weight, int(ignore_index), reduction)[0]
    class_dim = 0 if input.ndim == 1 else 1
    log_probs = log_softmax(input, class_dim)
    if isinstance(target, Tensor) and target.dtype.is_floating_point and \
            tuple(target.shape) == tuple(input.shape):
        if ignore_index >= 0:
            raise ValueError("cross_entropy: ignore_index is not supported for probability "
                             "targets (a floating point target)")
        return _soft_cross_entropy(log_probs, target, weight, reduction, label_smoothing)
    _check_class_target(input, target, "cross_entropy")
    _check_labels(target, num_classes, ignore_index, "cross_entropy")
    loss = _nll(log_probs, target, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return rename_grad_fn(loss, "NllLossBackward0")
    smooth = _smoothing_term(log_probs, target, weight, ignore_index, reduction)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / num_classes)


def _soft_cross_entropy(log_probs, target, weight, reduction, label_smoothing):
    class_dim = 0 if log_probs.ndim == 1 else 1
    num_classes = log_probs.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / num_classes
    if weight is not None:
        log_probs = log_probs * _class_weight_view(weight, log_probs)
    losses = -(log_probs * target).sum(dim=class_dim)
    return _reduce(losses, reduction)


def _smoothing_term(log_probs, target, weight, ignore_index, reduction):
    """The loss against the uniform target: -sum_c w_c log p_c per sample (ignored -> 0),
    reduced as PyTorch (the mean divides by the weights of the kept targets, like nll_loss)."""
    class_dim = 0 if log_probs.ndim == 1 else 1
    weighted = log_probs if weight is None else log_probs * _class_weight_view(weight, log_probs)
    ignored = target == ignore_index
    losses = where(ignored, 0.0, -weighted.sum(dim=class_dim))
    if reduction != "mean":
        return _reduce(losses, reduction)
    labels = target.reshape(-1)
    kept = (labels != ignore_index).to(dtype=log_probs.dtype)
    if weight is None:
        return _mean_over_kept(losses.sum(), kept.sum(), kept)
    kept_weight = (weight[where(labels == ignore_index, 0, labels)] * kept).sum()
    return _mean_over_kept(losses.sum(), kept_weight, kept)


def _check_same_shape(input, target, name):
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"{name}: target shape {tuple(target.shape)} must be the same as the "
                         f"input shape {tuple(input.shape)}")


def _elementwise_weights(weight, input, name):
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"{name}: weight shape {tuple(weight.shape)} must be the same as the "
                         f"input shape {tuple(input.shape)}")


def _check_pointwise(input, target, size_average, reduce, reduction, name, stacklevel=3):
    """The reduction of a pointwise loss, after checking its operands (with PyTorch's warning
    when their shapes differ, since they then broadcast)."""
    reduction = _reduction(size_average, reduce, reduction, name)
    _check_float(input, "input", name)
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: target must be a Tensor, got {type(target).__name__}")
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"{name}: using a target size ({tuple(target.shape)}) that is different "
                      f"to the input size ({tuple(input.shape)}). This will likely lead to "
                      "incorrect results due to broadcasting. Please ensure they have the same "
                      "size.", stacklevel=stacklevel)
    return reduction


def _pointwise_loss(errors_of, input, target, size_average, reduce, reduction, weight, name):
    """errors_of(input - target) per element (input and target broadcast), optionally
    weighted, then reduced."""
    reduction = _check_pointwise(input, target, size_average, reduce, reduction, name, 4)
    losses = errors_of(input - target)
    if weight is None:
        return _reduce(losses, reduction)
    _elementwise_weights(weight, input, name)
    losses = losses * weight
    if reduction == "mean":
        return losses.sum() / weight.sum()
    return _reduce(losses, reduction)


class MseLoss(Function):
    """(input - target)^2, reduced, as one graph node (PyTorch's MseLossBackward0, whose
    next_functions are the input's and the target's). The backward is written with Tensor
    ops, so it is twice differentiable."""

    backward_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, input, target, reduction):
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        diff = input - target
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        input, target = ctx.saved_tensors
        diff = input - target
        scale = 2.0 / max(diff.numel(), 1) if ctx.reduction == "mean" else 2.0
        grad_diff = diff * (grad * scale)
        grad_input = sum_to(grad_diff, input.shape) if ctx.needs_input_grad[0] else None
        grad_target = -sum_to(grad_diff, target.shape) if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target)^2 per element; `weight` (input's shape) makes 'mean' a weighted mean."""
    if weight is None:
        reduction = _check_pointwise(input, target, size_average, reduce, reduction, "mse_loss")
        return MseLoss.apply(input, target, reduction)
    loss = _pointwise_loss(lambda d: d * d, input, target, size_average, reduce, reduction,
                           weight, "mse_loss")
    return rename_grad_fn(loss, "MseLossBackward0")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target| per element; `weight` (input's shape) makes 'mean' a weighted mean."""
    return _pointwise_loss(lambda d: d.abs(), input, target, size_average, reduce, reduction,
                           weight, "l1_loss")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (t log(x) + (1 - t) log(1 - x)) for probabilities x in [0, 1]; logs are clamped at
    -100, so x = 0 or 1 gives a finite loss. `weight` broadcasts to the input's shape."""
    reduction = _reduction(size_average, reduce, reduction, "binary_cross_entropy")
    _check_float(input, "input", "binary_cross_entropy")
    _check_float(target, "target", "binary_cross_entropy")
    _check_same_shape(input, target, "binary_cross_entropy")
    if not ((input >= 0) * (input <= 1)).all():
        raise InvalidArgumentError("binary_cross_entropy: all elements of input should be "
                                   "between 0 and 1 (pass logits to "
                                   "binary_cross_entropy_with_logits instead)")
    losses = BinaryCrossEntropy.apply(input, target.to(dtype=input.dtype))
    if weight is not None:
        losses = losses * weight
    return rename_grad_fn(_reduce(losses, reduction), "BinaryCrossEntropyBackward0")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits as
    (1 - t) x + (1 + (pos_weight - 1) t) log(1 + exp(-x)). `pos_weight` (broadcast along the
    last dim, one value per class) scales the positive term; `weight` scales each element."""
    name = "binary_cross_entropy_with_logits"
    reduction = _reduction(size_average, reduce, reduction, name)
    _check_float(input, "input", name)
    _check_float(target, "target", name)
    _check_same_shape(input, target, name)
    log_one_plus_exp = softplus(-input, 1.0, float("inf"))
    if pos_weight is not None:
        log_one_plus_exp = log_one_plus_exp * ((pos_weight - 1) * target + 1)
    losses = (1 - target) * input + log_one_plus_exp
    if weight is not None:
        losses = losses * weight
    return rename_grad_fn(_reduce(losses, reduction), "BinaryCrossEntropyWithLogitsBackward0")


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape (*tensor.shape, num_classes) with 1 at each index; num_classes=-1
    means max(tensor) + 1."""
    if not isinstance(tensor, Tensor) or tensor.dtype is not dtypes.int64:
        raise DTypeError("one_hot: expected an int64 tensor of class indices, got "
                         f"{getattr(tensor, 'dtype', type(tensor).__name__)}")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; "
                             "pass num_classes")
        num_classes = tensor.amax().item() + 1
    elif num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be positive or -1, got {num_classes}")
    if tensor.numel():
        low, high = tensor.amin().item(), tensor.amax().item()
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            raise InvalidArgumentError(f"one_hot: class value {bad} is out of range for "
                                       f"{num_classes} classes (values must be in [0, "
                                       f"{num_classes - 1}])")
    classes = arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).to(dtype=dtypes.int64)


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "l1_loss", "mse_loss", "nll_loss", "one_hot"]
