"""cross_entropy of (N, C) logits against class indices runs as one fused kernel per direction
(backend cross_entropy_forward / cross_entropy_backward): values and gradients against PyTorch
for every reduction, class weights and ignored rows, on both devices; its double backward (the
Tensor-op gradient); the edges (every row ignored, no rows, extreme logits, bad labels)."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from launch_counter import count_launches
from minigrad.errors import LabelOutOfRangeError

torch = pytest.importorskip("torch")


def _case(rows, classes, dtype, seed=0, ignored=(), scale=3.0):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((rows, classes)) * scale
    target = rng.integers(0, classes, rows)
    for r in ignored:
        target[r] = -100
    return logits.astype(dtype), target


def _both(logits, target, device, dtype, weight=None, **kwargs):
    """(minigrad's loss and logits gradient, torch's) for the same call."""
    x = minigrad.tensor(logits, dtype=dtype, device=device, requires_grad=True)
    t = minigrad.tensor(target, device=device)
    w = None if weight is None else minigrad.tensor(weight, dtype=dtype, device=device)
    loss = F.cross_entropy(x, t, weight=w, **kwargs)
    seed = np.random.default_rng(1).standard_normal(loss.shape).astype(dtype)
    loss.backward(minigrad.tensor(seed, dtype=dtype, device=device))
    tx = torch.tensor(logits, requires_grad=True)
    tw = None if weight is None else torch.tensor(weight, dtype=tx.dtype)
    expected = torch.nn.functional.cross_entropy(tx, torch.tensor(target), weight=tw, **kwargs)
    expected.backward(torch.tensor(seed))
    return (loss.numpy(), x.grad.numpy()), (expected.detach().numpy(), tx.grad.numpy())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_torch(device, reduction, weighted, dtype):
    logits, target = _case(7, 5, dtype, ignored=(2, 5))
    weight = np.random.default_rng(4).random(5) + 0.5 if weighted else None
    ours, theirs = _both(logits, target, device, dtype, weight, reduction=reduction)
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12,
                                                                          atol=1e-13)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, **tolerance)


def test_other_ignore_index_and_extreme_logits(device):
    logits, target = _case(6, 4, "float64", seed=3, scale=300.0)
    target[1] = 3
    ours, theirs = _both(logits, target, device, "float64", ignore_index=3)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_every_row_ignored_gives_nan_mean_and_zero_gradient(device):
    logits, target = _case(3, 4, "float64", ignored=(0, 1, 2))
    (loss, grad), (expected, expected_grad) = _both(logits, target, device, "float64")
    assert np.isnan(loss) and np.isnan(expected)
    np.testing.assert_array_equal(grad, expected_grad)
    np.testing.assert_array_equal(grad, 0)


def test_no_rows(device):
    x = minigrad.zeros(0, 3, device=device, requires_grad=True)
    t = minigrad.zeros(0, dtype="int64", device=device)
    assert np.isnan(F.cross_entropy(x, t).item())
    assert F.cross_entropy(x, t, reduction="sum").item() == 0
    assert F.cross_entropy(x, t, reduction="none").shape == (0,)


def test_non_contiguous_logits(device):
    logits, target = _case(5, 4, "float64", seed=6)
    x = minigrad.tensor(logits.T.copy(), device=device).t().detach().requires_grad_()
    loss = F.cross_entropy(x, minigrad.tensor(target, device=device))
    loss.backward()
    tx = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tx, torch.tensor(target))
    expected.backward()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_gradcheck_and_gradgradcheck(device, reduction):
    logits, target = _case(4, 3, "float64", seed=7, ignored=(1,))
    x = minigrad.tensor(logits, dtype="float64", device=device, requires_grad=True)
    t = minigrad.tensor(target, device=device)
    w = minigrad.tensor([0.5, 2.0, 1.0], dtype="float64", device=device)

    def loss(x):
        return F.cross_entropy(x, t, weight=w, reduction=reduction)

    assert minigrad.gradcheck(loss, (x,))
    assert minigrad.gradgradcheck(loss, (x,))


@pytest.mark.cuda_only
def test_grad_fn_is_torchs_and_one_launch_each_way_on_cuda(monkeypatch):
    x = minigrad.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, minigrad.tensor([0, 2, 1, 0]))
    assert type(loss.grad_fn).__name__ == "NllLossBackward0"
    if not minigrad.cuda.is_available():
        return
    launched = count_launches(monkeypatch)
    x = minigrad.randn(4, 3, device="cuda", requires_grad=True)
    t = minigrad.tensor([0, 2, 1, 0], device="cuda")
    F.cross_entropy(x, t)  # the first call also makes the device's error flag
    launched.clear()
    loss = F.cross_entropy(x, t)
    assert launched == ["kernel"]  # the one-block forward kernel
    launched.clear()
    grad, = minigrad.autograd.grad(loss, (x,))
    assert sorted(launched) == ["_backward_kernel", "_fill_kernel"]  # the kernel, the seed's ones


def test_labels_out_of_range(device):
    x = minigrad.randn(3, 4, device=device, requires_grad=True)
    t = minigrad.tensor([0, 4, 1], device=device)
    if device == "cpu":
        with pytest.raises(LabelOutOfRangeError, match="out of range"):
            F.cross_entropy(x, t)
        return
    F.cross_entropy(x, t)
    with pytest.raises(IndexError, match="out of range"):
        minigrad.cuda.synchronize()


def test_the_backend_kernels_report_bad_labels_on_the_cpu_too():
    from minigrad.backend import get_backend
    with pytest.raises(IndexError, match="out of range"):
        get_backend("cpu").cross_entropy_forward(np.zeros((2, 3)), np.array([0, 7]), None, -100,
                                                 "mean")
