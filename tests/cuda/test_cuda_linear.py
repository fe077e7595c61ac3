"""linear_forward of the cuda backend against the naive reference of minigrad.testing.kernels
(strided operands, with and without bias, shapes that do not fill whole GEMM tiles), and
minigrad.nn.functional.linear end to end on device="cuda": inputs with several leading dims,
forward and backward against the cpu, and a float64 gradcheck."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from cuda_helpers import check, dev, strided_copy

rng = np.random.default_rng(7)


@pytest.mark.parametrize("x_layout,w_layout", [("contiguous", "transposed"),
                                               ("transposed", "sliced"),
                                               ("sliced", "contiguous")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_forward_matches_the_cpu(cu, ref, x_layout, w_layout, dtype):
    x = rng.standard_normal((5, 3)).astype(dtype)
    w = rng.standard_normal((7, 3)).astype(dtype)
    bias = rng.standard_normal(7).astype(dtype) if dtype == np.float32 else None
    x_dev, w_dev = strided_copy(x, x_layout), strided_copy(w, w_layout)
    out = cu.linear_forward(x_dev, w_dev, None if bias is None else dev(bias))
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    check(out, ref.linear_forward(x, w, bias), **tol)


def _leaf(values, device):
    return minigrad.tensor(values, dtype=minigrad.float64, device=device, requires_grad=True)


def test_linear_forward_and_backward_match_the_cpu():
    arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (5, 4), (5,))]
    results = {}
    for device in ("cpu", "cuda"):
        x, w, b = (_leaf(a, device) for a in arrays)
        y = F.linear(x, w, b)
        (y * y).sum().backward()
        results[device] = [t.numpy() for t in (y, x.grad, w.grad, b.grad)]
    for got, expected in zip(results["cuda"], results["cpu"]):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_linear_gradcheck_on_cuda():
    x = _leaf(rng.standard_normal((2, 1, 3)), "cuda")
    w = _leaf(rng.standard_normal((2, 3)), "cuda")
    assert minigrad.gradcheck(F.linear, (x, w))
