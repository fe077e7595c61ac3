"""Activations in nn.functional: values against numpy/math and PyTorch, gradients (first and
second order), kinks, extreme logits for softmax/log_softmax, in-place forms, errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.functions.activation import erf
from minigrad.testing import shapes, tensors

# name -> (minigrad function, torch function name and keyword arguments, kinks)
ACTIVATIONS = {
    "relu": (F.relu, ("relu", {}), (0.0,)),
    "relu6": (F.relu6, ("relu6", {}), (0.0, 6.0)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), ("hardtanh", {"min_val": -0.5,
                                                                   "max_val": 1.5}), (-0.5, 1.5)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), ("leaky_relu", {"negative_slope": 0.2}),
                   (0.0,)),
    "elu": (lambda x: F.elu(x, 0.7), ("elu", {"alpha": 0.7}), (0.0,)),
    "gelu": (F.gelu, ("gelu", {}), ()),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), ("gelu", {"approximate": "tanh"}), ()),
    "softplus": (lambda x: F.softplus(x, 2.0, 3.0), ("softplus", {"beta": 2.0, "threshold": 3.0}),
                 (1.5,)),
    "sigmoid": (F.sigmoid, ("sigmoid", {}), ()),
    "tanh": (F.tanh, ("tanh", {}), ()),
    "softmax": (lambda x: F.softmax(x, -1), ("softmax", {"dim": -1}), ()),
    "log_softmax": (lambda x: F.log_softmax(x, 0), ("log_softmax", {"dim": 0}), ()),
}
SMALL = shapes(min_dims=1, max_dims=3, max_side=3)


def _torch_fn(name):
    torch = pytest.importorskip("torch")
    attr, kwargs = ACTIVATIONS[name][1]
    fn = getattr(torch.nn.functional, attr)
    return torch, lambda t: fn(t, **kwargs)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
@given(data=st.data())
def test_forward_and_gradient_match_torch(device, name, dtype, data):
    torch, torch_fn = _torch_fn(name)
    fn, _, kinks = ACTIVATIONS[name]
    x = data.draw(tensors(SMALL, dtype=dtype, device=device, min_value=-8, max_value=8,
                          away_from=kinks, margin=1e-3))
    out = fn(x)
    ref = torch.tensor(x.numpy(), requires_grad=True)
    expected = torch_fn(ref)
    assert out.dtype is dtype and tuple(out.shape) == tuple(expected.shape)
    tol = 2e-6 if dtype is minigrad.float32 else 1e-13
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=tol, atol=tol)
    seed = np.random.default_rng(1).standard_normal(tuple(x.shape))
    (grad,) = minigrad.grad(out, [x], grad_outputs=minigrad.tensor(seed, dtype=dtype,
                                                                   device=device))
    (expected_grad,) = torch.autograd.grad(expected, [ref], torch.tensor(seed).to(ref.dtype))
    np.testing.assert_allclose(grad.numpy(), expected_grad.numpy(), rtol=10 * tol,
                               atol=10 * tol)


@pytest.mark.cpu_suffices  # on cuda, the comparison with torch above checks the gradients
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(data=st.data())
def test_gradcheck_and_gradgradcheck(device, name, data):
    fn, _, kinks = ACTIVATIONS[name]
    x = data.draw(tensors(SMALL, device=device, min_value=-3, max_value=3, away_from=kinks,
                          margin=0.05))
    assert minigrad.gradcheck(fn, (x,))
    assert minigrad.gradgradcheck(fn, (x,))


def test_erf_matches_math_erf_to_float64_precision(device):
    values = np.concatenate([np.linspace(-7, 7, 2001), [0.0, -0.0, 1e-300, 30.0, -30.0]])
    out = erf(minigrad.tensor(values, dtype=minigrad.float64, device=device)).numpy()
    expected = np.array([math.erf(v) for v in values])
    np.testing.assert_allclose(out, expected, rtol=2e-16, atol=1e-16)


@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "leaky_relu", "elu", "softplus"])
def test_gradient_at_kinks_matches_torch(device, name):
    torch, torch_fn = _torch_fn(name)
    fn, _, kinks = ACTIVATIONS[name]
    points = [k + d for k in kinks for d in (-1.0, 0.0, 1.0)]
    x = minigrad.tensor(points, dtype=minigrad.float64, device=device, requires_grad=True)
    fn(x).sum().backward()
    ref = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    torch_fn(ref).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_and_leaky_relu_kernels_are_exact_like_torch(device, dtype, parallel):
    """The one-pass relu / leaky_relu kernels (forward, backward) equal PyTorch bit for bit,
    NaN, infinities and signed zeros included, on one thread and on the thread pool; the
    recorded backward (create_graph) gives the same values."""
    from minigrad.backend.cpu import _config as cpu_config
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30], dtype=dtype)
    n = 500 if str(device) == "cpu" else 9  # the cuda simulator runs a thread per element
    values = np.concatenate([special, rng.standard_normal(n).astype(dtype)])
    seed = np.concatenate([special[::-1], rng.standard_normal(n).astype(dtype)])
    threshold = 1 if parallel else 1 << 30
    with cpu_config.override(elementwise_parallel_min_elements=threshold):
        for name, fn, t_fn in (("relu", F.relu, torch.nn.functional.relu),
                               ("leaky", lambda t: F.leaky_relu(t, 0.3),
                                lambda t: torch.nn.functional.leaky_relu(t, 0.3))):
            ref = torch.tensor(values, requires_grad=True)
            expected = t_fn(ref)
            (expected_grad,) = torch.autograd.grad(expected, [ref], torch.tensor(seed))
            for create_graph in (False, True):
                x = minigrad.tensor(values, device=device, requires_grad=True)
                out = fn(x)
                (grad,) = minigrad.grad(out, [x], minigrad.tensor(seed, device=device),
                                        create_graph=create_graph)
                np.testing.assert_array_equal(out.detach().numpy(),
                                              expected.detach().numpy(), err_msg=name)
                if name == "leaky":  # relu's forward is numpy's maximum, not these kernels
                    np.testing.assert_array_equal(np.signbit(out.detach().numpy()),
                                                  np.signbit(expected.detach().numpy()))
                np.testing.assert_array_equal(grad.detach().numpy(), expected_grad.numpy(),
                                              err_msg=name)
                np.testing.assert_array_equal(np.signbit(grad.detach().numpy()),
                                              np.signbit(expected_grad.numpy()), err_msg=name)


@pytest.mark.parametrize("fn_name", ["softmax", "log_softmax"])
def test_softmax_is_stable_for_extreme_logits(device, fn_name):
    torch = pytest.importorskip("torch")
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4 + 2.0], [5e3, 5e3, -5e3]])
    for dtype in (minigrad.float32, minigrad.float64):
        x = minigrad.tensor(logits, dtype=dtype, device=device, requires_grad=True)
        out = getattr(F, fn_name)(x, dim=1)
        (grad,) = minigrad.grad(out[:, 0].sum(), [x])
        assert np.isfinite(out.numpy()).all() and np.isfinite(grad.numpy()).all()
        ref = torch.tensor(logits).to(torch.float32 if dtype is minigrad.float32
                                      else torch.float64)
        expected = getattr(torch.nn.functional, fn_name)(ref, dim=1)
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)


def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log(device):
    x = minigrad.randn(3, 4, 5, dtype=minigrad.float64, device=device)
    for dim in (0, 1, 2, -1):
        probs = F.softmax(x, dim)
        np.testing.assert_allclose(probs.sum(dim=dim).numpy(), 1.0, rtol=1e-14)
        np.testing.assert_allclose(F.log_softmax(x, dim).numpy(), np.log(probs.numpy()),
                                   rtol=1e-12, atol=1e-12)


def test_softmax_dtype_argument_and_0d_input(device):
    x = minigrad.tensor([1, 2, 3], device=device)
    out = F.softmax(x, 0, dtype=minigrad.float64)
    assert out.dtype is minigrad.float64
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(out.numpy(), e / e.sum(), rtol=1e-15)
    scalar = minigrad.tensor(2.0, device=device)
    assert F.softmax(scalar, 0).item() == 1.0 and F.log_softmax(scalar, -1).item() == 0.0


def test_softmax_without_dim_uses_legacy_rule_with_warning(device):
    x = minigrad.randn(2, 3, device=device)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(x)
    np.testing.assert_allclose(out.numpy(), F.softmax(x, 1).numpy())


def test_inplace_forms_write_into_the_input(device):
    x = minigrad.tensor([-1.0, 0.5, 7.0], device=device)
    for fn, expected in ((lambda t: F.relu(t, inplace=True), [0.0, 0.5, 7.0]),
                         (lambda t: F.relu6(t, inplace=True), [0.0, 0.5, 6.0])):
        t = x.clone()
        assert fn(t) is t
        np.testing.assert_allclose(t.numpy(), expected)
    t = x.clone()
    F.leaky_relu(t, 0.5, inplace=True)
    np.testing.assert_allclose(t.numpy(), [-0.5, 0.5, 7.0])
    t = x.clone()
    F.elu(t, inplace=True)
    np.testing.assert_allclose(t.numpy(), [math.expm1(-1.0), 0.5, 7.0], rtol=1e-6)


def test_inplace_on_a_non_leaf_keeps_gradients_right(device):
    x = minigrad.tensor([-1.0, 0.5, 2.0], dtype=minigrad.float64, device=device,
                        requires_grad=True)
    y = x * 2
    F.leaky_relu(y, 0.1, inplace=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.2, 2.0, 2.0])


def test_elu_keeps_precision_near_zero_and_does_not_overflow(device):
    x = minigrad.tensor([-1e-10, 1000.0, -1000.0], dtype=minigrad.float64, device=device,
                        requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.elu(x)
        out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [math.expm1(-1e-10), 1000.0, -1.0], rtol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), [math.exp(-1e-10), 1.0, 0.0], rtol=1e-15)


def test_errors(device):
    x = minigrad.randn(2, 3, device=device)
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(x, approximate="fast")
    with pytest.raises(TypeError, match="floating point"):
        F.leaky_relu(minigrad.tensor([1, -2], device=device))
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(x, 1.0, -1.0)
    with pytest.raises(IndexError, match="dimension out of range"):
        F.softmax(x, 2)
