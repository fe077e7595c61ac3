"""The strong-Wolfe line search LBFGS uses (`line_search_fn="strong_wolfe"`), with PyTorch's
bracketing and cubic-interpolation rules, so LBFGS runs take the same steps as PyTorch's.

Directions and gradients are flat Tensors; step sizes, losses and directional derivatives are
Python floats.
"""
import math


def dot(a, b):
    """The dot product of two flat tensors, as a Python float."""
    return float((a * b).sum().item())


def cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser, clipped to `bounds` (default: between x1 and x2), of the cubic through
    (x1, f1) and (x2, f2) with slopes g1 and g2; the middle of the bounds if it has none."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        position = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        position = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(position, lo), hi)


class _Point:
    """A trial step: its size t, loss f, flat gradient g and directional derivative gtd."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                 max_ls=25):
    """Search along direction `d` from the current point (loss `f`, flat gradient `g`,
    directional derivative `gtd`), starting with step `t`, for a step meeting the strong
    Wolfe conditions. `evaluate(t)` returns (loss, flat gradient) at step t.

    Returns (loss, flat gradient, step, number of evaluations).
    """
    d_norm = float(d.abs().max().item())
    start = _Point(0, f, g, gtd)
    f_new, g_new = evaluate(t)
    evaluations = 1
    new = _Point(t, f_new, g_new, dot(g_new, d))
    prev = start
    bracket, found, iteration = None, False, 0
    # Phase 1: grow the step until the minimum is bracketed (or the conditions already hold).
    while iteration < max_ls:
        if new.f > f + c1 * new.t * gtd or (iteration > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket, found = [new], True
            break
        if new.gtd >= 0:
            bracket = [prev, new]
            break
        step = cubic_minimum(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd,
                             bounds=(new.t + 0.01 * (new.t - prev.t), new.t * 10))
        prev = new
        f_new, g_new = evaluate(step)
        evaluations += 1
        new = _Point(step, f_new, g_new, dot(g_new, d))
        iteration += 1
    if iteration == max_ls:
        bracket = [_Point(0, f, g, None), new]
    # Phase 2: shrink the bracket by cubic interpolation until the conditions hold.
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    no_progress = False
    while not found and iteration < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        a, b = bracket
        step = cubic_minimum(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        top, bottom = max(a.t, b.t), min(a.t, b.t)
        margin = 0.1 * (top - bottom)
        if min(top - step, step - bottom) < margin:
            # too close to an end of the bracket: move inside it if the last try was too
            if no_progress or step >= top or step <= bottom:
                step = top - margin if abs(step - top) < abs(step - bottom) else bottom + margin
                no_progress = False
            else:
                no_progress = True
        else:
            no_progress = False
        f_new, g_new = evaluate(step)
        evaluations += 1
        iteration += 1
        new = _Point(step, f_new, g_new, dot(g_new, d))
        if new.f > f + c1 * step * gtd or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(new.gtd) <= -c2 * gtd:
                found = True
            elif new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evaluations
