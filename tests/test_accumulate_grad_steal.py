"""A leaf's first gradient becomes its .grad without a copy when nothing else can reach it, as
in PyTorch; anything the user, a hook, another tensor or a node still holds is copied. Values
and aliasing are compared with PyTorch; on cuda the copies are gone (no `_copy_kernel`)."""
import types
import weakref

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import Function
from minigrad.backend import get_backend
from launch_counter import count_launches

torch = pytest.importorskip("torch")

X = np.arange(6.0).reshape(2, 3) - 2.5


def _both(device):
    """(x, tx): the same leaf in minigrad (on `device`) and torch."""
    return (minigrad.tensor(X, device=device, requires_grad=True),
            torch.tensor(X, requires_grad=True))


def _grad(t):
    return t.grad.detach().cpu().numpy()


def _owned(backend, holder, name):
    """backend.sole_owner(holder.<name>) (outside an assert: pytest's rewriting of an assert
    would hold the array in a temporary while the call counts its references)."""
    return backend.sole_owner(getattr(holder, name))


@pytest.mark.parametrize("make_view", [
    lambda b, a: b.reshape(a, (3, 2)), lambda b, a: b.permute(a, (1, 0)),
    lambda b, a: b.getitem(a, (slice(1, 2),)), lambda b, a: b.broadcast_to(a, (4, 2, 3))])
def test_sole_owner_sees_views_and_aliases(device, make_view):
    backend = get_backend(device)
    holder = types.SimpleNamespace(a=backend.full((2, 3), np.dtype(np.float32), 1.0))
    assert _owned(backend, holder, "a")
    view = make_view(backend, holder.a)
    assert not _owned(backend, holder, "a")
    del view
    assert _owned(backend, holder, "a")
    alias = holder.a
    assert not _owned(backend, holder, "a")
    del alias
    holder.a = make_view(backend, backend.full((2, 3), np.dtype(np.float32), 1.0))
    base_alive = backend.full((2, 3), np.dtype(np.float32), 1.0)
    holder.b = make_view(backend, base_alive)
    assert not _owned(backend, holder, "b")  # a view of a live array


def _route(lib, x, make, route):
    """(output of x, the gradient the user passes for it) along `route`."""
    if route == "leaf":
        return x, make(np.ones((2, 3)))
    if route == "reshape":
        return x.reshape(6), make(np.arange(6.0))
    if route == "view":
        return x.view(3, 2), make(np.arange(6.0).reshape(3, 2))
    if route == "transpose":
        return x.t(), make(np.arange(6.0).reshape(3, 2))
    if route == "expand_sum":
        return x.sum(0), make(np.array([1.0, 2.0, 3.0]))
    return x * 1, make(np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("route", ["leaf", "reshape", "view", "transpose", "expand_sum",
                                   "detach_alias"])
def test_gradient_passed_to_backward_is_copied(device, route):
    """Whatever route the user's gradient takes to the leaf, .grad is neither it nor a view of
    it: changing the gradient (or an alias of it) afterwards leaves .grad as it was. PyTorch
    gives the same values and never `x.grad is g`, but along a reshape or view it keeps a view
    of g as .grad (changing g then changes .grad); here that is a copy."""
    x, tx = _both(device)
    out, g = _route(minigrad, x, lambda a: minigrad.tensor(a, device=device), route)
    alias = g.detach()
    out.backward(g)
    assert x.grad is not g
    before = _grad(x).copy()
    with minigrad.no_grad():
        g.mul_(-7)
        alias.add_(100)
    np.testing.assert_array_equal(_grad(x), before)
    torch_out, torch_g = _route(torch, tx, torch.tensor, route)
    torch_out.backward(torch_g)
    assert tx.grad is not torch_g
    np.testing.assert_array_equal(before, _grad(tx))


@pytest.mark.parametrize("fresh_root", [True, False])
def test_shared_gradient_of_two_leaves_is_not_shared(device, fresh_root):
    """a + b sends one gradient tensor to both leaves: at most one may keep it."""
    for lib, make in ((minigrad, lambda v: minigrad.tensor(v, device=device,
                                                           requires_grad=True)),
                      (torch, lambda v: torch.tensor(v, requires_grad=True))):
        a, b = make(X), make(X * 2)
        if fresh_root:
            ((a + b) * 3).sum().backward()
        else:
            (a + b).backward(make(np.ones((2, 3))).detach() * 3)
        assert a.grad is not b.grad
        with lib.no_grad():
            a.grad.add_(1)
        np.testing.assert_array_equal(_grad(b), np.full((2, 3), 3.0))
        np.testing.assert_array_equal(_grad(a), np.full((2, 3), 4.0))


def test_hooks_see_the_gradient_and_keep_their_copy(device):
    for lib, x in ((minigrad, _both(device)[0]), (torch, _both(device)[1])):
        seen, after = [], []
        x.register_hook(lambda g: seen.append(g))
        x.register_post_accumulate_grad_hook(lambda t: after.append(t.grad.detach().clone()))
        y = x * 2
        y.retain_grad()
        (y * 3).sum().backward()
        np.testing.assert_array_equal(seen[0].cpu().numpy(), np.full((2, 3), 6.0))
        np.testing.assert_array_equal(after[0].cpu().numpy(), np.full((2, 3), 6.0))
        with lib.no_grad():
            seen[0].add_(1)
            y.grad.add_(1)
        np.testing.assert_array_equal(_grad(x), np.full((2, 3), 6.0))
        np.testing.assert_array_equal(_grad(y), np.full((2, 3), 4.0))


def test_hook_replacing_the_gradient_with_a_kept_tensor(device):
    kept = minigrad.full((2, 3), 5.0, dtype=minigrad.float64, device=device)
    x = _both(device)[0]
    x.register_hook(lambda g: kept)
    (x * 2).sum().backward()
    assert x.grad is not kept
    kept.add_(1)
    np.testing.assert_array_equal(_grad(x), np.full((2, 3), 5.0))


class _KeepsItsGradient(Function):
    """Doubles; its backward keeps the gradient it returns (a view of it, or itself behind a
    new tensor object), as a node might."""
    kept = []
    alias = False

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        out = grad * 2
        if _KeepsItsGradient.alias:
            _KeepsItsGradient.kept.append(out)
            return out.detach()
        _KeepsItsGradient.kept.append(out.reshape(-1))
        return out


class _ReturnsASavedTensor(Function):
    """Its backward returns, as the gradient, a tensor it saved in forward (no one else holds
    it): with retain_graph the node still holds it after the first backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x * 0 + 3)
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        (saved,) = ctx.saved_tensors
        return saved


def test_saved_tensor_returned_as_gradient_is_copied(device):
    for lib, (x, base) in ((minigrad, (_both(device)[0], Function)),
                           (torch, (_both(device)[1], torch.autograd.Function))):
        cls = _ReturnsASavedTensor if base is Function else type(
            "TorchReturnsASavedTensor", (base,), {
                "forward": _ReturnsASavedTensor.forward,
                "backward": _ReturnsASavedTensor.backward})
        y = cls.apply(x).sum()
        for _ in range(2):
            y.backward(retain_graph=True)
        y.backward()  # accumulated into .grad: the saved tensor must not be .grad itself
        np.testing.assert_array_equal(_grad(x), np.full((2, 3), 9.0))


class _FreshGradient(Function):
    returned = None

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        out = grad * 2
        _FreshGradient.returned = weakref.ref(out)
        return out


@pytest.mark.parametrize("alias", [False, True])
def test_gradient_something_else_holds_is_copied(device, alias):
    x = _both(device)[0]
    _KeepsItsGradient.kept.clear()
    _KeepsItsGradient.alias = alias
    _KeepsItsGradient.apply(x).sum().backward()
    kept = _KeepsItsGradient.kept.pop()
    kept.add_(1)
    np.testing.assert_array_equal(_grad(x), np.full((2, 3), 2.0))


def test_fresh_gradient_is_kept_without_a_copy_and_accumulates(device):
    x = _both(device)[0]
    _FreshGradient.apply(x).sum().backward()
    assert x.grad is _FreshGradient.returned()  # nothing else held it: no copy
    first = x.grad
    _FreshGradient.apply(x).sum().backward()
    assert x.grad is first  # accumulated in place, as PyTorch does
    np.testing.assert_array_equal(_grad(x), np.full((2, 3), 4.0))


@pytest.mark.filterwarnings("ignore:Using backward.. with create_graph")
def test_create_graph_gradient_stays_differentiable(device):
    x, tx = _both(device)
    for t in (x, tx):
        (t * t).sum().backward(create_graph=True)
    assert x.grad.requires_grad and tx.grad.requires_grad
    np.testing.assert_allclose(_grad(x), _grad(tx))


def test_training_step_values_match_torch(device):
    """A conv + batch norm + linear step twice (the second accumulates into stolen grads)."""
    rng = np.random.default_rng(0)
    image = rng.standard_normal((4, 1, 6, 6))
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(),
                          nn.Linear(32, 3)).double()
    reference = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                                    torch.nn.ReLU(), torch.nn.Flatten(),
                                    torch.nn.Linear(32, 3)).double()
    for p, tp in zip(model.parameters(), reference.parameters()):
        tp.data = torch.tensor(p.detach().numpy())
    model.to(device)
    x = minigrad.tensor(image, device=device)
    for _ in range(2):
        model(x).square().sum().backward()
        reference(torch.tensor(image)).square().sum().backward()
    for p, tp in zip(model.parameters(), reference.parameters()):
        np.testing.assert_allclose(_grad(p), tp.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.cuda_only
def test_no_gradient_copies_on_cuda(monkeypatch):
    if not minigrad.cuda.is_available():
        pytest.skip("needs the cuda device (a GPU or the simulator)")
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    model.to("cuda")
    x = minigrad.randn(2, 1, 4, 4, device="cuda")
    loss = F.cross_entropy(model(x), minigrad.tensor([0, 2], device="cuda"))
    launched = count_launches(monkeypatch)
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    assert "_copy_kernel" not in launched
