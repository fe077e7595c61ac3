"""relu's backward through the backend's relu_backward when it records no graph: against
PyTorch at NaN, zero, negative and positive inputs, for contiguous, transposed and broadcast
(stride-0) gradients, on both devices; with create_graph it stays differentiable."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from launch_counter import count_launches

torch = pytest.importorskip("torch")

VALUES = np.array([[-2.0, 0.0, 3.0], [np.nan, 1e-30, -0.0], [5.0, -1e-30, 0.5]])


@pytest.mark.parametrize("upstream", ["weighted", "transposed", "summed"])
def test_matches_torch(device, upstream):
    x = minigrad.tensor(VALUES, device=device, requires_grad=True)
    tx = torch.tensor(VALUES, requires_grad=True)
    weights = np.arange(9.0).reshape(3, 3) - 4
    for t, lib, w in ((x, F, minigrad.tensor(weights, device=device)),
                      (tx, torch.nn.functional, torch.tensor(weights))):
        out = lib.relu(t)
        if upstream == "weighted":
            (out * w).sum().backward()
        elif upstream == "transposed":
            (out.t() * w).sum().backward()
        else:  # the gradient reaching relu is an expanded (stride-0) tensor
            out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_double_backward_and_gradgradcheck(device):
    x = minigrad.tensor([[-1.5, 0.5], [2.0, -0.25]], dtype="float64", device=device,
                        requires_grad=True)
    assert minigrad.gradgradcheck(lambda t: F.relu(t) * t, (x,))
    (g,) = minigrad.autograd.grad((F.relu(x) * x).sum(), (x,), create_graph=True)
    assert g.requires_grad


def test_float32_and_empty(device):
    x = minigrad.tensor([[-1.0, 2.0]], dtype="float32", device=device, requires_grad=True)
    F.relu(x).sum().backward()
    assert x.grad.dtype == minigrad.float32
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0]])
    e = minigrad.zeros(0, 3, device=device, requires_grad=True)
    F.relu(e).sum().backward()
    assert e.grad.shape == (0, 3)


@pytest.mark.cuda_only
def test_one_launch_on_cuda(monkeypatch):
    if not minigrad.cuda.is_available():
        pytest.skip("needs the cuda device (a GPU or the simulator)")
    x = minigrad.randn(2, 3, device="cuda", requires_grad=True)
    out = F.relu(x)
    grad = minigrad.ones(2, 3, device="cuda")
    launched = count_launches(monkeypatch)
    minigrad.autograd.grad(out, (x,), grad)
    assert launched == ["_threshold_backward_kernel"]
