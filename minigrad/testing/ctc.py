"""A slow, obviously correct CTC reference: every path of T frames over C classes is
enumerated (C**T of them, so keep T and C tiny), collapsed (repeats merged, then blanks
dropped) and compared with the target."""
import itertools

import numpy as np


def ctc_loss_by_enumeration(log_probs, target, blank=0):
    """(loss, PyTorch's gradient (T, C)) of one sample: log_probs (T, C) float64 numpy, target
    a sequence of labels. loss = -log of the summed probability of the paths that collapse to
    target (inf where none does); the gradient is PyTorch's formula, exp(log_probs) plus the
    exact partial derivative of the loss (NaN where the loss is infinite)."""
    steps, classes = log_probs.shape
    probabilities = np.exp(log_probs)
    total = 0.0
    occupancy = np.zeros((steps, classes))  # summed probability of the fitting paths via (t, c)
    for path in itertools.product(range(classes), repeat=steps):
        labels = [c for t, c in enumerate(path) if c != blank and (t == 0 or c != path[t - 1])]
        if labels != list(target):
            continue
        p = float(np.prod([probabilities[t, c] for t, c in enumerate(path)]))
        total += p
        for t, c in enumerate(path):
            occupancy[t, c] += p
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = -np.log(total)
        gradient = probabilities - occupancy / total
    return loss, gradient
