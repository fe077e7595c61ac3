"""Bilinear and bicubic F.interpolate on their kernels: against PyTorch on both devices (sizes,
scale factors with and without recompute_scale_factor, align_corners, down- and upsampling,
float32 and non-contiguous input), float64 gradient checks of first and second order on drawn
cases, no host transfer on cuda, and the deterministic mode."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")

RESIZES = [dict(size=(7, 3)), dict(scale_factor=1.7), dict(scale_factor=(0.6, 2.5)),
           dict(scale_factor=1.7, recompute_scale_factor=True), dict(size=(1, 1))]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("resize", range(len(RESIZES)))
def test_interpolate_kernels_match_torch(device, mode, align_corners, resize):
    a = np.random.default_rng(resize).normal(size=(2, 3, 4, 5))
    x = minigrad.tensor(a, device=device, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    kwargs = dict(RESIZES[resize], mode=mode, align_corners=align_corners)
    out, expected = F.interpolate(x, **kwargs), torch.nn.functional.interpolate(tx, **kwargs)
    np.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    weights = np.random.default_rng(9).normal(size=expected.shape)
    (out * minigrad.tensor(weights, device=device)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_interpolate_kernels_float32_non_contiguous(device):
    a = np.random.default_rng(0).normal(size=(2, 3, 5, 4)).astype(np.float32)
    x = minigrad.tensor(a, device=device).transpose(2, 3)
    out = F.interpolate(x, scale_factor=2, mode="bilinear")
    expected = torch.nn.functional.interpolate(torch.tensor(a).transpose(2, 3), scale_factor=2,
                                               mode="bilinear")
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(out.cpu().numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.cpu_suffices
@given(seed=st.integers(0, 2**16), mode=st.sampled_from(["bilinear", "bicubic"]),
       align_corners=st.booleans(), h=st.integers(1, 3), w=st.integers(1, 3),
       out_h=st.integers(1, 4), out_w=st.integers(1, 4))
def test_interpolate_kernels_gradcheck(device, seed, mode, align_corners, h, w, out_h, out_w):
    x = minigrad.tensor(np.random.default_rng(seed).normal(size=(1, 2, h, w)), device=device,
                        requires_grad=True)

    def resize(t):
        return F.interpolate(t, size=(out_h, out_w), mode=mode, align_corners=align_corners)
    assert minigrad.gradcheck(resize, [x])
    assert minigrad.gradgradcheck(resize, [x])


def test_interpolate_kernels_stay_on_the_device(device):
    if device != "cuda":
        pytest.skip("host transfers are a cuda matter")
    x = minigrad.randn(1, 2, 3, 4, device=device, requires_grad=True)
    before = minigrad.cuda.transfer_count()
    F.interpolate(x, scale_factor=2, mode="bicubic").sum().backward()
    assert minigrad.cuda.transfer_count() == before


def test_interpolate_deterministic_mode_gives_the_same_gradient(device):
    a = np.random.default_rng(1).normal(size=(1, 2, 3, 4))
    grads = []
    for deterministic in (False, True):
        minigrad.use_deterministic_algorithms(deterministic)
        try:
            x = minigrad.tensor(a, device=device, requires_grad=True)
            F.interpolate(x, size=(5, 7), mode="bilinear").sum().backward()
        finally:
            minigrad.use_deterministic_algorithms(False)
        grads.append(x.grad.cpu().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_interpolate_float32_values_and_gradients_match_torch(device, mode, align_corners):
    """float32 in, float32 out, within float32 rounding of PyTorch's (which computes in float
    on both devices)."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=(2, 2, 5, 4)).astype(np.float32)
    weights = rng.normal(size=(2, 2, 7, 9)).astype(np.float32)
    kwargs = dict(size=(7, 9), mode=mode, align_corners=align_corners)
    x = minigrad.tensor(a, device=device, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    out, expected = F.interpolate(x, **kwargs), torch.nn.functional.interpolate(tx, **kwargs)
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(),
                               rtol=2e-6, atol=2e-6)
    (out * minigrad.tensor(weights, device=device)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    assert x.grad.dtype == minigrad.float32
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_the_float32_tap_rule_computes_in_float32_only():
    """Compiled for a float32 scale, the shared rule the cuda kernels use has no float64 value
    anywhere (a float literal or an int mixed with a float32 would make one); the float64 rule
    stays float64."""
    numba = pytest.importorskip("numba")
    from minigrad.backend import _resample_scalar as rules

    for rule, real in ((rules.resample_tap32, numba.float32),
                       (rules.resample_tap, numba.float64)):
        compiled = numba.njit(rule)
        signature = (numba.int64, numba.int64, numba.int64, real, numba.boolean, numba.boolean)
        compiled.compile(signature)
        overload = compiled.overloads[signature]
        floats = {str(t) for t in overload.type_annotation.typemap.values()
                  if isinstance(t, numba.types.Float)}
        assert floats == {str(real)}, floats
        assert str(overload.signature.return_type) == f"Tuple(int64, {real})"
