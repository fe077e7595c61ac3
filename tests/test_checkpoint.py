"""utils.checkpoint: checkpoint (both forms) and checkpoint_sequential give the gradients of
the plain computation, replay dropout's masks, and fail where PyTorch's fail."""
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.utils.checkpoint import checkpoint, checkpoint_sequential


def _net(device, dropout=0.0):
    minigrad.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Dropout(dropout), nn.Linear(5, 5),
                         nn.ReLU(), nn.Linear(5, 2)).to(device)


def _grads(net, x):
    return [p.grad.cpu().numpy().copy() for p in net.parameters()] + (
        [x.grad.cpu().numpy().copy()] if x.grad is not None else [])


def _plain_and_checkpointed(device, run, dropout=0.0, x_requires_grad=True):
    net = _net(device, dropout)
    x = minigrad.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3), device=device,
                        requires_grad=x_requires_grad)
    minigrad.manual_seed(5)
    net(x).pow(2).sum().backward()
    expected = _grads(net, x)
    net.zero_grad()
    x.grad = None
    minigrad.manual_seed(5)
    run(net, x).pow(2).sum().backward()
    return _grads(net, x), expected


@pytest.mark.parametrize("use_reentrant", [True, False])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_checkpoint_gives_the_plain_gradients(device, use_reentrant, dropout):
    got, expected = _plain_and_checkpointed(
        device, lambda net, x: checkpoint(net, x, use_reentrant=use_reentrant), dropout)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_sequential_gives_the_plain_gradients(device, use_reentrant):
    got, expected = _plain_and_checkpointed(
        device, lambda net, x: checkpoint_sequential(net, 3, x, use_reentrant=use_reentrant),
        dropout=0.5)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


def test_non_reentrant_works_with_grad_and_inputs_without_grad():
    got, expected = _plain_and_checkpointed(
        "cpu", lambda net, x: checkpoint(net, x, use_reentrant=False), x_requires_grad=False)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6)
    net = _net("cpu")
    x = minigrad.ones(2, 3)
    w, = minigrad.autograd.grad(checkpoint(net, x, use_reentrant=False).sum(),
                                [net[0].weight])
    w_plain, = minigrad.autograd.grad(net(x).sum(), [net[0].weight])
    np.testing.assert_allclose(w.numpy(), w_plain.numpy(), rtol=1e-6)
    assert net[0].weight.grad is None


def test_non_reentrant_passes_keyword_arguments_and_tuples():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)

    def segment(x, y, scale=1.0):
        return x * y * scale, x + y

    p, q = checkpoint(segment, a, b, use_reentrant=False, scale=2.0)
    (p.sum() + q.sum()).backward()
    assert a.grad.tolist() == [7.0, 9.0] and b.grad.tolist() == [3.0, 5.0]


def test_reentrant_matches_torchs_edges():
    torch = pytest.importorskip("torch")
    net, x = _net("cpu"), minigrad.ones(2, 3)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
        checkpoint(net, x.requires_grad_())
    # no input requires grad: as in PyTorch, the output does not either (a classic trap)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(net, minigrad.ones(2, 3), use_reentrant=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.utils.checkpoint.checkpoint(torch.nn.Linear(3, 2), torch.ones(2, 3),
                                                use_reentrant=True)
    assert out.requires_grad is ref.requires_grad is False
    y = checkpoint(net, x, use_reentrant=True)
    with pytest.raises(RuntimeError, match="incompatible with .grad()"):
        minigrad.autograd.grad(y.sum(), [x])
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(lambda t, scale: t * scale, x, use_reentrant=True, scale=2.0)
    with pytest.raises(TypeError, match="must return a Tensor or a tuple of Tensors"):
        checkpoint(lambda t: t.sum().item(), x, use_reentrant=False)
