"""Launch plans: what the cuda backend works out from operand layouts alone (grids, GEMM
strides, the convolution's views and copies, reduction shapes) is remembered per layout and per
launch configuration. Repeated calls, calls under another launch configuration and calls on
other layouts of the same shapes must give the values a fresh computation gives."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.backend.cuda import _launch
from minigrad.backend.cuda import conv as cuda_conv

rng = np.random.default_rng(11)
OTHER_LAUNCHES = dict(threads_per_block=8, max_blocks=3, reduce_threads=8, reduce_serial_len=2,
                      gemm_block_m=8, gemm_block_n=4, gemm_block_k=4, gemm_thread_m=2,
                      gemm_thread_n=2)


def _conv_step(x, w, b):
    """(y, x.grad, w.grad, b.grad) of (y * y).sum() for y = conv2d(x, w, b), on host."""
    xt, wt, bt = (minigrad.tensor(a, device="cuda", requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xt, wt, bt, padding=1)
    (y * y).sum().backward()
    return [t.cpu().numpy() for t in (y, xt.grad, wt.grad, bt.grad)]


def _reference(x, w, b):
    xt, wt, bt = (minigrad.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xt, wt, bt, padding=1)
    (y * y).sum().backward()
    return [t.numpy() for t in (y, xt.grad, wt.grad, bt.grad)]


@pytest.mark.parametrize("split_depth", [False, True])
def test_conv_plans_repeat_and_follow_the_launch_configuration(monkeypatch, split_depth):
    """The GEMM path (9 input channels x 8 filters: not the direct kernels), one chunk of
    images, with the weight gradient's depth in one slice or split into several."""
    if split_depth:
        monkeypatch.setattr(cuda_conv, "_SPLIT_MIN_DEPTH", 4)
    x = rng.standard_normal((2, 9, 2, 3)).astype(np.float32)
    w = rng.standard_normal((8, 9, 2, 2)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    expected = _reference(x, w, b)
    first = _conv_step(x, w, b)
    again = _conv_step(x, w, b)
    with _launch.override(**OTHER_LAUNCHES):
        other = _conv_step(x, w, b)
    planned = [plan for plan in cuda_conv._weight_plans[1].values() if plan[0] is not None]
    assert planned and (planned[-1][-1] > 1) == split_depth  # (the last entry: slices)
    for want, got, repeated, reconfigured in zip(expected, first, again, other):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        np.testing.assert_array_equal(repeated, got)
        np.testing.assert_allclose(reconfigured, want, rtol=1e-4, atol=1e-4)


def test_conv_plans_are_per_layout():
    """A transposed (non-contiguous) input of the same shape takes a plan of its own."""
    x = rng.standard_normal((2, 9, 2, 3)).astype(np.float32)
    w = rng.standard_normal((8, 9, 2, 2)).astype(np.float32)
    weight = minigrad.tensor(w, device="cuda")
    plain = F.conv2d(minigrad.tensor(x, device="cuda"), weight, padding=1)
    swapped = minigrad.tensor(np.ascontiguousarray(x.transpose(0, 1, 3, 2)), device="cuda")
    strided = F.conv2d(swapped.transpose(2, 3), weight, padding=1)
    np.testing.assert_array_equal(strided.cpu().numpy(), plain.cpu().numpy())


@pytest.mark.parametrize("dims, keepdim", [(None, False), ((0, 2), True), ((1,), False)])
def test_reduction_plans_repeat_and_follow_the_launch_configuration(dims, keepdim):
    a = rng.standard_normal((3, 5, 4)).astype(np.float32)
    t = minigrad.tensor(a, device="cuda")
    want = a.sum(axis=dims, keepdims=keepdim)
    for _ in range(2):
        got = t.sum() if dims is None else t.sum(dim=dims, keepdim=keepdim)
        assert tuple(got.shape) == want.shape
        np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-5, atol=1e-5)
    with _launch.override(**OTHER_LAUNCHES):
        got = t.sum() if dims is None else t.sum(dim=dims, keepdim=keepdim)
        np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-5, atol=1e-5)
    values, indices = t.max(dim=1)
    np.testing.assert_array_equal(values.cpu().numpy(), a.max(axis=1))
    np.testing.assert_array_equal(indices.cpu().numpy(), a.argmax(axis=1))


def test_linear_and_pool_plans_follow_the_launch_configuration():
    x = rng.standard_normal((3, 2, 6, 6)).astype(np.float32)
    w = rng.standard_normal((5, 8)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    rows = rng.standard_normal((4, 8)).astype(np.float32)
    tx, tw, tb, trows = (minigrad.tensor(a, device="cuda") for a in (x, w, b, rows))
    pooled = F.max_pool2d(tx, 2).cpu().numpy()
    product = F.linear(trows, tw, tb).cpu().numpy()
    with _launch.override(**OTHER_LAUNCHES):
        np.testing.assert_array_equal(F.max_pool2d(tx, 2).cpu().numpy(), pooled)
        np.testing.assert_allclose(F.linear(trows, tw, tb).cpu().numpy(), product, rtol=1e-5,
                                   atol=1e-5)
    np.testing.assert_array_equal(pooled, x.reshape(3, 2, 3, 2, 3, 2).max(axis=(3, 5)))
    np.testing.assert_allclose(product, rows @ w.T + b, rtol=1e-5, atol=1e-5)
