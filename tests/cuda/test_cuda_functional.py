"""The functional ops built from the cuda backend's kernels (activations, softmax, losses,
batch norm, padding, nearest upsampling, dropout, one_hot, indexing) on device="cuda": values
and every input's gradient against the same op on the cpu, float64, tiny shapes; and a
gradcheck on the device for a few of them."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F

rng = np.random.default_rng(5)
X = rng.standard_normal((3, 4))
IMAGES = rng.standard_normal((2, 3, 2, 3))
LABELS = np.array([1, 3, 0])
PROBS = rng.random((3, 4))

# name -> (function of the float leaves, leaf values, constant arrays passed after them)
CASES = {
    "relu": (F.relu, [X], []),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), [X], []),
    "elu": (F.elu, [X], []),
    "gelu": (F.gelu, [X], []),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), [X], []),
    "sigmoid": (F.sigmoid, [X], []),
    "tanh": (F.tanh, [X], []),
    "softplus": (F.softplus, [X], []),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.5), [X], []),
    "softmax": (lambda x: F.softmax(x, dim=1), [X], []),
    "log_softmax": (lambda x: F.log_softmax(x, dim=0), [X], []),
    "cross_entropy": (lambda x, y: F.cross_entropy(x, y), [X], [LABELS]),
    "cross_entropy_smoothed": (lambda x, y: F.cross_entropy(x, y, label_smoothing=0.1,
                                                             ignore_index=0, reduction="sum"),
                               [X], [LABELS]),
    "cross_entropy_probs": (lambda x, p: F.cross_entropy(x, p), [X], [PROBS]),
    "nll_loss": (lambda x, y: F.nll_loss(F.log_softmax(x, 1), y, reduction="none"), [X],
                 [LABELS]),
    "mse_loss": (F.mse_loss, [X, PROBS], []),
    "l1_loss": (lambda a, b: F.l1_loss(a, b, reduction="sum"), [X, PROBS], []),
    "binary_cross_entropy": (lambda x, p: F.binary_cross_entropy(x.sigmoid(), p), [X],
                             [PROBS]),
    "bce_with_logits": (lambda x, p: F.binary_cross_entropy_with_logits(x, p), [X], [PROBS]),
    "batch_norm_train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         [IMAGES, rng.random(3) + 0.5, rng.standard_normal(3)], []),
    "pad": (lambda x: F.pad(x, (1, 0, 2, 1), value=0.5), [IMAGES], []),
    "interpolate": (lambda x: F.interpolate(x, scale_factor=2), [IMAGES], []),
    "index": (lambda x: x[[2, 0, 2], 1:3], [X], []),
}


def _run(case, device):
    fn, leaves, constants = CASES[case]
    tensors = [minigrad.tensor(a, dtype=minigrad.float64, device=device, requires_grad=True)
               for a in leaves]
    fixed = [minigrad.tensor(c, device=device) for c in constants]
    out = fn(*tensors, *fixed)
    weights = minigrad.tensor(np.linspace(-1.0, 1.0, out.numel()).reshape(tuple(out.shape)),
                              dtype=minigrad.float64, device=device)
    (out * weights).sum().backward()
    return out, [t.grad for t in tensors]


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_the_cpu(case):
    out, grads = _run(case, "cuda")
    expected, expected_grads = _run(case, "cpu")
    assert out.device.type == "cuda" and all(g.device.type == "cuda" for g in grads)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)
    for grad, expected_grad in zip(grads, expected_grads):
        np.testing.assert_allclose(grad.numpy(), expected_grad.numpy(), rtol=1e-10,
                                   atol=1e-12)


@pytest.mark.parametrize("case", ["log_softmax", "cross_entropy_smoothed", "batch_norm_train"])
def test_gradcheck_on_the_device(case):
    fn, leaves, constants = CASES[case]
    tensors = [minigrad.tensor(a, dtype=minigrad.float64, device="cuda", requires_grad=True)
               for a in leaves]
    fixed = [minigrad.tensor(c, device="cuda") for c in constants]
    assert minigrad.gradcheck(lambda *t: fn(*t, *fixed), tensors)


def test_batch_norm_running_statistics_follow_the_cpu():
    stats = {}
    for device in ("cpu", "cuda"):
        mean = minigrad.zeros(3, dtype=minigrad.float64, device=device)
        var = minigrad.ones(3, dtype=minigrad.float64, device=device)
        x = minigrad.tensor(IMAGES, dtype=minigrad.float64, device=device)
        F.batch_norm(x, mean, var, training=True, momentum=0.3)
        evaluated = F.batch_norm(x, mean, var, training=False)
        stats[device] = [mean.numpy(), var.numpy(), evaluated.numpy()]
    for got, expected in zip(stats["cuda"], stats["cpu"]):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_dropout_masks_come_from_the_device_and_scale_what_they_keep():
    x = minigrad.ones(4, 50, device="cuda", requires_grad=True)
    transfers = minigrad.cuda.transfer_count()
    out = F.dropout(x, 0.25)
    out.sum().backward()
    images = F.dropout2d(minigrad.ones(2, 8, 3, 3, device="cuda"), 0.5)
    assert minigrad.cuda.transfer_count() == transfers  # masks drawn on the device
    values, grad = out.numpy(), x.grad.numpy()
    assert set(np.unique(values)) <= {0.0, np.float32(1 / 0.75)} and 0 < (values == 0).sum() < 200
    np.testing.assert_array_equal(grad, values)  # the gradient passes where values were kept
    planes = images.numpy().reshape(16, 9)
    assert all(len(set(plane)) == 1 for plane in planes)  # whole channels kept or dropped


def test_one_hot_on_the_device():
    out = F.one_hot(minigrad.tensor([2, 0, 1], device="cuda"), num_classes=4)
    assert out.device.type == "cuda"
    np.testing.assert_array_equal(out.numpy(), np.eye(4, dtype=np.int64)[[2, 0, 1]])
