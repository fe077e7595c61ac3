"""CTC loss kernels: the log-domain alpha recursion (forward) and the beta recursion with
PyTorch's gradient formula (backward), parallel over the batch, one sample per thread, with
the rules shared with the cuda kernels (`_ctc_scalar`). The arithmetic runs in the data's
float type (`zero` carries it)."""
import math

import numba
import numpy as np

from .. import _ctc_scalar as rules

_rules = rules.compiled(numba.njit(cache=True))
_label, _log_add, _alpha_at = _rules.extended_label, _rules.log_add, _rules.alpha_at
_beta_at, _nll = _rules.beta_at, _rules.negative_log_likelihood


@numba.njit(cache=True, parallel=True)
def _forward(losses, log_alpha, log_probs, targets, input_lengths, target_lengths, blank,
             zero_infinity, zero):
    for b in numba.prange(log_probs.shape[1]):
        width = 2 * target_lengths[b] + 1
        for t in range(input_lengths[b]):
            for s in range(width):
                log_alpha[b, t, s] = _alpha_at(log_alpha, log_probs, targets, b, t, s,
                                               target_lengths[b], blank, zero)
        nll = _nll(log_alpha, b, input_lengths[b], target_lengths[b], zero)
        losses[b] = zero if zero_infinity and nll == zero + rules.INF else nll


@numba.njit(cache=True, parallel=True)
def _backward(grad_log_probs, log_beta, grad, log_probs, targets, input_lengths,
              target_lengths, log_alpha, blank, zero_infinity, zero):
    classes = log_probs.shape[2]
    for b in numba.prange(log_probs.shape[1]):
        steps, length = input_lengths[b], target_lengths[b]
        nll = _nll(log_alpha, b, steps, length, zero)
        if steps == 0 or (zero_infinity and nll == zero + rules.INF):
            continue  # the gradient stays 0
        width = 2 * length + 1
        for t in range(steps - 1, -1, -1):
            for s in range(width):
                log_beta[b, t, s] = _beta_at(log_beta, log_probs, targets, b, t, s, steps,
                                             length, blank, zero)
        for t in range(steps):
            # log sum of alpha * beta over the positions of each class, then PyTorch's
            # gradient: exp(lp) - exp(that + nll - lp), times the loss's gradient
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


def ctc_loss_forward(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """(losses (N,), log_alpha (N, T, 2 S + 1)) of log_probs (T, N, C), padded targets (N, S)
    and lengths (N,) (int64); losses are -log p(target | input), 0 instead of inf with
    zero_infinity; log_alpha is what ctc_loss_backward needs."""
    log_probs = np.ascontiguousarray(log_probs)
    steps, batch = log_probs.shape[:2]
    losses = np.empty(batch, dtype=log_probs.dtype)
    log_alpha = np.full((batch, steps, 2 * targets.shape[1] + 1), -np.inf,
                        dtype=log_probs.dtype)
    _forward(losses, log_alpha, log_probs, np.ascontiguousarray(targets), input_lengths,
             target_lengths, blank, bool(zero_infinity), log_probs.dtype.type(0))
    return losses, log_alpha


def ctc_loss_backward(grad, log_probs, targets, input_lengths, target_lengths, log_alpha,
                      blank, zero_infinity):
    """The gradient (T, N, C) of ctc_loss_forward's losses for their gradient grad (N,), by
    PyTorch's formula exp(lp) - exp(log(sum of alpha * beta of the class) + nll - lp) per
    frame within the input length (0 beyond, and for infinite losses with zero_infinity)."""
    log_probs = np.ascontiguousarray(log_probs)
    grad_log_probs = np.zeros(log_probs.shape, dtype=log_probs.dtype)
    log_beta = np.full(log_alpha.shape, -np.inf, dtype=log_probs.dtype)
    _backward(grad_log_probs, log_beta, np.ascontiguousarray(grad), log_probs,
              np.ascontiguousarray(targets), input_lengths, target_lengths, log_alpha, blank,
              bool(zero_infinity), log_probs.dtype.type(0))
    return grad_log_probs
