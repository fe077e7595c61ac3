"""The rest of torch.nn's losses (smooth L1, Huber, KL divergence, the margin and embedding
losses, Poisson and Gaussian NLL): values and gradients against PyTorch on both devices for
every reduction and option, float64 gradient checks on drawn data, the modules, and the
errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")


def _signs(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0)


def _labels_listed(rng, n, c):
    """multilabel_margin_loss targets: each row a few class indices, then -1 and anything."""
    rows = []
    for _ in range(n):
        k = rng.integers(0, c + 1)
        row = list(rng.permutation(c)[:k]) + [-1] * (c - k)
        if k < c - 1:
            row[k + 1] = rng.integers(0, c)  # after the -1: ignored
        rows.append(row)
    return np.array(rows)


# name -> (arrays from rng: the float ones first are differentiable, option sets, call)
CASES = {
    "smooth_l1_loss": (lambda r: [r.normal(size=(3, 4)), r.normal(size=(3, 4))],
                       [dict(beta=1.0), dict(beta=0.4), dict(beta=0.0)],
                       lambda f, a, b, **k: f.smooth_l1_loss(a, b, **k)),
    "huber_loss": (lambda r: [r.normal(size=(3, 4)), r.normal(size=(3, 4))],
                   [dict(delta=1.0), dict(delta=0.3)],
                   lambda f, a, b, **k: f.huber_loss(a, b, **k)),
    "kl_div": (lambda r: [np.log(r.dirichlet(np.ones(4), 3)), r.dirichlet(np.ones(4), 3)],
               [dict(), dict(log_target=True)],
               lambda f, a, b, **k: f.kl_div(a, b.log() if k.get("log_target") else b, **k)),
    "margin_ranking_loss": (lambda r: [r.normal(size=5), r.normal(size=5), _signs(r, 5)],
                            [dict(), dict(margin=0.5)],
                            lambda f, a, b, y, **k: f.margin_ranking_loss(a, b, y, **k)),
    "hinge_embedding_loss": (lambda r: [r.normal(size=(3, 4)), _signs(r, (3, 4))],
                             [dict(), dict(margin=0.3)],
                             lambda f, a, y, **k: f.hinge_embedding_loss(a, y, **k)),
    "cosine_embedding_loss": (lambda r: [r.normal(size=(3, 4)), r.normal(size=(3, 4)),
                                         _signs(r, 3)],
                              [dict(), dict(margin=0.2)],
                              lambda f, a, b, y, **k: f.cosine_embedding_loss(a, b, y, **k)),
    "triplet_margin_loss": (lambda r: [r.normal(size=(3, 4)), r.normal(size=(3, 4)),
                                       r.normal(size=(3, 4))],
                            [dict(), dict(margin=2.0, p=1.0), dict(margin=1.5, swap=True),
                             dict(p=3.0, swap=True, margin=2.0)],
                            lambda f, a, pos, neg, **k: f.triplet_margin_loss(a, pos, neg, **k)),
    "soft_margin_loss": (lambda r: [r.normal(size=(3, 4)), _signs(r, (3, 4))], [dict()],
                         lambda f, a, y, **k: f.soft_margin_loss(a, y, **k)),
    "multilabel_soft_margin_loss": (
        lambda r: [r.normal(size=(3, 4)), (r.random((3, 4)) < 0.5) * 1.0, r.random(4) + 0.1],
        [dict(), dict(weighted=True)],
        lambda f, a, y, w, weighted=False, **k: f.multilabel_soft_margin_loss(
            a, y, weight=w if weighted else None, **k)),
    "multi_margin_loss": (lambda r: [r.normal(size=(3, 4)), r.random(4) + 0.1,
                                     r.integers(0, 4, 3)],
                          [dict(), dict(p=2, margin=0.7), dict(weighted=True)],
                          lambda f, a, w, y, weighted=False, **k: f.multi_margin_loss(
                              a, y, weight=w if weighted else None, **k)),
    "multilabel_margin_loss": (lambda r: [r.normal(size=(3, 4)), _labels_listed(r, 3, 4)],
                               [dict()],
                               lambda f, a, y, **k: f.multilabel_margin_loss(a, y, **k)),
    "poisson_nll_loss": (lambda r: [r.normal(size=(3, 4)), r.integers(0, 5, (3, 4)) * 1.0],
                         [dict(), dict(full=True), dict(log_input=False, full=True)],
                         lambda f, a, y, **k: f.poisson_nll_loss(
                             a.exp() if k.get("log_input") is False else a, y, **k)),
    "gaussian_nll_loss": (lambda r: [r.normal(size=(3, 4)), r.normal(size=(3, 4)),
                                     r.random((3, 4)) + 0.1],
                          [dict(), dict(full=True), dict(var_per_sample=True)],
                          lambda f, a, y, v, var_per_sample=False, **k: f.gaussian_nll_loss(
                              a, y, v[:, :1] if var_per_sample else v, **k)),
}
# inputs that are labels or signs (not differentiated)
CONSTANT = {"margin_ranking_loss": {2}, "hinge_embedding_loss": {1},
            "cosine_embedding_loss": {2}, "soft_margin_loss": {1},
            "multilabel_soft_margin_loss": {1, 2}, "multi_margin_loss": {1, 2},
            "multilabel_margin_loss": {1}, "poisson_nll_loss": {1}}
PARAMS = [(name, i) for name, (_, options, _) in CASES.items() for i in range(len(options))]


def _both(arrays, name, device):
    const = CONSTANT.get(name, set())
    ours, ref = [], []
    for i, a in enumerate(arrays):
        grad = a.dtype.kind == "f" and i not in const
        ours.append(minigrad.tensor(a, device=device, requires_grad=grad))
        ref.append(torch.tensor(a, requires_grad=grad))
    return ours, ref


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,option", PARAMS)
def test_loss_matches_torch_values_and_gradients(device, name, option, reduction):
    make, options, call = CASES[name]
    kwargs = dict(options[option], reduction=reduction)
    if name == "kl_div" and reduction == "mean":
        kwargs["reduction"] = "batchmean"
    ours, ref = _both(make(np.random.default_rng(option)), name, device)
    with pytest.warns(UserWarning) if kwargs["reduction"] == "mean" and name == "kl_div" \
            else _no_warning():
        out = call(F, *ours, **kwargs)
    expected = call(torch.nn.functional, *ref, **kwargs)
    np.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    grads = minigrad.autograd.grad(out.sum(), [t for t in ours if t.requires_grad])
    expected_grads = torch.autograd.grad(expected.sum(), [t for t in ref if t.requires_grad])
    for g, e in zip(grads, expected_grads):
        np.testing.assert_allclose(g.cpu().numpy(), e.numpy(), rtol=1e-10, atol=1e-12)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.cpu_suffices
@given(seed=st.integers(0, 2**16), which=st.sampled_from(PARAMS))
def test_loss_gradcheck(device, seed, which):
    name, option = which
    make, options, call = CASES[name]
    kwargs = dict(options[option], reduction="sum")
    ours, _ = _both(make(np.random.default_rng(seed)), name, device)
    assert minigrad.gradcheck(lambda *xs: call(F, *xs, **kwargs), ours)


def test_kl_div_mean_warns_and_zero_target_contributes_nothing(device):
    x = minigrad.tensor([[-1.0, -2.0]], device=device, requires_grad=True)
    t = minigrad.tensor([[0.0, 1.0]], device=device)
    with pytest.warns(UserWarning, match="batchmean"):
        out = F.kl_div(x, t)
    out.backward()
    np.testing.assert_allclose(out.item(), (1.0 * (0 + 2.0)) / 2)
    np.testing.assert_allclose(x.grad.cpu().numpy(), [[0.0, -0.5]])


def test_gaussian_nll_clamps_variance_but_passes_its_gradient(device):
    ref_var = torch.tensor([1e-9, 2.0], dtype=torch.float64, requires_grad=True)
    f64 = minigrad.float64
    var = minigrad.tensor([1e-9, 2.0], dtype=f64, device=device, requires_grad=True)
    x = minigrad.tensor([0.5, 1.0], dtype=f64, device=device)
    y = minigrad.zeros(2, dtype=f64, device=device)
    F.gaussian_nll_loss(x, y, var).backward()
    torch.nn.functional.gaussian_nll_loss(torch.tensor([0.5, 1.0], dtype=torch.float64),
                                          torch.zeros(2, dtype=torch.float64), ref_var).backward()
    np.testing.assert_allclose(var.grad.cpu().numpy(), ref_var.grad.numpy(), rtol=1e-10)


MODULES = [
    (lambda m: m.SmoothL1Loss(beta=0.5), 2), (lambda m: m.HuberLoss(delta=0.5), 2),
    (lambda m: m.KLDivLoss(reduction="batchmean", log_target=True), 2),
    (lambda m: m.MarginRankingLoss(margin=0.1), 3), (lambda m: m.HingeEmbeddingLoss(), 2),
    (lambda m: m.CosineEmbeddingLoss(margin=0.1), 3),
    (lambda m: m.TripletMarginLoss(margin=2.0, swap=True), 3), (lambda m: m.SoftMarginLoss(), 2),
    (lambda m: m.MultiLabelSoftMarginLoss(), 2), (lambda m: m.MultiMarginLoss(p=2), 2),
    (lambda m: m.MultiLabelMarginLoss(), 2), (lambda m: m.PoissonNLLLoss(full=True), 2),
    (lambda m: m.GaussianNLLLoss(full=True), 3),
]


@pytest.mark.parametrize("index", range(len(MODULES)))
def test_loss_modules_match_torch(device, index):
    build, arity = MODULES[index]
    ours, ref = build(nn), build(torch.nn)
    rng = np.random.default_rng(index)
    name = type(ours).__name__
    x = rng.normal(size=(3, 4))
    if name in ("MultiMarginLoss",):
        others = [rng.integers(0, 4, 3)]
    elif name == "MultiLabelMarginLoss":
        others = [_labels_listed(rng, 3, 4)]
    elif name in ("MarginRankingLoss", "CosineEmbeddingLoss"):
        others = [rng.normal(size=(3, 4)), _signs(rng, 3)]
        if name == "MarginRankingLoss":
            x, others = x[:, 0], [others[0][:, 0], others[1]]
    elif name in ("HingeEmbeddingLoss", "SoftMarginLoss"):
        others = [_signs(rng, (3, 4))]
    elif name == "MultiLabelSoftMarginLoss":
        others = [(rng.random((3, 4)) < 0.5) * 1.0]
    elif name == "GaussianNLLLoss":
        others = [rng.normal(size=(3, 4)), rng.random((3, 4)) + 0.1]
    elif name == "PoissonNLLLoss":
        others = [rng.integers(0, 4, (3, 4)) * 1.0]
    else:
        others = [rng.normal(size=(3, 4)) for _ in range(arity - 1)]
    got = ours(*[minigrad.tensor(a, device=device) for a in [x] + others])
    expected = ref(*[torch.tensor(a) for a in [x] + others])
    np.testing.assert_allclose(got.cpu().numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.cpu_suffices
def test_loss_errors(device):
    x = minigrad.zeros(3, 4, device=device)
    with pytest.raises(ValueError, match="reduction"):
        F.huber_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="beta"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(IndexError, match="target values"):
        F.multi_margin_loss(x, minigrad.tensor([0, 1, 4], device=device))
    with pytest.raises(ValueError, match="p == 1 and p == 2"):
        F.multi_margin_loss(x, minigrad.tensor([0, 1, 2], device=device), p=3)
    with pytest.raises(TypeError, match="class indices"):
        F.multi_margin_loss(x, x[:, 0])
    with pytest.raises(ValueError, match="does not fit"):
        F.gaussian_nll_loss(x, x, minigrad.ones(3, 2, device=device))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(x, x, -minigrad.ones(3, 4, device=device))
    with pytest.raises(RuntimeError, match="dims"):
        F.margin_ranking_loss(x, x, x[:, 0])


# ---- CTC ----------------------------------------------------------------------------------------

CTC_TARGETS = np.array([[1, 2, 2], [3, 0, 0], [1, 1, 0]])


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("input_lengths,zero_infinity",
                         [([6, 4, 5], False), ([2, 4, 5], True), ([0, 4, 6], False)])
def test_ctc_loss_matches_torch(device, reduction, input_lengths, zero_infinity):
    """Through log_softmax of the logits, as CTC is used (see docs/ops.md on torch's
    gradient with respect to log_probs themselves)."""
    logits = np.random.default_rng(0).normal(size=(6, 3, 4))
    target_lengths = [3, 1, 2] if input_lengths[0] else [0, 1, 2]
    x = minigrad.tensor(logits, device=device, requires_grad=True)
    tx = torch.tensor(logits, requires_grad=True)
    kwargs = dict(reduction=reduction, zero_infinity=zero_infinity)
    got = F.ctc_loss(x.log_softmax(2), minigrad.tensor(CTC_TARGETS, device=device),
                     input_lengths, target_lengths, **kwargs)
    expected = torch.nn.functional.ctc_loss(tx.log_softmax(2), torch.tensor(CTC_TARGETS),
                                            input_lengths, target_lengths, **kwargs)
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(),
                               rtol=1e-10)
    if np.isfinite(expected.detach().numpy()).all():
        got.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-8,
                                   atol=1e-12)


def test_ctc_loss_concatenated_targets_blank_and_unbatched(device):
    logits = np.random.default_rng(1).normal(size=(6, 3, 4))
    lp, tlp = minigrad.tensor(logits, device=device).log_softmax(2), \
        torch.tensor(logits).log_softmax(2)
    flat = np.array([1, 2, 2, 0, 1, 1])
    got = nn.CTCLoss(blank=3, reduction="none")(lp, minigrad.tensor(flat, device=device),
                                                [6, 4, 5], [3, 1, 2])
    expected = torch.nn.CTCLoss(blank=3, reduction="none")(tlp, torch.tensor(flat), [6, 4, 5],
                                                           [3, 1, 2])
    np.testing.assert_allclose(got.cpu().numpy(), expected.numpy(), rtol=1e-10)
    got = F.ctc_loss(lp[:, 0], minigrad.tensor([1, 2], device=device), minigrad.tensor(6),
                     minigrad.tensor(2))
    expected = torch.nn.functional.ctc_loss(tlp[:, 0], torch.tensor([1, 2]), torch.tensor(6),
                                            torch.tensor(2))
    np.testing.assert_allclose(got.item(), expected.item(), rtol=1e-10)


@pytest.mark.cpu_suffices
@given(seed=st.integers(0, 2**16), steps=st.integers(1, 4), label=st.integers(1, 2))
def test_ctc_loss_gradcheck(device, seed, steps, label):
    logits = minigrad.tensor(np.random.default_rng(seed).normal(size=(steps, 2, 3)),
                             device=device, requires_grad=True)
    targets = minigrad.tensor([[label, label], [label, 0]], device=device)
    lengths = [min(2, steps), 1]
    assert minigrad.gradcheck(
        lambda t: F.ctc_loss(t.log_softmax(2), targets, [steps, steps], lengths,
                             zero_infinity=True), [logits])


@pytest.mark.cpu_suffices
def test_ctc_loss_errors(device):
    lp = minigrad.zeros(4, 2, 3, device=device)
    targets = minigrad.tensor([[1, 2], [1, 1]], device=device)
    with pytest.raises(ValueError, match="input lengths"):
        F.ctc_loss(lp, targets, [5, 4], [2, 2])
    with pytest.raises(RuntimeError, match="blank"):
        F.ctc_loss(lp, minigrad.tensor([[0, 2], [1, 1]], device=device), [4, 4], [2, 2])
    with pytest.raises(ValueError, match="input_lengths"):
        F.ctc_loss(lp, targets, [4], [2, 2])
    with pytest.raises(TypeError, match="integer"):
        F.ctc_loss(lp, targets.float(), [4, 4], [2, 2])
