"""F.embedding_bag and nn.EmbeddingBag against PyTorch: every mode, 2-D bags and 1-D bags cut
at offsets (with empty bags and include_last_offset), per_sample_weights, padding_idx, the
gradients of the weight and the per-sample weights, gradcheck in float64, and the errors."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

torch = pytest.importorskip("torch")

CASES = [  # (indices, offsets, include_last_offset)
    ([[1, 2, 4], [4, 3, 2]], None, False),
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 4], False),
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 3, 7], False),       # an empty bag
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 5, 8], True),        # the last entry ends the last bag
    ([0, 0, 7], [0, 1], False),
]


def _pair(indices, offsets, weight, device):
    ours = (minigrad.tensor(indices, device=device),
            None if offsets is None else minigrad.tensor(offsets, device=device),
            minigrad.tensor(weight, device=device, requires_grad=True))
    theirs = (torch.tensor(indices), None if offsets is None else torch.tensor(offsets),
              torch.tensor(weight, requires_grad=True))
    return ours, theirs


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("padding_idx", [None, 4])
def test_embedding_bag_matches_torch(device, mode, case, padding_idx):
    indices, offsets, last = CASES[case]
    weight = np.random.default_rng(case).standard_normal((10, 3))
    (i, o, w), (ti, to, tw) = _pair(indices, offsets, weight, device)
    out = F.embedding_bag(i, w, o, mode=mode, include_last_offset=last,
                          padding_idx=padding_idx)
    want = torch.nn.functional.embedding_bag(ti, tw, to, mode=mode, include_last_offset=last,
                                             padding_idx=padding_idx)
    np.testing.assert_allclose(out.numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert out.grad_fn.name() == "EmbeddingBagBackward0"
    g = np.random.default_rng(9).standard_normal(tuple(want.shape))
    out.backward(minigrad.tensor(g, device=device))
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_per_sample_weights_scale_each_row_of_a_sum(device, case):
    indices, offsets, last = CASES[case]
    weight = np.random.default_rng(case).standard_normal((10, 4))
    psw = np.random.default_rng(case + 1).standard_normal(np.shape(indices))
    (i, o, w), (ti, to, tw) = _pair(indices, offsets, weight, device)
    p = minigrad.tensor(psw, device=device, requires_grad=True)
    tp = torch.tensor(psw, requires_grad=True)
    out = F.embedding_bag(i, w, o, mode="sum", per_sample_weights=p, include_last_offset=last)
    want = torch.nn.functional.embedding_bag(ti, tw, to, mode="sum", per_sample_weights=tp,
                                             include_last_offset=last)
    np.testing.assert_allclose(out.numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-12)
    out.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_gradcheck_in_weight_and_per_sample_weights(device):
    i = minigrad.tensor([1, 2, 1, 0, 3], device=device)
    o = minigrad.tensor([0, 2], device=device)
    w = minigrad.randn(4, 2, dtype=minigrad.float64, device=device, requires_grad=True)
    p = minigrad.randn(5, dtype=minigrad.float64, device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda w, p: F.embedding_bag(i, w, o, mode="sum",
                                                           per_sample_weights=p), [w, p])
    assert minigrad.gradgradcheck(lambda w: F.embedding_bag(i, w, o) ** 2, [w])


def test_module_and_from_pretrained_match_torch(device):
    weight = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    bag = nn.EmbeddingBag.from_pretrained(minigrad.tensor(weight, device=device), mode="max")
    ref = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(weight), mode="max")
    assert not bag.weight.requires_grad and repr(bag) == repr(ref)
    x = [[0, 5, 2], [1, 1, 3]]
    np.testing.assert_array_equal(bag(minigrad.tensor(x, device=device)).numpy(),
                                  ref(torch.tensor(x)).numpy())
    fresh = nn.EmbeddingBag(10, 4, mode="sum", padding_idx=2, device=device)
    assert fresh.weight.requires_grad and fresh.weight[2].abs().sum().item() == 0
    assert repr(fresh) == repr(torch.nn.EmbeddingBag(10, 4, mode="sum", padding_idx=2))
    assert tuple(fresh(minigrad.tensor([1, 2, 3], device=device),
                       minigrad.tensor([0, 1], device=device)).shape) == (2, 4)


def test_errors_name_what_was_wrong():
    w = minigrad.randn(5, 2)
    with pytest.raises(ValueError, match="offsets must be None"):
        F.embedding_bag(minigrad.tensor([[1, 2]]), w, minigrad.tensor([0]))
    with pytest.raises(ValueError, match="offsets must be given"):
        F.embedding_bag(minigrad.tensor([1, 2]), w)
    with pytest.raises(ValueError, match="offsets\\[0\\] has to be 0"):
        F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([1]))
    with pytest.raises(ValueError, match="non-decreasing"):
        F.embedding_bag(minigrad.tensor([1, 2]), w, minigrad.tensor([0, 2, 1]))
    with pytest.raises(NotImplementedError, match="per_sample_weights"):
        F.embedding_bag(minigrad.tensor([[1, 2]]), w, mode="mean",
                        per_sample_weights=minigrad.ones(1, 2))
    with pytest.raises(ValueError, match="mode"):
        F.embedding_bag(minigrad.tensor([[1, 2]]), w, mode="median")
    with pytest.raises(IndexError, match="out of range"):
        F.embedding_bag(minigrad.tensor([[1, 7]]), w)
    with pytest.raises(ValueError, match="max mode"):
        F.embedding_bag(minigrad.tensor([[1, 2]]), w, mode="max", scale_grad_by_freq=True)
