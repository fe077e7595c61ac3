"""The layer functions PyTorch also exposes at the top level (`torch.conv2d`, `torch.dropout`,
`torch.layer_norm`, `torch.kl_div`, ...), with the argument orders and defaults of those
top-level forms, which differ from `torch.nn.functional`'s: pooling has no `return_indices`,
`dropout(input, p, train)` takes every argument, `embedding(weight, indices)` takes the weight
first, `batch_norm`/`instance_norm` take (weight, bias, running_mean, running_var, ...) and the
losses take `reduction` as an int (0 none, 1 mean, 2 sum). Each forwards to the functional op.
"""
import operator
import warnings

from . import ctc_loss as ctc_loss_ops
from . import (adaptive_max_pool, classic_layers, conv, conv3d as conv3d_ops, dropout as _dropout,
               embedding as _embedding, fold, loss, loss_extra, normalization,
               normalization_extra, pool, pool3d)

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def reduction_name(reduction, op):
    """The functional `reduction` string of the int a top-level loss takes."""
    if isinstance(reduction, bool) or not isinstance(reduction, int):
        raise TypeError(f"{op}(): argument 'reduction' must be int (0 none, 1 mean, 2 sum), "
                        f"not {type(reduction).__name__}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}(): {reduction} is not a valid value for reduction "
                         "(expected 0, 1 or 2)")
    return _REDUCTIONS[reduction]


def _flag(value, op, name):
    """A bool argument the top-level form requires (PyTorch takes no other type there)."""
    if not isinstance(value, bool):
        raise TypeError(f"{op}(): argument '{name}' must be bool, not {type(value).__name__}")
    return value


conv1d, conv2d, conv3d = conv.conv1d, conv.conv2d, conv3d_ops.conv3d
conv_transpose1d, conv_transpose2d = conv.conv_transpose1d, conv.conv_transpose2d
conv_transpose3d = conv3d_ops.conv_transpose3d
pixel_shuffle, pixel_unshuffle = fold.pixel_shuffle, fold.pixel_unshuffle
channel_shuffle, bilinear, pdist = (classic_layers.channel_shuffle, classic_layers.bilinear,
                                    classic_layers.pdist)
adaptive_avg_pool1d = pool.adaptive_avg_pool1d


def _stride(kernel_size, stride):
    """PyTorch's top-level pools take `stride=[]` for "the kernel size"."""
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """torch.max_pool1d: (N, C, L) or (C, L) -> the window maxima (no indices)."""
    return pool.max_pool1d(input, kernel_size, _stride(kernel_size, stride), padding, dilation,
                           ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """torch.max_pool2d: (N, C, H, W) or (C, H, W) -> the window maxima (no indices)."""
    return pool.max_pool2d(input, kernel_size, _stride(kernel_size, stride), padding, dilation,
                           ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """torch.max_pool3d: (N, C, D, H, W) or (C, D, H, W) -> the window maxima (no indices)."""
    return pool3d.max_pool3d(input, kernel_size, _stride(kernel_size, stride), padding,
                             dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """(maxima, flat indices into L) of 1-d max pooling."""
    return pool.max_pool1d(input, kernel_size, _stride(kernel_size, stride), padding, dilation,
                           ceil_mode, return_indices=True)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    """torch.avg_pool1d: (N, C, L) or (C, L) -> the window means."""
    return pool.avg_pool1d(input, kernel_size, _stride(kernel_size, stride), padding, ceil_mode,
                           count_include_pad)


def adaptive_max_pool1d(input, output_size):
    """torch.adaptive_max_pool1d: always (maxima, indices), as in PyTorch."""
    return adaptive_max_pool.adaptive_max_pool1d(input, output_size, return_indices=True)


def dropout(input, p, train):
    """torch.dropout(input, p, train): every argument required."""
    return _dropout.dropout(input, p, _flag(train, "dropout", "train"))


def dropout_(input, p, train):
    """In-place torch.dropout."""
    return _dropout.dropout(input, p, _flag(train, "dropout_", "train"), inplace=True)


def feature_dropout(input, p, train):
    """torch.feature_dropout: zero whole channels (dims 0 and 1 kept) of a >= 2-d input."""
    return _dropout._feature_dropout(input, p, _flag(train, "feature_dropout", "train"), False)


def feature_dropout_(input, p, train):
    """In-place torch.feature_dropout."""
    return _dropout._feature_dropout(input, p, _flag(train, "feature_dropout_", "train"), True)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding(weight, indices, ...): rows of weight; padding_idx < 0 means none (the
    row at padding_idx gets no gradient)."""
    padding = operator.index(padding_idx)
    return _embedding.embedding(indices, weight, padding_idx=padding if padding >= 0 else None,
                                scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """torch.layer_norm: F.layer_norm with the backend flag PyTorch takes (ignored here)."""
    return normalization_extra.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """torch.group_norm: F.group_norm with the backend flag PyTorch takes (ignored here)."""
    return normalization_extra.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    """torch.batch_norm: every argument required, weight and bias before the running stats."""
    return normalization.batch_norm(input, running_mean, running_var, weight, bias,
                                    _flag(training, "batch_norm", "training"), momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    """torch.instance_norm: every argument required, weight and bias first."""
    return normalization_extra.instance_norm(
        input, running_mean, running_var, weight, bias,
        _flag(use_input_stats, "instance_norm", "use_input_stats"), momentum, eps)


def kl_div(input, target, reduction=1, *, log_target=False):
    """torch.kl_div: F.kl_div with an int reduction (default 1, the elementwise mean; the
    top-level form gives no warning about 'batchmean')."""
    name = reduction_name(reduction, "kl_div")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return loss_extra.kl_div(input, target, reduction=name, log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    """torch.binary_cross_entropy_with_logits: pos_weight before the int reduction."""
    name = reduction_name(reduction, "binary_cross_entropy_with_logits")
    return loss.binary_cross_entropy_with_logits(input, target, weight, reduction=name,
                                                 pos_weight=pos_weight)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return loss_extra.cosine_embedding_loss(
        input1, input2, target, margin, reduction=reduction_name(reduction,
                                                                 "cosine_embedding_loss"))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return loss_extra.margin_ranking_loss(
        input1, input2, target, margin, reduction=reduction_name(reduction,
                                                                 "margin_ranking_loss"))


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return loss_extra.hinge_embedding_loss(
        input, target, margin, reduction=reduction_name(reduction, "hinge_embedding_loss"))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False,
                        reduction=1):
    return loss_extra.triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap,
        reduction=reduction_name(reduction, "triplet_margin_loss"))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """torch.poisson_nll_loss: every argument required, reduction an int."""
    return loss_extra.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                       reduction=reduction_name(reduction, "poisson_nll_loss"))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
             zero_infinity=False):
    """torch.ctc_loss: F.ctc_loss with an int reduction (default 1, the mean)."""
    return ctc_loss_ops.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                     reduction_name(reduction, "ctc_loss"), zero_infinity)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """torch.rms_norm: F.rms_norm."""
    return normalization_extra.rms_norm(input, normalized_shape, weight, eps)
