"""conv1d/conv2d (and pooling) check and compute the shape side of their arguments (strides,
paddings, groups, the ConvGeometry; pooling windows) once per distinct set of shapes and int
arguments: repeated calls share one geometry, and arguments that only equal a cached key (a
bool for an int, a list) are still checked as they are."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F


def _operands(batch=2):
    x = minigrad.randn(batch, 4, 6, 6, requires_grad=True)
    return x, minigrad.randn(6, 2, 3, 3, requires_grad=True), minigrad.randn(6)


def test_repeated_calls_share_one_geometry():
    x, w, b = _operands()
    first = F.conv2d(x, w, b, stride=2, padding=1, groups=2)
    again = F.conv2d(x, w, b, stride=2, padding=1, groups=2)
    assert first.grad_fn.geometry is again.grad_fn.geometry
    other = F.conv2d(_operands(batch=3)[0], w, b, stride=2, padding=1, groups=2)
    assert other.grad_fn.geometry is not first.grad_fn.geometry
    assert tuple(other.shape) == (3, 6, 3, 3)


def test_arguments_equal_to_a_cached_key_are_still_checked():
    x, w, b = _operands()
    F.conv2d(x, w, b, stride=1, padding=1, groups=2)
    with pytest.raises(TypeError, match="stride must be an int"):
        F.conv2d(x, w, b, stride=True, padding=1, groups=2)
    with pytest.raises(ValueError, match="groups"):
        F.conv2d(x, w, b, stride=1, padding=1, groups=2.0)
    by_list = F.conv2d(x, w, b, stride=[1, 1], padding=[1, 1], groups=2)
    np.testing.assert_array_equal(by_list.numpy(),
                                  F.conv2d(x, w, b, stride=1, padding=1, groups=2).numpy())


def test_a_cached_plan_does_not_skip_the_tensor_checks():
    x, w, b = _operands()
    F.conv2d(x, w, b, padding=1, groups=2)
    with pytest.raises(Exception, match="dtype"):
        F.conv2d(x.double(), w, b, padding=1, groups=2)
    with pytest.raises(Exception, match="bias"):
        F.conv2d(x, w, minigrad.randn(5), padding=1, groups=2)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_same_padding_with_an_odd_total_pads_the_end_each_call():
    x = minigrad.randn(1, 1, 5, 5)
    w = minigrad.randn(1, 1, 2, 2)
    first = F.conv2d(x, w, padding="same")
    again = F.conv2d(x, w, padding="same")
    assert tuple(first.shape) == (1, 1, 5, 5)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    torch = pytest.importorskip("torch")
    expected = torch.nn.functional.conv2d(torch.from_numpy(x.numpy()), torch.from_numpy(w.numpy()),
                                          padding="same")
    np.testing.assert_allclose(again.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_pooling_windows_are_cached_but_arguments_still_checked():
    x = minigrad.randn(2, 3, 6, 6)
    first = F.max_pool2d(x, 2, stride=1)
    np.testing.assert_array_equal(F.max_pool2d(x, [2, 2], stride=[1, 1]).numpy(),
                                  first.numpy())
    with pytest.raises(TypeError, match="stride must be an int"):
        F.max_pool2d(x, 2, stride=True)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        F.avg_pool2d(x, True)
    assert tuple(F.avg_pool2d(minigrad.randn(1, 1, 9, 9), 2, ceil_mode=True).shape) == \
        (1, 1, 5, 5)
    assert tuple(F.avg_pool2d(minigrad.randn(1, 1, 9, 9), 2).shape) == (1, 1, 4, 4)
