"""The layers family's functional ops (further activations, special functions, normalisation,
embedding, attention, recurrent cells, folding, resampling and padding) on device="cuda":
values and every input's gradient against the same op on the cpu, float64, tiny shapes; and a
gradcheck on the device for a few of them."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F

rng = np.random.default_rng(11)
X = rng.standard_normal((3, 4))
IMAGES = rng.standard_normal((2, 3, 2, 3))
UNIT = rng.uniform(-0.9, 0.9, (3, 4))

# name -> (function of the float leaves, leaf values, constant arrays passed after them)
CASES = {
    "silu": (F.silu, [X], []),
    "hardswish": (F.hardswish, [X * 3], []),
    "hardsigmoid": (F.hardsigmoid, [X * 3], []),
    "mish": (F.mish, [X], []),
    "selu": (F.selu, [X], []),
    "celu": (lambda x: F.celu(x, 0.5), [X], []),
    "logsigmoid": (F.logsigmoid, [X], []),
    "softsign": (F.softsign, [X], []),
    "glu": (lambda x: F.glu(x, 1), [X], []),
    "prelu": (F.prelu, [IMAGES, rng.random(3)], []),
    "threshold": (lambda x: F.threshold(x, 0.1, -1.0), [X], []),
    "hardshrink": (lambda x: F.hardshrink(x, 0.3), [X], []),
    "softshrink": (lambda x: F.softshrink(x, 0.3), [X], []),
    "tanhshrink": (F.tanhshrink, [X], []),
    "softmin": (lambda x: F.softmin(x, 1), [X], []),
    "erfc": (minigrad.erfc, [X * 3], []),
    "erfinv": (minigrad.erfinv, [UNIT], []),
}


def _run(case, device):
    fn, leaves, constants = CASES[case]
    tensors = [minigrad.tensor(a, dtype=minigrad.float64, device=device, requires_grad=True)
               for a in leaves]
    fixed = [minigrad.tensor(c, device=device) for c in constants]
    out = fn(*tensors, *fixed)
    outs = out if isinstance(out, tuple) else (out,)
    total = 0
    for k, o in enumerate(outs):
        weights = np.linspace(-1.0, 1.0 + k, o.numel()).reshape(tuple(o.shape))
        total = total + (o * minigrad.tensor(weights, dtype=o.dtype, device=device)).sum()
    total.backward()
    return outs, [t.grad for t in tensors]


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_the_cpu(case):
    outs, grads = _run(case, "cuda")
    expected, expected_grads = _run(case, "cpu")
    assert all(o.device.type == "cuda" for o in outs)
    assert all(g.device.type == "cuda" for g in grads)
    for out, exp in zip(outs, expected):
        np.testing.assert_allclose(out.numpy(), exp.numpy(), rtol=1e-10, atol=1e-12)
    for grad, expected_grad in zip(grads, expected_grads):
        np.testing.assert_allclose(grad.numpy(), expected_grad.numpy(), rtol=1e-10,
                                   atol=1e-12)


@pytest.mark.parametrize("case", ["erfinv", "prelu"])
def test_gradcheck_on_the_device(case):
    fn, leaves, constants = CASES[case]
    tensors = [minigrad.tensor(a, dtype=minigrad.float64, device="cuda", requires_grad=True)
               for a in leaves]
    fixed = [minigrad.tensor(c, device="cuda") for c in constants]
    assert minigrad.gradcheck(lambda *t: fn(*t, *fixed), tensors)
