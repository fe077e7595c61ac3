"""nn.utils.prune against PyTorch's: masks of the deterministic methods, combined masks of
iterative pruning, global pruning, the re-parametrisation (names, state dict, gradients),
remove, the random methods' counts, and the errors."""
import numpy as np
import pytest

import minigrad
from minigrad.nn.utils import prune

torch = pytest.importorskip("torch")
tprune = pytest.importorskip("torch.nn.utils.prune")


def _pair(device):
    torch.manual_seed(0)
    ref = [torch.nn.Conv2d(2, 4, 3), torch.nn.Linear(6, 5)]
    ours = [minigrad.nn.Conv2d(2, 4, 3), minigrad.nn.Linear(6, 5)]
    for r, o in zip(ref, ours):
        o.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in r.state_dict().items()})
        o.to(device)
    return ref, ours


def _same(ours, ref):
    assert list(ours.state_dict()) == list(ref.state_dict())
    for key, value in ref.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].cpu().numpy(), value.numpy(),
                                   rtol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours.weight.detach().cpu().numpy(),
                               ref.weight.detach().numpy(), rtol=1e-6)


STEPS = {
    "l1": lambda p, m: p.l1_unstructured(m, "weight", amount=0.3),
    "l1_count": lambda p, m: p.l1_unstructured(m, "weight", amount=7),
    "ln_dim0": lambda p, m: p.ln_structured(m, "weight", amount=0.5, n=2, dim=0),
    "ln_inf_dim1": lambda p, m: p.ln_structured(m, "weight", amount=1, n=float("inf"), dim=1),
    "identity": lambda p, m: p.identity(m, "weight"),
}


@pytest.mark.parametrize("first, second", [("l1", "ln_dim0"), ("ln_dim0", "l1_count"),
                                           ("identity", "ln_inf_dim1"), ("l1_count", "l1")])
def test_iterative_pruning_matches_torch(device, first, second):
    ref, ours = _pair(device)
    for r, o in zip(ref, ours):
        STEPS[first](tprune, r)
        STEPS[first](prune, o)
        _same(o, r)
        STEPS[second](tprune, r)
        STEPS[second](prune, o)
        _same(o, r)
        assert [type(h).__name__ for h in o._forward_pre_hooks.values()] == \
            [type(h).__name__ for h in r._forward_pre_hooks.values()]


def test_global_pruning_gradients_and_remove_match_torch(device):
    ref, ours = _pair(device)
    tprune.global_unstructured([(m, "weight") for m in ref], tprune.L1Unstructured, amount=0.4)
    prune.global_unstructured([(m, "weight") for m in ours], prune.L1Unstructured, amount=0.4)
    for r, o in zip(ref, ours):
        _same(o, r)
    x = np.linspace(-1, 1, 2 * 2 * 5 * 5, dtype=np.float32).reshape(2, 2, 5, 5)
    ref[0](torch.tensor(x)).pow(2).sum().backward()
    ours[0](minigrad.tensor(x, device=device)).pow(2).sum().backward()
    np.testing.assert_allclose(ours[0].weight_orig.grad.cpu().numpy(),
                               ref[0].weight_orig.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert prune.is_pruned(ours[0]) and tprune.is_pruned(ref[0])
    tprune.remove(ref[0], "weight")
    prune.remove(ours[0], "weight")
    _same(ours[0], ref[0])
    assert [n for n, _ in ours[0].named_parameters()] == ["bias", "weight"]
    assert not prune.is_pruned(ours[0])


def test_custom_masks_and_methods(device):
    class EveryOther(prune.BasePruningMethod):
        PRUNING_TYPE = "unstructured"

        def compute_mask(self, t, default_mask):
            mask = default_mask.clone()
            mask.view(-1)[::2] = 0
            return mask

    layer = minigrad.nn.Linear(3, 2).to(device)
    EveryOther.apply(layer, "bias")
    assert layer.bias_mask.tolist() == [0.0, 1.0]
    prune.custom_from_mask(layer, "weight", minigrad.tensor([[1, 0, 1], [0, 1, 1]],
                                                            device=device))
    assert (layer.weight == 0).sum().item() == 2
    pruned = EveryOther().prune(minigrad.ones(4, device=device))
    assert pruned.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_random_methods_prune_the_asked_amount():
    layer = minigrad.nn.Conv2d(3, 6, 3)
    prune.random_unstructured(layer, "weight", amount=0.25)
    assert (layer.weight_mask == 0).sum().item() == round(0.25 * 6 * 3 * 9)
    prune.random_structured(layer, "weight", amount=2, dim=0)
    kept = (layer.weight_mask.sum(dim=(1, 2, 3)) != 0).sum().item()
    assert kept == 4


def test_errors_match_torch():
    layer = minigrad.nn.Linear(3, 2)
    with pytest.raises(ValueError, match="should either be a float in the range"):
        prune.l1_unstructured(layer, "weight", amount=1.5)
    with pytest.raises(TypeError, match="Invalid type for amount"):
        prune.l1_unstructured(layer, "weight", amount="half")
    with pytest.raises(ValueError, match="should be smaller than the number of parameters"):
        prune.l1_unstructured(layer, "weight", amount=7)
    assert "weight" in layer._parameters and not prune.is_pruned(layer)  # left as it was
    with pytest.raises(ValueError, match="Structured pruning can only be applied to "
                                         "multidimensional tensors"):
        prune.ln_structured(layer, "bias", amount=1, n=2, dim=0)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(layer, "weight")
    with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE'):
        prune.global_unstructured([(layer, "weight")], prune.LnStructured, amount=1, n=2,
                                  dim=0)
