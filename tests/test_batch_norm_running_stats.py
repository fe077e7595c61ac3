"""The running statistics that training-mode batch norm updates in its forward kernel: values
and num_batches_tracked against PyTorch over several steps (momentum, momentum=None's
cumulative average, float32 statistics with float16 / bfloat16 inputs, statistics that are not
contiguous), and one launch per layer forward on cuda."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from launch_counter import count_launches

torch = pytest.importorskip("torch")


def _module_pair(kind, channels, momentum, affine, dtype):
    mine = getattr(nn, kind)(channels, momentum=momentum, affine=affine)
    theirs = getattr(torch.nn, kind)(channels, momentum=momentum, affine=affine)
    if affine:
        rng = np.random.default_rng(7)
        for p, tp in zip(mine.parameters(), theirs.parameters()):
            values = rng.random(tuple(p.shape)) + 0.5
            tp.data = torch.tensor(values, dtype=tp.dtype)
            p.data = minigrad.tensor(values, dtype=p.dtype)
    return mine.to(dtype=dtype), theirs.to(dtype=getattr(torch, dtype.name))


@pytest.mark.parametrize("momentum", [0.1, 0.6, None])
@pytest.mark.parametrize("kind, shape", [("BatchNorm1d", (5, 3)), ("BatchNorm2d", (3, 2, 2, 3))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_module_running_stats_match_torch(device, momentum, kind, shape, dtype):
    dtype = getattr(minigrad, dtype)
    mine, theirs = _module_pair(kind, shape[1], momentum, True, dtype)
    mine.to(device)
    rng = np.random.default_rng(3)
    tolerance = 1e-12 if dtype is minigrad.float64 else 2e-6
    for step in range(4):
        data = rng.standard_normal(shape) * (step + 1) + 2 * step
        out = mine(minigrad.tensor(data, dtype=dtype, device=device))
        expected = theirs(torch.tensor(data, dtype=getattr(torch, dtype.name)))
        np.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(),
                                   rtol=tolerance * 10, atol=tolerance * 10)
        for name in ("running_mean", "running_var"):
            np.testing.assert_allclose(getattr(mine, name).cpu().numpy(),
                                       getattr(theirs, name).numpy(), rtol=tolerance,
                                       atol=tolerance)
        assert int(mine.num_batches_tracked.item()) == int(theirs.num_batches_tracked) == step + 1
    assert mine.running_mean.dtype is dtype and mine.num_batches_tracked.dtype is minigrad.int64
    mine.eval()
    theirs.eval()
    data = rng.standard_normal(shape)
    np.testing.assert_allclose(
        mine(minigrad.tensor(data, dtype=dtype, device=device)).cpu().numpy(),
        theirs(torch.tensor(data, dtype=getattr(torch, dtype.name))).detach().numpy(),
        rtol=tolerance * 10, atol=tolerance * 10)


def test_empty_batch_counts_but_leaves_statistics(device):
    mine, theirs = nn.BatchNorm2d(2).to(device), torch.nn.BatchNorm2d(2)
    out = mine(minigrad.zeros(0, 2, 3, 3, device=device))
    theirs(torch.zeros(0, 2, 3, 3))
    assert out.shape == (0, 2, 3, 3)
    assert int(mine.num_batches_tracked.item()) == int(theirs.num_batches_tracked) == 1
    np.testing.assert_array_equal(mine.running_mean.cpu().numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(mine.running_var.cpu().numpy(), [1.0, 1.0])


def test_functional_statistics_that_are_not_contiguous(device):
    """Strided running statistics (every other element of a buffer) are updated in place."""
    data = np.random.default_rng(5).standard_normal((6, 3))
    buffers = [minigrad.zeros(6, dtype=minigrad.float64, device=device),
               minigrad.ones(6, dtype=minigrad.float64, device=device)]
    torch_buffers = [torch.zeros(6, dtype=torch.float64), torch.ones(6, dtype=torch.float64)]
    for _ in range(2):
        F.batch_norm(minigrad.tensor(data, device=device), buffers[0][::2], buffers[1][::2],
                     training=True, momentum=0.25)
        torch.nn.functional.batch_norm(torch.tensor(data), torch_buffers[0][::2],
                                       torch_buffers[1][::2], training=True, momentum=0.25)
    for mine, theirs in zip(buffers, torch_buffers):
        np.testing.assert_allclose(mine.cpu().numpy(), theirs.numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("half", ["float16", "bfloat16"])
@pytest.mark.parametrize("statistics", ["float32", "same"])
def test_reduced_inputs_with_float32_or_16_bit_statistics(device, half, statistics):
    """A 16-bit input with float32 weight and running statistics (PyTorch's mixed type: the
    statistics stay float32 and are updated from float32 batch statistics), or with all of
    them in the input's dtype."""
    dtype = getattr(minigrad, half)
    stats_dtype = minigrad.float32 if statistics == "float32" else dtype
    mine = nn.BatchNorm2d(3).to(device=device, dtype=stats_dtype)
    theirs = torch.nn.BatchNorm2d(3).to(getattr(torch, stats_dtype.name))
    rng = np.random.default_rng(11)
    for _ in range(3):
        data = (rng.standard_normal((4, 3, 2, 2)) * 3 + 1).astype(np.float32)
        out = mine(minigrad.tensor(data, device=device).to(dtype=dtype))
        expected = theirs(torch.tensor(data).to(getattr(torch, half)))
        assert out.dtype is dtype
        np.testing.assert_allclose(out.float().cpu().numpy(), expected.float().detach().numpy(),
                                   rtol=2e-2, atol=2e-2)
    for name in ("running_mean", "running_var"):
        assert getattr(mine, name).dtype is stats_dtype
        tolerance = 1e-6 if statistics == "float32" else 1e-2
        np.testing.assert_allclose(getattr(mine, name).float().cpu().numpy(),
                                   getattr(theirs, name).float().numpy(), rtol=tolerance,
                                   atol=tolerance)
    assert int(mine.num_batches_tracked.item()) == 3


@pytest.mark.parametrize("half", ["float16", "bfloat16"])
def test_reduced_input_gradients_match_torch(device, half):
    """With float32 weight and bias the gradients are computed from float32 statistics and
    kept in float32 for the parameters, as PyTorch does."""
    rng = np.random.default_rng(12)
    data = (rng.standard_normal((4, 3, 2, 2)) * 3 + 1).astype(np.float32)
    seed = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
    mine, theirs = nn.BatchNorm2d(3).to(device), torch.nn.BatchNorm2d(3)
    x = minigrad.tensor(data, device=device).to(dtype=getattr(minigrad, half)).detach()
    tx = torch.tensor(data).to(getattr(torch, half))
    x.requires_grad_(True)
    tx.requires_grad_(True)
    (mine(x).float() * minigrad.tensor(seed, device=device)).sum().backward()
    (theirs(tx).float() * torch.tensor(seed)).sum().backward()
    assert x.grad.dtype is x.dtype and mine.weight.grad.dtype is minigrad.float32
    np.testing.assert_allclose(x.grad.float().cpu().numpy(), tx.grad.float().numpy(),
                               rtol=1e-2, atol=1e-2)
    for p, tp in ((mine.weight, theirs.weight), (mine.bias, theirs.bias)):
        np.testing.assert_allclose(p.grad.cpu().numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_mixed_dtypes_that_torch_refuses(device):
    x = minigrad.randn(4, 3, device=device)
    for bad in [dict(weight=minigrad.ones(3, dtype=minigrad.float16, device=device),
                     running=minigrad.float32, input=minigrad.float16),
                dict(weight=None, running=minigrad.float64, input=minigrad.float32)]:
        mean = minigrad.zeros(3, dtype=bad["running"], device=device)
        var = minigrad.ones(3, dtype=bad["running"], device=device)
        with pytest.raises(TypeError, match="float32"):
            F.batch_norm(x.to(dtype=bad["input"]), mean, var, bad["weight"], training=True)
        np.testing.assert_array_equal(mean.float().cpu().numpy(), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="both be None"):
        F.batch_norm(x, minigrad.zeros(3, device=device), None, training=True)


def test_statistics_are_written_in_place(device):
    """Views of the running statistics see the update; the version counters move (saved
    copies of them would refuse a backward), num_batches_tracked's as in PyTorch."""
    bn = nn.BatchNorm1d(2).to(device)
    view = bn.running_mean.view(1, 2)
    versions = [t._version_value for t in (bn.running_mean, bn.num_batches_tracked)]
    bn(minigrad.tensor([[1.0, 2.0], [3.0, 6.0]], device=device))
    np.testing.assert_allclose(view.cpu().numpy(), [[0.2, 0.4]], rtol=1e-6)
    assert [t._version_value for t in (bn.running_mean, bn.num_batches_tracked)] == \
        [v + 1 for v in versions]


@pytest.mark.cuda_only
@pytest.mark.parametrize("momentum", [0.1, None])
def test_one_launch_per_layer_forward_on_cuda(monkeypatch, momentum):
    if not minigrad.cuda.is_available():
        pytest.skip("needs the cuda device (a GPU or the simulator)")
    bn = nn.BatchNorm2d(3, momentum=momentum).to("cuda")
    x = minigrad.randn(2, 3, 2, 2, device="cuda", requires_grad=True)
    bn(x)
    launched = count_launches(monkeypatch)
    bn(x)
    if momentum is None:  # the cumulative average's factor needs the count first (as torch)
        assert launched[-1] == "batch_norm_train_forward"
        assert launched.count("batch_norm_train_forward") == 1 and len(launched) <= 3
    else:
        assert launched == ["batch_norm_train_forward"]
    assert int(bn.num_batches_tracked.item()) == 2


def test_graph_edges_match_torch(device):
    """The node has torch's three edges (input, weight, bias); the running statistics, which
    it updates, are none of them."""
    bn = nn.BatchNorm2d(3).to(device)
    x = minigrad.randn(4, 3, 2, 2, device=device, requires_grad=True)
    edges = bn(x).grad_fn.next_functions
    torch_edges = torch.nn.BatchNorm2d(3)(torch.randn(4, 3, 2, 2, requires_grad=True)) \
        .grad_fn.next_functions
    assert [type(n).__name__ for n, _ in edges] == \
        [type(n).__name__ for n, _ in torch_edges] == ["AccumulateGrad"] * 3
    assert edges[1][0].variable() is bn.weight and edges[2][0].variable() is bn.bias
