"""Cross entropy of logits against class indices in one pass per direction: the forward reads
each row of logits once (max, log-sum-exp, the picked logit, reduction), the backward writes
softmax - one_hot scaled per row, where the same loss as Tensor ops runs about thirty kernels.

Rows are those of C-contiguous logits (N, C); `target` (N,) holds int64 class indices, rows
whose label is `ignore_index` count for nothing. The arithmetic is the cuda backend's
(minigrad/backend/cuda/cross_entropy.py); the reductions are PyTorch's: 'mean' divides by the
summed class weights of the rows kept (NaN when none is kept).
"""
import numba
import numpy as np

REDUCTIONS = {"none": 0, "sum": 1, "mean": 2}


@numba.njit(cache=True, error_model="numpy")
def _forward_kernel(x, target, weight, has_weight, ignore_index, losses, lse, result, zero,
                    one, nan, reduction):
    """Per-row losses (when reduction is 'none'), per-row log-sum-exp, and result = [sum or
    mean of the losses, summed weights of the rows kept]; returns how many labels were out of
    range (their rows count for nothing)."""
    rows, classes = x.shape
    total, weight_total, bad = zero, zero, 0
    for r in range(rows):
        m = x[r, 0]
        for c in range(1, classes):
            if x[r, c] > m or x[r, c] != x[r, c]:
                m = x[r, c]
        s = zero
        for c in range(classes):
            s += np.exp(x[r, c] - m)
        row_lse = m + np.log(s)
        lse[r] = row_lse
        label = target[r]
        loss = zero
        if label != ignore_index:
            if label < 0 or label >= classes:
                bad += 1
            else:
                w = weight[label] if has_weight else one
                loss = -(x[r, label] - row_lse) * w
                weight_total += w
        if reduction == 0:
            losses[r] = loss
        total += loss
    result[0] = total
    if reduction == 2:
        result[0] = total / weight_total if weight_total != zero else nan
    result[1] = weight_total
    return bad


@numba.njit(cache=True, error_model="numpy")
def _backward_kernel(out, grad, x, target, weight, has_weight, ignore_index, lse, weight_total,
                     one, reduction):
    """out[r, c] = (exp(x[r, c] - lse[r]) - [c == target[r]]) * weight[target[r]] * g_r, with
    g_r = grad[r] ('none'), grad ('sum') or grad / summed weights ('mean'); 0 on ignored rows."""
    rows, classes = x.shape
    for r in range(rows):
        label = target[r]
        if label == ignore_index or label < 0 or label >= classes:
            for c in range(classes):
                out[r, c] = 0
            continue
        g = grad[r] if reduction == 0 else grad[0]
        if reduction == 2:
            g = g / weight_total[0]
        scale = g * (weight[label] if has_weight else one)
        for c in range(classes):
            p = np.exp(x[r, c] - lse[r])
            if c == label:
                p -= one
            out[r, c] = p * scale


def _operands(x, target, weight):
    x = np.ascontiguousarray(x)
    target = np.ascontiguousarray(target)
    has_weight = weight is not None
    weight = np.ascontiguousarray(weight) if has_weight else x[0] if x.shape[0] else \
        np.ones(1, x.dtype)
    return x, target, weight, has_weight


def cross_entropy_forward(logits, target, weight, ignore_index, reduction):
    """(loss, log_sum_exp, weight_total): see the contract."""
    x, target, weight, has_weight = _operands(logits, target, weight)
    dtype = x.dtype.type
    rows = x.shape[0]
    losses = np.empty(rows if reduction == "none" else 0, x.dtype)
    lse = np.empty(rows, x.dtype)
    result = np.empty(2, x.dtype)
    bad = _forward_kernel(x, target, weight, has_weight, int(ignore_index), losses, lse, result,
                          dtype(0), dtype(1), dtype(np.nan), REDUCTIONS[reduction])
    if bad:
        raise IndexError(f"cross_entropy: {bad} target labels are out of range for "
                         f"{x.shape[1]} classes")
    loss = losses if reduction == "none" else result[0].reshape(())
    return loss, lse, result[1].reshape(())


def cross_entropy_backward(grad, logits, target, weight, ignore_index, reduction, log_sum_exp,
                           weight_total):
    """The gradient of cross_entropy_forward's loss with respect to the logits: (N, C)."""
    x, target, weight, has_weight = _operands(logits, target, weight)
    out = np.empty(x.shape, x.dtype)
    _backward_kernel(out, np.ascontiguousarray(grad).reshape(-1), x, target, weight, has_weight,
                     int(ignore_index), np.ascontiguousarray(log_sum_exp),
                     np.ascontiguousarray(weight_total).reshape(-1), x.dtype.type(1),
                     REDUCTIONS[reduction])
    return out
