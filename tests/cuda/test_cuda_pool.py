"""The cuda pooling kernels against the naive references of minigrad.testing: max pooling values
and indices (ties, NaN, padding, dilation, ceil_mode), the scatter and gather by plane indices
(repeated and out-of-plane positions), average pooling's divisor rules (count_include_pad,
divisor_override, ceil_mode overhang) and adaptive windows, forward and adjoint, on strided
views. The pooling functions' values and gradients on cuda are tests/test_pool.py's cuda cases."""
import numpy as np
import pytest

from cuda_helpers import check, dev
from minigrad.geometry import PoolGeometry, pooled_size
from minigrad.testing.pool import (adaptive_avg_pool_reference, avg_pool_reference,
                                   max_pool_reference)

rng = np.random.default_rng(6)
SHAPE = (2, 2, 5, 4)


def _output_hw(kernel, stride, padding, dilation, ceil_mode, shape=SHAPE):
    return tuple(pooled_size(shape[2 + d], kernel[d], stride[d], padding[d], dilation[d],
                             ceil_mode) for d in range(2))


def _adjoint(forward, x_shape, grad):
    """The adjoint of the linear map `forward` (numpy in, numpy out) applied to grad, entry by
    entry: <grad, forward(unit input e)>."""
    out = np.zeros(x_shape)
    for e in np.ndindex(*x_shape):
        unit = np.zeros(x_shape)
        unit[e] = 1.0
        out[e] = np.sum(grad * forward(unit))
    return out


def _transposed_view(cu, x):
    """x's values on the device as a (permuted, non-contiguous) view."""
    return cu.permute(dev(np.ascontiguousarray(x.transpose(3, 2, 1, 0))), (3, 2, 1, 0))


# (kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [((3, 3), (2, 2), (1, 1), (1, 1), True),
             ((2, 3), (1, 2), (1, 1), (2, 1), False),
             ((2, 2), (2, 2), (0, 0), (1, 1), True)]


@pytest.mark.parametrize("case", MAX_CASES, ids=["padded-ceil", "dilated", "ceil-overhang"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_values_and_indices(cu, case, dtype):
    kernel, stride, padding, dilation, ceil_mode = case
    x = rng.integers(-2, 3, SHAPE).astype(dtype)  # many ties: the first maximum must win
    geometry = PoolGeometry(SHAPE[2:], _output_hw(kernel, stride, padding, dilation, ceil_mode),
                            kernel, stride, padding, dilation)
    out, indices = cu.max_pool2d_forward(_transposed_view(cu, x), geometry)
    expected, expected_indices = max_pool_reference(x, kernel, stride, padding, dilation,
                                                    ceil_mode)
    check(out, expected, rtol=0, atol=0)
    check(indices, expected_indices)


def _scatter_reference(values, indices, plane_hw, accumulate):
    out = np.zeros(values.shape[:2] + plane_hw)
    for n, c in np.ndindex(*values.shape[:2]):
        plane = out[n, c].reshape(-1)
        for value, i in zip(values[n, c].reshape(-1), indices[n, c].reshape(-1)):
            if 0 <= i < plane.size:
                plane[i] = plane[i] + value if accumulate else value
    return out


@pytest.mark.parametrize("accumulate", [True, False], ids=["add", "last-wins"])
def test_scatter_and_gather_by_plane_indices(cu, accumulate):
    values = rng.standard_normal((2, 2, 3, 3))
    indices = rng.integers(-1, 8, values.shape)  # repeats, and -1 and 7 outside a 2x3 plane
    scattered = cu.scatter_by_plane_indices(_transposed_view(cu, values), dev(indices), (2, 3),
                                            accumulate)
    check(scattered, _scatter_reference(values, indices, (2, 3), accumulate),
          rtol=1e-12, atol=1e-12)
    source = rng.standard_normal((2, 2, 2, 3))
    flat = source.reshape(2, 2, 6)
    expected = np.array([[[flat[n, c, i] if 0 <= i < 6 else 0.0 for i in indices[n, c].ravel()]
                          for c in range(2)] for n in range(2)]).reshape(indices.shape)
    check(cu.gather_by_plane_indices(_transposed_view(cu, source), _transposed_view(cu, indices)),
          expected)


# (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [((3, 3), (2, 2), (1, 1), True, True, None),
             ((3, 3), (2, 2), (1, 1), True, False, None),
             ((2, 3), (2, 1), (1, 1), False, False, 3),
             ((2, 2), (1, 2), (0, 1), True, True, None)]


@pytest.mark.parametrize("case", AVG_CASES, ids=["include-pad", "exclude-pad", "override",
                                                 "ceil-overhang"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool_forward_and_backward(cu, case, dtype):
    kernel, stride, padding, ceil_mode, include_pad, override = case
    out_hw = _output_hw(kernel, stride, padding, (1, 1), ceil_mode)
    geometry = PoolGeometry(SHAPE[2:], out_hw, kernel, stride, padding, (1, 1), include_pad,
                            override or 0)

    def reference(x):
        return avg_pool_reference(x, kernel, stride, padding, ceil_mode, include_pad, override)

    x = rng.standard_normal(SHAPE).astype(dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    check(cu.avg_pool2d_forward(_transposed_view(cu, x), geometry), reference(x), **tol)
    grad = rng.standard_normal(SHAPE[:2] + out_hw).astype(dtype)
    check(cu.avg_pool2d_backward(dev(grad), geometry),
          _adjoint(reference, SHAPE, grad).astype(dtype), **tol)


@pytest.mark.parametrize("out_hw", [(3, 2), (2, 3), (1, 1), (6, 5)])
def test_adaptive_avg_pool_forward_and_backward(cu, out_hw):
    geometry = PoolGeometry.adaptive_of(SHAPE[2:], out_hw)
    x = rng.standard_normal(SHAPE)
    check(cu.adaptive_avg_pool2d_forward(_transposed_view(cu, x), geometry),
          adaptive_avg_pool_reference(x, out_hw), rtol=1e-12, atol=1e-12)
    grad = rng.standard_normal(SHAPE[:2] + out_hw)
    check(cu.adaptive_avg_pool2d_backward(_transposed_view(cu, grad), geometry),
          _adjoint(lambda a: adaptive_avg_pool_reference(a, out_hw), SHAPE, grad),
          rtol=1e-12, atol=1e-12)


def test_a_window_wholly_in_the_padding(cu):
    """Rows -1, 1, 3, ... of a one-row input: every window meets only padding, so -inf."""
    x = rng.standard_normal((1, 1, 1, 3)).astype(np.float32)
    geometry = PoolGeometry((1, 3), (3, 2), (3, 3), (2, 2), (1, 1), (2, 1))
    out, _ = cu.max_pool2d_forward(dev(x), geometry)
    check(out, np.full((1, 1, 3, 2), -np.inf, np.float32), rtol=0, atol=0)

