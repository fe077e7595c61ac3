"""Gradients of outputs that got none: a custom Function receives zeros by default and None
after `ctx.set_materialize_grads(False)`, as in PyTorch; the built-in multi-output Functions
receive None and make no zeros (no fill launches on cuda)."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import Function
from launch_counter import count_launches

torch = pytest.importorskip("torch")


def _two_outputs(base, materialize, seen):
    """A Function (of `base`, minigrad's or torch's) returning (2x, 3x) and its index argmax
    (non-differentiable), recording what its backward receives."""

    class TwoOutputs(base):
        @staticmethod
        def forward(ctx, x):
            if not materialize:
                ctx.set_materialize_grads(False)
            index = (x * 0).to(dtype=minigrad.int64 if base is Function else torch.int64)
            ctx.mark_non_differentiable(index)
            return x * 2, x * 3, index

        @staticmethod
        def backward(ctx, g2, g3, g_index):
            seen.extend(None if g is None else np.asarray(g.detach().cpu().numpy()).tolist()
                        for g in (g2, g3, g_index))
            total = None
            for g, k in ((g2, 2), (g3, 3)):
                if g is not None:
                    total = g * k if total is None else total + g * k
            return total

    return TwoOutputs


@pytest.mark.parametrize("materialize", [True, False])
@pytest.mark.parametrize("used", [(0,), (1,), (0, 1)])
def test_custom_function_matches_torch(device, materialize, used):
    values = [[1.0, -2.0], [0.5, 4.0]]
    results = []
    for lib, base, make in ((minigrad, Function,
                             lambda: minigrad.tensor(values, device=device, requires_grad=True)),
                            (torch, torch.autograd.Function,
                             lambda: torch.tensor(values, requires_grad=True))):
        seen = []
        x = make()
        outputs = _two_outputs(base, materialize, seen).apply(x)
        assert not outputs[2].requires_grad
        loss = sum((outputs[i] * (i + 1)).sum() for i in used)
        loss.backward()
        results.append((seen, x.grad.detach().cpu().numpy()))
    (seen, grad), (torch_seen, torch_grad) = results
    assert seen == torch_seen
    np.testing.assert_array_equal(grad, torch_grad)


def test_indices_outputs_get_none(device):
    """Built-in Functions with an indices output see None for it (nothing filled) and still give
    torch's gradients."""
    data = np.array([[[[1.0, 5.0, 2.0], [7.0, 3.0, 0.0], [4.0, 6.0, 8.0]]]])
    x = minigrad.tensor(data, device=device, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    for lib, t in ((minigrad, x), (torch, tx)):
        f = F if lib is minigrad else torch.nn.functional
        out = (f.max_pool2d(t, 2, stride=1) * 2).sum()
        out = out + lib.max(t, dim=3).values.sum() + lib.sort(t, dim=2).values[..., 0, :].sum()
        out = out + lib.cummax(t, dim=3).values.sum()
        out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_slogdet_sign_alone():
    """(slogdet has a cpu kernel only.)"""
    a = minigrad.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    ta = torch.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    sign, _ = minigrad.linalg.slogdet(a)
    torch_sign, _ = torch.linalg.slogdet(ta)
    assert sign.requires_grad and torch_sign.requires_grad
    (sign * 2).sum().backward()
    (torch_sign * 2).sum().backward()
    assert a.grad is None and ta.grad is None


@pytest.mark.cuda_only
def test_batch_norm_backward_fills_nothing_on_cuda(monkeypatch):
    if not minigrad.cuda.is_available():
        pytest.skip("needs the cuda device (a GPU or the simulator)")
    bn = nn.BatchNorm2d(3).to("cuda")
    x = minigrad.randn(4, 3, 2, 2, device="cuda", requires_grad=True)
    out = bn(x)
    grad = minigrad.ones(4, 3, 2, 2, device="cuda")
    launched = count_launches(monkeypatch)
    out.backward(grad)
    assert "_fill_kernel" not in launched
    assert launched.count("batch_norm_train_backward") == 1
