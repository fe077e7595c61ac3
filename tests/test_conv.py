"""Convolutions: values against numpy references and PyTorch, gradients of first and second order,
both CPU strategies (GEMM and direct), float32 accuracy, layouts, and argument errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.backend.cpu import _config as cpu_config
from minigrad.geometry import ConvGeometry
from minigrad.testing import assert_close, tensors
from minigrad.testing.conv import conv_params, conv_reference, conv_transpose_reference

CONV = {1: F.conv1d, 2: F.conv2d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d}
# gradcheck cost grows with the number of elements: keep these cases tiny
TINY = {"max_batch": 2, "max_channels": 2, "max_groups": 2, "max_side": 4}


def _torch():
    torch = pytest.importorskip("torch")
    return torch, torch.nn.functional


def _batched(array, dims):
    return array if array.ndim == dims + 2 else array[None]


def _like_input(array, x, dims):
    return array if x.ndim == dims + 2 else array[0]


def _operands(data, case, device, dtype=minigrad.float64, requires_grad=False):
    x = data.draw(tensors(case.input_shape, dtype=dtype, requires_grad=requires_grad,
                          device=device))
    w = data.draw(tensors(case.weight_shape, dtype=dtype, requires_grad=requires_grad,
                          device=device))
    b = None if case.bias_shape is None else data.draw(
        tensors(case.bias_shape, dtype=dtype, requires_grad=requires_grad, device=device))
    return x, w, b


def _inputs(x, w, b):
    return (x, w) if b is None else (x, w, b)


# ---- forward values ---------------------------------------------------------------------------

@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_conv_matches_reference(device, dims, data):
    case = data.draw(conv_params(dims))
    x, w, b = _operands(data, case, device)
    out = CONV[dims](x, w, b, **case.kwargs)
    expected = conv_reference(_batched(x.numpy(), dims), w.numpy(),
                              None if b is None else b.numpy(), **case.kwargs)
    assert out.dtype is x.dtype
    assert_close(out, _like_input(expected, x, dims))


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_conv_transpose_matches_reference(device, dims, data):
    case = data.draw(conv_params(dims, transposed=True))
    x, w, b = _operands(data, case, device)
    out = CONV_T[dims](x, w, b, **case.kwargs)
    expected = conv_transpose_reference(_batched(x.numpy(), dims), w.numpy(),
                                        None if b is None else b.numpy(), **case.kwargs)
    assert_close(out, _like_input(expected, x, dims))


@pytest.mark.parametrize("strategy", ["gemm", "direct"])
@given(data=st.data(), chunk=st.sampled_from([1, 2]), parallel=st.booleans(),
       transposed=st.booleans(), runs=st.booleans(), one_gemm=st.booleans())
def test_both_cpu_strategies_match_reference(strategy, data, chunk, parallel, transposed, runs,
                                             one_gemm):
    """The CPU backend picks GEMM or direct loops by shape, threads by size, the weight
    gradient's GEMM orientation by channel count, im2col's copy loops by output width and the
    forward's GEMMs (one per image or one per chunk) by map size;
    force each choice on every kind of case, with
    chunks of 1 or 2 images so that the GEMM path loops over several chunks (the last one
    smaller when the batch is odd)."""
    case = data.draw(conv_params(2, unbatched=False, max_batch=3))
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(case.input_shape), rng.standard_normal(case.weight_shape)
    expected = conv_reference(x, w, **case.kwargs)
    grad = rng.standard_normal(expected.shape)
    x_t = minigrad.tensor(x, requires_grad=True)
    w_t = minigrad.tensor(w, requires_grad=True)
    column_bytes = x[0].size // x.shape[2] // x.shape[3] * w[0, 0].size * expected[0, 0].size * 8
    with cpu_config.override(conv_direct_max_weights=10 ** 9 if strategy == "direct" else -1,
                             conv_chunk_bytes=chunk * column_bytes,
                             conv_parallel_min_work=0 if parallel else 10 ** 12,
                             conv_transposed_max_out=10 ** 9 if transposed else 0,
                             im2col_run_min_width=0 if runs else 10 ** 9,
                             conv_forward_image_gemm_min_positions=10 ** 9 if one_gemm else 0):
        out = F.conv2d(x_t, w_t, **case.kwargs)
        out.backward(minigrad.tensor(grad))
    assert_close(out, expected)
    torch, tF = _torch()
    x_ref = torch.tensor(x, requires_grad=True)
    w_ref = torch.tensor(w, requires_grad=True)
    tF.conv2d(x_ref, w_ref, **case.kwargs).backward(torch.tensor(grad))
    assert_close(x_t.grad, x_ref.grad)
    assert_close(w_t.grad, w_ref.grad)


# On cuda, the 1x1 convolutions and their gradients are checked in tests/cuda/test_cuda_conv.py;
# the double backward here is Tensor ops over the same kernels.
@pytest.mark.cpu_suffices
@pytest.mark.parametrize("groups", [1, 2])
def test_pointwise_conv_is_a_matrix_product(device, groups):
    # a 1x1 convolution mixes channels at every pixel: out[n, :, y, x] = W @ in[n, :, y, x]
    # (per group); 40 output channels per group take the GEMM path on the CPU
    x = minigrad.randn(2, 4, 4, 5, dtype=minigrad.float64, device=device, requires_grad=True)
    w = minigrad.randn(40 * groups, 4 // groups, 1, 1, dtype=minigrad.float64, device=device,
                       requires_grad=True)
    out = F.conv2d(x, w, groups=groups)
    blocks = [np.einsum("oc,nchw->nohw", w.numpy()[40 * g:40 * (g + 1), :, 0, 0],
                        x.numpy()[:, g * (4 // groups):(g + 1) * (4 // groups)])
              for g in range(groups)]
    assert_close(out, np.concatenate(blocks, axis=1))
    assert minigrad.gradgradcheck(lambda x, w: F.conv2d(x, w, groups=groups), (x, w),
                                  fast_mode=True)


def test_unbatched_input_matches_batched(device):
    x = minigrad.randn(3, 6, 5, dtype=minigrad.float64, device=device)
    w = minigrad.randn(4, 3, 3, 2, dtype=minigrad.float64, device=device)
    assert_close(F.conv2d(x, w, padding=1), F.conv2d(x.unsqueeze(0), w, padding=1)[0])
    wt = minigrad.randn(3, 2, 3, 2, dtype=minigrad.float64, device=device)
    assert_close(F.conv_transpose2d(x, wt, stride=2),
                 F.conv_transpose2d(x.unsqueeze(0), wt, stride=2)[0])


def test_empty_batch(device):
    x = minigrad.zeros(0, 3, 5, 5, device=device, requires_grad=True)
    w = minigrad.randn(4, 3, 3, 3, device=device, requires_grad=True)
    out = F.conv2d(x, w, padding=1)
    assert tuple(out.shape) == (0, 4, 5, 5)
    out.sum().backward()
    assert tuple(x.grad.shape) == (0, 3, 5, 5)
    assert_close(w.grad, np.zeros((4, 3, 3, 3), np.float32))


@given(data=st.data())
def test_non_contiguous_operands(data):
    case = data.draw(conv_params(2, unbatched=False))
    x = data.draw(tensors(case.input_shape, requires_grad=False, contiguous=False))
    w = data.draw(tensors(case.weight_shape, requires_grad=False, contiguous=False))
    assert_close(F.conv2d(x, w, **case.kwargs), conv_reference(x.numpy(), w.numpy(),
                                                               **case.kwargs))


# PyTorch warns that "same" padding with an even kernel copies the input (as minigrad does)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


# ---- PyTorch parity ---------------------------------------------------------------------------

def _torch_grads(torch, fn, x, w, b, grad):
    leaves = [torch.tensor(t.numpy(), requires_grad=True) for t in _inputs(x, w, b)]
    out = fn(*leaves) if b is not None else fn(leaves[0], leaves[1], None)
    out.backward(torch.tensor(grad))
    return out.detach(), [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_matches_torch_with_gradients(device, dims, transposed, data):
    torch, tF = _torch()
    case = data.draw(conv_params(dims, transposed=transposed, max_channels=4, max_side=9))
    x, w, b = _operands(data, case, device, requires_grad=True)
    ours = (CONV_T if transposed else CONV)[dims]
    theirs = getattr(tF, f"conv_transpose{dims}d" if transposed else f"conv{dims}d")
    out = ours(x, w, b, **case.kwargs)
    grad = np.random.default_rng(0).standard_normal(tuple(out.shape))
    out.backward(minigrad.tensor(grad, device=device))
    expected, grads = _torch_grads(torch, lambda *a: theirs(*a, **case.kwargs), x, w, b, grad)
    assert_close(out, expected)
    for leaf, expected_grad in zip(_inputs(x, w, b), grads):
        assert_close(leaf.grad, expected_grad)


@pytest.mark.parametrize("case", [
    {"padding": "same", "dilation": (2, 1)}, {"padding": "same", "kernel": (4, 2)},
    {"padding": "valid", "stride": 2}, {"groups": 4, "stride": (2, 1), "padding": (1, 0)},
    {"groups": 4, "multiplier": 3, "padding": 2, "dilation": 2},
])
def test_named_cases_match_torch(device, case):
    torch, tF = _torch()
    case = dict(case)
    kernel, multiplier = case.pop("kernel", (3, 3)), case.pop("multiplier", 2)
    groups = case.get("groups", 1)
    x = minigrad.randn(2, 4, 9, 8, dtype=minigrad.float64, device=device)
    w = minigrad.randn(groups * multiplier, 4 // groups, *kernel, dtype=minigrad.float64,
                       device=device)
    b = minigrad.randn(groups * multiplier, dtype=minigrad.float64, device=device)
    expected = tF.conv2d(*(torch.tensor(t.numpy()) for t in (x, w, b)), **case)
    assert_close(F.conv2d(x, w, b, **case), expected)


@pytest.mark.parametrize("input_hw,kernel,kwargs", [
    ((1, 1), (3, 3), {"padding": 1}),                        # ResNet's last stage at 32x32
    ((2, 1), (5, 3), {"padding": (2, 1), "stride": 2}),
    ((1, 3), (3, 3), {"padding": 2, "dilation": 2}),
    ((3, 2), (7, 7), {"padding": 3, "stride": (1, 2)}),
    ((2, 2), (3, 3), {"padding": 3}),                        # padding wider than the kernel
])
@pytest.mark.parametrize("strategy", ["gemm", "direct"])
def test_taps_that_only_meet_padding_are_dropped_exactly(input_hw, kernel, kwargs, strategy):
    """Kernels larger than a small input: values and all gradients against PyTorch, whichever
    taps the CPU backend drops, on both of its strategies."""
    torch, tF = _torch()
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3) + input_hw), rng.standard_normal((4, 3) + kernel)
    b = rng.standard_normal(4)
    leaves = [minigrad.tensor(a, requires_grad=True) for a in (x, w, b)]
    with cpu_config.override(conv_direct_max_weights=10 ** 9 if strategy == "direct" else -1):
        out = F.conv2d(*leaves, **kwargs)
        grad = rng.standard_normal(tuple(out.shape))
        out.backward(minigrad.tensor(grad))
    expected, grads = _torch_grads(torch, lambda *a: tF.conv2d(*a, **kwargs), *leaves, grad)
    assert_close(out, expected)
    for leaf, expected_grad in zip(leaves, grads):
        assert_close(leaf.grad, expected_grad)


def test_dead_taps_are_found():
    """A 3x3 kernel with padding 1 on a 1x1 input keeps only its centre tap."""
    spans, cropped = ConvGeometry.of((1, 1), (3, 3), (1, 1), (1, 1), (1, 1), 1).kept_taps
    assert spans == ((1, 1), (1, 1))
    assert (cropped.kernel_size, cropped.padding, cropped.output_size) == ((1, 1), (0, 0), (1, 1))
    assert ConvGeometry.of((8, 8), (3, 3), (1, 1), (1, 1), (1, 1), 1).kept_taps is None


# ---- gradients --------------------------------------------------------------------------------

@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_gradcheck(device, dims, transposed, data):
    case = data.draw(conv_params(dims, transposed=transposed, **TINY))
    x, w, b = _operands(data, case, device, requires_grad=True)
    op = (CONV_T if transposed else CONV)[dims]
    assert minigrad.gradcheck(lambda x, w, b=None: op(x, w, b, **case.kwargs), _inputs(x, w, b))


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_gradgradcheck(device, dims, transposed, data):
    case = data.draw(conv_params(dims, transposed=transposed, **TINY))
    x, w, b = _operands(data, case, device, requires_grad=True)
    op = (CONV_T if transposed else CONV)[dims]
    assert minigrad.gradgradcheck(lambda x, w, b=None: op(x, w, b, **case.kwargs),
                                  _inputs(x, w, b))


@pytest.mark.cpu_suffices  # Tensor ops over the kernels that the gradchecks above run on cuda
def test_third_order_gradient(device):
    # conv2d is bilinear: d/dx (d/dw sum(conv(x, w) * v)) is an input gradient of the weight
    # gradient, which must in turn be differentiable with respect to v
    x = minigrad.randn(1, 2, 4, 4, dtype=minigrad.float64, device=device, requires_grad=True)
    w = minigrad.randn(3, 2, 2, 2, dtype=minigrad.float64, device=device, requires_grad=True)
    v = minigrad.randn(1, 3, 3, 3, dtype=minigrad.float64, device=device, requires_grad=True)

    def fn(x, w, v):
        out = F.conv2d(x, w, stride=2, padding=1)
        (gw,) = minigrad.grad((out * v).sum(), [w], create_graph=True)
        (gx,) = minigrad.grad((gw * gw).sum(), [x], create_graph=True)
        return gx

    assert minigrad.gradcheck(fn, (x, w, v))


@pytest.mark.parametrize("kernel, groups", [(2, 2), (1, 1)])
@pytest.mark.parametrize("strategy", ["gemm", "direct"])
def test_output_padding_larger_than_stride_gradients(device, kernel, groups, strategy):
    # with dilation 3 > stride 1, output_padding may be 2: rows of the output no input element
    # reaches, whose gradient must not flow back into the input
    x = minigrad.randn(1, 2, 3, 2, dtype=minigrad.float64, device=device, requires_grad=True)
    w = minigrad.randn(2, 2 // groups, kernel, kernel, dtype=minigrad.float64, device=device,
                       requires_grad=True)
    if device != "cpu" and strategy == "direct":
        pytest.skip("the strategies are the cpu's; on cuda both cases would run the same")
    kwargs = {"stride": 1, "output_padding": (2, 1), "dilation": 3, "groups": groups}
    size = 3 * (kernel - 1) + 3
    assert tuple(F.conv_transpose2d(x, w, **kwargs).shape) == (1, 2, size + 2, size)
    # on cuda (simulated, slow) first order only: double backward is Tensor ops over its kernels
    check = minigrad.gradgradcheck if device == "cpu" else minigrad.gradcheck
    with cpu_config.override(conv_direct_max_weights=10 ** 9 if strategy == "direct" else -1):
        assert check(lambda x, w: F.conv_transpose2d(x, w, **kwargs), (x, w))


# ---- float32 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("groups, per_group_out", [(1, 8), (8, 1), (4, 2)])
def test_float32_close_to_float64(device, groups, per_group_out):
    # big enough for the cpu's GEMM path (groups=1) and the direct one (depthwise); on cuda
    # (simulated, slow) the path depends on the channels only
    batch, size = ((3, (11, 10)) if device == "cpu" else (1, (6, 5)))
    x64 = minigrad.randn(batch, 8, *size, dtype=minigrad.float64, device=device,
                         requires_grad=True)
    w64 = minigrad.randn(groups * per_group_out, 8 // groups, 3, 3, dtype=minigrad.float64,
                         device=device, requires_grad=True)
    x32 = x64.detach().float().requires_grad_(True)
    w32 = w64.detach().float().requires_grad_(True)
    kwargs = {"stride": (1, 2), "padding": 1, "groups": groups}
    for x, w in ((x64, w64), (x32, w32)):
        out = F.conv2d(x, w, **kwargs)
        (out * out).sum().backward()
    assert out.dtype is minigrad.float32 and x32.grad.dtype is minigrad.float32
    assert_close(out, F.conv2d(x64, w64, **kwargs), rtol=1e-5, atol=1e-5)
    assert_close(x32.grad, x64.grad, rtol=1e-4, atol=1e-4)
    assert_close(w32.grad, w64.grad, rtol=1e-4, atol=1e-3)


def test_float32_transpose_close_to_float64(device):
    x = minigrad.randn(2, 6, 7, 7, dtype=minigrad.float64, device=device)
    w = minigrad.randn(6, 4, 3, 3, dtype=minigrad.float64, device=device)
    expected = F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    out = F.conv_transpose2d(x.float(), w.float(), stride=2, padding=1, output_padding=1)
    assert out.dtype is minigrad.float32
    assert_close(out, expected, rtol=1e-5, atol=1e-5)


# ---- argument errors --------------------------------------------------------------------------

def _x(*shape, dtype=minigrad.float32):
    return minigrad.zeros(*shape, dtype=dtype)


BAD_CONV2D = [
    ((_x(1, 4, 5, 5), _x(2, 3, 3, 3)), {}, ValueError, r"expects input with 3 channels.*4"),
    ((_x(1, 3, 2, 2), _x(2, 3, 3, 3)), {}, ValueError, r"kernel of size \(3, 3\).*padded"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"dilation": 3}, ValueError, r"spans \(7, 7\)"),
    ((_x(1, 3, 5, 5), _x(2, 1, 3, 3)), {"groups": 2}, ValueError, r"in_channels must be divisible"),
    ((_x(1, 4, 5, 5), _x(3, 2, 3, 3)), {"groups": 2}, ValueError, r"out_channels must be divis"),
    ((_x(1, 4, 5, 5), _x(4, 2, 3, 3)), {"groups": 0}, ValueError, r"groups must be a positive"),
    ((_x(3, 5, 5)[0], _x(2, 3, 3, 3)), {}, ValueError, r"4-D or 3-D input.*\(5, 5\)"),
    ((_x(1, 1, 3, 5, 5), _x(2, 3, 3, 3)), {}, ValueError, r"4-D or 3-D input"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3)), {}, ValueError, r"4-D weight.*\(2, 3, 3\)"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"padding": -1}, ValueError, r"padding must be non-neg"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"padding": (1, 2, 3)}, TypeError, r"sequence of 2 ints"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"padding": "full"}, ValueError, r"'valid', 'same'"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"padding": "same", "stride": 2}, ValueError,
     r"strided"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"stride": 0}, ValueError, r"stride must be greater"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"stride": (1, -2)}, ValueError, r"stride must be greater"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"dilation": 0}, ValueError, r"dilation must be greater"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3)), {"stride": 1.5}, TypeError, r"stride.*int"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3), _x(3)), {}, ValueError, r"bias of shape \(2,\).*\(3,\)"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3), _x(1, 2)), {}, ValueError, r"1-D bias"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3, dtype=minigrad.float64)), {}, TypeError,
     r"input dtype minigrad.float32 and weight dtype minigrad.float64"),
    ((_x(1, 3, 5, 5), _x(2, 3, 3, 3), _x(2, dtype=minigrad.float64)), {}, TypeError,
     r"bias dtype"),
    ((_x(1, 3, 5, 5, dtype=minigrad.int64), _x(2, 3, 3, 3, dtype=minigrad.int64)), {},
     TypeError, r"floating point input"),
    ((np.zeros((1, 3, 5, 5)), _x(2, 3, 3, 3)), {}, TypeError, r"input to be a Tensor"),
]


@pytest.mark.parametrize("args, kwargs, error, message", BAD_CONV2D)
def test_conv2d_rejects_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        F.conv2d(*args, **kwargs)


BAD_CONV1D = [
    ((_x(1, 3, 5, 5), _x(2, 3, 3)), {}, ValueError, r"3-D or 2-D input"),
    ((_x(5), _x(2, 3, 3)), {}, ValueError, r"3-D or 2-D input"),
    ((_x(1, 2, 5), _x(2, 3, 3)), {}, ValueError, r"expects input with 3 channels"),
    ((_x(1, 3, 2), _x(2, 3, 3)), {}, ValueError, r"padded input size \(2,\)"),
    ((_x(1, 3, 5), _x(2, 3, 3)), {"padding": (1, 1)}, TypeError, r"sequence of 1 ints"),
]


@pytest.mark.parametrize("args, kwargs, error, message", BAD_CONV1D)
def test_conv1d_rejects_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        F.conv1d(*args, **kwargs)


BAD_TRANSPOSE = [
    ((_x(1, 4, 5, 5), _x(3, 2, 3, 3)), {}, ValueError, r"expects input with 3 channels"),
    ((_x(1, 3, 5, 5), _x(3, 2, 3, 3)), {"groups": 2}, ValueError, r"in_channels must be divisible"),
    ((_x(1, 3, 5, 5), _x(3, 2, 3, 3)), {"stride": 2, "output_padding": 2}, ValueError,
     r"output_padding must be smaller than either stride or dilation"),
    ((_x(1, 3, 1, 1), _x(3, 2, 1, 1)), {"padding": 1}, ValueError, r"output size \(-1, -1\)"),
    ((_x(1, 3, 5, 5), _x(3, 2, 3, 3)), {"padding": "same"}, TypeError, r"padding must be an"),
    ((_x(1, 3, 5, 5), _x(3, 2, 3, 3), _x(3)), {"groups": 3}, ValueError,
     r"bias of shape \(6,\)"),
    ((_x(1, 3, 5, 5), _x(3, 2, 3, 3, dtype=minigrad.float64)), {}, TypeError, r"weight dtype"),
    ((_x(1, 3, 5, 5), _x(3, 2, 3, 3)), {"output_padding": -1}, ValueError, r"non-negative"),
]


@pytest.mark.parametrize("args, kwargs, error, message", BAD_TRANSPOSE)
def test_conv_transpose2d_rejects_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        F.conv_transpose2d(*args, **kwargs)


def test_functional_namespace_exports_the_convolutions():
    from minigrad.functions import conv
    assert F.conv2d is conv.conv2d and F.conv1d is conv.conv1d
    assert F.conv_transpose2d is conv.conv_transpose2d
    assert F.conv_transpose1d is conv.conv_transpose1d
