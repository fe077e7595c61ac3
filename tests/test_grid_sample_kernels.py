"""F.grid_sample on its kernels: against PyTorch and against the Tensor-op reference on both
devices for every mode (bicubic on 4-D input, bilinear (trilinear) and nearest on 4-D and 5-D
input), padding and align_corners (NaN-free points on and between pixel centres, outside the
image, at the borders), in float64 and float32, float64 gradient checks of first and second
order in the input and the grid, a grid that stays on the device, and the
deterministic mode."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.functions.grid_sample_reference import grid_sample_reference

torch = pytest.importorskip("torch")

MODES = ["bilinear", "nearest"]
MODES_4D = MODES + ["bicubic"]
PADDINGS = ["zeros", "border", "reflection"]


def _case(seed, n=2, c=2, h=3, w=4, out_h=2, out_w=3, spread=1.6, d=None, out_d=None):
    """(input, grid) arrays: 4-D input, or 5-D with depth d sampled at out_d planes."""
    rng = np.random.default_rng(seed)
    spatial, out = ((h, w), (out_h, out_w)) if d is None else ((d, h, w), (out_d, out_h, out_w))
    x = rng.normal(size=(n, c) + spatial)
    grid = rng.uniform(-spread, spread, size=(n,) + out + (len(spatial),))
    grid[(0,) * (len(spatial) + 1)] = [1.0, -1.0, 1.0][:len(spatial)]  # on the square's corners
    return x, grid


def _compare_with_torch(device, a, g, mode, padding_mode, align_corners, dtype, rtol, atol):
    """F.grid_sample's values and gradients (input, grid) against torch's, in `dtype`;
    returns minigrad's output."""
    tdtype = {minigrad.float32: torch.float32, minigrad.float64: torch.float64}[dtype]
    x = minigrad.tensor(a, dtype=dtype, device=device, requires_grad=True)
    grid = minigrad.tensor(g, dtype=dtype, device=device, requires_grad=True)
    tx = torch.tensor(a, dtype=tdtype, requires_grad=True)
    tg = torch.tensor(g, dtype=tdtype, requires_grad=True)
    out = F.grid_sample(x, grid, mode, padding_mode, align_corners)
    expected = torch.nn.functional.grid_sample(tx, tg, mode, padding_mode, align_corners)
    assert out.dtype == dtype and tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(),
                               rtol=rtol, atol=atol)
    weights = np.random.default_rng(1).normal(size=expected.shape)
    (out * minigrad.tensor(weights, dtype=dtype, device=device)).sum().backward()
    (expected * torch.tensor(weights, dtype=tdtype)).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(grid.grad.cpu().numpy(), tg.grad.numpy(), rtol=rtol,
                               atol=atol)
    return out


def _compare_with_reference(device, a, g, mode, padding_mode, align_corners):
    """The kernels' values against the Tensor-op reference (what second derivatives use)."""
    x, grid = minigrad.tensor(a, device=device), minigrad.tensor(g, device=device)
    np.testing.assert_allclose(
        F.grid_sample(x, grid, mode, padding_mode, align_corners).cpu().numpy(),
        grid_sample_reference(x, grid, mode, padding_mode, align_corners).cpu().numpy(),
        rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES_4D)
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_4d_kernels_match_torch(device, mode, padding_mode, align_corners):
    a, g = _case(5)
    for dtype, tol in ((minigrad.float64, 1e-10), (minigrad.float32, 2e-5)):
        out = _compare_with_torch(device, a, g, mode, padding_mode, align_corners, dtype,
                                  rtol=tol, atol=tol)
        assert out.grad_fn.name() == "GridSampler2DBackward0"
    _compare_with_reference(device, a, g, mode, padding_mode, align_corners)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_5d_kernels_match_torch(device, mode, padding_mode, align_corners):
    a, g = _case(6, n=2, c=2, d=2, h=3, w=2, out_d=2, out_h=2, out_w=2)
    for dtype, tol in ((minigrad.float64, 1e-10), (minigrad.float32, 2e-5)):
        out = _compare_with_torch(device, a, g, mode, padding_mode, align_corners, dtype,
                                  rtol=tol, atol=tol)
        assert out.grad_fn.name() == "GridSampler3DBackward0"
    _compare_with_reference(device, a, g, mode, padding_mode, align_corners)


@given(seed=st.integers(0, 2**16), five_d=st.booleans(), mode=st.sampled_from(MODES_4D),
       padding_mode=st.sampled_from(PADDINGS), align_corners=st.booleans(),
       sizes=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)),
       spread=st.sampled_from([0.9, 1.5, 3.5]),
       float32=st.booleans())
def test_grid_sample_matches_torch_on_drawn_shapes(device, seed, five_d, mode, padding_mode,
                                                   align_corners, sizes, spread, float32):
    """Drawn input sizes (1-pixel dims included) and grids reaching well outside [-1, 1]."""
    h, w, d = sizes
    if five_d and mode == "bicubic":
        mode = "bilinear"
    a, g = _case(seed, n=1, c=2, h=h, w=w, out_h=2, out_w=2, spread=spread,
                 d=d if five_d else None, out_d=2 if five_d else None)
    dtype, tol = (minigrad.float32, 2e-5) if float32 else (minigrad.float64, 1e-10)
    _compare_with_torch(device, a, g, mode, padding_mode, align_corners, dtype, rtol=tol,
                        atol=tol)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_kernels_match_torch_and_reference(device, mode, padding_mode,
                                                       align_corners):
    a, g = _case(0)
    x = minigrad.tensor(a, device=device, requires_grad=True)
    grid = minigrad.tensor(g, device=device, requires_grad=True)
    tx, tg = torch.tensor(a, requires_grad=True), torch.tensor(g, requires_grad=True)
    out = F.grid_sample(x, grid, mode, padding_mode, align_corners)
    expected = torch.nn.functional.grid_sample(tx, tg, mode, padding_mode, align_corners)
    np.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    reference = grid_sample_reference(x, grid, mode, padding_mode, align_corners)
    np.testing.assert_allclose(out.detach().cpu().numpy(), reference.detach().cpu().numpy(),
                               rtol=1e-12, atol=1e-12)
    weights = np.random.default_rng(1).normal(size=expected.shape)
    (out * minigrad.tensor(weights, device=device)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grid.grad.cpu().numpy(), tg.grad.numpy(), rtol=1e-10,
                               atol=1e-12)
    assert out.grad_fn.name() == "GridSampler2DBackward0"


def test_grid_sample_float32_and_a_non_contiguous_grid(device):
    a, g = _case(2)
    x = minigrad.tensor(a, dtype=minigrad.float32, device=device)
    grid = minigrad.tensor(g.transpose(0, 2, 1, 3).copy(), dtype=minigrad.float32,
                           device=device).transpose(1, 2)
    out = F.grid_sample(x, grid, align_corners=False)
    expected = torch.nn.functional.grid_sample(torch.tensor(a, dtype=torch.float32),
                                               torch.tensor(g, dtype=torch.float32),
                                               align_corners=False)
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(out.cpu().numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.cpu_suffices
@given(seed=st.integers(0, 2**16), mode=st.sampled_from(MODES),
       padding_mode=st.sampled_from(PADDINGS), align_corners=st.booleans(),
       h=st.integers(1, 3), w=st.integers(1, 3))
def test_grid_sample_gradcheck_input_and_grid(device, seed, mode, padding_mode, align_corners,
                                              h, w):
    a, g = _case(seed, n=1, c=2, h=h, w=w, out_h=2, out_w=2, spread=1.2)
    g[0, 0, 0] = [0.1, -0.3]  # away from the kinks, where the grid's gradient jumps
    x = minigrad.tensor(a, device=device, requires_grad=True)
    grid = minigrad.tensor(g, device=device, requires_grad=mode == "bilinear")

    def sample(t, s):
        return F.grid_sample(t, s, mode, padding_mode, align_corners)
    assert minigrad.gradcheck(sample, [x, grid])
    assert minigrad.gradgradcheck(sample, [x, grid])


@given(seed=st.integers(0, 2**16), five_d=st.booleans(), padding_mode=st.sampled_from(PADDINGS),
       align_corners=st.booleans(), mode=st.sampled_from(MODES_4D))
def test_grid_sample_bicubic_and_5d_gradcheck_and_gradgradcheck(device, seed, five_d, padding_mode,
                                              align_corners, mode):
    if five_d and mode == "bicubic":
        mode = "bilinear"
    a, g = _case(seed, n=1, c=1, h=3, w=2, out_h=2, out_w=1, spread=1.2,
                 d=2 if five_d else None, out_d=2 if five_d else None)
    g[(0,) * (g.ndim - 1)] = [0.1, -0.3, 0.2][:g.shape[-1]]  # away from the kinks
    x = minigrad.tensor(a, device=device, requires_grad=True)
    grid = minigrad.tensor(g, device=device, requires_grad=mode != "nearest")
    def sample(t, s):
        return F.grid_sample(t, s, mode, padding_mode, align_corners)
    assert minigrad.gradcheck(sample, [x, grid])
    assert minigrad.gradgradcheck(sample, [x, grid])


def test_grid_sample_refusals(device):
    x5 = minigrad.zeros((1, 1, 2, 2, 2), device=device)
    with pytest.raises(ValueError, match="bicubic"):
        F.grid_sample(x5, minigrad.zeros((1, 1, 1, 1, 3), device=device), mode="bicubic")
    with pytest.raises(ValueError, match="mode must be"):
        F.grid_sample(x5, minigrad.zeros((1, 1, 1, 1, 3), device=device), mode="area")
    with pytest.raises(ValueError, match="grid"):
        F.grid_sample(x5, minigrad.zeros((1, 1, 1, 2), device=device))


def test_grid_sample_grid_stays_on_the_device(device):
    if device != "cuda":
        pytest.skip("host transfers are a cuda matter")
    a, g = _case(3)
    x = minigrad.tensor(a, device=device, requires_grad=True)
    grid = minigrad.tensor(g, device=device, requires_grad=True)
    before = minigrad.cuda.transfer_count()
    F.grid_sample(x, grid).sum().backward()
    assert minigrad.cuda.transfer_count() == before


def test_grid_sample_deterministic_mode_gives_the_same_gradients(device):
    a, g = _case(4)
    grads = []
    for deterministic in (False, True):
        minigrad.use_deterministic_algorithms(deterministic)
        try:
            x = minigrad.tensor(a, device=device, requires_grad=True)
            F.grid_sample(x, minigrad.tensor(g * 0.3, device=device)).sum().backward()
        finally:
            minigrad.use_deterministic_algorithms(False)
        grads.append(x.grad.cpu().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)
