"""CTC loss kernels on the device: one block per sample, its threads over the positions of the
blank-extended target, one `syncthreads` per frame between the frames of the alpha (forward)
and beta (backward) recursions; the backward then gives each thread whole frames, where it sums
alpha * beta per class and writes PyTorch's gradient. The rules are shared with the cpu
kernels (`_ctc_scalar`); the arithmetic runs in the data's float type (`zero` carries it).
No atomics: every run adds in the same order."""
import math

import numpy as np
from numba import cuda

from .. import _ctc_scalar as rules
from . import _copy
from ._array import empty, is_contiguous
from ._launch import launch

_rules = rules.compiled(cuda.jit(device=True))
_label, _log_add, _alpha_at = _rules.extended_label, _rules.log_add, _rules.alpha_at
_beta_at, _nll = _rules.beta_at, _rules.negative_log_likelihood

MAX_THREADS = 256  # per block (one sample); wider targets loop


@cuda.jit(cache=True)
def _forward_kernel(losses, log_alpha, log_probs, targets, input_lengths, target_lengths,
                    blank, zero_infinity, zero):
    b = cuda.blockIdx.x
    width = 2 * target_lengths[b] + 1
    for t in range(input_lengths[b]):
        for s in range(cuda.threadIdx.x, width, cuda.blockDim.x):
            log_alpha[b, t, s] = _alpha_at(log_alpha, log_probs, targets, b, t, s,
                                           target_lengths[b], blank, zero)
        cuda.syncthreads()  # frame t complete before any thread reads it for t + 1
    if cuda.threadIdx.x == 0:
        nll = _nll(log_alpha, b, input_lengths[b], target_lengths[b], zero)
        if zero_infinity and nll == zero + rules.INF:
            nll = zero
        losses[b] = nll


@cuda.jit(cache=True)
def _backward_kernel(grad_log_probs, log_beta, grad, log_probs, targets, input_lengths,
                     target_lengths, log_alpha, blank, zero_infinity, zero):
    b = cuda.blockIdx.x
    steps = input_lengths[b]
    length = target_lengths[b]
    nll = _nll(log_alpha, b, steps, length, zero)
    if steps == 0 or (zero_infinity and nll == zero + rules.INF):
        return  # the whole block leaves: the gradient stays 0
    width = 2 * length + 1
    for t in range(steps - 1, -1, -1):
        for s in range(cuda.threadIdx.x, width, cuda.blockDim.x):
            log_beta[b, t, s] = _beta_at(log_beta, log_probs, targets, b, t, s, steps, length,
                                         blank, zero)
        cuda.syncthreads()
    classes = log_probs.shape[2]
    for t in range(cuda.threadIdx.x, steps, cuda.blockDim.x):
        for c in range(classes):
            grad_log_probs[t, b, c] = zero + rules.NEG_INF
        for s in range(width):
            c = _label(targets, b, s, blank)
            grad_log_probs[t, b, c] = _log_add(grad_log_probs[t, b, c],
                                               log_alpha[b, t, s] + log_beta[b, t, s], zero)
        for c in range(classes):
            lp = log_probs[t, b, c]
            grad_log_probs[t, b, c] = (math.exp(lp) - math.exp(
                grad_log_probs[t, b, c] + nll - lp)) * grad[b]


def _contiguous(a):
    return a if is_contiguous(a) else _copy.copy(a)


def _threads(width):
    """Threads per block: the extended target's width in whole warps, at most MAX_THREADS."""
    return min(MAX_THREADS, 32 * ((width + 31) // 32))


def ctc_loss_forward(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """(losses (N,), log_alpha (N, T, 2 S + 1)) of log_probs (T, N, C), padded targets (N, S)
    and lengths (N,) (int64); losses are -log p(target | input), 0 instead of inf with
    zero_infinity; log_alpha is what ctc_loss_backward needs."""
    log_probs, targets = _contiguous(log_probs), _contiguous(targets)
    steps, batch = log_probs.shape[0], log_probs.shape[1]
    width = 2 * targets.shape[1] + 1
    losses = empty((batch,), log_probs.dtype)
    log_alpha = empty((batch, steps, width), log_probs.dtype)
    _copy.fill(log_alpha, -np.inf)
    if batch:
        launch(_forward_kernel, batch, _threads(width), losses, log_alpha, log_probs, targets,
               input_lengths, target_lengths, blank, bool(zero_infinity),
               log_probs.dtype.type(0))
    return losses, log_alpha


def ctc_loss_backward(grad, log_probs, targets, input_lengths, target_lengths, log_alpha,
                      blank, zero_infinity):
    """The gradient (T, N, C) of ctc_loss_forward's losses for their gradient grad (N,), by
    PyTorch's formula exp(lp) - exp(log(sum of alpha * beta of the class) + nll - lp) per
    frame within the input length (0 beyond, and for infinite losses with zero_infinity)."""
    grad, log_probs, targets = _contiguous(grad), _contiguous(log_probs), _contiguous(targets)
    grad_log_probs = empty(log_probs.shape, log_probs.dtype)
    _copy.fill(grad_log_probs, 0)
    log_beta = empty(log_alpha.shape, log_probs.dtype)
    _copy.fill(log_beta, -np.inf)
    if log_probs.shape[1]:
        launch(_backward_kernel, log_probs.shape[1], _threads(log_alpha.shape[2]),
               grad_log_probs, log_beta, grad, log_probs, targets, input_lengths,
               target_lengths, log_alpha, blank, bool(zero_infinity), log_probs.dtype.type(0))
    return grad_log_probs


__all__ = ["ctc_loss_backward", "ctc_loss_forward"]
