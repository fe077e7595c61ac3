"""linear_forward of the cuda backend against the naive reference of minigrad.testing.kernels
(strided operands, with and without bias, shapes that do not fill whole GEMM tiles); F.linear's
values and gradients on cuda are tests/test_linear.py's cuda cases."""
import numpy as np
import pytest

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
