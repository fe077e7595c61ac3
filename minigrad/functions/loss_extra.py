"""The rest of torch.nn's losses, as compositions of differentiable Tensor ops (so they run on
every device and are differentiable to any order): smooth_l1_loss, huber_loss, kl_div,
margin_ranking_loss, hinge_embedding_loss, cosine_embedding_loss, triplet_margin_loss,
soft_margin_loss, multilabel_soft_margin_loss, multilabel_margin_loss, multi_margin_loss,
poisson_nll_loss and gaussian_nll_loss.

Each takes PyTorch's arguments in PyTorch's order, including the deprecated size_average /
reduce flags where PyTorch still accepts them, and computes PyTorch's formula, also at the
edges (a zero beta, zero targets in kl_div, a clamped variance whose gradient passes through).
"""
import math
import warnings

from ..creation import arange
from ..errors import DTypeError, LabelOutOfRangeError, ShapeError
from ..tensor import Tensor
from .activation import softplus
from .elementwise import where
from .loss import _check_float, _reduce, _reduction
from .normalization_extra import pairwise_distance


def _check_target(target, name, what="target"):
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(target).__name__}")


def _same_shape(a, b, name, what):
    if tuple(a.shape) != tuple(b.shape):
        raise ShapeError(f"{name}: {what} shape {tuple(b.shape)} must match the input shape "
                         f"{tuple(a.shape)}")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where d = |input - target| < beta, else d - 0.5 beta (beta = 0: L1)."""
    reduction = _reduction(size_average, reduce, reduction, "smooth_l1_loss")
    _check_float(input, "input", "smooth_l1_loss")
    _check_target(target, "smooth_l1_loss")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where d = |input - target| < delta, else delta (d - 0.5 delta); `weight` (the
    input's shape) scales each element, and 'mean' then divides by the weights' sum."""
    reduction = _reduction(None, None, reduction, "huber_loss")
    _check_float(input, "input", "huber_loss")
    _check_target(target, "huber_loss")
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    d = (input - target).abs()
    losses = where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    if weight is None:
        return _reduce(losses, reduction)
    _same_shape(input, weight, "huber_loss", "weight")
    losses = losses * weight
    return losses.sum() / weight.sum() if reduction == "mean" else _reduce(losses, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log target - input) per element (input holds log-probabilities; with
    log_target, target does too). 'batchmean' divides the sum by the batch size (input's first
    dim), the KL divergence's definition; 'mean' divides by the element count."""
    if reduction == "batchmean":
        if size_average is not None or reduce is not None:
            reduction = _reduction(size_average, reduce, "mean", "kl_div")
    else:
        reduction = _reduction(size_average, reduce, reduction, "kl_div")
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
    _check_float(input, "input", "kl_div")
    _check_target(target, "kl_div")
    if log_target:
        losses = target.exp() * (target - input)
    else:
        # 0 * log 0 = 0: a zero target contributes nothing (and no nan gradient)
        positive = target > 0
        safe = where(positive, target, 1.0)
        losses = where(positive, target * (safe.log() - input), -target * input)
    if reduction == "batchmean":
        total = losses.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(losses, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin); target holds 1 or -1."""
    reduction = _reduction(size_average, reduce, reduction, "margin_ranking_loss")
    _check_float(input1, "input1", "margin_ranking_loss")
    _check_float(input2, "input2", "margin_ranking_loss")
    _check_target(target, "margin_ranking_loss")
    if not (input1.ndim == input2.ndim == target.ndim):
        raise ShapeError(f"margin_ranking_loss: input1, input2 and target must have the same "
                         f"number of dims, got {input1.ndim}, {input2.ndim} and {target.ndim}")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = _reduction(size_average, reduce, reduction, "hinge_embedding_loss")
    _check_float(input, "input", "hinge_embedding_loss")
    _check_target(target, "hinge_embedding_loss")
    over_margin = where(target != 1, (margin - input).clamp(min=0), 0.0)
    itself = where(target != -1, input, 0.0)
    return _reduce(over_margin + itself, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1; the
    cosine is taken over the last dim of (N, D) or (D,) inputs."""
    reduction = _reduction(size_average, reduce, reduction, "cosine_embedding_loss")
    _check_float(input1, "input1", "cosine_embedding_loss")
    _check_float(input2, "input2", "cosine_embedding_loss")
    _check_target(target, "cosine_embedding_loss")
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape):
        raise ShapeError(f"cosine_embedding_loss: expected input1 and input2 of one shape "
                         f"(N, D) or (D,), got {tuple(input1.shape)} and {tuple(input2.shape)}")
    if target.ndim != input1.ndim - 1:
        raise ShapeError(f"cosine_embedding_loss: expected a target with {input1.ndim - 1} "
                         f"dims, got shape {tuple(target.shape)}")
    eps = 1e-12  # PyTorch's: keeps a zero vector's cosine finite
    dot = (input1 * input2).sum(dim=-1)
    squares = ((input1 * input1).sum(dim=-1) + eps) * ((input2 * input2).sum(dim=-1) + eps)
    cos = dot / squares.sqrt()
    positive = where(target == 1, 1.0 - cos, 0.0)
    negative = where(target == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(positive + negative, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) with the pairwise p-norm
    distance d over the last dim; `swap` uses min(d(a, n), d(p, n)) as the negative distance."""
    reduction = _reduction(size_average, reduce, reduction, "triplet_margin_loss")
    for t, what in ((anchor, "anchor"), (positive, "positive"), (negative, "negative")):
        _check_float(t, what, "triplet_margin_loss")
    if not (anchor.ndim == positive.ndim == negative.ndim) or anchor.ndim not in (1, 2):
        raise ShapeError(f"triplet_margin_loss: anchor, positive and negative must all be 1-d "
                         f"or all 2-d, got dims {anchor.ndim}, {positive.ndim} and "
                         f"{negative.ndim}")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be positive, got {margin}")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = where(d_swap < d_neg, d_swap, d_neg)
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)); target holds 1 or -1."""
    reduction = _reduction(size_average, reduce, reduction, "soft_margin_loss")
    _check_float(input, "input", "soft_margin_loss")
    _check_target(target, "soft_margin_loss")
    return _reduce(softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """The mean over the C classes of the binary logistic loss of input (N, C) against 0/1
    `target` (N, C); `weight` (C,) scales each class."""
    reduction = _reduction(size_average, reduce, reduction, "multilabel_soft_margin_loss")
    _check_float(input, "input", "multilabel_soft_margin_loss")
    _check_target(target, "multilabel_soft_margin_loss")
    _same_shape(input, target, "multilabel_soft_margin_loss", "target")
    losses = target * softplus(-input) + (1 - target) * softplus(input)
    if weight is not None:
        losses = losses * weight
    class_dim = input.ndim - 1
    per_sample = losses.sum(dim=class_dim) / input.shape[class_dim] if input.ndim else losses
    return _reduce(per_sample, reduction)


def _class_scores(input, target, name):
    """(N, C) scores and (N,) labels from input (N, C) or (C,) and target (N,) or ()."""
    _check_float(input, "input", name)
    _check_target(target, name)
    if target.dtype.is_floating_point or target.dtype.name == "bool":
        raise DTypeError(f"{name}: target must hold class indices (an integer tensor), got "
                         f"{target.dtype}")
    if input.ndim not in (1, 2) or target.ndim != input.ndim - 1 or (
            input.ndim == 2 and target.shape[0] != input.shape[0]):
        raise ShapeError(f"{name}: expected input (N, C) with target (N,) or input (C,) with a "
                         f"0-d target, got {tuple(input.shape)} and {tuple(target.shape)}")
    return input.reshape(-1, input.shape[-1]), target.reshape(-1)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """sum over i != y of max(0, margin - x[y] + x[i])^p / C per sample, for scores input
    (N, C) and labels target (N,); `weight` (C,) scales each sample's terms by weight[y]."""
    reduction = _reduction(size_average, reduce, reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 are supported, got {p}")
    scores, labels = _class_scores(input, target, "multi_margin_loss")
    num_classes = scores.shape[1]
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise LabelOutOfRangeError(f"multi_margin_loss: target values must be in [0, "
                                   f"{num_classes}), got {labels.tolist()}")
    picked = scores.gather(1, labels.reshape(-1, 1))
    terms = (margin - picked + scores).clamp(min=0)
    if p == 2:
        terms = terms * terms
    if weight is not None:
        terms = terms * weight[labels].reshape(-1, 1)
    classes = labels.reshape(-1, 1) == _arange_like(scores)
    losses = where(classes, 0.0, terms).sum(dim=1) / num_classes
    return _reduce(losses.reshape(target.shape), reduction)


def _arange_like(scores):
    """The class indices 0..C-1 as a (1, C) tensor on the scores' device."""
    return arange(scores.shape[1], device=scores.device).reshape(1, -1)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C per
    sample. target (N, C) or (C,) lists each sample's class indices, ended by the first -1; a
    class listed twice counts twice, as in torch."""
    reduction = _reduction(size_average, reduce, reduction, "multilabel_margin_loss")
    _check_float(input, "input", "multilabel_margin_loss")
    _check_target(target, "multilabel_margin_loss")
    if input.ndim not in (1, 2) or tuple(target.shape) != tuple(input.shape):
        raise ShapeError(f"multilabel_margin_loss: expected input (N, C) or (C,) and a target "
                         f"of its shape, got {tuple(input.shape)} and {tuple(target.shape)}")
    if target.dtype.is_floating_point:
        raise DTypeError(f"multilabel_margin_loss: target must hold class indices, got "
                         f"{target.dtype}")
    scores = input.reshape(-1, input.shape[-1])
    labels = target.reshape(scores.shape)
    num_classes = scores.shape[1]
    if labels.numel() and (int(labels.min()) < -1 or int(labels.max()) >= num_classes):
        raise LabelOutOfRangeError(f"multilabel_margin_loss: target values must be in [-1, "
                                   f"{num_classes}), got {labels.tolist()}")
    listed = (labels != -1).to(dtype=scores.dtype).cumprod(dim=1)  # entries before the first -1
    classes = _arange_like(scores).reshape(1, 1, -1)
    hits = (labels.unsqueeze(2) == classes).to(dtype=scores.dtype) * listed.unsqueeze(2)
    listings = hits.sum(dim=1)  # (N, C): how often each class is listed
    is_target = listings.clamp(max=1)  # (N, C) 0/1
    # pair (j, i): j a target class, as often as it is listed (as torch's loop over the
    # listed entries counts it), i a class that is not a target
    pairs = listings.unsqueeze(2) * (1 - is_target).unsqueeze(1)
    hinge = (1 - scores.unsqueeze(2) + scores.unsqueeze(1)).clamp(min=0)
    losses = (hinge * pairs).sum(dim=(1, 2)) / max(num_classes, 1)
    return _reduce(losses.reshape(input.shape[:-1]), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (log_input), or input - target * log(input + eps); `full`
    adds Stirling's approximation of log(target!) where target > 1."""
    reduction = _reduction(size_average, reduce, reduction, "poisson_nll_loss")
    _check_float(input, "input", "poisson_nll_loss")
    _check_target(target, "poisson_nll_loss")
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        big = target > 1
        safe = where(big, target, 2.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        losses = losses + where(big, stirling, 0.0)
    return _reduce(losses, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (input - target)^2 / var) (+ 0.5 log 2 pi with `full`). var has the
    input's shape, or it with the last dim 1 or dropped (one variance per sample); it is
    clamped to eps for the value only (its gradient passes through, as PyTorch's)."""
    reduction = _reduction(None, None, reduction, "gaussian_nll_loss")
    _check_float(input, "input", "gaussian_nll_loss")
    _check_target(target, "gaussian_nll_loss")
    if not isinstance(var, Tensor):
        raise TypeError(f"gaussian_nll_loss: var must be a Tensor, got {type(var).__name__}")
    shape = tuple(input.shape)
    if tuple(var.shape) != shape:
        if shape and tuple(var.shape) == shape[:-1]:
            var = var.unsqueeze(-1)
        elif not (shape and tuple(var.shape) == shape[:-1] + (1,)):
            raise ShapeError(f"gaussian_nll_loss: var of shape {tuple(var.shape)} does not fit "
                             f"the input shape {shape}")
    if bool((var < 0).any()):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    var = var + (var.clamp(min=eps) - var).detach()
    diff = input - target
    losses = 0.5 * (var.log() + diff * diff / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)


__all__ = ["cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss",
           "kl_div", "margin_ranking_loss", "multi_margin_loss", "multilabel_margin_loss",
           "multilabel_soft_margin_loss", "poisson_nll_loss", "smooth_l1_loss",
           "soft_margin_loss", "triplet_margin_loss"]
