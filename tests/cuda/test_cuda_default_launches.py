"""Every kernel family launched once with the default launch configuration (`LaunchConfig()`:
256-thread blocks, 256-thread row reductions, the 128 x 128 GEMM tiles), where every other
simulator test shrinks it: a block of that size is what a GPU runs, and a kernel whose shared
arrays, strides or syncthreads assume less would fail only here (the GEMM's default tiling is
test_cuda_linalg's test_default_tiling). Shapes are small but cross a
block (more than 256 elements, rows longer than the serial reduction limit). Values are checked
against numpy and the naive references of minigrad.testing (the one-layer kernels against
torch).

The random-number kernels keep the default block but one block instead of 528: the default
grid is 135,168 generator threads, minutes in the simulator, and only the grid-stride loop
(which every shrunk test crosses) depends on it.
"""
import dataclasses
import math

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from cuda_helpers import check, dev, strided_copy
from minigrad.backend.cuda import _launch
from minigrad.testing.conv import (conv_input_grad_reference, conv_reference,
                                   conv_weight_grad_reference)
from minigrad.testing.pool import avg_pool_reference, max_pool_reference

DEFAULT = _launch.LaunchConfig()
rng = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def default_launches():
    with _launch.override(**dataclasses.asdict(DEFAULT)) as config:
        assert config == DEFAULT
        yield


def _cuda(array, requires_grad=False):
    return minigrad.tensor(array, device="cuda", requires_grad=requires_grad)


def _check(tensor, expected, rtol=1e-5, atol=1e-6):
    """A cuda tensor's values equal a numpy result."""
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=rtol, atol=atol)


def test_elementwise_and_math(cu, ref):
    a, b = rng.standard_normal((3, 100)), rng.standard_normal((100,))
    check(cu.add(strided_copy(a, "transposed"), dev(b)), ref.add(a, b))
    check(cu.sigmoid(dev(a)), ref.sigmoid(a))
    check(cu.sin(dev(a)), np.sin(a))
    check(cu.floor(dev(a * 10)), np.floor(a * 10))
    check(cu.fmod(dev(a), dev(b)), np.fmod(a, b))
    ints = rng.integers(-50, 50, (3, 100))
    check(cu.bitwise_xor(dev(ints), 7), np.bitwise_xor(ints, 7))
    check(cu.isfinite(dev(a / (a > 0))), np.isfinite(a / (a > 0)))


def test_activation_loss_and_special(cu, ref):
    a = rng.standard_normal(300).astype(np.float32)
    check(cu.elu(dev(a), 0.5), ref.elu(a, 0.5))
    check(cu.softplus(dev(a), 1.0, 20.0), ref.softplus(a, 1.0, 20.0))
    check(cu.clamped_log(dev(np.abs(a)), -100.0), ref.clamped_log(np.abs(a), -100.0))
    erfc = np.vectorize(math.erfc)
    check(cu.erfc(dev(a)), erfc(a).astype(np.float32))
    check(cu.erf(cu.erfinv(dev(a / 4))), a / 4, rtol=1e-4, atol=1e-5)


def test_reductions_by_block_and_by_thread(cu, ref):
    long_rows = rng.standard_normal((3, 300))  # rows past reduce_serial_len: a block per row
    check(cu.sum(dev(long_rows), (1,), False), ref.sum(long_rows, (1,), False))
    check(cu.amax(dev(long_rows), (0, 1), True), ref.amax(long_rows, (0, 1), True))
    check(cu.argmin(dev(long_rows), 1, False), ref.argmin(long_rows, 1, False))
    short_rows = rng.standard_normal((300, 5))  # a thread per row
    check(cu.sum(dev(short_rows), (1,), False), ref.sum(short_rows, (1,), False))


def test_scans_and_sort(cu):
    a = rng.standard_normal((2, 300))
    check(cu.cumsum(dev(a), 1), np.cumsum(a, axis=1), rtol=1e-10, atol=1e-10)
    values, indices = cu.sort(dev(a[:, :40]), 1, False)
    check(values, np.sort(a[:, :40], axis=1, kind="stable"))
    check(indices, np.argsort(a[:, :40], axis=1, kind="stable"))


def test_creation_copies_and_shape(cu, ref):
    check(cu.full((3, 100), np.float32, 1.5), ref.full((3, 100), np.float32, 1.5))
    check(cu.arange(0, 300, 1, np.int64), ref.arange(0, 300, 1, np.int64))
    a = rng.standard_normal((4, 80))
    check(cu.copy(strided_copy(a, "transposed")), a)
    check(cu.astype(strided_copy(a, "sliced"), np.float32), a.astype(np.float32))
    check(cu.pad(dev(a), ((1, 0), (2, 3)), -1.0), ref.pad(a, ((1, 0), (2, 3)), -1.0))
    check(cu.concatenate([dev(a), dev(a[:1])], 0), ref.concatenate([a, a[:1]], 0))


@pytest.mark.parametrize("deterministic", [False, True])
def test_indexing_gathers_and_scatters(cu, ref, deterministic):
    a = rng.standard_normal((50, 7))
    rows = rng.integers(0, 50, 60)
    check(cu.getitem(dev(a), (rows,)), ref.getitem(a, (rows,)))
    values = rng.standard_normal((60, 7))
    minigrad.use_deterministic_algorithms(deterministic)
    try:
        check(cu.index_add(a.shape, (rows,), dev(values)), ref.index_add(a.shape, (rows,), values),
              rtol=1e-12, atol=1e-12)
        target = dev(np.zeros((50, 7)))
        cu.setitem(target, (np.unique(rows),), dev(values[:len(np.unique(rows))]))
    finally:
        minigrad.use_deterministic_algorithms(False)
    expected = np.zeros((50, 7))
    expected[np.unique(rows)] = values[:len(np.unique(rows))]
    check(target, expected)


def test_random_draws_with_the_default_block():
    with _launch.override(rng_blocks=1):
        u = minigrad.rand(300, device="cuda").numpy()  # more draws than generator threads
        z = minigrad.randn(300, device="cuda", dtype=minigrad.float64).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.1
    assert len(np.unique(u)) == 300  # every generator thread draws its own stream
    assert abs(z.mean()) < 0.3 and abs(z.std() - 1) < 0.2


# a direct kernel (few channel pairs, a block per weight entry for its gradient) and im2col +
# GEMM (more than 64 channel pairs); sizes small enough for the simulator's 256-thread blocks.
# The GEMMs keep small tiles: their default tiling is test_cuda_linalg's test_default_tiling.
@pytest.mark.parametrize("channels_in,channels_out,kernel", [(1, 2, (2, 2)), (9, 8, (1, 2))])
def test_convolution_forward_and_backward(channels_in, channels_out, kernel):
    x = rng.standard_normal((1, channels_in, 5, 4))
    w = rng.standard_normal((channels_out, channels_in, *kernel))
    b = rng.standard_normal(channels_out)
    xt, wt, bt = _cuda(x, True), _cuda(w, True), _cuda(b, True)
    with _launch.override(gemm_block_m=8, gemm_block_n=8, gemm_block_k=4, gemm_thread_m=2,
                          gemm_thread_n=2):
        out = F.conv2d(xt, wt, bt, stride=1, padding=1)
        grad = rng.standard_normal(out.shape)
        out.backward(_cuda(grad))
    _check(out, conv_reference(x, w, b, 1, 1), rtol=1e-10, atol=1e-10)
    _check(xt.grad, conv_input_grad_reference(grad, w, (5, 4), 1, 1), rtol=1e-10, atol=1e-10)
    _check(wt.grad, conv_weight_grad_reference(x, grad, kernel, 1, 1), rtol=1e-10, atol=1e-10)
    _check(bt.grad, grad.sum(axis=(0, 2, 3)), rtol=1e-10, atol=1e-10)


def test_pooling_forward_and_backward():
    x = rng.standard_normal((1, 2, 20, 15))
    xt = _cuda(x, True)
    out, indices = F.max_pool2d(xt, 3, stride=2, padding=1, return_indices=True)
    expected, expected_indices = max_pool_reference(x, 3, 2, 1)
    _check(out, expected)
    _check(indices, expected_indices)
    avg = F.avg_pool2d(xt, 2, stride=1)
    _check(avg, avg_pool_reference(x, 2, 1))
    (out.sum() + avg.sum()).backward()
    counts = np.zeros_like(x).reshape(2, -1)
    for plane, positions in enumerate(expected_indices.reshape(2, -1)):
        np.add.at(counts[plane], positions, 1.0)
    ones = np.ones((1, 2, 19, 14))
    avg_grad = np.zeros_like(x)
    for dh in range(2):
        for dw in range(2):
            avg_grad[:, :, dh:dh + 19, dw:dw + 14] += ones / 4
    _check(xt.grad, counts.reshape(x.shape) + avg_grad, rtol=1e-12, atol=1e-12)


def test_fused_optimizer_steps():
    p0, g = rng.standard_normal(300), rng.standard_normal(300)
    for make, expected in [
            (lambda ps: minigrad.optim.SGD(ps, lr=0.1), p0 - 0.1 * g),
            # Adam's first step: m_hat = g, v_hat = g * g
            (lambda ps: minigrad.optim.Adam(ps, lr=0.01, eps=1e-8),
             p0 - 0.01 * g / (np.abs(g) + 1e-8))]:
        p = minigrad.nn.Parameter(_cuda(p0))
        p.grad = _cuda(g)
        make([p]).step()
        _check(p, expected, rtol=1e-12, atol=1e-12)


def test_scatter_reduce():
    x, src = rng.standard_normal((4, 80)), rng.standard_normal((4, 80))
    index = rng.integers(0, 80, (4, 80))
    out = _cuda(x).scatter_reduce(1, _cuda(index), _cuda(src), "amax")
    expected = x.copy()
    for r, c in np.ndindex(*index.shape):
        expected[r, index[r, c]] = max(expected[r, index[r, c]], src[r, c])
    _check(out, expected)


@pytest.mark.parametrize("name", ["relu", "batch_norm", "cross_entropy", "bilinear",
                                  "grid_sample"])
def test_fused_layer_kernels_forward_and_backward(name):
    """The kernels written for one layer each (relu's gradient, batch norm, cross entropy,
    bilinear resampling, grid_sample), values and input gradients against torch's."""
    torch = pytest.importorskip("torch")
    images = rng.standard_normal((2, 3, 9, 8))
    grid = rng.uniform(-1.1, 1.1, (2, 5, 4, 2))
    labels = rng.integers(0, 5, 300)
    cases = {
        "relu": (lambda lib, x: lib.nn.functional.relu(x), [images]),
        "batch_norm": (lambda lib, x: lib.nn.functional.batch_norm(x, None, None,
                                                                   training=True), [images]),
        "cross_entropy": (lambda lib, x: lib.nn.functional.cross_entropy(
            x, lib.tensor(labels, device=x.device)), [rng.standard_normal((300, 5))]),
        "bilinear": (lambda lib, x: lib.nn.functional.interpolate(
            x, (13, 11), mode="bilinear", align_corners=False), [images]),
        "grid_sample": (lambda lib, x, g: lib.nn.functional.grid_sample(
            x, g, align_corners=False), [images, grid]),
    }
    fn, arrays = cases[name]
    ours = [_cuda(a, True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(minigrad, *ours), fn(torch, *theirs)
    weights = rng.standard_normal(tuple(expected.shape))
    (out * _cuda(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    _check(out, expected.detach().numpy(), rtol=1e-10, atol=1e-10)
    for mine, reference in zip(ours, theirs):
        _check(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-9)
