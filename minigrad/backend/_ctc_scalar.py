"""Scalar rules of the CTC loss shared by the cpu and cuda kernels: plain Python on floats and
arrays, compiled by each backend (`numba.njit` on the cpu, `cuda.jit(device=True)` on the gpu).

They follow PyTorch's CTC (Graves et al. 2006) in the log domain. Sample b's extended target
has width 2 S + 1 for its S labels: blanks at the even positions, label s // 2 at odd s. A
path may stay, move by one, or skip a blank between two different labels. log_alpha[b, t, s]
(log_beta) is the log probability of the paths through frames 0..t (t..T_b - 1) that are at
position s at frame t, the emission at t included in both.

Every rule takes `zero`, a 0 of the data's float type, so float32 data is computed in float32
(numba types a bare float literal as float64). A backend compiles them all with `compiled`,
which lets the rules call one another.
"""
import math
import types

import numpy as np

# float32 constants: numba types them as float32 (np.inf itself is a float64)
INF, NEG_INF = np.float32(np.inf), np.float32(-np.inf)


def extended_label(targets, b, s, blank):
    """The class at position s of sample b's blank-extended target (targets (N, S) padded)."""
    if s % 2 == 0:
        return blank
    return targets[b, s // 2]


def log_sum3(a, b, c, zero):
    """log(exp(a) + exp(b) + exp(c)), -inf when all three are (PyTorch's order of work)."""
    top = a
    if b > top:
        top = b
    if c > top:
        top = c
    if top == zero + NEG_INF:
        return top  # log(0): PyTorch's shift by 0 gives it too (and Python's log refuses 0)
    return math.log(math.exp(a - top) + math.exp(b - top) + math.exp(c - top)) + top


def log_add(total, value, zero):
    """log(exp(total) + exp(value)), taking `value` as is while `total` is -inf (PyTorch's
    accumulation of alpha * beta per class)."""
    if total == zero + NEG_INF:
        return value
    top = total if total > value else value
    return math.log(math.exp(total - top) + math.exp(value - top)) + top


def alpha_at(log_alpha, log_probs, targets, b, t, s, target_length, blank, zero):
    """log_alpha[b, t, s] from frame t - 1 of log_alpha (frame 0 starts the recursion)."""
    neg_inf = zero + NEG_INF
    label = extended_label(targets, b, s, blank)
    if t == 0:
        if s == 0 or (s == 1 and target_length > 0):
            return log_probs[0, b, label]
        return neg_inf
    stay = log_alpha[b, t - 1, s]
    step = log_alpha[b, t - 1, s - 1] if s > 0 else neg_inf
    skip = neg_inf
    if s > 1 and extended_label(targets, b, s - 2, blank) != label:
        skip = log_alpha[b, t - 1, s - 2]
    return log_sum3(stay, step, skip, zero) + log_probs[t, b, label]


def beta_at(log_beta, log_probs, targets, b, t, s, input_length, target_length, blank, zero):
    """log_beta[b, t, s] from frame t + 1 of log_beta (the last frame starts the recursion)."""
    neg_inf = zero + NEG_INF
    width = 2 * target_length + 1
    label = extended_label(targets, b, s, blank)
    if t == input_length - 1:
        if s == width - 1 or (s == width - 2 and target_length > 0):
            return log_probs[t, b, label]
        return neg_inf
    stay = log_beta[b, t + 1, s]
    step = log_beta[b, t + 1, s + 1] if s + 1 < width else neg_inf
    skip = neg_inf
    if s + 2 < width and extended_label(targets, b, s + 2, blank) != label:
        skip = log_beta[b, t + 1, s + 2]
    return log_sum3(stay, step, skip, zero) + log_probs[t, b, label]


def negative_log_likelihood(log_alpha, b, input_length, target_length, zero):
    """-log p(target | input) of sample b from its finished log_alpha: 0 or inf for an input of
    no frames (an empty target has probability 1 then, any other 0)."""
    if input_length == 0:
        return zero if target_length == 0 else zero + INF
    last = log_alpha[b, input_length - 1, 2 * target_length]
    if target_length == 0:
        return -last
    return -log_sum3(last, log_alpha[b, input_length - 1, 2 * target_length - 1],
                     zero + NEG_INF, zero)


RULES = ("extended_label", "log_sum3", "log_add", "alpha_at", "beta_at",
         "negative_log_likelihood")


def compiled(jit):
    """The rules compiled by `jit` (`numba.njit(...)` or `cuda.jit(device=True)`), as a
    namespace: each is a copy of the rule whose global names of other rules resolve to their
    compiled copies (a jitted function can call only jitted functions)."""
    namespace = dict(globals())
    for name in RULES:
        rule = globals()[name]
        namespace[name] = jit(types.FunctionType(rule.__code__, namespace, name,
                                                 rule.__defaults__, rule.__closure__))
    return types.SimpleNamespace(**{name: namespace[name] for name in RULES})
