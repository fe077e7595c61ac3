"""Functional ops on device="cuda" beyond what the device-parametrized suite checks there:
float64 gradchecks on the device for ops whose backward is long (log_softmax, a smoothed and
ignoring cross entropy, batch norm in training), and dropout's masks drawn on the device.
(Their values and gradients on cuda against torch are the cuda cases of tests/test_*.py.)"""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F

rng = np.random.default_rng(5)
X = rng.standard_normal((3, 4))
IMAGES = rng.standard_normal((2, 3, 1, 2))
LABELS = np.array([1, 3, 0])

# name -> (function of the float leaves, leaf values, constant arrays passed after them)
CASES = {
    "log_softmax": (lambda x: F.log_softmax(x, dim=0), [X], []),
    "cross_entropy_smoothed": (lambda x, y: F.cross_entropy(x, y, label_smoothing=0.1,
                                                             ignore_index=0, reduction="sum"),
                               [X], [LABELS]),
    "batch_norm_train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         [IMAGES, rng.random(3) + 0.5, rng.standard_normal(3)], []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradcheck_on_the_device(case):
    fn, leaves, constants = CASES[case]
    tensors = [minigrad.tensor(a, dtype=minigrad.float64, device="cuda", requires_grad=True)
               for a in leaves]
    fixed = [minigrad.tensor(c, device="cuda") for c in constants]
    assert minigrad.gradcheck(lambda *t: fn(*t, *fixed), tensors)


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
