"""L-BFGS: quasi-Newton steps from a short history of gradient changes, with PyTorch's
iteration, stopping rules and (optionally) strong-Wolfe line search."""
import numbers

from ..autograd.grad_mode import enable_grad, no_grad
from ..creation import zeros
from ..errors import InvalidArgumentError
from ..functions import cat
from .hyperparameters import check_non_negative
from .line_search import dot, strong_wolfe
from .optimizer import Optimizer


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"LBFGS: {name} must be a positive int, got {value!r}")


class LBFGS(Optimizer):
    """`LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None)`, PyTorch's algorithm.

    `step(closure)` needs a closure that clears the gradients, computes the loss, calls
    backward and returns the loss; it runs up to `max_iter` iterations (and `max_eval`
    closure calls, default max_iter * 5 // 4). Each iteration builds a direction from the
    last `history_size` (step, gradient change) pairs and moves along it by `lr`, or by the
    step a strong-Wolfe line search finds (`line_search_fn="strong_wolfe"`). Stops early when
    the largest gradient entry is at most `tolerance_grad` or a step changes the parameters or
    the loss by less than `tolerance_change`. Only one parameter group is supported, as in
    PyTorch. Its state lives under the first parameter: "func_evals", "n_iter", "d", "t",
    "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss" (and "al").
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None and isinstance(max_iter, numbers.Integral):
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _check_hyperparameters(self, group):
        check_non_negative("lr", group["lr"], "learning rate")
        _check_positive_int("max_iter", group["max_iter"])
        _check_positive_int("max_eval", group["max_eval"])
        _check_positive_int("history_size", group["history_size"])
        check_non_negative("tolerance_grad", group["tolerance_grad"])
        check_non_negative("tolerance_change", group["tolerance_change"])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            # torch raises RuntimeError at the first step; this says so at once, in a class
            # that code catching either ValueError or torch's RuntimeError catches
            raise InvalidArgumentError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', "
                                       f"got {group['line_search_fn']!r}")

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # ---- the parameters as one flat vector ------------------------------------------------
    def _flat_grad(self):
        return cat([zeros(p.numel(), dtype=p.dtype, device=p.device) if p.grad is None
                    else p.grad.reshape(-1) for p in self._params])

    def _move(self, step, direction):
        """params += step * direction (direction flat, in parameter order)."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(direction[offset:offset + n].reshape(p.shape), alpha=step)
            offset += n

    def _evaluate(self, closure):
        with enable_grad():
            return closure()

    def step(self, closure):
        """Run up to max_iter L-BFGS iterations; returns the loss of the first closure call."""
        if closure is None:
            raise ValueError("LBFGS.step needs a closure that recomputes the loss (and calls "
                             "backward), e.g. opt.step(lambda: train_step())")
        group = self.param_groups[0]
        self._check_hyperparameters(group)
        with no_grad():
            return self._run(closure, group)

    def _run(self, closure, group):
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss = self._evaluate(closure)
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if float(flat_grad.abs().max().item()) <= tolerance_grad:
            return first_loss
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
            else:
                d, h_diag = self._direction(state, flat_grad, prev_flat_grad, d, t,
                                            old_dirs, old_stps, ro, h_diag, group)
            prev_flat_grad = flat_grad.clone()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(flat_grad.abs().sum().item())) * lr
            else:
                t = lr
            gtd = dot(flat_grad, d)
            if gtd > -tolerance_change:  # not a descent direction any more
                break
            step_evals = 0
            if group["line_search_fn"] == "strong_wolfe":
                start = [p.clone() for p in self._params]

                def evaluate(step):
                    self._move(step, d)
                    value = float(self._evaluate(closure))
                    grad = self._flat_grad()
                    for p, saved in zip(self._params, start):
                        p.copy_(saved)
                    return value, grad
                loss, flat_grad, t, step_evals = strong_wolfe(
                    evaluate, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._move(t, d)
                converged = float(flat_grad.abs().max().item()) <= tolerance_grad
            else:
                self._move(t, d)
                converged = False
                if iteration != max_iter:
                    loss = float(self._evaluate(closure))
                    flat_grad = self._flat_grad()
                    converged = float(flat_grad.abs().max().item()) <= tolerance_grad
                    step_evals = 1
            evals += step_evals
            state["func_evals"] += step_evals
            if iteration == max_iter or evals >= max_eval or converged:
                break
            if float((d * t).abs().max().item()) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return first_loss

    def _direction(self, state, flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro,
                   h_diag, group):
        """The next search direction by the two-loop recursion; updates the history lists in
        place (a pair enters only if its curvature y.s is positive). Returns (d, H_diag)."""
        y = flat_grad - prev_flat_grad
        s = d * t
        ys = dot(y, s)
        if ys > 1e-10:
            if len(old_dirs) == group["history_size"]:
                for history in (old_dirs, old_stps, ro):
                    history.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            h_diag = ys / dot(y, y)
        if "al" not in state:
            state["al"] = [None] * group["history_size"]
        al = state["al"]
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = dot(old_stps[i], q) * ro[i]
            q = q - old_dirs[i] * al[i]
        r = q * h_diag
        for i in range(len(old_dirs)):
            be_i = dot(old_dirs[i], r) * ro[i]
            r = r + old_stps[i] * (al[i] - be_i)
        return r, h_diag
