"""interpolate (nearest) and its deprecated aliases: values and gradients against PyTorch and a
numpy reference of the index rule, first and second order gradient checks, argument errors."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F


@st.composite
def resize_problems(draw, max_spatial_dims=3, max_side=6, max_size=13):
    """(input shape, interpolate keyword arguments): size or scale factor, per dim or shared."""
    spatial = draw(st.lists(st.integers(1, max_side), min_size=1, max_size=max_spatial_dims))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *spatial)
    if draw(st.booleans()):
        sizes = [draw(st.integers(1, max_size)) for _ in spatial]
        return shape, {"size": sizes[0] if len(set(sizes)) == 1 else tuple(sizes)}
    factors = [draw(st.sampled_from([0.5, 0.75, 1.0, 1.7, 2.0, 2.5, 3.0])) for _ in spatial]
    factors = [f if math.floor(n * f) > 0 else 1.0 for n, f in zip(spatial, factors)]
    kwargs = {"scale_factor": factors[0] if len(set(factors)) == 1 else tuple(factors)}
    if draw(st.booleans()):
        kwargs["recompute_scale_factor"] = True
    return shape, kwargs


@given(problem=resize_problems(), seed=st.integers(0, 2**16))
def test_values_and_gradients_match_torch(device, problem, seed):
    torch = pytest.importorskip("torch")
    shape, kwargs = problem
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape)
    x = minigrad.tensor(data, dtype=minigrad.float64, device=device, requires_grad=True)
    out = F.interpolate(x, **kwargs)
    ref = torch.tensor(data, requires_grad=True)
    expected = torch.nn.functional.interpolate(ref, **kwargs)
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    seed_grad = rng.standard_normal(tuple(out.shape))
    (out * minigrad.tensor(seed_grad, device=device)).sum().backward()
    (expected * torch.tensor(seed_grad)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-14, atol=1e-14)


def _reference_nearest_2d(data, out_h, out_w):
    """src = floor(dst * in / out) along each spatial dim."""
    in_h, in_w = data.shape[2:]
    rows = np.minimum(np.floor(np.arange(out_h) * in_h / out_h).astype(int), in_h - 1)
    cols = np.minimum(np.floor(np.arange(out_w) * in_w / out_w).astype(int), in_w - 1)
    return data[:, :, rows][:, :, :, cols]


@pytest.mark.parametrize("out_size", [(4, 6), (3, 3), (7, 2), (2, 9)])
def test_size_matches_numpy_reference(device, out_size):
    data = np.arange(2 * 3 * 3 * 4, dtype=np.float32).reshape(2, 3, 3, 4)
    out = F.interpolate(minigrad.tensor(data, device=device), size=out_size)
    assert out.dtype is minigrad.float32
    np.testing.assert_array_equal(out.numpy(), _reference_nearest_2d(data, *out_size))


def test_integer_upscale_repeats_each_pixel(device):
    data = np.arange(6, dtype=np.float64).reshape(1, 1, 2, 3)
    out = F.interpolate(minigrad.tensor(data, device=device), scale_factor=2)
    np.testing.assert_array_equal(out.numpy(), data.repeat(2, axis=2).repeat(2, axis=3))
    x = minigrad.tensor(data, device=device, requires_grad=True)
    F.interpolate(x, scale_factor=(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((1, 1, 2, 3), 6.0))


@pytest.mark.cpu_suffices  # on cuda, the comparison with torch above checks the gradients
@given(problem=resize_problems(max_spatial_dims=2, max_side=3, max_size=5))
def test_gradcheck_and_gradgradcheck(device, problem):
    shape, kwargs = problem
    x = minigrad.randn(*shape, dtype=minigrad.float64, device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda x: F.interpolate(x, **kwargs), (x,))
    assert minigrad.gradgradcheck(lambda x: F.interpolate(x, **kwargs), (x,))


def test_same_size_gives_a_copy(device):
    x = minigrad.randn(1, 2, 3, device=device)
    out = F.interpolate(x, size=3)
    assert out is not x
    np.testing.assert_array_equal(out.numpy(), x.numpy())


def test_deprecated_aliases_warn_and_match(device):
    x = minigrad.randn(1, 1, 2, 2, device=device)
    expected = F.interpolate(x, scale_factor=2).numpy()
    with pytest.warns(UserWarning, match="deprecated"):
        np.testing.assert_array_equal(F.upsample(x, scale_factor=2).numpy(), expected)
    with pytest.warns(UserWarning, match="deprecated"):
        np.testing.assert_array_equal(F.upsample_nearest(x, size=4).numpy(), expected)


def test_errors(device):
    x = minigrad.randn(1, 1, 5, device=device)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="one entry per spatial dimension"):
        F.interpolate(x, size=(2, 3))
    with pytest.raises(ValueError, match="unknown mode"):
        F.interpolate(x, size=3, mode="cubic")
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, size=3, align_corners=False)
    with pytest.raises(ValueError, match="3-D"):
        F.interpolate(minigrad.randn(5, device=device), size=3)
    with pytest.raises(ValueError, match="positive"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(ValueError, match="recompute_scale_factor"):
        F.interpolate(x, size=3, recompute_scale_factor=True)
