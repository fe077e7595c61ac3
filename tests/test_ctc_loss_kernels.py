"""F.ctc_loss on its kernels (alpha and beta recursions, one launch per direction): against the
path enumeration of minigrad.testing.ctc and against PyTorch on both devices, in float64 and
float32, for every reduction, zero_infinity with impossible alignments, padded and concatenated
targets, lengths as tensors and as tuples, any blank; gradcheck in float64."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing.ctc import ctc_loss_by_enumeration

torch = pytest.importorskip("torch")

DTYPES = {minigrad.float64: (torch.float64, 1e-10), minigrad.float32: (torch.float32, 2e-5)}


def _log_probs(rng, steps, batch, classes, normalised=True):
    logits = rng.normal(size=(steps, batch, classes))
    if not normalised:  # torch's formula holds for any log_probs: check it off the simplex too
        return logits
    return logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))


@given(seed=st.integers(0, 2**16), steps=st.integers(0, 4), classes=st.integers(2, 3),
       blank_last=st.booleans(), normalised=st.booleans(), zero_infinity=st.booleans(),
       data=st.data())
def test_ctc_kernels_match_path_enumeration(device, seed, steps, classes, blank_last,
                                            normalised, zero_infinity, data):
    """Per-sample losses and PyTorch's gradient, impossible alignments (a target longer than
    the input allows) included."""
    rng = np.random.default_rng(seed)
    blank = classes - 1 if blank_last else 0
    labels = [c for c in range(classes) if c != blank]
    batch = 2
    targets = [data.draw(st.lists(st.sampled_from(labels), max_size=3)) for _ in range(batch)]
    input_lengths = [steps, data.draw(st.integers(0, steps))]
    lp = _log_probs(rng, steps, batch, classes, normalised)
    padded = np.zeros((batch, 3), dtype=np.int64)
    for b, row in enumerate(targets):
        padded[b, :len(row)] = row
    x = minigrad.tensor(lp, device=device, requires_grad=True)
    losses = F.ctc_loss(x, minigrad.tensor(padded, device=device), input_lengths,
                        [len(r) for r in targets], blank=blank, reduction="none",
                        zero_infinity=zero_infinity)
    weights = rng.uniform(0.5, 1.5, size=batch)
    (losses * minigrad.tensor(weights, device=device)).sum().backward()
    for b in range(batch):
        loss, gradient = ctc_loss_by_enumeration(lp[:input_lengths[b], b], targets[b], blank)
        expected_grad = np.zeros((steps, classes))
        expected_grad[:input_lengths[b]] = gradient * weights[b]
        if zero_infinity and loss == math.inf:
            loss, expected_grad = 0.0, np.zeros((steps, classes))
        np.testing.assert_allclose(losses[b].item(), loss, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(x.grad.cpu().numpy()[:, b], expected_grad, rtol=1e-9,
                                   atol=1e-12)


def _torch_case(device, dtype, seed=0, steps=6, classes=4, blank=0):
    rng = np.random.default_rng(seed)
    lp = _log_probs(rng, steps, 3, classes)
    labels = [c for c in range(classes) if c != blank]
    padded = np.array([[labels[0], labels[1], labels[1]], [labels[2], labels[2], labels[0]],
                       [labels[0], labels[0], labels[1]]])
    return lp, padded


def _compare(device, dtype, lp, targets, input_lengths, target_lengths, as_tensors, **kwargs):
    """minigrad's loss and gradient (through log_probs themselves) against torch's."""
    tdtype, tol = DTYPES[dtype]
    x = minigrad.tensor(lp, dtype=dtype, device=device, requires_grad=True)
    tx = torch.tensor(lp, dtype=tdtype, requires_grad=True)
    if as_tensors:
        mine = [minigrad.tensor(np.asarray(v), device=device)
                for v in (input_lengths, target_lengths)]
        theirs = [torch.tensor(np.asarray(v)) for v in (input_lengths, target_lengths)]
    else:
        mine = theirs = [tuple(input_lengths), tuple(target_lengths)]
    got = F.ctc_loss(x, minigrad.tensor(targets, device=device), *mine, **kwargs)
    expected = torch.nn.functional.ctc_loss(tx, torch.tensor(targets), *theirs, **kwargs)
    assert got.dtype == dtype
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(),
                               rtol=tol, atol=tol)
    weights = np.random.default_rng(7).uniform(0.5, 1.5, size=tuple(expected.shape))
    (got * minigrad.tensor(weights, dtype=dtype, device=device)).sum().backward()
    (expected * torch.tensor(weights, dtype=tdtype)).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_matches_torch_padded_targets(device, dtype, reduction, zero_infinity):
    """Sample 1 cannot fit its target (a repeated label needs a blank between): with
    zero_infinity its loss and gradient are 0; without, its loss is inf (checked with
    reduction='none', the others would compare inf and NaN gradients)."""
    lp, padded = _torch_case(device, dtype, blank=2)
    input_lengths, target_lengths = [6, 2, 5], [3, 2, 2]
    if not zero_infinity and reduction != "none":
        input_lengths = [6, 4, 5]
    if not zero_infinity and reduction == "none":
        lp, padded = lp[:, [0, 2]], padded[[0, 2]]
        input_lengths, target_lengths = [6, 5], [3, 2]
    _compare(device, dtype, lp, padded, input_lengths, target_lengths, reduction == "sum",
             blank=2, reduction=reduction, zero_infinity=zero_infinity)


def test_ctc_loss_impossible_alignment_without_zero_infinity(device):
    lp, padded = _torch_case(device, minigrad.float64)
    x = minigrad.tensor(lp, device=device, requires_grad=True)
    losses = F.ctc_loss(x, minigrad.tensor(padded, device=device), (6, 2, 0), (3, 2, 0),
                        reduction="none")
    expected = torch.nn.functional.ctc_loss(torch.tensor(lp), torch.tensor(padded), (6, 2, 0),
                                            (3, 2, 0), reduction="none")
    np.testing.assert_allclose(losses.detach().cpu().numpy(), expected.numpy(), rtol=1e-10)
    assert losses[1].item() == math.inf and losses[2].item() == 0
    losses[1].backward()  # torch's gradient of an impossible alignment: NaN in its frames
    grad = x.grad.cpu().numpy()
    assert np.isnan(grad[:2, 1]).all() and (grad[2:, 1] == 0).all() and (grad[:, 0] == 0).all()


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_ctc_loss_matches_torch_concatenated_targets(device, dtype):
    lp, _ = _torch_case(device, dtype, seed=3, classes=5, blank=4)
    flat = np.array([1, 2, 2, 0, 3, 3, 1])
    _compare(device, dtype, lp, flat, [6, 4, 5], [3, 1, 3], True, blank=4, reduction="mean")
    _compare(device, dtype, lp[:, 0], flat[:3], [6], [3], False, blank=4, reduction="none")


def test_ctc_loss_runs_one_kernel_each_way(device, monkeypatch):
    if device != "cuda":
        pytest.skip("launch counts are a cuda matter")
    from launch_counter import count_launches
    lp, padded = _torch_case(device, minigrad.float32)
    x = minigrad.tensor(lp, dtype=minigrad.float32, device=device, requires_grad=True)
    targets = minigrad.tensor(padded, device=device)
    launched = count_launches(monkeypatch)
    loss = F.ctc_loss(x, targets, (6, 4, 5), (3, 2, 3), reduction="sum")
    loss.backward()
    assert launched.count("_forward_kernel") == 1 and launched.count("_backward_kernel") == 1


@given(seed=st.integers(0, 2**16), steps=st.integers(1, 4), label=st.integers(1, 2),
       reduction=st.sampled_from(["none", "mean", "sum"]))
def test_ctc_loss_kernels_gradcheck(device, seed, steps, label, reduction):
    """Through log_softmax: torch's gradient is the exact one for normalised log_probs."""
    logits = minigrad.tensor(np.random.default_rng(seed).normal(size=(steps, 2, 3)),
                             device=device, requires_grad=True)
    targets = minigrad.tensor([[label, 3 - label], [label, 0]], device=device)
    assert minigrad.gradcheck(
        lambda t: F.ctc_loss(t.log_softmax(2), targets, [steps, steps - 1], [min(2, steps), 1],
                             reduction=reduction, zero_infinity=True), [logits])


@pytest.mark.cpu_suffices
def test_ctc_loss_has_no_second_derivative(device):
    x = minigrad.zeros((3, 1, 3), device=device, dtype=minigrad.float64, requires_grad=True)
    loss = F.ctc_loss(x.log_softmax(2), minigrad.tensor([[1]], device=device), [3], [1])
    (first,) = minigrad.autograd.grad(loss, [x], create_graph=True)
    with pytest.raises(RuntimeError, match="second derivatives"):
        first.sum().backward()


def test_ctc_loss_batch_first_log_probs_transposed(device):
    """log_probs that are a (N, T, C) tensor's transpose: not contiguous, same result."""
    lp, padded = _torch_case(device, minigrad.float64, seed=4)
    batch_first = minigrad.tensor(np.ascontiguousarray(lp.transpose(1, 0, 2)), device=device,
                                  requires_grad=True)
    got = F.ctc_loss(batch_first.transpose(0, 1), minigrad.tensor(padded, device=device),
                     (6, 5, 4), (3, 2, 1), reduction="sum")
    tx = torch.tensor(np.ascontiguousarray(lp.transpose(1, 0, 2)), requires_grad=True)
    expected = torch.nn.functional.ctc_loss(tx.transpose(0, 1), torch.tensor(padded),
                                            (6, 5, 4), (3, 2, 1), reduction="sum")
    np.testing.assert_allclose(got.item(), expected.item(), rtol=1e-10)
    got.backward()
    expected.backward()
    np.testing.assert_allclose(batch_first.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-10,
                               atol=1e-12)
