"""The benchmark cases: each builds one runner per library over the same float32 inputs.

A runner is a zero-argument callable doing the whole measured work (forward and, where the
case says so, backward) and returning the output followed by the gradients, so that the
results of the libraries can be compared with each other before they are timed.
"""
import numpy as np

import _reference as ref
from _common import Target

try:
    import torch
except ImportError:
    torch = None

LIBRARIES = ("minigrad", "torch", "numpy")


class Case:
    """A named workload: `make_inputs()` gives numpy arrays, `builders[lib](arrays)` a runner."""

    def __init__(self, key, title, target, make_inputs, builders):
        self.key, self.title, self.target = key, title, target
        self.make_inputs, self.builders = make_inputs, builders

    def runners(self):
        """(dict library -> runner, dict library -> why it cannot run) for this machine.

        PyTorch is left out silently when it is not installed; any other library whose runner
        cannot be built (an op missing or failing) is reported with the error.
        """
        arrays = self.make_inputs()
        runners, failures = {}, {}
        for lib in LIBRARIES:
            if lib == "torch" and torch is None:
                continue
            try:
                runners[lib] = self.builders[lib](arrays)
            except Exception as err:  # reported in the table's notes, the other cases go on
                failures[lib] = f"{type(err).__name__}: {err}"
        return runners, failures


def _random(rng, shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _minigrad_leaves(arrays):
    import minigrad
    return [minigrad.tensor(a, requires_grad=True) for a in arrays]


def _torch_leaves(arrays):
    return [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]


def _differentiated(forward, leaves, grad_out, grad):
    """A runner computing forward(*leaves) and the gradients of all leaves for grad_out."""
    def run():
        out = forward(*leaves)
        return [out, *grad(out, leaves, grad_out)]
    return run


def _minigrad_runner(forward_name, **kwargs):
    """A builder for a minigrad.nn.functional op, differentiated w.r.t. all array inputs."""
    def build(arrays):
        import minigrad
        import minigrad.nn.functional as F
        op = getattr(F, forward_name)
        leaves, grad_out = _minigrad_leaves(arrays[:-1]), minigrad.tensor(arrays[-1])
        return _differentiated(lambda *a: op(*a, **kwargs), leaves, grad_out,
                               lambda out, ins, g: minigrad.grad(out, ins, grad_outputs=g))
    return build


def _torch_runner(forward_name, **kwargs):
    def build(arrays):
        op = getattr(torch.nn.functional, forward_name)
        leaves, grad_out = _torch_leaves(arrays[:-1]), torch.from_numpy(arrays[-1])
        return _differentiated(lambda *a: op(*a, **kwargs), leaves, grad_out,
                               lambda out, ins, g: torch.autograd.grad(out, ins, g))
    return build


def _numpy_runner(function, **kwargs):
    def build(arrays):
        return lambda: list(function(*arrays, **kwargs))
    return build


def _conv_case(key, n, c, o, hw, k, stride=1, padding=0, groups=1):
    def make_inputs():
        rng = np.random.default_rng(0)
        fan_in = c // groups * k * k
        out_hw = (hw + 2 * padding - k) // stride + 1
        return [_random(rng, (n, c, hw, hw)), _random(rng, (o, c // groups, k, k),
                                                      fan_in ** -0.5),
                _random(rng, (o,)), _random(rng, (n, o, out_hw, out_hw))]
    options = dict(stride=stride, padding=padding, groups=groups)
    kind = "depthwise " if groups == c and groups > 1 else ""
    title = (f"conv2d {kind}{k}x{k} s{stride} p{padding} {c}->{o}, {hw}x{hw}, N={n} "
             f"(fwd+bwd)")
    return Case(key, title, Target.time_ratio("torch", 1.5), make_inputs, {
        "minigrad": _minigrad_runner("conv2d", **options),
        "torch": _torch_runner("conv2d", **options),
        "numpy": _numpy_runner(ref.conv2d_forward_backward, **options)})


def _pool_case(key, name, reference, n=64, c=64, hw=28):
    def make_inputs():
        rng = np.random.default_rng(0)
        return [_random(rng, (n, c, hw, hw)), _random(rng, (n, c, hw // 2, hw // 2))]
    return Case(key, f"{name} 2x2, C={c}, {hw}x{hw}, N={n} (fwd+bwd)",
                Target.time_ratio("torch", 1.5), make_inputs,
                {"minigrad": _minigrad_runner(name, kernel_size=2),
                 "torch": _torch_runner(name, kernel_size=2),
                 "numpy": _numpy_runner(reference)})


def _matmul_case(size=1024):
    def make_inputs():
        rng = np.random.default_rng(0)
        return [_random(rng, (size, size)), _random(rng, (size, size))]

    def build_minigrad(arrays):
        import minigrad
        a, b = (minigrad.tensor(x) for x in arrays)
        return lambda: [a @ b]

    def build_torch(arrays):
        a, b = (torch.from_numpy(x) for x in arrays)
        return lambda: [a @ b]

    def build_numpy(arrays):
        a, b = arrays
        return lambda: [a @ b]
    return Case("matmul", f"matmul {size}x{size} @ {size}x{size} (fwd)",
                Target.time_ratio("numpy", 1.1), make_inputs,
                {"minigrad": build_minigrad, "torch": build_torch, "numpy": build_numpy})


def _linear_case(batch=128, in_features=400, out_features=120):
    def make_inputs():
        rng = np.random.default_rng(0)
        return [_random(rng, (batch, in_features)),
                _random(rng, (out_features, in_features), in_features ** -0.5),
                _random(rng, (out_features,)), _random(rng, (batch, out_features))]
    return Case("linear", f"linear {in_features}->{out_features}, batch {batch} (fwd+bwd)",
                Target.time_ratio("torch", 1.5), make_inputs, {
                    "minigrad": _minigrad_runner("linear"),
                    "torch": _torch_runner("linear"),
                    "numpy": _numpy_runner(ref.linear_forward_backward)})


CASES = [
    _conv_case("conv3x3", n=64, c=32, o=64, hw=28, k=3, padding=1),
    _conv_case("conv3x3_deep", n=32, c=64, o=128, hw=14, k=3, padding=1),
    _conv_case("conv_depthwise", n=64, c=64, o=64, hw=28, k=3, padding=1, groups=64),
    _conv_case("conv1x1", n=64, c=64, o=128, hw=28, k=1),
    _conv_case("conv_stride2", n=64, c=32, o=64, hw=28, k=3, stride=2, padding=1),
    _pool_case("max_pool2d", "max_pool2d", ref.max_pool2d_2x2_forward_backward),
    _pool_case("avg_pool2d", "avg_pool2d", ref.avg_pool2d_2x2_forward_backward),
    _matmul_case(),
    _linear_case(),
]


def _as_numpy(value):
    if isinstance(value, np.ndarray):
        return value
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().numpy()
    return value.numpy()


def mismatch(results, reference, rtol=1e-3):
    """None if `results` (a runner's return) matches `reference` elementwise, else a message.

    The tolerance is relative to each array's largest magnitude: float32 sums of hundreds of
    terms agree to about 1e-6 of that, so 1e-3 only flags real errors.
    """
    if len(results) != len(reference):
        return f"returned {len(results)} arrays, expected {len(reference)}"
    names = ["output"] + [f"gradient {i}" for i in range(len(reference) - 1)]
    for name, got, want in zip(names, results, reference):
        got, want = _as_numpy(got), np.asarray(want)
        if got.shape != want.shape:
            return f"{name} has shape {got.shape}, expected {want.shape}"
        scale = max(float(np.abs(want).max(initial=0.0)), 1e-6)
        error = float(np.abs(got.astype(np.float64) - want).max(initial=0.0))
        if error > rtol * scale:
            return f"{name} differs by {error:.3g} (largest value {scale:.3g})"
    return None
