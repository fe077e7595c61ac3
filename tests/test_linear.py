"""`nn.functional.linear`: values against numpy and PyTorch, gradients, double backward, errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.backend import get_backend

DTYPES = {"float32": (minigrad.float32, np.float32), "float64": (minigrad.float64, np.float64)}


@st.composite
def linear_shapes(draw):
    """(input shape, out_features, with_bias): 0-2 leading dims, so 1-D inputs are included."""
    lead = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    in_features = draw(st.integers(1, 4))
    return tuple(lead) + (in_features,), draw(st.integers(1, 4)), draw(st.booleans())


def _operands(input_shape, out_features, with_bias, dtype, device, requires_grad=False):
    """Random (input, weight, bias-or-None) as minigrad tensors on `device`."""
    rng = np.random.default_rng(0)
    in_features = input_shape[-1]
    arrays = [rng.standard_normal(input_shape), rng.standard_normal((out_features, in_features))]
    if with_bias:
        arrays.append(rng.standard_normal(out_features))
    tensors = [minigrad.tensor(a, dtype=dtype, device=device, requires_grad=requires_grad)
               for a in arrays]
    return tensors + [None] * (3 - len(tensors))


def _reference(x, w, b):
    out = x @ w.T
    return out if b is None else out + b


@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
@given(shapes=linear_shapes())
def test_forward_matches_numpy(device, dtype_name, shapes):
    dtype, np_dtype = DTYPES[dtype_name]
    input_shape, out_features, with_bias = shapes
    x, w, b = _operands(input_shape, out_features, with_bias, dtype, device)
    out = F.linear(x, w, b)
    expected = _reference(x.numpy(), w.numpy(), None if b is None else b.numpy())
    assert out.dtype is dtype
    assert tuple(out.shape) == input_shape[:-1] + (out_features,)
    tol = 1e-5 if np_dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), expected, rtol=tol, atol=tol)


@given(shapes=linear_shapes())
def test_gradcheck_and_gradgradcheck(device, shapes):
    input_shape, out_features, with_bias = shapes
    x, w, b = _operands(input_shape, out_features, with_bias, minigrad.float64, device,
                        requires_grad=True)
    inputs = (x, w) if b is None else (x, w, b)
    assert minigrad.gradcheck(F.linear, inputs)
    assert minigrad.gradgradcheck(F.linear, inputs)


def test_gradients_only_for_inputs_that_require_them(device):
    x, w, b = _operands((3, 4), 2, True, minigrad.float64, device)
    w.requires_grad_()
    F.linear(x, w, b).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.ones((3, 2)).T @ x.numpy())
    assert x.grad is None and b.grad is None


def test_empty_batch_gives_empty_output_and_zero_bias_grad(device):
    x, w, b = _operands((0, 4), 3, True, minigrad.float64, device, requires_grad=True)
    out = F.linear(x, w, b)
    assert tuple(out.shape) == (0, 3)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((3, 4)))
    np.testing.assert_array_equal(b.grad.numpy(), np.zeros(3))


def test_non_contiguous_operands(device):
    """Transposed views for input and weight and a strided bias give the same values."""
    rng = np.random.default_rng(1)
    x_np, w_np, b_np = rng.standard_normal((5, 3)), rng.standard_normal((5, 4)), \
        rng.standard_normal(8)
    x = minigrad.tensor(x_np, device=device).t()
    w = minigrad.tensor(w_np, device=device).t()
    b = minigrad.tensor(b_np, device=device)[::2]
    expected = x_np.T @ w_np + b_np[::2]
    np.testing.assert_allclose(F.linear(x, w, b).numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
def test_backend_linear_forward_kernel(dtype_name):
    _, np_dtype = DTYPES[dtype_name]
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 5)).astype(np_dtype)
    w = rng.standard_normal((7, 5)).astype(np_dtype)
    b = rng.standard_normal(7).astype(np_dtype)
    kernels = get_backend("cpu")
    out = kernels.linear_forward(x, w, b)
    assert out.dtype == np_dtype
    tol = 1e-5 if np_dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, x @ w.T + b, rtol=tol, atol=tol)
    np.testing.assert_allclose(kernels.linear_forward(x, w, None), x @ w.T, rtol=tol, atol=tol)


@pytest.mark.parametrize("input_shape", [(4,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_matches_torch(device, input_shape, with_bias):
    torch = pytest.importorskip("torch")
    x, w, b = _operands(input_shape, 5, with_bias, minigrad.float64, device, requires_grad=True)
    params = [t for t in (x, w, b) if t is not None]
    out = F.linear(x, w, b)
    seed = np.random.default_rng(3).standard_normal(tuple(out.shape))
    grads = minigrad.grad(out, params, grad_outputs=minigrad.tensor(seed, device=device,
                                                                    dtype=minigrad.float64))

    torch_params = [torch.tensor(t.numpy(), requires_grad=True) for t in params]
    torch_out = torch.nn.functional.linear(*torch_params)
    torch_grads = torch.autograd.grad(torch_out, torch_params, torch.tensor(seed))
    np.testing.assert_allclose(out.numpy(), torch_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    for ours, theirs in zip(grads, torch_grads):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_in_features_mismatch_names_both_shapes(device):
    x, w, _ = _operands((2, 3), 4, False, minigrad.float32, device)
    w = minigrad.zeros(4, 5, device=device)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\).*in_features=5"):
        F.linear(x, w)


def test_wrong_bias_shape(device):
    x, w, _ = _operands((2, 3), 4, False, minigrad.float32, device)
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\).*got \(3,\)"):
        F.linear(x, w, minigrad.zeros(3, device=device))
    with pytest.raises(ValueError, match=r"got \(1, 4\)"):
        F.linear(x, w, minigrad.zeros(1, 4, device=device))


def test_weight_and_input_rank(device):
    x, w, _ = _operands((2, 3), 4, False, minigrad.float32, device)
    with pytest.raises(ValueError, match=r"weight must be 2-D.*\(1, 4, 3\)"):
        F.linear(x, minigrad.zeros(1, 4, 3, device=device))
    with pytest.raises(ValueError, match=r"1-D weight \(3,\) takes no bias"):
        F.linear(x, minigrad.zeros(3, device=device), minigrad.zeros(1, device=device))
    with pytest.raises(ValueError, match=r"does not match the 1-D weight"):
        F.linear(x, minigrad.zeros(4, device=device))
    with pytest.raises(ValueError, match="at least 1 dim"):
        F.linear(minigrad.tensor(1.0, device=device), w)


def test_dtype_errors(device):
    x, w, b = _operands((2, 3), 4, True, minigrad.float32, device)
    with pytest.raises(TypeError, match=r"weight.*float32.*float64"):
        F.linear(x, w.double(), b)
    with pytest.raises(TypeError, match=r"bias.*float32.*float64"):
        F.linear(x, w, b.double())
    with pytest.raises(TypeError, match=r"weight to have the input's dtype .*int64.*float32"):
        F.linear(minigrad.zeros(2, 3, dtype=minigrad.int64, device=device), w)
    with pytest.raises(TypeError, match=r"floating point or integer input.*bool"):
        F.linear(minigrad.zeros(2, 3, dtype=minigrad.bool, device=device), w)
    with pytest.raises(TypeError, match="expected weight to be a Tensor"):
        F.linear(x, w.numpy())
