"""The cuda pooling kernels against the cpu backend's on the same inputs: max pooling values and
indices (ties, NaN, padding, dilation, ceil_mode), the scatter and gather by plane indices
(repeated and out-of-plane positions), average pooling's divisor rules (count_include_pad,
divisor_override, ceil_mode overhang) and adaptive windows, forward and adjoint, on strided
views; and max/avg pooling end to end on device="cuda" with float64 gradchecks."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from cuda_helpers import check, dev, host
from minigrad.functions.pool import _pooled_size

rng = np.random.default_rng(6)
SHAPE = (2, 2, 5, 4)


def _output_hw(kernel, stride, padding, dilation, ceil_mode):
    return tuple(_pooled_size(SHAPE[2 + d], kernel[d], stride[d], padding[d], dilation[d],
                              ceil_mode) for d in range(2))


def _transposed_view(cu, x):
    """x's values on the device as a (permuted, non-contiguous) view."""
    return cu.permute(dev(np.ascontiguousarray(x.transpose(3, 2, 1, 0))), (3, 2, 1, 0))


# (kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [((3, 3), (2, 2), (1, 1), (1, 1), True),
             ((2, 3), (1, 2), (1, 1), (2, 1), False),
             ((2, 2), (2, 2), (0, 0), (1, 1), True)]


@pytest.mark.parametrize("case", MAX_CASES, ids=["padded-ceil", "dilated", "ceil-overhang"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_values_and_indices(cu, cpu, case, dtype):
    kernel, stride, padding, dilation, ceil_mode = case
    x = rng.integers(-2, 3, SHAPE).astype(dtype)  # many ties: the first maximum must win
    x[0, 0, 1, 1] = x[1, 1, 3, 2] = x[1, 1, 3, 3] = np.nan
    geometry = (_output_hw(kernel, stride, padding, dilation, ceil_mode), kernel, stride,
                padding, dilation)
    out, indices = cu.max_pool2d_forward(_transposed_view(cu, x), *geometry)
    expected, expected_indices = cpu.max_pool2d_forward(x, *geometry)
    check(out, expected, rtol=0, atol=0)
    check(indices, expected_indices)


@pytest.mark.parametrize("accumulate", [True, False], ids=["add", "last-wins"])
def test_scatter_and_gather_by_plane_indices(cu, cpu, accumulate):
    values = rng.standard_normal((2, 2, 3, 3))
    indices = rng.integers(-1, 8, values.shape)  # repeats, and -1 and 7 outside a 2x3 plane
    scattered = cu.scatter_by_plane_indices(_transposed_view(cu, values), dev(indices), (2, 3),
                                            accumulate)
    check(scattered, cpu.scatter_by_plane_indices(values, indices, (2, 3), accumulate),
          rtol=1e-12, atol=1e-12)
    source = rng.standard_normal((2, 2, 2, 3))
    check(cu.gather_by_plane_indices(_transposed_view(cu, source), _transposed_view(cu, indices)),
          cpu.gather_by_plane_indices(source, indices))


# (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [((3, 3), (2, 2), (1, 1), True, True, None),
             ((3, 3), (2, 2), (1, 1), True, False, None),
             ((2, 3), (2, 1), (1, 1), False, False, 3),
             ((2, 2), (1, 2), (0, 1), True, True, None)]


@pytest.mark.parametrize("case", AVG_CASES, ids=["include-pad", "exclude-pad", "override",
                                                 "ceil-overhang"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool_forward_and_backward(cu, cpu, case, dtype):
    kernel, stride, padding, ceil_mode, include_pad, override = case
    out_hw = _output_hw(kernel, stride, padding, (1, 1), ceil_mode)
    params = (kernel, stride, padding, include_pad, override)
    x = rng.standard_normal(SHAPE).astype(dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    check(cu.avg_pool2d_forward(_transposed_view(cu, x), out_hw, *params),
          cpu.avg_pool2d_forward(x, out_hw, *params), **tol)
    grad = rng.standard_normal(SHAPE[:2] + out_hw).astype(dtype)
    check(cu.avg_pool2d_backward(dev(grad), SHAPE[2:], *params),
          cpu.avg_pool2d_backward(grad, SHAPE[2:], *params), **tol)


@pytest.mark.parametrize("out_hw", [(3, 2), (2, 3), (1, 1), (6, 5)])
def test_adaptive_avg_pool_forward_and_backward(cu, cpu, out_hw):
    x = rng.standard_normal(SHAPE)
    check(cu.adaptive_avg_pool2d_forward(_transposed_view(cu, x), out_hw),
          cpu.adaptive_avg_pool2d_forward(x, out_hw), rtol=1e-12, atol=1e-12)
    grad = rng.standard_normal(SHAPE[:2] + out_hw)
    check(cu.adaptive_avg_pool2d_backward(_transposed_view(cu, grad), SHAPE[2:]),
          cpu.adaptive_avg_pool2d_backward(grad, SHAPE[2:]), rtol=1e-12, atol=1e-12)


def test_a_window_wholly_in_the_padding(cu, cpu):
    x = rng.standard_normal((1, 1, 1, 3)).astype(np.float32)
    geometry = ((3, 2), (3, 3), (2, 2), (1, 1), (2, 1))  # dilated rows beyond the input
    out, indices = cu.max_pool2d_forward(dev(x), *geometry)
    expected, expected_indices = cpu.max_pool2d_forward(x, *geometry)
    check(out, expected, rtol=0, atol=0)
    check(indices, expected_indices)
    assert np.isneginf(host(out)).any()


# ---- end to end on device="cuda" --------------------------------------------------------------

def _leaf(values, device):
    return minigrad.tensor(values, dtype=minigrad.float64, device=device, requires_grad=True)


@pytest.mark.parametrize("pool", [
    lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
    lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
    lambda x: F.avg_pool2d(x, (2, 3), stride=(1, 2), padding=1, count_include_pad=False),
    lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
], ids=["max", "max-unpool", "avg", "adaptive"])
def test_pooling_forward_and_backward_match_the_cpu(pool):
    values = rng.standard_normal(SHAPE)
    results = {}
    for device in ("cpu", "cuda"):
        x = _leaf(values, device)
        y = pool(x)
        (y * y).sum().backward()
        results[device] = (y.numpy(), x.grad.numpy())
    for got, expected in zip(results["cuda"], results["cpu"]):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_pooling_gradcheck_on_cuda():
    x = _leaf(rng.standard_normal((1, 2, 3, 3)), "cuda")
    assert minigrad.gradcheck(lambda x: F.max_pool2d(x, 2, stride=1, padding=1), (x,))
    assert minigrad.gradcheck(lambda x: F.avg_pool2d(x, 2, stride=1, padding=1,
                                                     count_include_pad=False), (x,))
    assert minigrad.gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 1)), (x,))
