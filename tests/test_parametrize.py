"""nn.utils.parametrize / parametrizations against PyTorch's: the class swap, state dict
keys, values and gradients through chained parametrizations, right_inverse on registration
and assignment, cached(), removal, the new-style weight_norm, and the errors."""
import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils import parametrizations, parametrize

torch = pytest.importorskip("torch")
TP = pytest.importorskip("torch.nn.utils.parametrize")


def _parametrization_classes(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    class Scale(lib.nn.Module):
        def forward(self, X):
            return 2 * X

        def right_inverse(self, A):
            return A / 2

    return Symmetric, Scale


def _pair(device):
    torch.manual_seed(0)
    ref = torch.nn.Linear(3, 3)
    ours = nn.Linear(3, 3)
    ours.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    return ref, ours.to(device)


def _same(got, want):
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-6,
                               atol=1e-7)


def test_chained_parametrizations_match_torch(device):
    ref, ours = _pair(device)
    (RS, RC), (OS, OC) = _parametrization_classes(torch), _parametrization_classes(minigrad)
    TP.register_parametrization(ref, "weight", RS())
    parametrize.register_parametrization(ours, "weight", OS())
    TP.register_parametrization(ref, "weight", RC())
    parametrize.register_parametrization(ours, "weight", OC())
    assert type(ours).__name__ == type(ref).__name__ == "ParametrizedLinear"
    assert isinstance(ours, nn.Linear)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for key, value in ref.state_dict().items():
        _same(ours.state_dict()[key], value)
    _same(ours.weight, ref.weight)
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    ref(torch.tensor(x)).pow(2).sum().backward()
    ours(minigrad.tensor(x, device=device)).pow(2).sum().backward()
    _same(ours.parametrizations.weight.original.grad, ref.parametrizations.weight.original.grad)
    # assignment runs right_inverse through the chain
    target = np.arange(9, dtype=np.float32).reshape(3, 3)
    target = target + target.T
    with torch.no_grad():
        ref.weight = torch.tensor(target)
    with minigrad.no_grad():
        ours.weight = minigrad.tensor(target, device=device)
    _same(ours.parametrizations.weight.original, ref.parametrizations.weight.original)
    _same(ours.weight, ref.weight)
    assert parametrize.is_parametrized(ours) and parametrize.is_parametrized(ours, "weight")
    assert not parametrize.is_parametrized(ours, "bias")
    TP.remove_parametrizations(ref, "weight", leave_parametrized=True)
    parametrize.remove_parametrizations(ours, "weight", leave_parametrized=True)
    assert type(ours) is nn.Linear and list(ours.state_dict()) == list(ref.state_dict())
    _same(ours.weight, ref.weight)
    assert isinstance(ours.weight, nn.Parameter)


def test_cached_computes_once_and_remove_can_keep_the_original():
    layer = nn.Linear(2, 2)
    calls = []

    class Counting(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 1

    parametrize.register_parametrization(layer, "weight", Counting())
    calls.clear()
    with parametrize.cached():
        first, second = layer.weight, layer.weight
    assert first is second and len(calls) == 1
    layer.weight, layer.weight
    assert len(calls) == 3
    original = layer.parametrizations.weight.original.detach().clone()
    parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    assert layer.weight.tolist() == original.tolist()


def test_new_style_weight_norm_matches_torch(device):
    ref, ours = _pair(device)
    torch.nn.utils.parametrizations.weight_norm(ref, dim=0)
    parametrizations.weight_norm(ours, dim=0)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for key, value in ref.state_dict().items():
        _same(ours.state_dict()[key], value)
    x = np.ones((2, 3), np.float32)
    ref(torch.tensor(x)).sum().backward()
    ours(minigrad.tensor(x, device=device)).sum().backward()
    _same(ours.parametrizations.weight.original0.grad,
          ref.parametrizations.weight.original0.grad)
    _same(ours.parametrizations.weight.original1.grad,
          ref.parametrizations.weight.original1.grad)


def test_errors_match_torch():
    layer = nn.Linear(2, 3)

    class Shrink(nn.Module):
        def forward(self, X):
            return X[:1]

    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(layer, "weight", Shrink())
    assert not parametrize.is_parametrized(layer) and type(layer) is nn.Linear
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a "
                                         "parametrized element with name 'kernel'"):
        parametrize.register_parametrization(layer, "kernel", Shrink())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(layer, "weight")
    parametrizations.weight_norm(layer)
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
