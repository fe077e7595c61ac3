"""F.interpolate's modes, F.pad's reflect / replicate / circular modes, grid_sample and
affine_grid, and their layers: values and gradients against PyTorch on hypothesis-drawn shapes,
scales and layouts, gradcheck / gradgradcheck in float64, and errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import tensors

from layer_checks import assert_matches_torch, finite_differences_add_coverage

# these run once per mode or activation: half the profile's examples each keeps the file
# within seconds
HALF = settings(max_examples=max(3, settings().max_examples // 2))

TOL = dict(rtol=1e-10, atol=1e-10)
MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "area": 2,
             "nearest-exact": 2}


@HALF
@pytest.mark.parametrize("mode", sorted(MODE_DIMS))
@given(data=st.data(), by_size=st.booleans(), align=st.booleans(), recompute=st.booleans())
def test_interpolate_matches_torch(device, mode, data, by_size, align, recompute):
    torch = pytest.importorskip("torch")
    dims = MODE_DIMS[mode]
    spatial = tuple(data.draw(st.integers(1, 4)) for _ in range(dims))
    x = data.draw(tensors(st.just((1, 2) + spatial), device=device))
    kwargs = {}
    if by_size:
        kwargs["size"] = tuple(data.draw(st.integers(1, 5)) for _ in range(dims))
    else:
        kwargs["scale_factor"] = tuple(data.draw(st.sampled_from([0.5, 0.75, 1.0, 1.6, 2.0]))
                                       for _ in range(dims))
        kwargs["recompute_scale_factor"] = recompute
        if any(int(n * f) == 0 for n, f in zip(spatial, kwargs["scale_factor"])):
            kwargs["scale_factor"] = (2.0,) * dims
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kwargs["align_corners"] = align
    assert_matches_torch(lambda t: F.interpolate(t, mode=mode, **kwargs),
                         lambda t: torch.nn.functional.interpolate(t, mode=mode, **kwargs),
                         [x], **TOL)
    if finite_differences_add_coverage(device):
        assert minigrad.gradcheck(lambda t: F.interpolate(t, mode=mode, **kwargs), [x])


def test_interpolate_second_derivatives_and_float32(device):
    torch = pytest.importorskip("torch")
    x = minigrad.randn(1, 1, 3, 2, dtype=minigrad.float64, device=device, requires_grad=True)
    if finite_differences_add_coverage(device):
        for mode in ("bilinear", "bicubic", "area"):
            assert minigrad.gradgradcheck(lambda t: F.interpolate(t, (4, 3), mode=mode) ** 2,
                                          [x])
    y = minigrad.randn(2, 3, 5, 4, device=device, requires_grad=True)
    assert_matches_torch(lambda t: F.interpolate(t, scale_factor=1.7, mode="bicubic"),
                         lambda t: torch.nn.functional.interpolate(t, scale_factor=1.7,
                                                                   mode="bicubic"),
                         [y], rtol=1e-5, atol=1e-5)


def test_nearest_exact_gathers_integer_input_too(device):
    torch = pytest.importorskip("torch")
    values = np.arange(2 * 5 * 7).reshape(1, 2, 5, 7)
    out = F.interpolate(minigrad.tensor(values, device=device), scale_factor=1.7,
                        mode="nearest-exact")
    expected = torch.nn.functional.interpolate(torch.tensor(values).double(), scale_factor=1.7,
                                               mode="nearest-exact")
    assert out.dtype is minigrad.int64
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("mode, shape, size", [
    ("linear", (1, 2, 8), (13,)), ("linear", (2, 1, 9), (4,)),
    ("trilinear", (1, 2, 3, 4, 5), (5, 3, 7)), ("trilinear", (1, 1, 4, 4, 4), (2, 6, 3)),
    ("area", (1, 2, 16), (5,)), ("area", (1, 2, 7, 9), (3, 4)),
    ("area", (2, 1, 6, 5, 7), (4, 3, 2))])
@pytest.mark.parametrize("align", [False, True])
def test_interpolate_keeps_nan_and_inf_where_torch_does(device, mode, shape, size, align):
    """A NaN or inf input reaches only the outputs that read it, as in PyTorch (a weight-matrix
    product would spread it over every output of its row); float32 values match too."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    flat = x.reshape(-1)
    flat[2], flat[-3] = np.nan, np.inf
    kwargs = {"align_corners": align} if mode != "area" else {}
    got = F.interpolate(minigrad.tensor(x, device=device), size=size, mode=mode, **kwargs)
    want = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode=mode, **kwargs)
    assert np.isfinite(want.numpy()).any()
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode, shape, size", [("linear", (1, 1, 3), (5,)),
                                               ("trilinear", (1, 1, 2, 2, 3), (3, 1, 4)),
                                               ("area", (1, 1, 4, 3, 2), (2, 2, 1))])
def test_interpolate_1d_and_3d_second_derivatives(device, mode, shape, size):
    x = minigrad.randn(*shape, dtype=minigrad.float64, device=device, requires_grad=True)
    if finite_differences_add_coverage(device):
        assert minigrad.gradgradcheck(lambda t: F.interpolate(t, size, mode=mode) ** 2, [x])


@HALF
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@given(data=st.data(), dims=st.integers(1, 3), batched=st.booleans())
def test_pad_modes_match_torch(device, mode, data, dims, batched):
    torch = pytest.importorskip("torch")
    spatial = tuple(data.draw(st.integers(2, 4)) for _ in range(dims))
    shape = ((2,) if batched else ()) + (2,) + spatial
    x = data.draw(tensors(st.just(shape), device=device))
    amounts = []
    for n in reversed(spatial):
        top = n - 1 if mode == "reflect" else n
        # torch's circular backward is wrong where negative amounts crop (checked below)
        low = 0 if mode == "circular" else -1
        left = data.draw(st.integers(low, top))
        # at least one element left: on an empty output torch's gradient is uninitialised
        amounts += [left, data.draw(st.integers(max(low, 1 - n - left), top))]
    assert_matches_torch(lambda t: F.pad(t, amounts, mode),
                         lambda t: torch.nn.functional.pad(t, amounts, mode=mode), [x], **TOL)
    if finite_differences_add_coverage(device):
        check = minigrad.gradgradcheck if x.numel() <= 16 else minigrad.gradcheck
        assert check(lambda t: F.pad(t, amounts, mode) ** 2, [x])


def test_circular_pad_with_cropping_wraps_what_is_left_as_torch(device):
    torch = pytest.importorskip("torch")
    values = np.arange(16.0).reshape(1, 2, 8)
    for amounts in ((-1, 2), (2, -3), (-2, -1), (3, 3, -1, 1)):
        out = F.pad(minigrad.tensor(values, device=device), amounts, "circular").numpy()
        expected = torch.nn.functional.pad(torch.tensor(values), amounts, mode="circular")
        np.testing.assert_array_equal(out, expected.numpy())


@pytest.mark.parametrize("name,padding,shape", [
    ("ReflectionPad1d", 2, (2, 3, 4)), ("ReflectionPad2d", (1, 0, 2, 1), (1, 2, 3, 4)),
    ("ReflectionPad3d", 1, (1, 1, 2, 3, 2)), ("ReplicationPad1d", (3, 1), (2, 4)),
    ("ReplicationPad2d", 2, (1, 1, 2, 2)), ("ReplicationPad3d", (1, 0, 0, 1, 2, 0),
                                             (1, 2, 2, 2)),
    ("CircularPad1d", 1, (1, 2, 3)), ("CircularPad2d", (2, 1, 1, 0), (1, 1, 3, 3)),
    ("CircularPad3d", 1, (1, 1, 2, 2, 2)), ("ZeroPad1d", (1, 2), (2, 3)),
    ("ZeroPad2d", 1, (1, 2, 2)), ("ZeroPad3d", 1, (1, 1, 1, 1))])
def test_padding_layers_match_torch(device, name, padding, shape):
    torch = pytest.importorskip("torch")
    mine, theirs = getattr(nn, name)(padding), getattr(torch.nn, name)(padding)
    assert repr(mine) == repr(theirs)
    x = minigrad.randn(*shape, dtype=minigrad.float64, device=device, requires_grad=True)
    assert_matches_torch(mine, theirs, [x], **TOL)


def test_constant_pad_layers_and_upsampling_layers_match_torch(device):
    torch = pytest.importorskip("torch")
    x = minigrad.randn(1, 2, 3, 4, dtype=minigrad.float64, device=device, requires_grad=True)
    pairs = [(nn.ConstantPad2d((1, 2, 0, 1), 3.5), torch.nn.ConstantPad2d((1, 2, 0, 1), 3.5)),
             (nn.UpsamplingBilinear2d(scale_factor=2), torch.nn.UpsamplingBilinear2d(
                 scale_factor=2)),
             (nn.UpsamplingNearest2d(size=(5, 3)), torch.nn.UpsamplingNearest2d(size=(5, 3))),
             (nn.Upsample(scale_factor=1.5, mode="bicubic"),
              torch.nn.Upsample(scale_factor=1.5, mode="bicubic"))]
    for mine, theirs in pairs:
        assert repr(mine) == repr(theirs)
        assert_matches_torch(mine, theirs, [x], **TOL)


@HALF
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@given(data=st.data(), align=st.booleans())
def test_grid_sample_matches_torch_in_input_and_grid(device, mode, padding_mode, data, align):
    torch = pytest.importorskip("torch")
    n = data.draw(st.integers(1, 2))
    x = data.draw(tensors(st.just((n, 2, data.draw(st.integers(1, 4)),
                                   data.draw(st.integers(1, 4)))), device=device))
    out_hw = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    # away from the kinks (pixel centres crossing, borders) where the grid gradient jumps
    grid = data.draw(tensors(st.just((n,) + out_hw + (2,)), device=device, min_value=-1.4,
                             max_value=1.4, requires_grad=mode == "bilinear"))
    assert_matches_torch(lambda a, g: F.grid_sample(a, g, mode, padding_mode, align),
                         lambda a, g: torch.nn.functional.grid_sample(a, g, mode, padding_mode,
                                                                      align), [x, grid],
                         rtol=1e-9, atol=1e-9)
    if finite_differences_add_coverage(device):
        assert minigrad.gradcheck(lambda a: F.grid_sample(a, grid.detach(), mode, padding_mode,
                                                          align), [x])


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (1, 1, 3, 2, 4), (2, 1, 2, 3)])
def test_affine_grid_matches_torch_and_drives_grid_sample(device, align, size):
    torch = pytest.importorskip("torch")
    spatial = len(size) - 2
    theta = minigrad.randn(size[0], spatial, spatial + 1, dtype=minigrad.float64,
                           device=device, requires_grad=True)
    assert_matches_torch(lambda t: F.affine_grid(t, size, align),
                         lambda t: torch.nn.functional.affine_grid(t, size, align), [theta],
                         **TOL)
    image = minigrad.randn(*size, dtype=minigrad.float64, device=device)
    identity = minigrad.tensor(np.tile(np.eye(spatial, spatial + 1), (size[0], 1, 1)),
                               device=device)
    resampled = F.grid_sample(image, F.affine_grid(identity, size, align), align_corners=align)
    np.testing.assert_allclose(resampled.numpy(), image.numpy(), **TOL)


def test_errors_name_what_was_wrong():
    with pytest.raises(ValueError, match="smaller"):
        F.pad(minigrad.randn(1, 2, 3), (3, 0), "reflect")
    with pytest.raises(ValueError, match="3-D"):
        F.pad(minigrad.randn(4), (1, 1), "replicate")
    with pytest.raises(NotImplementedError):
        F.pad(minigrad.randn(1, 2, 3), (1, 1), "wrap")
    with pytest.raises(ValueError, match="4-D"):
        F.interpolate(minigrad.randn(1, 2, 3), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(minigrad.randn(1, 2, 3), scale_factor=2, mode="area", align_corners=True)
    for mode in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        with pytest.raises(RuntimeError, match="sizes must be positive"):  # as torch
            F.interpolate(minigrad.randn(1, 1, 0, 4), size=(3, 3), mode=mode)
        assert F.interpolate(minigrad.randn(0, 1, 2, 2), size=(3, 3), mode=mode).shape == \
            (0, 1, 3, 3)
    with pytest.raises(ValueError, match="padding_mode"):
        F.grid_sample(minigrad.randn(1, 1, 2, 2), minigrad.randn(1, 1, 1, 2), padding_mode="x")
    with pytest.raises(ValueError, match="theta"):
        F.affine_grid(minigrad.randn(1, 2, 3), (1, 1, 2, 2, 2))
