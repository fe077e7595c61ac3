"""A Linear or Conv2d followed by a ReLU in nn.Sequential runs as one fused op (the relu in the
layer's epilogue, one graph node named ReluBackward0): values and gradients equal the unfused
ops bit for bit and PyTorch's within float rounding, on both devices; gradcheck and
gradgradcheck in float64; any hook that could observe the layer's output turns fusion off;
on cuda a Linear + ReLU forward is one kernel launch."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from launch_counter import count_launches
from minigrad import nn
from minigrad.backend import get_backend
from minigrad.functions.fused import conv2d_relu, linear_relu
from minigrad.nn.modules.module import register_module_forward_hook
from minigrad.tensor import DeviceMismatchError
from minigrad.testing import kernels as ref

torch = pytest.importorskip("torch")


def _unfused(model, x):
    """The model's layers called one by one: exactly what Sequential did before fusing."""
    for layer in model:
        x = layer(x)
    return x


def _run(forward, model, x_np, device, dtype):
    """(output, input gradient, parameter gradients) of forward(model, x) for a fixed
    output gradient."""
    model.zero_grad()
    x = minigrad.tensor(x_np, dtype=dtype, device=device, requires_grad=True)
    y = forward(model, x)
    g = minigrad.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)), dtype=dtype,
                        device=device)
    y.backward(g)
    return y, [_host(t) for t in (y, x.grad, *(p.grad for p in model.parameters()))]


def _host(t):
    """t's values as a numpy array (bfloat16, which numpy lacks, widened to float32: exact)."""
    return t.float().numpy() if t.dtype == minigrad.bfloat16 else t.numpy()


def _assert_same(a, b):
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


def _linear_model(bias, inplace, device, dtype):
    return nn.Sequential(nn.Linear(5, 4, bias=bias), nn.ReLU(inplace=inplace), nn.Linear(4, 3),
                         nn.ReLU()).to(device=device, dtype=dtype)


@pytest.mark.parametrize("bias, inplace, shape, dtype", [
    (True, False, (6, 5), "float32"), (False, True, (6, 5), "float64"),
    (True, True, (2, 3, 5), "float32"), (False, False, (2, 3, 5), "float32"),
    (True, False, (5,), "float64"), (False, True, (5,), "float32")])
def test_linear_relu_equals_the_unfused_ops_bit_for_bit(device, bias, inplace, shape, dtype):
    model = _linear_model(bias, inplace, device, dtype)
    x = np.random.default_rng(1).standard_normal(shape)
    y, fused = _run(lambda m, x: m(x), model, x, device, dtype)
    assert type(y.grad_fn).__name__ == y.grad_fn.name() == "ReluBackward0"
    # the fused node's inputs are the layer's: the first Linear's output never exists
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "ReluBackward0"
    _, unfused = _run(_unfused, model, x, device, dtype)
    assert (fused[0] == 0).any() and (fused[0] > 0).any()  # both sides of relu are exercised
    _assert_same(fused, unfused)


def _conv_model(bias, inplace, groups, device, dtype):
    return nn.Sequential(nn.Conv2d(4, 6, 3, stride=(1, 2), padding=1, groups=groups, bias=bias),
                         nn.ReLU(inplace=inplace), nn.Conv2d(6, 2, 1)).to(device=device,
                                                                          dtype=dtype)


@pytest.mark.parametrize("bias, inplace, groups, dtype", [
    (True, False, 1, "float32"), (False, True, 1, "float64"), (True, True, 2, "float64"),
    (False, False, 2, "float32")])
def test_conv_relu_equals_the_unfused_ops_bit_for_bit(device, bias, inplace, groups, dtype):
    model = _conv_model(bias, inplace, groups, device, dtype)
    x = np.random.default_rng(2).standard_normal((2, 4, 5, 6))
    y, fused = _run(lambda m, x: m(x), model, x, device, dtype)
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "ReluBackward0"
    _, unfused = _run(_unfused, model, x, device, dtype)
    _assert_same(fused, unfused)


@pytest.mark.cpu_suffices
def test_unbatched_conv_input_keeps_relu_last(device):
    """An unbatched (C, H, W) input ends with a squeeze in the conv: it takes the two ops, so
    relu's node is still the result's."""
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU()).to(device)
    x = minigrad.randn(2, 4, 4, device=device, requires_grad=True)
    y = model(x)
    assert y.grad_fn.name() == "ReluBackward0"
    np.testing.assert_array_equal(y.numpy(), _unfused(model, x).numpy())


def _to_torch(model, torch_model):
    with torch.no_grad():
        for p, q in zip(model.parameters(), torch_model.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.numpy()))
    return torch_model


def test_linear_and_conv_relu_match_torch(device):
    tn = torch.nn
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(),
                          nn.Linear(4 * 25, 8), nn.ReLU(inplace=True), nn.Linear(8, 2))
    torch_model = _to_torch(model, tn.Sequential(
        tn.Conv2d(3, 4, 3, padding=1), tn.ReLU(), tn.Flatten(), tn.Linear(4 * 25, 8),
        tn.ReLU(inplace=True), tn.Linear(8, 2)))
    model.to(device)
    x_np = np.random.default_rng(3).standard_normal((2, 3, 5, 5)).astype(np.float32)
    x = minigrad.tensor(x_np, device=device, requires_grad=True)
    model(x).square().sum().backward()
    tx = torch.tensor(x_np, requires_grad=True)
    torch_model(tx).square().sum().backward()
    np.testing.assert_allclose(model(x).numpy(), torch_model(tx).detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    for p, q in zip(model.parameters(), torch_model.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5)


@given(rows=st.integers(1, 4), n_in=st.integers(1, 4), n_out=st.integers(1, 4),
       bias=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_linear_relu_gradcheck(device, rows, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)

    def t(*shape):
        return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)

    args = (t(rows, n_in), t(n_out, n_in)) + ((t(n_out),) if bias else ())
    assert minigrad.gradcheck(linear_relu, args)
    assert minigrad.gradgradcheck(linear_relu, args)


@pytest.mark.cpu_suffices  # on cuda, the comparisons with torch and the unfused ops check it
@given(stride=st.integers(1, 2), padding=st.integers(0, 1), groups=st.sampled_from([1, 2]),
       seed=st.integers(0, 2 ** 16))
def test_conv2d_relu_gradcheck(device, stride, padding, groups, seed):
    rng = np.random.default_rng(seed)

    def t(*shape):
        return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)

    x, w, b = t(1, 2, 4, 4), t(2, 2 // groups, 3, 3), t(2)

    def f(x, w, b):
        return conv2d_relu(x, w, b, stride=stride, padding=padding, groups=groups)

    assert minigrad.gradcheck(f, (x, w, b))
    assert minigrad.gradgradcheck(f, (x, w, b))


def _hook_cases():
    seen = []
    return seen, {
        "forward hook": lambda layer, relu: layer.register_forward_hook(
            lambda m, args, out: seen.append(out.numpy().copy())),
        "forward pre-hook on the relu": lambda layer, relu: relu.register_forward_pre_hook(
            lambda m, args: seen.append(args[0].numpy().copy())),
        "full backward hook": lambda layer, relu: layer.register_full_backward_hook(
            lambda m, gi, go: seen.append(go[0].numpy().copy())),
        "backward pre-hook on the relu": lambda layer, relu:
            relu.register_full_backward_pre_hook(lambda m, go: seen.append(go)),
        "global forward hook": lambda layer, relu: register_module_forward_hook(
            lambda m, args, out: seen.append(None)),
    }


@pytest.mark.parametrize("case", sorted(_hook_cases()[1]))
def test_a_hook_registered_later_turns_fusion_off(case):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    x = minigrad.randn(5, 3, requires_grad=True)
    assert model(x).grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"
    seen, cases = _hook_cases()
    handle = cases[case](model[0], model[1])
    try:
        y = model(x)
        y.sum().backward()
        assert seen, "the hook did not run"
        if case.startswith("forward"):  # the hook saw the layer's output before the relu
            assert (seen[0] < 0).any()
        names = set()
        node = y.grad_fn
        while node is not None and node.next_functions:
            names.add(node.name())
            node = node.next_functions[0][0]
        assert "AddmmBackward0" in names
    finally:
        handle.remove()
    assert model(x).grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"


def test_subclasses_and_replaced_forwards_are_not_fused():
    class Shifted(nn.Linear):
        def forward(self, input):
            return super().forward(input) + 1

    class MyReLU(nn.ReLU):
        pass

    x = minigrad.randn(4, 3)
    shifted = Shifted(3, 2)
    y = nn.Sequential(shifted, nn.ReLU())(x)
    np.testing.assert_array_equal(y.numpy(), F.relu(shifted(x)).numpy())
    layer = nn.Linear(3, 2)
    assert nn.Sequential(layer, MyReLU())(x.requires_grad_()).grad_fn.next_functions[0][0] \
        .name() == "AddmmBackward0"
    layer.forward = lambda input: nn.Linear.forward(layer, input) * 0 - 1
    assert (nn.Sequential(layer, nn.ReLU())(x).numpy() == 0).all()


def test_bad_input_is_reported_by_the_layer():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    with pytest.raises(Exception, match="Linear expected input with last dimension 3"):
        model(minigrad.randn(4, 5))
    with pytest.raises(TypeError, match="Linear expects a Tensor"):
        model(np.zeros((4, 3)))
    conv = nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU())
    with pytest.raises(ValueError, match="Conv2d expected input of shape"):
        conv(minigrad.randn(1, 4, 2, 2))


def test_integer_linear_relu_wraps_and_clamps(device):
    x = minigrad.tensor([[1, -2], [3, 4]], dtype=minigrad.int64, device=device)
    w = minigrad.tensor([[1, 1], [-1, 2]], dtype=minigrad.int64, device=device)
    b = minigrad.tensor([0, -20], dtype=minigrad.int64, device=device)
    np.testing.assert_array_equal(linear_relu(x, w, b).numpy(),
                                  F.relu(F.linear(x, w, b)).numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("with_bias", [True, False])
def test_backend_linear_relu_kernel_matches_the_reference(device, dtype, with_bias):
    """NaN passes, -0.0 and negatives become +0.0, as the unfused relu kernel."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3)).astype(dtype)
    x[1, 1] = np.nan
    w = rng.standard_normal((4, 3)).astype(dtype)
    w[3] = 0
    bias = np.array([0.5, -0.5, 0.0, -0.0], dtype) if with_bias else None
    x[2] = 0
    kernels = get_backend(device)

    def dev(a):
        return None if a is None else kernels.from_numpy(a, a.dtype)

    got = kernels.to_numpy(kernels.linear_relu_forward(dev(x), dev(w), dev(bias)))
    unfused = kernels.to_numpy(kernels.relu(kernels.linear_forward(dev(x), dev(w), dev(bias))))
    np.testing.assert_array_equal(got, unfused)  # NaNs in the same places, same zeros' signs
    assert not np.signbit(got[~np.isnan(got)]).any()
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, ref.linear_relu_forward(x, w, bias), rtol=tol, atol=tol)


@pytest.mark.cuda_only
def test_linear_relu_forward_is_one_launch_on_cuda(monkeypatch):
    if not minigrad.cuda.is_available():
        pytest.skip("no cuda device")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU()).to("cuda")
    x = minigrad.tensor(np.arange(15.0).reshape(5, 3) - 7, dtype=minigrad.float32, device="cuda")
    model(x)  # compile outside the count
    launched = count_launches(monkeypatch)
    y = model(x)
    assert launched == ["kernel"]  # the GEMM, with bias and relu in its epilogue
    np.testing.assert_array_equal(y.numpy(), _unfused(model, x).numpy())


@pytest.mark.parametrize("shape", [(4, 3), (2, 2, 3)])
def test_unrecorded_backward_equals_the_recorded_one(device, shape):
    """Without create_graph the layers' backward calls the kernels directly; with it, Tensor
    ops: the gradients are the same bits."""
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2)).to(device)
    conv = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU()).to(device)
    x = minigrad.tensor(np.random.default_rng(5).standard_normal(shape), dtype=minigrad.float32,
                        device=device, requires_grad=True)
    image = minigrad.tensor(np.random.default_rng(6).standard_normal((2, 2, 3, 3)),
                            dtype=minigrad.float32, device=device, requires_grad=True)
    inputs = [x, image, *model.parameters(), *conv.parameters()]

    def grads(create_graph):
        loss = model(x).square().sum() + conv(image).square().sum()
        return [g.detach().numpy() for g in
                minigrad.autograd.grad(loss, inputs, create_graph=create_graph)]

    _assert_same(grads(False), grads(True))


@pytest.mark.cuda_only
def test_a_device_mismatch_is_explained_as_for_the_layer_alone():
    if not minigrad.cuda.is_available():
        pytest.skip("no cuda device")
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    x = minigrad.tensor(np.ones((2, 3), np.float32), device="cuda")
    with pytest.raises(DeviceMismatchError,
                       match="Linear has its parameters on cpu but was given input on cuda"):
        model(x)


@pytest.mark.cpu_suffices  # the widening wrapper is the same on cuda, whose kernels the
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])  # float32 cases check
def test_reduced_dtypes_equal_the_unfused_ops_bit_for_bit(device, dtype):
    """float16 and bfloat16 kernels compute in float32 and round once per kernel: rounding
    commutes with relu, so fusing changes no bit there either."""
    linear = _linear_model(True, False, device, dtype)
    conv = _conv_model(True, True, 1, device, dtype)
    for model, shape in ((linear, (6, 5)), (conv, (2, 4, 5, 6))):
        x = np.random.default_rng(7).standard_normal(shape)
        _, fused = _run(lambda m, x: m(x), model, x, device, dtype)
        _, unfused = _run(_unfused, model, x, device, dtype)
        _assert_same(fused, unfused)
