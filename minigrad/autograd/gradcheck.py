"""`gradcheck` / `gradgradcheck`: compare analytical gradients with central differences.

For every input that requires grad and every element of it, the numerical Jacobian column
(f(x + eps e_i) - f(x - eps e_i)) / 2 eps is compared with the Jacobian the backward pass gives.
`fast_mode` compares one random projection v^T J u per input instead, so large inputs stay cheap.
"""
import numpy as np

from .. import dtypes
from ..creation import tensor
from ..tensor import Tensor
from .api import grad as autograd_grad

FLOAT32_EPS, FLOAT32_ATOL, FLOAT32_RTOL = 1e-3, 1e-3, 1e-2


class GradcheckError(RuntimeError):
    """An analytical gradient disagrees with the numerical one."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_outputs(outputs):
    return [o for o in outputs if o.dtype.is_floating_point]


def _evaluate(fn, inputs):
    """fn(*inputs) as a list of float64 numpy arrays, one per floating point output.

    Recording stays on: fn may itself differentiate (as gradgradcheck's function does).
    """
    outs = _as_tuple(fn(*inputs))
    return [o.numpy().astype(np.float64) for o in _differentiable_outputs(outs)]


def _perturbed(inputs, which, flat_index, delta):
    """`inputs` with element `flat_index` of input `which` moved by `delta`, and the value that
    element actually holds (rounded to the input's dtype)."""
    source = inputs[which]
    values = np.array(source.numpy(), order="C")  # so reshape(-1) is a view we can write
    flat = values.reshape(-1)
    flat[flat_index] += delta
    moved = list(inputs)
    moved[which] = Tensor._wrap(source._backend.from_numpy(values, values.dtype), source.device,
                                source._backend).requires_grad_(source.requires_grad)
    return moved, float(flat[flat_index])


def _numerical_jacobians(fn, inputs, wrt, outputs, eps):
    """For each index in `wrt`: a list (per output) of arrays of shape (n_in, n_out)."""
    result = []
    for i in wrt:
        n_in = inputs[i].numel()
        cols = [np.zeros((0, o.numel())) for o in outputs]  # replaced unless n_in == 0
        for k in range(n_in):
            moved_up, hi = _perturbed(inputs, i, k, eps)
            moved_down, lo = _perturbed(inputs, i, k, -eps)
            plus, minus = _evaluate(fn, moved_up), _evaluate(fn, moved_down)
            if k == 0:
                cols = [np.zeros((n_in, p.size)) for p in plus]
            for o, (p, m) in enumerate(zip(plus, minus)):
                # Divide by the step actually taken: in float32 it differs from 2 * eps.
                cols[o][k] = ((p - m) / (hi - lo)).reshape(-1)
        result.append(cols)
    return result


def _analytical_jacobians(outputs, inputs, wrt):
    """For each output: a list (per index in `wrt`) of arrays (n_in, n_out) from backward."""
    per_output = []
    for out in outputs:
        mats = [np.zeros((inputs[i].numel(), out.numel())) for i in wrt]
        for j in range(out.numel()):
            one_hot = np.zeros(out.numel())
            one_hot[j] = 1.0
            seed = tensor(one_hot.reshape(tuple(out.shape)), dtype=out.dtype, device=out.device)
            grads = autograd_grad(out, [inputs[i] for i in wrt], grad_outputs=seed,
                                  retain_graph=True, allow_unused=True) if out.requires_grad \
                else [None] * len(wrt)
            for m, g in zip(mats, grads):
                if g is not None:
                    m[:, j] = g.numpy().astype(np.float64).reshape(-1)
        per_output.append(mats)
    return per_output


def _tolerances(inputs, wrt, eps, atol, rtol):
    if any(inputs[i].dtype is dtypes.float32 for i in wrt):
        return max(eps, FLOAT32_EPS), max(atol, FLOAT32_ATOL), max(rtol, FLOAT32_RTOL)
    return eps, atol, rtol


def _check_inputs(inputs):
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad; create inputs with "
                         "requires_grad=True (in float64)")
    return wrt


def _mismatches(analytical, numerical, atol, rtol):
    """Where |analytical - numerical| > atol + rtol * |numerical|; NaN counts as a mismatch."""
    return ~(np.abs(analytical - numerical) <= atol + rtol * np.abs(numerical))


def _element_report(inputs, outputs, i, o, k, j, num, ana, atol, rtol):
    elem = tuple(int(e) for e in np.unravel_index(k, tuple(inputs[i].shape)))
    out_elem = tuple(int(e) for e in np.unravel_index(j, tuple(outputs[o].shape)))
    return (f"Jacobian mismatch for output {o} with respect to input {i}, at input element "
            f"{elem} and output element {out_elem}: numerical {num:.8g}, analytical "
            f"{ana:.8g}, difference {abs(ana - num):.3g} exceeds atol + rtol * |numerical| = "
            f"{atol + rtol * abs(num):.3g}")


def _full_check(fn, inputs, wrt, outputs, eps, atol, rtol):
    """The first failing Jacobian entry as a message, or None when all entries agree."""
    numerical = _numerical_jacobians(fn, inputs, wrt, outputs, eps)
    analytical = _analytical_jacobians(outputs, inputs, wrt)
    for o in range(len(outputs)):
        for w, i in enumerate(wrt):
            num, ana = numerical[w][o], analytical[o][w]
            bad = _mismatches(ana, num, atol, rtol)
            if bad.any():
                k, j = np.argwhere(bad)[0]
                return (_element_report(inputs, outputs, i, o, k, j, num[k, j], ana[k, j], atol,
                                        rtol) + f" ({int(bad.sum())} of {bad.size} entries "
                        "disagree)")
    return None


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              fast_mode=False):
    """Check the gradients of `fn(*inputs)` against central differences.

    Checks every element of every input with requires_grad=True against every element of every
    floating point output. An entry passes when |analytical - numerical| <= atol + rtol *
    |numerical| (NaN never passes). Use float64 inputs: if any checked input is float32, the
    step becomes at least 1e-3, atol at least 1e-3 and rtol at least 1e-2, since float32
    differences with a tiny step are mostly rounding noise.

    `fast_mode=True` compares one random projection v^T J u per input (two evaluations of `fn`
    and one backward pass instead of one per element); when it finds a mismatch it runs the full
    check on that input to name the failing element.

    On failure raises GradcheckError naming the input index, the element, both values and their
    difference (or returns False when `raise_exception=False`); returns True on success.
    """
    inputs = _as_tuple(inputs)
    wrt = _check_inputs(inputs)
    eps, atol, rtol = _tolerances(inputs, wrt, eps, atol, rtol)
    outputs = _differentiable_outputs(_as_tuple(fn(*inputs)))
    if not outputs:
        raise ValueError("gradcheck: fn returned no floating point output to check")
    if fast_mode:
        message = _fast_check(fn, inputs, wrt, outputs, eps, atol, rtol)
    else:
        message = _full_check(fn, inputs, wrt, outputs, eps, atol, rtol)
    if message is None:
        return True
    if raise_exception:
        raise GradcheckError(message)
    return False


def _fast_check(fn, inputs, wrt, outputs, eps, atol, rtol):
    """Compare v^T J u per input for random v, u; a message for the first mismatch, or None."""
    rng = np.random.default_rng(0)
    vs = [rng.standard_normal(tuple(o.shape)) for o in outputs]
    grads = [None] * len(wrt)
    for out, v in zip(outputs, vs):
        if not out.requires_grad:
            continue
        seed = tensor(v, dtype=out.dtype, device=out.device)
        gs = autograd_grad(out, [inputs[i] for i in wrt], grad_outputs=seed, retain_graph=True,
                           allow_unused=True)
        grads = [a if b is None else (b if a is None else a + b) for a, b in
                 zip(grads, [None if g is None else g.numpy().astype(np.float64) for g in gs])]
    for w, i in enumerate(wrt):
        u = rng.standard_normal(tuple(inputs[i].shape))
        moved = list(inputs)
        results, ends = [], []
        for sign in (1, -1):
            values = inputs[i].numpy().astype(np.float64) + sign * eps * u
            moved[i] = tensor(values, dtype=inputs[i].dtype, device=inputs[i].device,
                              requires_grad=True)
            ends.append(moved[i].numpy().astype(np.float64))
            results.append(_evaluate(fn, moved))
        # The direction actually taken: in float32 the moved values are rounded.
        u = (ends[0] - ends[1]) / (2 * eps)
        analytical = 0.0 if grads[w] is None else float(np.sum(grads[w] * u))
        numerical = sum(float(np.sum((p - m) / (2 * eps) * v))
                        for p, m, v in zip(results[0], results[1], vs))
        if _mismatches(np.float64(analytical), np.float64(numerical), atol, rtol):
            detail = _full_check(fn, inputs, [i], outputs, eps, atol, rtol)
            return (f"fast gradcheck: the projection v^T J u for input {i} disagrees: numerical "
                    f"{numerical:.8g}, analytical {analytical:.8g}, difference "
                    f"{abs(analytical - numerical):.3g} exceeds "
                    f"{atol + rtol * abs(numerical):.3g}. "
                    + (detail if detail is not None else
                       "The full check of that input passes entry by entry: the mismatch is "
                       "within the tolerance per entry."))
    return None


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, fast_mode=False):
    """Check second derivatives: gradcheck of (inputs, v) -> d(v . fn(inputs))/d(inputs).

    The first derivatives are taken with create_graph=True, so this catches a backward that is
    right but not itself correctly differentiable (computed off the graph, or through a
    Function whose own backward is wrong). `grad_outputs` (the v, one per output that requires
    grad) default to fixed random values; they are checked as inputs too. Tolerances, the
    float32 rule, `fast_mode` and the failure report are those of `gradcheck`.
    """
    inputs = _as_tuple(inputs)
    wrt = _check_inputs(inputs)
    outputs = [o for o in _differentiable_outputs(_as_tuple(fn(*inputs))) if o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype,
                                    device=o.device, requires_grad=True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivatives(*args):
        xs, vs = args[:n], args[n:]
        outs = [o for o in _differentiable_outputs(_as_tuple(fn(*xs))) if o.requires_grad]
        grads = autograd_grad(outs, [xs[i] for i in wrt], grad_outputs=vs, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, fast_mode=fast_mode)
