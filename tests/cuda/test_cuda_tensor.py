"""Tensors on device="cuda" end to end: moving between devices, ops forward and backward
against the same computation on the cpu, gradchecks in float64 on the device, in-place writes
through views, and the count of host<->device copies a training step makes (none)."""
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import broadcastable_shape_pairs, tensors

rng = np.random.default_rng(4)


def _pair(shape, dtype=minigrad.float64):
    """The same leaf tensor (requiring grad) on the cpu and on cuda."""
    values = rng.standard_normal(shape)
    return (minigrad.tensor(values, dtype=dtype, requires_grad=True),
            minigrad.tensor(values, dtype=dtype, device="cuda", requires_grad=True))


def test_to_and_cpu_round_trip():
    x = minigrad.tensor([[1.5, -2.0], [3.0, 0.25]])
    on_gpu = x.to("cuda")
    assert on_gpu.device == minigrad.device("cuda:0") and on_gpu.is_cuda
    assert on_gpu.dtype is minigrad.float32
    back = on_gpu.cpu()
    assert back.device == minigrad.device("cpu")
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    assert x.cuda().double().cpu().dtype is minigrad.float64
    assert "device='cuda:0'" in repr(on_gpu)
    assert minigrad.tensor(3, device="cuda").item() == 3


def test_factories_on_cuda():
    minigrad.manual_seed(0)
    a = minigrad.randn(2, 3, device="cuda")
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(minigrad.randn(2, 3, device="cuda").numpy(), a.numpy())
    assert minigrad.zeros(2, 2, device="cuda").is_cuda
    np.testing.assert_array_equal(minigrad.arange(5, device="cuda").numpy(), np.arange(5))
    np.testing.assert_array_equal(minigrad.full((2,), 7, device="cuda").numpy(), [7, 7])


def test_mixing_devices_in_one_op_is_a_clear_error():
    a = minigrad.ones(2)
    b = minigrad.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="same device"):
        a + b
    with pytest.raises(RuntimeError, match="same device"):
        b @ minigrad.ones(2, 2)


def test_a_model_fed_input_on_another_device_says_what_to_move():
    model = minigrad.nn.Sequential(minigrad.nn.Linear(3, 2), minigrad.nn.ReLU())
    x = minigrad.ones(1, 3, device="cuda")
    with pytest.raises(RuntimeError, match=r"^Linear has its parameters on cpu but was given "
                       r"input on cuda:0: move the model with model.to\('cuda:0'\) or the "
                       r"input with .to\('cpu'\) \(Linear: expected all tensors"):
        model(x)
    model.to("cuda")
    assert model(x).device == x.device
    conv = minigrad.nn.Sequential(minigrad.nn.Conv2d(1, 2, 1), minigrad.nn.ReLU())
    with pytest.raises(RuntimeError, match=r"\(Conv2d: expected all tensors"):
        conv(minigrad.ones(1, 1, 2, 2, device="cuda"))


@given(data=st.data())
def test_ops_on_broadcast_strided_tensors_match_the_cpu(data):
    shape_a, shape_b = data.draw(broadcastable_shape_pairs(max_dims=3, max_side=3))
    a = data.draw(tensors(shape_a, device="cuda", requires_grad=False))
    b = data.draw(tensors(shape_b, device="cuda", requires_grad=False, min_value=0.5))
    for op in [operator.add, operator.truediv, minigrad.maximum, operator.le,
               lambda x, y: (x * y).sum(dim=-1), lambda x, y: (x - y).amax(dim=0)]:
        expected = op(a.cpu(), b.cpu()).numpy()
        got = op(a, b).numpy()
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def _loss(x, w, b, target):
    hidden = (x @ w + b).relu()
    scores = F.log_softmax(hidden * 0.5 - hidden.amax(dim=1, keepdim=True), dim=1)
    return ((scores - target) ** 2).mean() + hidden.tanh().sum(dim=0).abs().sum()


def test_forward_and_backward_match_the_cpu():
    pairs = [_pair((4, 3)), _pair((3, 5)), _pair((5,)), _pair((4, 5))]
    cpu_loss = _loss(*(p[0] for p in pairs))
    gpu_loss = _loss(*(p[1] for p in pairs))
    cpu_loss.backward()
    gpu_loss.backward()
    np.testing.assert_allclose(gpu_loss.item(), cpu_loss.item(), rtol=1e-12)
    for cpu_t, gpu_t in pairs:
        assert gpu_t.grad.is_cuda
        np.testing.assert_allclose(gpu_t.grad.numpy(), cpu_t.grad.numpy(), rtol=1e-10,
                                   atol=1e-12)


def test_a_training_step_makes_no_host_device_copies():
    _, x = _pair((4, 3), minigrad.float32)
    _, w = _pair((3, 5), minigrad.float32)
    _, b = _pair((5,), minigrad.float32)
    _, target = _pair((4, 5), minigrad.float32)
    minigrad.cuda.reset_transfer_count()
    loss = _loss(x, w, b, target)
    loss.backward()
    with minigrad.no_grad():
        w -= w.grad * 0.1
    assert minigrad.cuda.transfer_count() == 0
    loss.item()
    assert minigrad.cuda.transfer_count() == 1


@pytest.mark.parametrize("fn", [
    lambda a, b: (a @ b.mT).sigmoid(),
    lambda a, b: (a * b[0] - b.exp()).sum(dim=0),
    lambda a, b: F.softmax(a + b, dim=1).max(dim=1).values,
    lambda a, b: a[minigrad.tensor([1, 0, 1], device="cuda")] / (b[1].abs() + 1),
    lambda a, b: minigrad.cat([a, b.T.reshape(2, 3)[:, ::-1]], 1).pow(2),
], ids=["matmul", "broadcast", "softmax-max", "index", "cat-flip"])
def test_gradcheck_on_cuda(fn):
    a = minigrad.tensor(rng.standard_normal((2, 3)), dtype=minigrad.float64, device="cuda",
                        requires_grad=True)
    b = minigrad.tensor(rng.standard_normal((2, 3)), dtype=minigrad.float64, device="cuda",
                        requires_grad=True)
    assert minigrad.gradcheck(fn, (a, b))


def test_linear_on_cuda():
    x, w, bias = _pair((3, 4)), _pair((2, 4)), _pair((2,))
    out = [F.linear(x[i], w[i], bias[i]) for i in (0, 1)]
    np.testing.assert_allclose(out[1].numpy(), out[0].numpy(), rtol=1e-12)
    assert minigrad.gradcheck(F.linear, (x[1], w[1], bias[1]))


def test_in_place_writes_through_views():
    x = minigrad.zeros(3, 4, device="cuda")
    x[1] = 2.0
    x[:, 0] = minigrad.tensor([1.0, 2.0, 3.0], device="cuda")
    column = x[:, 3]
    column.add_(5)
    x[minigrad.tensor([True, False, True], device="cuda"), 1] = -1.0
    expected = np.zeros((3, 4), np.float32)
    expected[1] = 2
    expected[:, 0] = [1, 2, 3]
    expected[:, 3] += 5
    expected[[0, 2], 1] = -1
    np.testing.assert_array_equal(x.numpy(), expected)


def test_out_of_range_device_index_is_reported_at_the_next_synchronisation():
    x = minigrad.ones(3, device="cuda")
    x[minigrad.tensor([0, 5], device="cuda")]
    with pytest.raises(IndexError, match="out of range"):
        minigrad.cuda.synchronize()
    minigrad.cuda.synchronize()  # reported once


def test_cuda_module_state():
    assert minigrad.cuda.is_available()
    assert minigrad.cuda.device_count() >= 1
    with pytest.raises(TypeError, match="int"):
        minigrad.cuda.manual_seed(1.5)


def test_linalg_through_the_cpu_keeps_the_gradient():
    a = minigrad.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=minigrad.float64, device="cuda",
                        requires_grad=True)
    minigrad.linalg.inv(a.cpu()).cuda().sum().backward()
    assert a.grad.device.type == "cuda"
    expected = -(np.linalg.inv(a.detach().cpu().numpy()).T @ np.ones((2, 2)) @
                 np.linalg.inv(a.detach().cpu().numpy()).T)
    np.testing.assert_allclose(a.grad.cpu().numpy(), expected, rtol=1e-12)
