"""The connectionist temporal classification loss (F.ctc_loss, nn.CTCLoss).

The forward (alpha) recursion of Graves et al. in the log domain, written with Tensor ops over
the whole batch and every position of the blank-extended targets at once, one step per time
frame; autograd differentiates it (so the loss runs on every device and has gradients of any
order). The lengths are read to the host, where the extended targets and the mask of allowed
skips (a label may follow the one two places back unless they are equal) are built.
"""
import math

import numpy as np

from ..creation import arange, tensor
from ..errors import DTypeError, InvalidArgumentError, ShapeError
from ..tensor import Tensor
from .elementwise import where
from .loss import _reduce, _reduction
from .shape import cat, stack


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


def _safe_logsumexp(terms):
    """log(sum(exp(terms))) over dim 0, -inf (with a zero gradient, not nan) where every term
    is -inf."""
    top = terms.amax(dim=0)
    shift = where(top > -math.inf, top, 0.0)
    total = (terms - shift).exp().sum(dim=0)
    alive = total > 0
    return where(alive, shift + where(alive, total, 1.0).log(), -math.inf)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """-log p(target | input) summed over every alignment, for log-probabilities log_probs
    (T, N, C) or (T, C) (log_softmax outputs) and targets (N, S) padded or 1-d concatenated.
    'mean' divides each sample's loss by its target length, then averages over the batch;
    zero_infinity replaces infinite losses (no alignment fits) and their gradients by 0."""
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
    width = 2 * max(out_lengths, default=0) + 1
    extended = np.full((batch, width), blank, dtype=np.int64)
    skip = np.zeros((batch, width), dtype=bool)
    for n, row in enumerate(rows):
        extended[n, 1:2 * len(row):2] = row
        for s in range(3, 2 * len(row), 2):
            skip[n, s] = extended[n, s] != extended[n, s - 2]
    device = lp.device
    emit = lp[:, arange(batch, device=device).reshape(-1, 1), tensor(extended, device=device)]
    skip_ok = tensor(skip, device=device)
    neg_inf = lp.new_full((batch, 1), -math.inf)
    start = arange(width, device=device).reshape(1, -1) < 2
    alpha = where(start, emit[0], -math.inf)
    for t in range(1, steps):
        by_one = cat([neg_inf, alpha[:, :-1]], dim=1)
        by_two = where(skip_ok, cat([neg_inf, neg_inf, alpha[:, :-2]], dim=1), -math.inf) \
            if width > 1 else by_one
        step = _safe_logsumexp(stack([alpha, by_one, by_two])) + emit[t]
        running = tensor([t < n for n in in_lengths], device=device).reshape(-1, 1)
        alpha = where(running, step, alpha)
    last = tensor([2 * n for n in out_lengths], device=device).reshape(-1, 1)
    before_last = (last - 1).clamp(min=0)
    ends = stack([alpha.gather(1, last).squeeze(1),
                  where(last.squeeze(1) > 0, alpha.gather(1, before_last).squeeze(1),
                        -math.inf)])
    losses = -_safe_logsumexp(ends)
    empty_input = tensor([n == 0 for n in in_lengths], device=device)
    empty_target = tensor([n == 0 for n in out_lengths], device=device)
    # no time steps: probability 1 for an empty target, 0 for any other
    losses = where(empty_input, where(empty_target, 0.0, math.inf), losses)
    if zero_infinity:
        losses = where(losses == math.inf, 0.0, losses)
    if reduction == "mean":
        divisor = tensor([max(n, 1) for n in out_lengths], dtype=losses.dtype, device=device)
        return (losses / divisor).mean()
    out = _reduce(losses, reduction)
    return out.squeeze(0) if unbatched and reduction == "none" else out


__all__ = ["ctc_loss"]
