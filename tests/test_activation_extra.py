"""The further activations (silu ... softmin), erfc and erfinv: values and gradients against
PyTorch on hypothesis-drawn shapes and layouts, gradcheck and gradgradcheck in float64, the
modules (reprs, state_dict keys, train/eval), in-place forms, Tensor methods, and errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import shapes, tensors

from layer_checks import assert_matches_torch, finite_differences_add_coverage

# these run once per mode or activation: half the profile's examples each keeps the file
# within seconds
HALF = settings(max_examples=max(3, settings().max_examples // 2))

# name -> (minigrad function, torch function of (torch, tensor), kinks of the derivative)
ACTIVATIONS = {
    "silu": (F.silu, lambda tc, t: tc.nn.functional.silu(t), ()),
    "hardswish": (F.hardswish, lambda tc, t: tc.nn.functional.hardswish(t), (-3.0, 3.0)),
    "hardsigmoid": (F.hardsigmoid, lambda tc, t: tc.nn.functional.hardsigmoid(t), (-3.0, 3.0)),
    "mish": (F.mish, lambda tc, t: tc.nn.functional.mish(t), ()),
    "selu": (F.selu, lambda tc, t: tc.nn.functional.selu(t), (0.0,)),
    "celu": (lambda x: F.celu(x, 0.7), lambda tc, t: tc.nn.functional.celu(t, 0.7), (0.0,)),
    "logsigmoid": (F.logsigmoid, lambda tc, t: tc.nn.functional.logsigmoid(t), ()),
    "softsign": (F.softsign, lambda tc, t: tc.nn.functional.softsign(t), (0.0,)),
    "softplus": (lambda x: F.softplus(x, beta=0.5, threshold=1.0),
                 lambda tc, t: tc.nn.functional.softplus(t, beta=0.5, threshold=1.0), (2.0,)),
    "threshold": (lambda x: F.threshold(x, 0.3, -2.0),
                  lambda tc, t: tc.nn.functional.threshold(t, 0.3, -2.0), (0.3,)),
    "hardshrink": (lambda x: F.hardshrink(x, 0.4),
                   lambda tc, t: tc.nn.functional.hardshrink(t, 0.4), (-0.4, 0.4)),
    "softshrink": (F.softshrink, lambda tc, t: tc.nn.functional.softshrink(t), (-0.5, 0.5)),
    "tanhshrink": (F.tanhshrink, lambda tc, t: tc.nn.functional.tanhshrink(t), ()),
    "rrelu_eval": (F.rrelu, lambda tc, t: tc.nn.functional.rrelu(t), (0.0,)),
    "softmin": (lambda x: F.softmin(x, dim=-1), lambda tc, t: tc.nn.functional.softmin(t, -1),
                ()),
    "erf": (minigrad.erf, lambda tc, t: tc.erf(t), ()),
    "erfc": (minigrad.erfc, lambda tc, t: tc.erfc(t), ()),
    "tensor_softmax": (lambda x: x.softmax(0), lambda tc, t: t.softmax(0), ()),
    "tensor_log_softmax": (lambda x: x.log_softmax(-1), lambda tc, t: t.log_softmax(-1), ()),
}
SMALL = shapes(min_dims=1, max_dims=3, max_side=4)
# torch's celu, hardsigmoid and hardswish backward passes use single-precision constants
# (1 / alpha, 1 / 6): their float64 gradients are off by about 3e-8 relative, and celu's by
# |x / alpha| times that (its constant sits in an exponent): 1.6e-7 at x = -6, alpha = 0.7
GRAD_RTOL = {"celu": 3e-7, "hardsigmoid": 1e-7, "hardswish": 1e-7}


@HALF
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
@given(data=st.data())
def test_values_and_gradients_match_torch(device, name, dtype, data):
    fn, torch_fn, kinks = ACTIVATIONS[name]
    x = data.draw(tensors(SMALL, dtype=dtype, device=device, min_value=-6, max_value=6,
                          away_from=kinks, margin=1e-3))
    tol = 3e-6 if dtype is minigrad.float32 else 1e-12
    torch = pytest.importorskip("torch")
    assert_matches_torch(fn, lambda t: torch_fn(torch, t), [x], rtol=tol, atol=tol,
                         grad_rtol=max(10 * tol, GRAD_RTOL.get(name, 0)))
    assert fn(x).dtype is dtype


@HALF
@pytest.mark.cpu_suffices  # on cuda, test_matches_torch compares the gradients with torch's
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(data=st.data())
def test_gradcheck_and_gradgradcheck(device, name, data):
    fn, _, kinks = ACTIVATIONS[name]
    x = data.draw(tensors(SMALL, device=device, min_value=-3, max_value=3, away_from=kinks,
                          margin=0.05))
    assert minigrad.gradcheck(fn, (x,))
    assert minigrad.gradgradcheck(fn, (x,))


@given(data=st.data(), dim=st.integers(-2, 1))
def test_glu_matches_torch_and_gradchecks(device, data, dim):
    shape = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    shape = tuple(2 * n if d == dim % 2 else n for d, n in enumerate(shape))
    x = data.draw(tensors(st.just(shape), device=device))
    torch = pytest.importorskip("torch")
    assert_matches_torch(lambda t: F.glu(t, dim), lambda t: torch.nn.functional.glu(t, dim),
                         [x], rtol=1e-12, atol=1e-12)
    if finite_differences_add_coverage(device):
        assert minigrad.gradgradcheck(lambda t: F.glu(t, dim), (x,))


@pytest.mark.parametrize("shape,count", [((3,), 1), ((2, 3), 3), ((2, 3, 2), 3),
                                         ((2, 3, 2, 2), 1), ((), 1)])
def test_prelu_matches_torch_in_both_arguments(device, shape, count):
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)
    w = minigrad.tensor(rng.random(count), device=device, requires_grad=True)
    torch = pytest.importorskip("torch")
    assert_matches_torch(F.prelu, torch.nn.functional.prelu, [x, w], rtol=1e-12, atol=1e-12)
    assert_matches_torch(lambda a, b: a.prelu(b), lambda a, b: a.prelu(b), [x, w],
                         rtol=1e-12, atol=1e-12)
    if finite_differences_add_coverage(device):
        assert minigrad.gradcheck(F.prelu, (x, w))
        assert minigrad.gradgradcheck(F.prelu, (x, w))


def test_prelu_rejects_a_weight_of_the_wrong_size():
    with pytest.raises(ValueError, match="one per channel"):
        F.prelu(minigrad.randn(2, 3), minigrad.randn(2))
    with pytest.raises(ValueError, match="one per channel"):
        F.prelu(minigrad.randn(3), minigrad.randn(3))
    with pytest.raises(TypeError, match="dtype"):
        F.prelu(minigrad.randn(3), minigrad.randn(1, dtype=minigrad.float64))


def test_erfinv_matches_torch_to_the_last_bits_and_its_gradient(device):
    torch = pytest.importorskip("torch")
    values = np.concatenate([np.linspace(-1, 1, 401), [1 - 2 ** -53, -1 + 1e-12, 1e-300, 0.5,
                                                       -0.5, 1.5, -2.0, np.nan]])
    out = minigrad.tensor(values, device=device).erfinv().numpy()
    expected = torch.erfinv(torch.tensor(values)).numpy()
    np.testing.assert_allclose(out, expected, rtol=2e-15, atol=0)
    out32 = minigrad.tensor(values, dtype=minigrad.float32, device=device).erfinv().numpy()
    np.testing.assert_allclose(out32, torch.erfinv(torch.tensor(values).float()).numpy(),
                               rtol=3e-7, atol=0)
    x = minigrad.tensor(np.linspace(-0.9, 0.9, 7), device=device, requires_grad=True)
    assert minigrad.gradcheck(minigrad.erfinv, (x,))
    assert minigrad.gradgradcheck(minigrad.erfinv, (x,))
    np.testing.assert_allclose(minigrad.erf(x.erfinv()).detach().numpy(), x.detach().numpy(),
                               rtol=1e-15, atol=1e-16)


def test_erfc_keeps_precision_in_the_far_tail(device):
    values = np.array([5.0, 10.0, 26.0, -30.0, 0.0])
    out = minigrad.erfc(minigrad.tensor(values, device=device)).numpy()
    np.testing.assert_allclose(out, [math.erfc(v) for v in values], rtol=1e-15, atol=0)
    ints = minigrad.erfc(minigrad.tensor([0, 1], device=device))
    assert ints.dtype is minigrad.float32


def test_rrelu_in_training_scales_negatives_by_slopes_from_the_range(device):
    x = minigrad.full((2000,), -1.0, device=device, requires_grad=True)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -out.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes, rtol=1e-6)
    positive = minigrad.tensor([0.5, 2.0], device=device)
    np.testing.assert_array_equal(F.rrelu(positive, training=True).numpy(), [0.5, 2.0])


def test_rrelu_module_follows_train_and_eval(device):
    layer = nn.RReLU(0.2, 0.4)
    x = minigrad.full((50,), -1.0, device=device)
    assert np.unique(layer(x).numpy()).size > 1
    layer.eval()
    np.testing.assert_allclose(layer(x).numpy(), -0.3, rtol=1e-6)


def test_modules_reprs_and_state_dicts_match_torch():
    torch = pytest.importorskip("torch")
    pairs = [("SiLU", ()), ("Hardswish", ()), ("Hardsigmoid", ()), ("Mish", ()), ("SELU", ()),
             ("CELU", (0.5,)), ("LogSigmoid", ()), ("Softsign", ()), ("Softplus", (2.0, 5.0)),
             ("GLU", (1,)), ("PReLU", (4, 0.1)), ("RReLU", (0.1, 0.2)), ("Threshold", (0.1, 2)),
             ("Hardshrink", (0.3,)), ("Softshrink", ()), ("Tanhshrink", ()), ("Softmin", (1,)),
             ("ReLU6", ()), ("Hardtanh", (-2.0, 2.0))]
    x = np.random.default_rng(3).standard_normal((2, 4, 3)).astype(np.float32)
    for name, args in pairs:
        mine, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(mine) == repr(theirs), name
        assert list(mine.state_dict()) == list(theirs.state_dict()), name
        mine.eval()
        theirs.eval()
        out = mine(minigrad.tensor(x)).numpy()
        np.testing.assert_allclose(out, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6,
                                   atol=1e-6, err_msg=name)


def test_prelu_module_learns_its_weight(device):
    layer = nn.PReLU(3).to(device)
    x = minigrad.tensor(-np.ones((2, 3, 2)), dtype=minigrad.float32, device=device)
    layer(x).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), [-4.0, -4.0, -4.0])


@pytest.mark.parametrize("fn", [F.silu, F.hardswish, F.hardsigmoid, F.mish, F.selu,
                                lambda x, inplace: F.celu(x, 0.5, inplace),
                                lambda x, inplace: F.threshold(x, 0.1, 7.0, inplace)])
def test_inplace_forms_write_into_the_input(device, fn):
    values = np.linspace(-4, 4, 9)
    x = minigrad.tensor(values, device=device)
    expected = fn(minigrad.tensor(values, device=device), inplace=False).numpy()
    assert fn(x, inplace=True) is x
    np.testing.assert_allclose(x.numpy(), expected)


def test_underscore_functions_and_tensor_inplace_methods(device):
    x = minigrad.tensor([-1.0, 0.5], device=device)
    assert F.selu_(x) is x and F.threshold_(x, 0.0, 9.0) is x
    np.testing.assert_allclose(x.numpy(), [9.0, 0.5 * 1.0507009873554805])
    y = minigrad.tensor([0.25], dtype=minigrad.float64, device=device)
    assert y.erfinv_() is y
    np.testing.assert_allclose(y.erf_().numpy(), [0.25], rtol=1e-15)


def test_errors_name_what_was_wrong():
    with pytest.raises(ValueError, match="even"):
        F.glu(minigrad.randn(2, 3))
    with pytest.raises(ValueError, match="lambd"):
        F.softshrink(minigrad.randn(3), -1.0)
    with pytest.raises(TypeError, match="floating point"):
        F.silu(minigrad.tensor([1, 2]))
    with pytest.raises(ValueError, match="lower"):
        F.rrelu(minigrad.randn(3), 0.5, 0.1)
    with pytest.raises(ValueError, match="alpha"):
        F.celu(minigrad.randn(3), 0.0)
