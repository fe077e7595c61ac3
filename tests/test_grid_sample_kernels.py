"""F.grid_sample on its kernels: against PyTorch and against the Tensor-op reference on both
devices for every mode, padding and align_corners (NaN-free points on and between pixel
centres, outside the image, at the borders), float64 gradient checks of first and second order
in the input and the grid, a grid that stays on the device, and the deterministic mode."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.functions.resample import grid_sample_reference

torch = pytest.importorskip("torch")

MODES = ["bilinear", "nearest"]
PADDINGS = ["zeros", "border", "reflection"]


def _case(seed, n=2, c=2, h=3, w=4, out_h=2, out_w=3, spread=1.6):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, h, w))
    grid = rng.uniform(-spread, spread, size=(n, out_h, out_w, 2))
    grid[0, 0, 0] = [1.0, -1.0]  # exactly on the corners of the [-1, 1] square
    return x, grid


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
