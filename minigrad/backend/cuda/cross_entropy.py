"""Cross entropy of logits against class indices: one launch forward, one backward, where the
same loss as Tensor ops launches about thirty kernels (max, subtract, exp, sum, log, gather,
masks, the mean over the rows kept, and as many again for the gradient).

The same arithmetic as the cpu backend's (minigrad/backend/cpu/cross_entropy.py). The forward
is one block: each thread takes rows (max, log-sum-exp, the picked logit) and the block sums
the losses and the weights of the rows kept in shared memory, so the reduction needs no second
launch; a training batch's loss is a sliver of a step, and one block saves the launches. The
backward is elementwise over the logits. A label out of range (neither a class nor
ignore_index) sets the device flag that `minigrad.cuda.synchronize()` reports as IndexError, as
the indexing kernels do; its row counts for nothing.
"""
from numba import cuda

from ._array import buffer, empty, is_contiguous, view
from ._copy import contiguous
from ._index import errors
from ._launch import get_config, launch, launch_1d
from ._math import exp, log

REDUCTIONS = {"none": 0, "sum": 1, "mean": 2}


def _forward_kernel_for(threads):
    """The forward kernel for a block of `threads` (a compile-time shared-memory size)."""

    @cuda.jit(cache=True)
    def kernel(x, target, weight, has_weight, ignore_index, rows, classes, losses, lse, result,
               zero, one, nan, reduction, error_flag):
        totals = cuda.shared.array(threads, x.dtype)
        weights = cuda.shared.array(threads, x.dtype)
        t = cuda.threadIdx.x
        total = zero
        weight_total = zero
        for r in range(t, rows, threads):
            base = r * classes
            m = x[base]
            for c in range(1, classes):
                v = x[base + c]
                if v > m or v != v:
                    m = v
            s = zero
            for c in range(classes):
                s += exp(x[base + c] - m)
            row_lse = m + log(s)
            lse[r] = row_lse
            label = target[r]
            loss = zero
            if label != ignore_index:
                if label < 0 or label >= classes:
                    error_flag[0] = 1
                else:
                    w = one
                    if has_weight:
                        w = weight[label]
                    loss = -(x[base + label] - row_lse) * w
                    weight_total += w
            if reduction == 0:
                losses[r] = loss
            total += loss
        totals[t] = total
        weights[t] = weight_total
        cuda.syncthreads()
        half = threads // 2
        while half > 0:
            if t < half:
                totals[t] += totals[t + half]
                weights[t] += weights[t + half]
            cuda.syncthreads()
            half //= 2
        if t == 0:
            result[0] = totals[0]
            if reduction == 2:
                if weights[0] != zero:
                    result[0] = totals[0] / weights[0]
                else:
                    result[0] = nan
            result[1] = weights[0]

    return kernel


_forward_kernels = {}


@cuda.jit(cache=True)
def _backward_kernel(out, grad, x, target, weight, has_weight, ignore_index, lse, weight_total,
                     zero, one, reduction, classes, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        r = i // classes
        c = i - r * classes
        label = target[r]
        if label == ignore_index or label < 0 or label >= classes:
            out[i] = zero
            continue
        g = grad[0]
        if reduction == 0:
            g = grad[r]
        if reduction == 2:
            g = g / weight_total[0]
        if has_weight:
            g = g * weight[label]
        p = exp(x[i] - lse[r])
        if c == label:
            p -= one
        out[i] = p * g


def _flat(a):
    return buffer(a if is_contiguous(a) else contiguous(a))


def cross_entropy_forward(logits, target, weight, ignore_index, reduction):
    """(loss, log_sum_exp, weight_total): see the contract."""
    rows, classes = (int(n) for n in logits.shape)
    dtype = logits.dtype.type
    x = _flat(logits)
    lse = empty((rows,), logits.dtype)
    losses = empty((rows,), logits.dtype) if reduction == "none" else lse
    result = empty((2,), logits.dtype)
    threads = get_config().reduce_threads
    kernel = _forward_kernels.get(threads)
    if kernel is None:
        kernel = _forward_kernels[threads] = _forward_kernel_for(threads)
    has_weight = weight is not None
    launch(kernel, 1, threads, x, _flat(target), _flat(weight) if has_weight else x, has_weight,
           int(ignore_index), rows, classes, buffer(losses), lse, result, dtype(0), dtype(1),
           dtype("nan"), REDUCTIONS[reduction], errors.array())
    errors.pending = True
    loss = losses if reduction == "none" else view(result, (), ())
    return loss, lse, view(result, (), (), 1)


def cross_entropy_backward(grad, logits, target, weight, ignore_index, reduction, log_sum_exp,
                           weight_total):
    """The gradient of cross_entropy_forward's loss with respect to the logits: (N, C)."""
    rows, classes = (int(n) for n in logits.shape)
    dtype = logits.dtype.type
    x = _flat(logits)
    out = empty((rows, classes), logits.dtype)
    has_weight = weight is not None
    n = rows * classes
    launch_1d(_backward_kernel, n, buffer(out), _flat(grad), x, _flat(target),
              _flat(weight) if has_weight else x, has_weight, int(ignore_index),
              _flat(log_sum_exp), _flat(weight_total), dtype(0), dtype(1), REDUCTIONS[reduction],
              classes, n)
    return out
