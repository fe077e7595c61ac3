"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against PyTorch's: results,
nesting of tuples, create_graph, strict mode and the errors."""
import numpy as np
import pytest

import minigrad
from minigrad.autograd import functional as AF

torch = pytest.importorskip("torch")
TF = torch.autograd.functional


def _funcs(lib):
    """name: (function, input shapes, returns a tuple)."""
    return {
        "square": (lambda x: x ** 2, [(3,)]),
        "matrix": (lambda x: lib.tanh(x @ x.T), [(2, 3)]),
        "two_in": (lambda x, y: (x * y.sin()).sum(dim=0), [(2, 3), (2, 3)]),
        "two_out": (lambda x, y: (x.exp() * y, (x - y).sum()), [(3,), (3,)]),
        "scalar": (lambda x, y: (x ** 3 * y).sum() + (x * x.sum()).prod(), [(2, 2), (2, 2)]),
        "unused": (lambda x, y: x.cos(), [(2,), (2,)]),
    }


def _inputs(shapes, lib, device=None):
    rng = np.random.default_rng(len(shapes))
    arrays = [rng.uniform(0.5, 1.5, s) for s in shapes]
    if lib is torch:
        return tuple(torch.tensor(a) for a in arrays)
    return tuple(minigrad.tensor(a, device=device) for a in arrays)


def _flat(value):
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _flat(v)]
    return [value]


def _assert_same(got, want):
    got, want = _flat(got), _flat(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(g.detach().cpu().numpy(), w.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


def _call(fn, name, lib, device, single, **kwargs):
    func, shapes = _funcs(lib)[name]
    inputs = _inputs(shapes, lib, device)
    return fn(func, inputs[0] if single and len(inputs) == 1 else inputs, **kwargs)


@pytest.mark.parametrize("name", ["square", "matrix", "two_in", "two_out", "unused"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_matches_torch(device, name, create_graph):
    got = _call(AF.jacobian, name, minigrad, device, True, create_graph=create_graph)
    want = _call(TF.jacobian, name, torch, None, True, create_graph=create_graph)
    _assert_same(got, want)
    assert all(g.requires_grad is False for g in _flat(got)) or create_graph


@pytest.mark.parametrize("name", ["scalar"])
def test_hessian_and_hessian_products_match_torch(device, name):
    _assert_same(_call(AF.hessian, name, minigrad, device, True),
                 _call(TF.hessian, name, torch, None, True))
    single = lambda x: (x ** 3).sum() * x.sum()  # noqa: E731
    x = np.linspace(0.5, 1.5, 4)
    _assert_same(AF.hessian(single, minigrad.tensor(x, device=device)),
                 TF.hessian(single, torch.tensor(x)))
    v = np.linspace(-1, 1, 4)
    for ours, theirs in [(AF.hvp, TF.hvp), (AF.vhp, TF.vhp)]:
        _assert_same(ours(single, minigrad.tensor(x, device=device),
                          minigrad.tensor(v, device=device)),
                     theirs(single, torch.tensor(x), torch.tensor(v)))


@pytest.mark.parametrize("name", ["square", "two_in", "two_out", "unused"])
def test_vjp_and_jvp_match_torch(device, name):
    func_t, shapes = _funcs(torch)[name]
    func_m, _ = _funcs(minigrad)[name]
    inputs_t, inputs_m = _inputs(shapes, torch), _inputs(shapes, minigrad, device)
    outs = _flat(func_t(*inputs_t))
    rng = np.random.default_rng(3)
    v_out = [rng.standard_normal(tuple(o.shape)) for o in outs]
    v_in = [rng.standard_normal(tuple(i.shape)) for i in inputs_t]
    pack = lambda vs, lib: tuple(  # noqa: E731
        torch.tensor(a) if lib is torch else minigrad.tensor(a, device=device) for a in vs)
    arg = (lambda t: t if len(t) > 1 else t[0])  # noqa: E731
    _assert_same(AF.vjp(func_m, arg(inputs_m), arg(pack(v_out, minigrad))),
                 TF.vjp(func_t, arg(inputs_t), arg(pack(v_out, torch))))
    _assert_same(AF.jvp(func_m, arg(inputs_m), arg(pack(v_in, minigrad))),
                 TF.jvp(func_t, arg(inputs_t), arg(pack(v_in, torch))))


def test_create_graph_results_can_be_differentiated_again():
    x_m = minigrad.tensor([0.3, 0.7], dtype=minigrad.float64, requires_grad=True)
    x_t = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
    AF.jacobian(lambda x: x.sin() * x.sum(), x_m, create_graph=True).sum().backward()
    TF.jacobian(lambda x: x.sin() * x.sum(), x_t, create_graph=True).sum().backward()
    np.testing.assert_allclose(x_m.grad.numpy(), x_t.grad.numpy(), rtol=1e-12)


def test_strict_mode_and_bad_arguments_raise_as_in_torch():
    x = minigrad.ones(2)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not "
                                           "require gradients"):
        AF.jacobian(lambda x: minigrad.ones(3), x, strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.jacobian(lambda x, y: x * 2, (x, minigrad.ones(2)), strict=True)
    assert AF.jacobian(lambda x: minigrad.ones(3), x).tolist() == [[0.0, 0.0]] * 3
    with pytest.raises(RuntimeError, match="should contain a single element"):
        AF.hessian(lambda x: x ** 2, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.vjp(lambda x: x ** 2, x)
    with pytest.raises(RuntimeError, match="Entry 0 in v has invalid size"):
        AF.vjp(lambda x: x ** 2, x, minigrad.ones(3))
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        AF.jacobian(lambda x: 3, x)
    with pytest.raises(ValueError, match="requires `vectorize=True`"):
        AF.jacobian(lambda x: x, x, strategy="forward-mode")
