"""The cuda convolution kernels against the naive references of minigrad.testing: both
strategies (direct loops and im2col + GEMM, the latter with several chunks of images, a split
weight-gradient reduction and the 1x1 shortcut), strides, padding, dilation, groups and
depthwise, strided and broadcast operands; and a training step on device="cuda" that makes no
host<->device copies (conv2d's values and gradients on cuda are tests/test_conv.py's cuda
cases)."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from cuda_helpers import check, dev
from launch_counter import count_launches
from minigrad.backend.cuda import conv as cuda_conv
from minigrad.geometry import ConvGeometry
from minigrad.testing.conv import (conv_input_grad_reference, conv_reference,
                                   conv_weight_grad_reference)

rng = np.random.default_rng(5)

# (x shape, weight shape, stride, padding, dilation, groups)
DIRECT_CASES = [
    ((2, 3, 5, 4), (4, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((1, 4, 5, 5), (2, 2, 2, 3), (2, 1), (1, 0), (2, 1), 2),
    ((2, 3, 4, 5), (3, 1, 3, 2), (2, 2), (1, 1), (1, 2), 3),  # depthwise
    ((1, 3, 3, 4), (6, 1, 2, 2), (1, 2), (0, 1), (1, 1), 3),  # depthwise, 2 filters per channel
]
GEMM_CASES = [
    ((3, 2, 4, 3), (3, 2, 2, 2), (1, 1), (1, 0), (1, 1), 1),
    ((1, 4, 5, 4), (4, 2, 2, 1), (2, 1), (0, 1), (2, 1), 2),
    ((2, 4, 2, 3), (4, 2, 1, 1), (1, 1), (0, 0), (1, 1), 2),  # 1x1: no im2col
]
TOLERANCE = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


def _geometry(x_shape, w_shape, stride, padding, dilation, groups, input_hw=None, out_hw=None):
    if input_hw is not None:  # an input gradient for a larger input: grad keeps its size
        return ConvGeometry.of(input_hw, w_shape[2:], stride, padding, dilation, groups, out_hw)
    return ConvGeometry.of(x_shape[2:], w_shape[2:], stride, padding, dilation, groups)


def _check_all_three(cu, case, dtype, with_bias=True, grad_input_hw=None):
    """conv2d_forward, conv2d_backward_input and conv2d_backward_weight against the references."""
    x_shape, w_shape, stride, padding, dilation, groups = case
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    bias = rng.standard_normal(w_shape[0]).astype(dtype) if with_bias else None
    params = (stride, padding, dilation, groups)
    geometry = _geometry(x_shape, w_shape, *params)
    tol = TOLERANCE[dtype]
    expected = conv_reference(x, w, bias, *params).astype(dtype)
    out = cu.conv2d_forward(dev(x), dev(w), None if bias is None else dev(bias), geometry)
    check(out, expected, **tol)
    grad = rng.standard_normal(expected.shape).astype(dtype)
    if grad_input_hw is not None:
        geometry = _geometry(x_shape, w_shape, *params, grad_input_hw, expected.shape[2:])
    input_hw = geometry.input_size
    check(cu.conv2d_backward_input(dev(grad), dev(w), geometry),
          conv_input_grad_reference(grad, w, input_hw, *params).astype(dtype), **tol)
    check(cu.conv2d_backward_weight(dev(x), dev(grad), _geometry(x_shape, w_shape, *params)),
          conv_weight_grad_reference(x, grad, w_shape[2:], *params).astype(dtype), **tol)


@pytest.fixture
def gemm_path(monkeypatch):
    """Force the GEMM path, with chunks of two images and weight-gradient slices of depth >= 2
    (so tiny shapes loop over several chunks, the last one smaller, and split the reduction)."""
    monkeypatch.setattr(cuda_conv, "_DIRECT_MAX_CHANNEL_PAIRS", 0)
    monkeypatch.setattr(cuda_conv, "_SPLIT_MIN_DEPTH", 2)
    monkeypatch.setattr(cuda_conv, "_chunk_images", lambda images, *_: min(images, 2))


@pytest.mark.parametrize("case", DIRECT_CASES, ids=["plain", "strided-grouped", "depthwise",
                                                    "depthwise-multiplier"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_direct_kernels(cu, case, dtype):
    assert cuda_conv._use_direct(case[1], case[5])
    _check_all_three(cu, case, dtype, with_bias=dtype == np.float32)


@pytest.mark.parametrize("case,dtype", [(GEMM_CASES[0], np.float64), (GEMM_CASES[1], np.float32),
                                        (GEMM_CASES[2], np.float64)],
                         ids=["chunked-split", "strided-grouped", "pointwise"])
def test_gemm_kernels(cu, gemm_path, case, dtype):
    _check_all_three(cu, case, dtype)


def test_weight_gradient_split_divides_the_depth(gemm_path):
    for depth in (12, 7, 1):
        slices = cuda_conv._weight_slices(depth, 1, 2, 3, 8)
        assert depth % slices == 0 and (slices > 1) == (depth == 12)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "gemm"])
def test_input_gradient_of_a_larger_input(cu, monkeypatch, direct):
    """A transposed convolution's output_padding asks for an input gradient with rows and
    columns that no window reaches: they get zeros."""
    if not direct:
        monkeypatch.setattr(cuda_conv, "_DIRECT_MAX_CHANNEL_PAIRS", 0)
    case = ((1, 2, 3, 3), (2, 2, 2, 2), (2, 2), (0, 0), (1, 1), 1)
    _check_all_three(cu, case, np.float64, grad_input_hw=(4, 5))


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "gemm"])
def test_strided_and_broadcast_operands(cu, monkeypatch, direct):
    """x as a permuted view, the output gradient as a stride-0 broadcast (the gradient of a sum),
    weight as a permuted view: read through their strides, as contiguous copies would be."""
    if not direct:
        monkeypatch.setattr(cuda_conv, "_DIRECT_MAX_CHANNEL_PAIRS", 0)
    x = rng.standard_normal((2, 2, 3, 4))
    w = rng.standard_normal((2, 2, 2, 2))
    params = ((1, 1), (1, 0), (1, 1), 1)
    geometry = ConvGeometry.of((3, 4), (2, 2), *params)
    x_view = cu.permute(dev(np.ascontiguousarray(x.transpose(1, 0, 3, 2))), (1, 0, 3, 2))
    w_view = cu.permute(dev(np.ascontiguousarray(w.transpose(3, 2, 1, 0))), (3, 2, 1, 0))
    expected = conv_reference(x, w, None, *params)
    check(cu.conv2d_forward(x_view, w_view, None, geometry), expected, rtol=1e-10, atol=1e-12)
    grad = np.broadcast_to(rng.standard_normal((1, 2, 1, 1)), expected.shape)
    grad_view = cu.broadcast_to(dev(grad[:1, :, :1, :1]), expected.shape)
    check(cu.conv2d_backward_input(grad_view, w_view, geometry),
          conv_input_grad_reference(grad, w, (3, 4), *params), rtol=1e-10, atol=1e-12)
    check(cu.conv2d_backward_weight(x_view, grad_view, geometry),
          conv_weight_grad_reference(x, grad, (2, 2), *params), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", [GEMM_CASES[1], GEMM_CASES[2]], ids=["im2col", "pointwise"])
def test_the_gemm_stores_nchw_and_adds_the_bias_itself(cu, monkeypatch, case):
    """Forward on the GEMM path is im2col and one GEMM (a 1x1 convolution: the GEMM alone): the
    GEMM stores its product in NCHW, adding the bias (and clamping by relu for conv + relu) as
    it stores; no pass of their own."""
    monkeypatch.setattr(cuda_conv, "_DIRECT_MAX_CHANNEL_PAIRS", 0)
    x_shape, w_shape, *params = case
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    bias = rng.standard_normal(w_shape[0]).astype(np.float32)
    geometry = _geometry(x_shape, w_shape, *params)
    arrays = dev(x), dev(w), dev(bias)
    launched = count_launches(monkeypatch)
    out = cu.conv2d_forward(*arrays, geometry)
    assert launched == (["kernel"] if geometry.is_pointwise else ["_im2col_kernel", "kernel"])
    expected = conv_reference(x, w, bias, *params).astype(np.float32)
    check(out, expected, **TOLERANCE[np.float32])
    launched.clear()  # with relu: the GEMM clamps as it stores, no launch of its own
    check(cu.conv2d_relu_forward(*arrays, geometry), np.maximum(expected, 0),
          **TOLERANCE[np.float32])
    assert launched == (["kernel"] if geometry.is_pointwise else ["_im2col_kernel", "kernel"])


def test_empty_batch(cu):
    x, w = dev(np.zeros((0, 2, 3, 3))), dev(np.ones((2, 2, 2, 2)))
    geometry = ConvGeometry.of((3, 3), (2, 2), (1, 1), (0, 0), (1, 1), 1)
    assert cu.conv2d_forward(x, w, None, geometry).shape == (0, 2, 2, 2)
    grad = cu.conv2d_forward(x, w, None, geometry)
    check(cu.conv2d_backward_weight(x, grad, geometry), np.zeros((2, 2, 2, 2)))


# ---- end to end on device="cuda" --------------------------------------------------------------

def _leaf(values, device, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, device=device, requires_grad=True)


def test_a_cnn_training_step_makes_no_host_device_copies():
    x = minigrad.tensor(rng.standard_normal((2, 1, 6, 6)), dtype=minigrad.float32, device="cuda")
    w1 = _leaf(rng.standard_normal((2, 1, 3, 3)), "cuda", minigrad.float32)
    w2 = _leaf(rng.standard_normal((3, 8)), "cuda", minigrad.float32)
    minigrad.cuda.reset_transfer_count()
    hidden = F.max_pool2d(F.conv2d(x, w1, padding=1).relu(), 3)
    loss = F.linear(hidden.reshape(2, 8), w2).pow(2).mean()
    loss.backward()
    with minigrad.no_grad():
        w1 -= w1.grad * 0.1
        w2 -= w2.grad * 0.1
    assert minigrad.cuda.transfer_count() == 0
