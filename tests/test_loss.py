"""Losses in nn.functional: values and gradients against numpy and PyTorch (weights,
ignore_index, label smoothing, probability targets, reductions, extreme logits), first and
second order gradient checks, and the errors for bad targets."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F

REDUCTIONS = ["none", "mean", "sum"]


@st.composite
def class_problems(draw, max_classes=4):
    """(input shape, class count): (C,), (N, C) or (N, C, d1[, d2])."""
    classes = draw(st.integers(1, max_classes))
    form = draw(st.sampled_from(["unbatched", "batched", "spatial"]))
    if form == "unbatched":
        return (classes,), classes
    n = draw(st.integers(1, 3))
    extra = draw(st.lists(st.integers(1, 2), min_size=1, max_size=2)) if form == "spatial" else []
    return (n, classes, *extra), classes


def _labels(rng, input_shape, classes, ignore_index, ignore_some):
    target_shape = () if len(input_shape) == 1 else (input_shape[0],) + input_shape[2:]
    labels = rng.integers(0, classes, size=target_shape)
    if ignore_some:
        labels = np.where(rng.random(target_shape) < 0.3, ignore_index, labels)
    return labels


def _mg(array, device, dtype=minigrad.float64, requires_grad=False):
    return minigrad.tensor(array, dtype=dtype, device=device, requires_grad=requires_grad)


@given(problem=class_problems(), seed=st.integers(0, 2**16), reduction=st.sampled_from(REDUCTIONS),
       weighted=st.booleans(), ignore_index=st.sampled_from([-100, 1]), ignore_some=st.booleans(),
       label_smoothing=st.sampled_from([0.0, 0.3, 1.0]))
def test_cross_entropy_with_class_targets_matches_torch(device, problem, seed, reduction,
                                                        weighted, ignore_index, ignore_some,
                                                        label_smoothing):
    torch = pytest.importorskip("torch")
    shape, classes = problem
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(shape) * 3
    labels = _labels(rng, shape, classes, ignore_index, ignore_some)
    weight = rng.random(classes) + 0.1 if weighted else None
    kwargs = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)
    x = _mg(logits, device, requires_grad=True)
    with np.errstate(invalid="ignore"):  # every target ignored: the mean is 0/0 = nan, as torch
        out = F.cross_entropy(x, minigrad.tensor(labels, device=device),
                              None if weight is None else _mg(weight, device), **kwargs)
    ref = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        ref, torch.tensor(labels), None if weight is None else torch.tensor(weight), **kwargs)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    if np.isfinite(expected.detach().numpy()).all():
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-11, atol=1e-12)


@given(problem=class_problems(), seed=st.integers(0, 2**16), reduction=st.sampled_from(REDUCTIONS),
       weighted=st.booleans(), label_smoothing=st.sampled_from([0.0, 0.25]))
def test_cross_entropy_with_probability_targets_matches_torch(device, problem, seed, reduction,
                                                              weighted, label_smoothing):
    torch = pytest.importorskip("torch")
    shape, classes = problem
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(shape)
    class_dim = 0 if len(shape) == 1 else 1
    probs = rng.random(shape)
    probs /= probs.sum(axis=class_dim, keepdims=True)
    weight = rng.random(classes) + 0.1 if weighted else None
    kwargs = dict(reduction=reduction, label_smoothing=label_smoothing)
    x, t = _mg(logits, device, requires_grad=True), _mg(probs, device, requires_grad=True)
    out = F.cross_entropy(x, t, None if weight is None else _mg(weight, device), **kwargs)
    ref, ref_t = torch.tensor(logits, requires_grad=True), torch.tensor(probs, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        ref, ref_t, None if weight is None else torch.tensor(weight), **kwargs)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(t.grad.numpy(), ref_t.grad.numpy(), rtol=1e-11, atol=1e-12)


def test_cross_entropy_is_finite_for_extreme_logits(device):
    torch = pytest.importorskip("torch")
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]])
    labels = np.array([1, 0, 2])
    for dtype, torch_dtype in ((minigrad.float32, torch.float32),
                               (minigrad.float64, torch.float64)):
        x = _mg(logits, device, dtype=dtype, requires_grad=True)
        out = F.cross_entropy(x, minigrad.tensor(labels, device=device), label_smoothing=0.1)
        out.backward()
        assert np.isfinite(out.item()) and np.isfinite(x.grad.numpy()).all()
        ref = torch.tensor(logits, dtype=torch_dtype, requires_grad=True)
        expected = torch.nn.functional.cross_entropy(ref, torch.tensor(labels),
                                                     label_smoothing=0.1)
        expected.backward()
        np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-6)
        np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_numpy_reference(device, reduction):
    rng = np.random.default_rng(0)
    log_probs = np.log(rng.dirichlet(np.ones(5), size=6))
    labels = np.array([0, 4, -100, 2, 2, 1])
    weight = rng.random(5) + 0.5
    out = F.nll_loss(_mg(log_probs, device), minigrad.tensor(labels, device=device),
                     _mg(weight, device), reduction=reduction)
    kept = labels != -100
    safe = np.where(kept, labels, 0)
    w = weight[safe] * kept
    per_sample = -log_probs[np.arange(6), safe] * w
    expected = {"none": per_sample, "sum": per_sample.sum(),
                "mean": per_sample.sum() / w.sum()}[reduction]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-14)


def test_nll_loss_with_every_target_ignored_is_nan_as_torch(device):
    x = _mg(np.zeros((2, 3)), device)
    target = minigrad.tensor([-100, -100], device=device)
    with np.errstate(invalid="ignore"):
        assert np.isnan(F.nll_loss(x, target).item())
    assert F.nll_loss(x, target, reduction="sum").item() == 0.0


@pytest.mark.cpu_suffices  # on cuda, the comparison with torch above checks the gradients
@given(problem=class_problems(max_classes=3), seed=st.integers(0, 2**16),
       reduction=st.sampled_from(REDUCTIONS), label_smoothing=st.sampled_from([0.0, 0.2]))
def test_cross_entropy_gradcheck_and_gradgradcheck(device, problem, seed, reduction,
                                                   label_smoothing):
    shape, classes = problem
    rng = np.random.default_rng(seed)
    x = _mg(rng.standard_normal(shape), device, requires_grad=True)
    target = minigrad.tensor(_labels(rng, shape, classes, -100, True), device=device)
    weight = _mg(rng.random(classes) + 0.5, device)

    def fn(x):
        return F.cross_entropy(x, target, weight, reduction=reduction,
                               label_smoothing=label_smoothing)
    if (target != -100).any().item() or reduction != "mean":
        assert minigrad.gradcheck(fn, (x,))
        assert minigrad.gradgradcheck(fn, (x,))


@given(shape=st.sampled_from([(3,), (2, 3)]), reduction=st.sampled_from(REDUCTIONS),
       seed=st.integers(0, 2**16))
def test_probability_cross_entropy_gradgradcheck_in_input_and_target(device, shape, reduction,
                                                                      seed):
    rng = np.random.default_rng(seed)
    x = _mg(rng.standard_normal(shape), device, requires_grad=True)
    t = _mg(rng.random(shape), device, requires_grad=True)

    def fn(x, t):
        return F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.1)
    assert minigrad.gradcheck(fn, (x, t))
    assert minigrad.gradgradcheck(fn, (x, t))


LOSSES = {
    "mse_loss": lambda x, t, r, w: F.mse_loss(x, t, reduction=r, weight=w),
    "l1_loss": lambda x, t, r, w: F.l1_loss(x, t, reduction=r, weight=w),
    "binary_cross_entropy": lambda x, t, r, w: F.binary_cross_entropy(x, t, w, reduction=r),
    "binary_cross_entropy_with_logits":
        lambda x, t, r, w: F.binary_cross_entropy_with_logits(x, t, w, reduction=r),
}


def _pointwise_operands(name, shape, rng):
    if name == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, shape), rng.random(shape)
    if name == "binary_cross_entropy_with_logits":
        return rng.standard_normal(shape) * 3, rng.random(shape)
    x = rng.standard_normal(shape)
    return x, x + rng.choice([-1, 1], shape) * rng.uniform(0.1, 1.0, shape)  # |x - t| >= 0.1


@pytest.mark.parametrize("name", sorted(LOSSES))
@given(shape=st.sampled_from([(), (3,), (2, 3)]), reduction=st.sampled_from(REDUCTIONS),
       weighted=st.booleans(), seed=st.integers(0, 2**16))
def test_pointwise_losses_match_torch(device, name, shape, reduction, weighted, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x_np, t_np = _pointwise_operands(name, shape, rng)
    w_np = rng.random(shape) + 0.1 if weighted else None
    x, t = _mg(x_np, device, requires_grad=True), _mg(t_np, device, requires_grad=True)
    out = LOSSES[name](x, t, reduction, None if w_np is None else _mg(w_np, device))
    ref_x = torch.tensor(x_np, requires_grad=True)
    ref_t = torch.tensor(t_np, requires_grad=True)
    expected = getattr(torch.nn.functional, name)(
        ref_x, ref_t, weight=None if w_np is None else torch.tensor(w_np), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref_x.grad.numpy(), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(t.grad.numpy(), ref_t.grad.numpy(), rtol=1e-11, atol=1e-12)


@pytest.mark.cpu_suffices  # on cuda, the comparison with torch above checks the gradients
@pytest.mark.parametrize("name", sorted(LOSSES))
@given(shape=st.sampled_from([(), (3,), (2, 2)]), reduction=st.sampled_from(REDUCTIONS),
       seed=st.integers(0, 2**16))
def test_pointwise_losses_gradcheck_and_gradgradcheck(device, name, shape, reduction, seed):
    rng = np.random.default_rng(seed)
    x_np, t_np = _pointwise_operands(name, shape, rng)
    x, t = _mg(x_np, device, requires_grad=True), _mg(t_np, device, requires_grad=True)
    w = _mg(rng.random(shape) + 0.1, device)

    def fn(x, t):
        return LOSSES[name](x, t, reduction, w)
    assert minigrad.gradcheck(fn, (x, t))
    assert minigrad.gradgradcheck(fn, (x, t))


def test_bce_with_logits_pos_weight_matches_torch_and_is_stable(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits = np.array([[1e4, -1e4, 0.5], [-30.0, 40.0, -2.0]])
    targets = rng.random((2, 3))
    pos_weight = np.array([0.5, 2.0, 3.0])
    x = _mg(logits, device, requires_grad=True)
    t = _mg(targets, device, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(x, t, pos_weight=_mg(pos_weight, device),
                                             reduction="none")
    ref_x = torch.tensor(logits, requires_grad=True)
    ref_t = torch.tensor(targets, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        ref_x, ref_t, pos_weight=torch.tensor(pos_weight), reduction="none")
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-13)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref_x.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(t.grad.numpy(), ref_t.grad.numpy(), rtol=1e-12)
    small = _mg(np.array([0.3, -0.7]), device, requires_grad=True)
    assert minigrad.gradgradcheck(
        lambda x: F.binary_cross_entropy_with_logits(x, _mg([1.0, 0.2], device),
                                                     pos_weight=_mg([2.0, 0.5], device)),
        (small,))


def test_binary_cross_entropy_clamps_log_at_minus_100_like_torch(device):
    torch = pytest.importorskip("torch")
    probs, targets = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 0.3])
    x = _mg(probs, device, requires_grad=True)
    out = F.binary_cross_entropy(x, _mg(targets, device), reduction="none")
    out.sum().backward()
    ref = torch.tensor(probs, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(ref, torch.tensor(targets),
                                                        reduction="none")
    expected.sum().backward()
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(out.numpy(), [100.0, 100.0, 0.0, 70.0], rtol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-15)


def test_deprecated_size_average_and_reduce(device):
    x = _mg([[0.2, 0.8], [0.6, 0.4]], device)
    t = minigrad.tensor([1, 0], device=device)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        summed = F.cross_entropy(x, t, None, False)
    np.testing.assert_allclose(summed.item(), F.cross_entropy(x, t, reduction="sum").item())
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert tuple(F.mse_loss(x, x, reduce=False).shape) == (2, 2)


def test_mse_loss_broadcasts_with_a_warning(device):
    x = _mg([[1.0, 2.0], [3.0, 4.0]], device)
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(x, _mg([1.0, 0.0], device))
    assert out.item() == pytest.approx((0 + 4 + 4 + 16) / 4)


def test_one_hot_matches_torch(device):
    torch = pytest.importorskip("torch")
    labels = np.array([[0, 3], [2, 2], [1, 0]])
    out = F.one_hot(minigrad.tensor(labels, device=device))
    assert out.dtype is minigrad.int64 and tuple(out.shape) == (3, 2, 4)
    np.testing.assert_array_equal(out.numpy(), torch.nn.functional.one_hot(
        torch.tensor(labels)).numpy())
    wide = F.one_hot(minigrad.tensor([1, 0], device=device), num_classes=5)
    np.testing.assert_array_equal(wide.numpy(), np.eye(5, dtype=np.int64)[[1, 0]])
    empty = F.one_hot(minigrad.tensor(np.zeros(0, np.int64), device=device), 3)
    assert tuple(empty.shape) == (0, 3)


def test_one_hot_errors(device):
    with pytest.raises(ValueError, match=r"class value 5 .* 3 classes"):
        F.one_hot(minigrad.tensor([1, 5], device=device), 3)
    with pytest.raises(ValueError, match="class value -1"):
        F.one_hot(minigrad.tensor([1, -1], device=device), 3)
    with pytest.raises(TypeError, match="int64"):
        F.one_hot(minigrad.tensor([1.0, 0.0], device=device), 3)
    with pytest.raises(ValueError, match="empty"):
        F.one_hot(minigrad.tensor(np.zeros(0, np.int64), device=device))


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_out_of_range_labels_name_the_label_and_class_count(device, loss):
    x = minigrad.randn(3, 4, device=device)
    if device != "cpu":  # checked on the device, reported at the next synchronisation
        for labels in ([0, 7, 1], [0, -3, 1], [0, 4, -100]):
            with pytest.raises(IndexError, match="out of range"):
                loss(x, minigrad.tensor(labels, device=device)).item()
        loss(x, minigrad.tensor([0, 5, 1], device=device), ignore_index=5).item()
        return
    with pytest.raises(ValueError, match=r"label 7 .* 4 classes"):
        loss(x, minigrad.tensor([0, 7, 1], device=device))
    with pytest.raises(ValueError, match=r"label -3 .* 4 classes"):
        loss(x, minigrad.tensor([0, -3, 1], device=device))
    with pytest.raises(ValueError, match=r"label 4 .* 4 classes"):
        loss(x, minigrad.tensor([0, 4, -100], device=device))
    loss(x, minigrad.tensor([0, 5, 1], device=device), ignore_index=5)  # ignored, so allowed


def test_bad_targets_and_arguments(device):
    x = minigrad.randn(3, 4, device=device)
    with pytest.raises(TypeError, match="int64"):
        F.cross_entropy(x, minigrad.tensor([0.0, 1.0, 1.0], device=device))
    with pytest.raises(TypeError, match="int64"):
        F.nll_loss(x, minigrad.rand(3, 4, device=device))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        F.cross_entropy(x, minigrad.tensor([0, 1], device=device))
    with pytest.raises(ValueError, match=r"shape \(2, 5\)"):
        F.cross_entropy(minigrad.randn(2, 3, 5, device=device),
                        minigrad.tensor(np.zeros((2, 4), np.int64), device=device))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, minigrad.tensor([0, 1, 2], device=device), reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, minigrad.tensor([0, 1, 2], device=device), label_smoothing=1.5)
    with pytest.raises(ValueError, match="ignore_index"):
        F.cross_entropy(x, F.softmax(x, 1), ignore_index=0)
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\)"):
        F.cross_entropy(x, minigrad.tensor([0, 1, 2], device=device),
                        weight=minigrad.ones(3, device=device))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(minigrad.tensor([0.5, 1.5], device=device),
                               minigrad.tensor([1.0, 0.0], device=device))
    with pytest.raises(ValueError, match="same as the input shape"):
        F.binary_cross_entropy_with_logits(x, minigrad.rand(4, device=device))
    with pytest.raises(ValueError, match="weight shape"):
        F.mse_loss(x, x, weight=minigrad.ones(4, device=device))
