"""dropout, dropout1d, dropout2d: reproducibility under manual_seed, scaling, channel masks,
gradients, evaluation mode and argument errors."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F


def _ones(shape, device, dtype=minigrad.float64, requires_grad=False):
    return minigrad.ones(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def test_same_seed_gives_same_mask_and_new_draws_differ(device):
    x = _ones((50,), device)
    minigrad.manual_seed(123)
    first, second = F.dropout(x, 0.5).numpy(), F.dropout(x, 0.5).numpy()
    minigrad.manual_seed(123)
    np.testing.assert_array_equal(F.dropout(x, 0.5).numpy(), first)
    assert not np.array_equal(first, second)
    minigrad.manual_seed(123)
    as_float32 = F.dropout(_ones((50,), device, minigrad.float32), 0.5).numpy()
    np.testing.assert_array_equal(as_float32 != 0, first != 0)  # one mask for every dtype


# On cuda (simulated, slow) the middle rate alone, on fewer draws: the same kernels draw and
# compare for any p.
@pytest.mark.parametrize("p", [pytest.param(0.1, marks=pytest.mark.cpu_suffices), 0.5,
                               pytest.param(0.8, marks=pytest.mark.cpu_suffices)])
def test_kept_values_are_scaled_and_drop_rate_is_p(device, p):
    draws = 20000 if device == "cpu" else 4000
    data = np.random.default_rng(0).uniform(1.0, 2.0, draws)
    out = F.dropout(minigrad.tensor(data, dtype=minigrad.float64, device=device), p).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], data[kept] / (1 - p), rtol=1e-15)
    assert abs((~kept).mean() - p) < 5 * np.sqrt(p * (1 - p) / draws)  # within 5 std of p


def test_edge_probabilities_and_evaluation_mode(device):
    x = minigrad.randn(3, 4, device=device)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    images = minigrad.randn(2, 3, 4, 4, device=device)
    assert F.dropout2d(images, 0.3, False) is images
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((3, 4)))


def test_gradient_is_the_scaled_mask(device):
    x = _ones((4, 5), device, requires_grad=True)
    out = F.dropout(x, 0.25)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.numpy())
    assert set(np.unique(out.numpy())) <= {0.0, 1 / 0.75}


@pytest.mark.cpu_suffices  # on cuda, test_gradient_is_the_scaled_mask checks the gradient
def test_gradcheck_and_gradgradcheck_with_a_fixed_mask(device):
    x = minigrad.randn(3, 4, dtype=minigrad.float64, device=device, requires_grad=True)

    def fn(x):
        minigrad.manual_seed(7)  # every evaluation draws the same mask
        return F.dropout2d(F.dropout(x, 0.3).reshape(1, 3, 2, 2), 0.4)
    assert minigrad.gradcheck(fn, (x,))
    assert minigrad.gradgradcheck(fn, (x,))


def test_dropout2d_drops_whole_channels(device):
    out = F.dropout2d(_ones((8, 6, 3, 2), device), 0.5).numpy()
    per_channel = out.reshape(8, 6, -1)
    assert (per_channel == per_channel[..., :1]).all()
    assert set(np.unique(per_channel)) == {0.0, 2.0}


def test_dropout1d_drops_whole_channels_batched_and_unbatched(device):
    batched = F.dropout1d(_ones((5, 6, 4), device), 0.5).numpy()
    assert (batched == batched[..., :1]).all() and set(np.unique(batched)) == {0.0, 2.0}
    unbatched = F.dropout1d(_ones((12, 4), device), 0.5).numpy()
    assert (unbatched == unbatched[:, :1]).all() and set(np.unique(unbatched)) == {0.0, 2.0}


def test_dropout2d_on_3d_input_warns_and_drops_channels(device):
    with pytest.warns(UserWarning, match=r"\(N, C, L\)"):
        out = F.dropout2d(_ones((4, 5, 3), device), 0.5).numpy()
    assert (out == out[..., :1]).all()


def test_inplace(device):
    x = _ones((10,), device)
    assert F.dropout(x, 0.5, inplace=True) is x
    assert set(np.unique(x.numpy())) == {0.0, 2.0}


def test_errors(device):
    x = minigrad.randn(2, 3, device=device)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout2d(x, p)
    with pytest.raises(TypeError, match="floating point"):
        F.dropout(minigrad.tensor([1, 2], device=device))
    with pytest.raises(ValueError, match="2-D"):
        F.dropout1d(minigrad.randn(2, 3, 4, 5, device=device))
