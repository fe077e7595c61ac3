"""The cpu backend's wide-grid convolution kernels (conv_wide.py): the forward (with its bias and
relu epilogue), the input gradient and the direct weight gradient, forced on for every kind of
dense case and checked against the float64 references, PyTorch, float32 accuracy and
gradcheck; and which layers the dispatch sends to them by default."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.backend.cpu import _config as cpu_config
from minigrad.backend.cpu import conv as cpu_conv
from minigrad.backend.cpu import conv_relu as cpu_conv_relu
from minigrad.backend.cpu import conv_wide
from minigrad.functions.fused import conv2d_relu
from minigrad.geometry import ConvGeometry
from minigrad.testing import assert_close
from minigrad.testing.conv import (conv_input_grad_reference, conv_reference,
                                   conv_weight_grad_reference)

# the wide kernels for every dense case; the other strategies out of the way
WIDE = {"conv_wide_max_rows": 10 ** 9, "conv_wide_input_max_rows": 10 ** 9,
        "conv_wide_weight_max_rows": 10 ** 9, "conv_weight_direct_max_weights": 10 ** 9,
        "conv_direct_max_weights": -1}
WIDE_GEMM_WEIGHT = dict(WIDE, conv_weight_direct_max_weights=-1)
IM2COL = {"conv_wide_max_rows": -1, "conv_wide_input_max_rows": -1,
          "conv_wide_weight_max_rows": -1, "conv_weight_direct_max_weights": -1,
          "conv_direct_max_weights": -1}


@st.composite
def cases(draw, max_side=7, max_stride=1):
    """(x shape, weight shape, padding, dilation, stride) of a dense convolution with an
    output of at least 1x1; one image or channel, 1-wide kernels and maps included."""
    stride = (draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride)))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    smallest = [max(1, d * (k - 1) + 1 - 2 * p) for k, d, p in zip(kernel, dilation, padding)]
    size = tuple(draw(st.integers(low, max(low, max_side))) for low in smallest)
    batch, channels_in, channels_out = (draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                                        draw(st.integers(1, 6)))
    return ((batch, channels_in) + size, (channels_out, channels_in) + kernel, padding, dilation,
            stride)


def _geometry(x_shape, w_shape, padding, dilation, stride=(1, 1)):
    return ConvGeometry.of(x_shape[2:], w_shape[2:], stride, padding, dilation, 1)


@given(case=cases(max_stride=3), bias=st.booleans(), relu=st.booleans(),
       chunk=st.sampled_from([1, 2, 0]), per_image=st.booleans())
def test_forward_matches_reference(case, bias, relu, chunk, per_image):
    """Strides up to 3; chunks of one or two images (the last one smaller for odd batches) or
    all at once, one GEMM per image or per chunk."""
    x_shape, w_shape, padding, dilation, stride = case
    geometry = _geometry(x_shape, w_shape, padding, dilation, stride)
    assert conv_wide.applies(geometry)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if bias else None
    expected = conv_reference(x, w, b, stride=stride, padding=padding, dilation=dilation)
    if relu:
        expected = np.maximum(expected, 0)
    _, length = conv_wide.wide_length(geometry)
    per_image = int(np.prod(w_shape[1:]) + w_shape[0]) * length * 8
    with cpu_config.override(**WIDE, conv_chunk_bytes=chunk * per_image if chunk else 1 << 30,
                             conv_wide_per_image_max_out=10 ** 9 if per_image else -1):
        forward = cpu_conv_relu.conv2d_relu_forward if relu else cpu_conv.conv2d_forward
        out = forward(x, w, b, geometry)
    assert out.shape == expected.shape
    assert_close(out, expected)


@given(case=cases(), chunk=st.sampled_from([1, 0]))
def test_input_gradient_matches_reference(case, chunk):
    x_shape, w_shape, padding, dilation, _ = case
    geometry = _geometry(x_shape, w_shape, padding, dilation)
    rng = np.random.default_rng(4)
    w = rng.standard_normal(w_shape)
    grad = rng.standard_normal((x_shape[0], w_shape[0]) + geometry.output_size)
    expected = conv_input_grad_reference(grad, w, x_shape[2:], padding=padding,
                                         dilation=dilation)
    _, length = conv_wide.wide_length(geometry)
    per_image = int(np.prod(w_shape[1:]) + w_shape[0]) * length * 8
    with cpu_config.override(**WIDE, conv_chunk_bytes=chunk * per_image if chunk else 1 << 30):
        dx = cpu_conv.conv2d_backward_input(grad, w, geometry)
    assert_close(dx, expected)


@pytest.mark.parametrize("strategy", [WIDE, WIDE_GEMM_WEIGHT], ids=["direct", "gemm"])
@given(case=cases(max_stride=3), parallel=st.booleans(), chunk=st.sampled_from([1, 0]))
def test_weight_gradient_matches_reference(strategy, case, parallel, chunk):
    """The direct kernel (on one thread or the pool) and the GEMM over wide columns (in chunks
    of one image or all at once)."""
    x_shape, w_shape, padding, dilation, stride = case
    geometry = _geometry(x_shape, w_shape, padding, dilation, stride)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    grad = rng.standard_normal((x_shape[0], w_shape[0]) + geometry.output_size)
    expected = conv_weight_grad_reference(x, grad, w_shape[2:], stride=stride, padding=padding,
                                          dilation=dilation)
    _, length = conv_wide.wide_length(geometry)
    per_image = int(np.prod(w_shape[1:]) + w_shape[0]) * length * 8
    with cpu_config.override(**strategy, conv_parallel_min_work=0 if parallel else 10 ** 12,
                             conv_chunk_bytes=chunk * per_image if chunk else 1 << 30):
        dweight = cpu_conv.conv2d_backward_weight(x, grad, geometry)
    assert_close(dweight, expected)


def test_relu_epilogue_keeps_nan_and_clamps_negative_zero():
    """relu as the relu kernel computes it: NaN stays NaN, -0.0 and negatives become 0."""
    x = np.array([[[[1.0, np.nan, -2.0, 0.0]]]])
    w = np.array([[[[1.0]]], [[[-1.0]]]])
    geometry = _geometry(x.shape, w.shape, (0, 0), (1, 1))
    with cpu_config.override(**WIDE):
        out = cpu_conv_relu.conv2d_relu_forward(x, w, None, geometry)
    np.testing.assert_array_equal(out[0, :, 0], [[1.0, np.nan, 0.0, 0.0], [0.0, np.nan, 2.0, 0.0]])
    assert not np.signbit(out).any()


@pytest.mark.parametrize("case", [
    ((2, 1, 28, 28), (6, 1, 5, 5), 2),    # LeNet-5 conv1
    ((2, 6, 14, 14), (16, 6, 5, 5), 0),   # LeNet-5 conv2
    ((2, 1, 28, 28), (32, 1, 3, 3), 0),   # the MNIST example's conv1
    ((2, 3, 12, 12), (64, 3, 3, 3), 1),   # a CIFAR net's first layer (smaller map)
    ((2, 3, 23, 22), (8, 3, 7, 7), 3, 2),  # ResNet's 7x7 stride-2 first layer (smaller)
])
def test_float32_agrees_with_torch_through_training_ops(case):
    """conv2d and the fused conv2d + relu, forward and every gradient, in float32 as layers
    run them, against PyTorch's float32."""
    torch = pytest.importorskip("torch")
    x_shape, w_shape, padding, stride = case if len(case) == 4 else case + (1,)
    rng = np.random.default_rng(2)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = (rng.standard_normal(w_shape) / np.sqrt(np.prod(w_shape[1:]))).astype(np.float32)
    b = rng.standard_normal(w_shape[0]).astype(np.float32)
    for fused in (False, True):
        xs = [minigrad.tensor(a, requires_grad=True) for a in (x, w, b)]
        ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        out = (conv2d_relu if fused else F.conv2d)(*xs, stride=stride, padding=padding)
        ref = torch.nn.functional.conv2d(*ts, stride=stride, padding=padding)
        ref = torch.relu(ref) if fused else ref
        (out * out).sum().backward()
        (ref * ref).sum().backward()
        assert_close(out, ref.detach().numpy(), rtol=1e-5, atol=1e-5)
        for got, want in zip(xs, ts):
            assert_close(got.grad, want.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_float32_close_to_float64():
    """LeNet's second layer in float32 against the float64 im2col path (itself checked
    against the references in tests/test_conv.py)."""
    rng = np.random.default_rng(3)
    x64, w64 = rng.standard_normal((5, 6, 14, 14)), rng.standard_normal((16, 6, 5, 5))
    grad64 = rng.standard_normal((5, 16, 10, 10))
    geometry = _geometry(x64.shape, w64.shape, (0, 0), (1, 1))
    with cpu_config.override(**IM2COL):
        expected = cpu_conv.conv2d_forward(x64, w64, None, geometry)
        expected_dweight = cpu_conv.conv2d_backward_weight(x64, grad64, geometry)
    x, w, grad = (a.astype(np.float32) for a in (x64, w64, grad64))
    with cpu_config.override(**WIDE):
        out = cpu_conv.conv2d_forward(x, w, None, geometry)
        dweight = cpu_conv.conv2d_backward_weight(x, grad, geometry)
    with cpu_config.override(**WIDE_GEMM_WEIGHT):
        dweight_gemm = cpu_conv.conv2d_backward_weight(x, grad, geometry)
    assert out.dtype == np.float32 and dweight.dtype == dweight_gemm.dtype == np.float32
    assert_close(out, expected, rtol=1e-5, atol=1e-4)
    assert_close(dweight, expected_dweight, rtol=1e-5, atol=1e-3)
    assert_close(dweight_gemm, expected_dweight, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("strategy", [WIDE, WIDE_GEMM_WEIGHT, IM2COL],
                         ids=["wide", "wide-gemm-weight", "im2col"])
@given(case=cases(max_side=4, max_stride=2), bias=st.booleans())
def test_gradcheck(strategy, case, bias):
    x_shape, w_shape, padding, dilation, stride = case
    x = minigrad.randn(*x_shape[:1], *x_shape[1:], dtype=minigrad.float64, requires_grad=True)
    w = minigrad.randn(*w_shape, dtype=minigrad.float64, requires_grad=True)
    inputs = (x, w, minigrad.randn(w_shape[0], dtype=minigrad.float64, requires_grad=True)) \
        if bias else (x, w)
    with cpu_config.override(**strategy):
        assert minigrad.gradcheck(
            lambda *a: F.conv2d(*a, stride=stride, padding=padding, dilation=dilation), inputs)


@pytest.mark.parametrize("x_shape, w_shape, kwargs, forward, weight", [
    ((64, 1, 28, 28), (6, 1, 5, 5), {"padding": 2}, True, True),     # LeNet-5 conv1
    ((64, 6, 14, 14), (16, 6, 5, 5), {}, True, False),               # LeNet-5 conv2
    ((64, 1, 28, 28), (32, 1, 3, 3), {}, True, True),                # MNIST example conv1
    ((64, 32, 26, 26), (64, 32, 3, 3), {}, False, False),            # MNIST example conv2
    ((32, 3, 32, 32), (64, 3, 3, 3), {"padding": 1}, True, False),   # CIFAR first layer
    ((4, 3, 224, 224), (64, 3, 7, 7), {"padding": 3, "stride": 2}, True, False),  # ResNet
    ((8, 4, 14, 14), (8, 2, 3, 3), {"groups": 2}, False, False),     # grouped
])
def test_default_dispatch(x_shape, w_shape, kwargs, forward, weight):
    """Which layers take the wide forward, input gradient (unit stride only) and weight
    gradient GEMM (all three up to the same rows), and the direct weight gradient, by
    default."""
    stride = kwargs.get("stride", 1)
    geometry = ConvGeometry.of(x_shape[2:], w_shape[2:], (stride, stride),
                               (kwargs.get("padding", 0),) * 2, (1, 1), kwargs.get("groups", 1))
    config = cpu_config.get_config()
    rows = int(np.prod(w_shape[1:]))
    assert cpu_conv._use_wide(geometry, np.dtype(np.float32), rows,
                              config.conv_wide_max_rows) is forward
    assert cpu_conv._use_wide(geometry, np.dtype(np.float32), rows,
                              config.conv_wide_input_max_rows,
                              conv_wide.applies_to_input_gradient) is (forward and stride == 1)
    assert cpu_conv._use_wide(geometry, np.dtype(np.float32), rows,
                              config.conv_wide_weight_max_rows) is forward
    assert cpu_conv._use_wide(geometry, np.dtype(np.float32), int(np.prod(w_shape)),
                              config.conv_weight_direct_max_weights) is weight
    assert not cpu_conv._use_wide(geometry, np.dtype(np.float16), 1, 10 ** 9)


def test_transposed_convolution_gradient_geometry_keeps_im2col():
    """A geometry computing fewer outputs than the padded input holds (a transposed
    convolution's output_padding) is not the wide kernels' to compute."""
    geometry = ConvGeometry.of((5, 5), (3, 3), (1, 1), (0, 0), (1, 1), 1, output_size=(2, 3))
    assert not conv_wide.applies(geometry)


def test_scratch_buffers_are_kept_per_thread_and_slot():
    """Work buffers come back from the same memory on the next call, never shared between
    slots or threads; buffers over the size kept are fresh each call."""
    import threading

    from minigrad.backend.cpu import _scratch
    first = _scratch.scratch("test a", (3, 4), np.float32)
    again = _scratch.scratch("test a", (2, 5), np.float32)
    other = _scratch.scratch("test b", (3, 4), np.float32)
    assert first.flags.c_contiguous and again.shape == (2, 5) and again.dtype == np.float32
    assert np.shares_memory(first, again) and not np.shares_memory(first, other)
    elsewhere = []
    thread = threading.Thread(target=lambda: elsewhere.append(
        _scratch.scratch("test a", (3, 4), np.float32)))
    thread.start()
    thread.join()
    assert not np.shares_memory(first, elsewhere[0])
    big = (_scratch.KEEP_MAX_BYTES // 4 + 1,)
    assert not np.shares_memory(_scratch.scratch("test c", big, np.float32),
                                _scratch.scratch("test c", big, np.float32))
