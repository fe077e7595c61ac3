"""The connectionist temporal classification loss (F.ctc_loss, nn.CTCLoss).

The log-domain alpha recursion of Graves et al. runs as one kernel per device (all frames in
one launch; the cpu kernel is parallel over the batch, the cuda kernel runs a block per sample
with threads over the positions of the blank-extended target), and its gradient, PyTorch's
formula through the beta recursion, as another. The lengths and targets are read to the host,
checked, and handed to the kernels as padded (N, S) targets and (N,) lengths on the device.
The reduction is Tensor ops over the per-sample losses.
"""
import numpy as np

from ..autograd.function import KernelFunction
from ..creation import tensor
from ..errors import AutogradError, DTypeError, InvalidArgumentError, ShapeError
from ..tensor import Tensor
from .loss import _reduce, _reduction


def _lengths(lengths, batch, what):
    if isinstance(lengths, Tensor):
        values = lengths.detach().cpu().numpy().reshape(-1).tolist()
    elif isinstance(lengths, int):
        values = [lengths]
    else:
        values = list(lengths)
    if len(values) != batch or any(int(v) != v or v < 0 for v in values):
        raise ShapeError(f"ctc_loss: {what} must hold {batch} non-negative integers, got "
                         f"{values}")
    return [int(v) for v in values]


def _target_rows(targets, target_lengths, batch, padded):
    """Each sample's target labels as a list, from padded (N, S) or concatenated 1-d targets."""
    labels = targets.detach().cpu().numpy()
    if padded:
        labels = labels.reshape(batch, -1)
        if any(n > labels.shape[1] for n in target_lengths):
            raise ShapeError(f"ctc_loss: a target length exceeds the padded target size "
                             f"{labels.shape[1]}")
        return [labels[i, :n].tolist() for i, n in enumerate(target_lengths)]
    if labels.size != sum(target_lengths):
        raise ShapeError(f"ctc_loss: concatenated targets hold {labels.size} labels, but the "
                         f"target lengths add up to {sum(target_lengths)}")
    ends = np.cumsum([0] + target_lengths)
    return [labels[ends[i]:ends[i + 1]].tolist() for i in range(batch)]


class CTCLoss(KernelFunction):
    """Per-sample CTC losses (N,) of log_probs (T, N, C), padded targets (N, S) and lengths
    (N,) on log_probs' device."""

    backward_name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, kernels, log_probs, targets, input_lengths, target_lengths, blank,
                zero_infinity):
        losses, log_alpha = kernels.ctc_loss_forward(log_probs, targets, input_lengths,
                                                     target_lengths, blank, zero_infinity)
        ctx.save(inputs=(0, 1, 2, 3), outputs=(1,))
        ctx.mark_outputs_non_differentiable(1)
        ctx.options = (blank, zero_infinity)
        return losses, log_alpha

    @staticmethod
    def backward(ctx, grad, _):
        grad_log_probs = CTCLossBackward.apply(grad, *ctx.saved_tensors, *ctx.options)
        return grad_log_probs, None, None, None, None, None


class CTCLossBackward(KernelFunction):
    """PyTorch's gradient of the CTC losses with respect to log_probs (T, N, C)."""

    @staticmethod
    def forward(ctx, kernels, grad, log_probs, targets, input_lengths, target_lengths,
                log_alpha, blank, zero_infinity):
        return kernels.ctc_loss_backward(grad, log_probs, targets, input_lengths,
                                         target_lengths, log_alpha, blank, zero_infinity)

    @staticmethod
    def backward(ctx, grad):
        raise AutogradError("ctc_loss: second derivatives are not available (nor in PyTorch)")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """-log p(target | input) summed over every alignment, for log-probabilities log_probs
    (T, N, C) or (T, C) (log_softmax outputs) and targets (N, S) padded or 1-d concatenated;
    the lengths as tensors, sequences or (unbatched) ints.
    'mean' divides each sample's loss by its target length, then averages over the batch;
    zero_infinity replaces infinite losses (no alignment fits) and their gradients by 0.
    The gradient with respect to log_probs is PyTorch's (see docs/ops.md)."""
    reduction = _reduction(None, None, reduction, "ctc_loss")
    if not isinstance(log_probs, Tensor) or not log_probs.dtype.is_floating_point:
        raise DTypeError(f"ctc_loss: log_probs must be a floating point tensor, got "
                         f"{getattr(log_probs, 'dtype', type(log_probs).__name__)}")
    if log_probs.ndim not in (2, 3):
        raise ShapeError(f"ctc_loss: log_probs must be (T, N, C) or (T, C), got shape "
                         f"{tuple(log_probs.shape)}")
    if not isinstance(targets, Tensor) or targets.dtype.is_floating_point:
        raise DTypeError("ctc_loss: targets must be an integer tensor of class indices")
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    steps, batch, classes = lp.shape
    if not 0 <= blank < classes:
        raise InvalidArgumentError(f"ctc_loss: blank must be in [0, {classes}), got {blank}")
    in_lengths = _lengths(input_lengths, batch, "input_lengths")
    out_lengths = _lengths(target_lengths, batch, "target_lengths")
    if any(n > steps for n in in_lengths):
        raise ShapeError(f"ctc_loss: input lengths {in_lengths} exceed the {steps} time steps")
    rows = _target_rows(targets, out_lengths, batch, unbatched or targets.ndim == 2)
    if any(c < 0 or c >= classes or c == blank for row in rows for c in row):
        raise InvalidArgumentError(f"ctc_loss: target labels must be in [0, {classes}) and "
                                   f"not the blank ({blank})")
    padded = np.zeros((batch, max(out_lengths, default=0)), dtype=np.int64)
    for n, row in enumerate(rows):
        padded[n, :len(row)] = row
    device = lp.device
    losses, _ = CTCLoss.apply(lp, tensor(padded, device=device),
                              tensor(np.array(in_lengths, dtype=np.int64), device=device),
                              tensor(np.array(out_lengths, dtype=np.int64), device=device),
                              int(blank), bool(zero_infinity))
    if reduction == "mean":
        divisor = tensor([max(n, 1) for n in out_lengths], dtype=losses.dtype, device=device)
        return (losses / divisor).mean()
    out = _reduce(losses, reduction)
    return out.squeeze(0) if unbatched and reduction == "none" else out


__all__ = ["ctc_loss"]
