"""conv3d, conv_transpose3d, max_pool3d, avg_pool3d, adaptive_avg_pool3d and their modules:
values, indices and gradients against PyTorch on hypothesis-drawn geometries, gradcheck and
gradgradcheck in float64, modules from the same state_dict, and errors."""
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
triple = st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 2))


@HALF
@given(data=st.data(), k=triple, s=triple, d=triple, groups=st.sampled_from([1, 2]),
       padded=st.booleans())
def test_conv3d_and_conv_transpose3d_match_torch(device, data, k, s, d, groups, padded):
    torch = pytest.importorskip("torch")
    p = tuple(data.draw(st.integers(0, 1)) for _ in range(3)) if padded else 0
    size = tuple(data.draw(st.integers(dd * (kk - 1) + 1, 3)) for kk, dd in zip(k, d))
    x = data.draw(tensors(st.just((1, 2) + size), device=device))
    w = data.draw(tensors(st.just((2, 2 // groups) + k), device=device))
    b = data.draw(tensors(st.just((2,)), device=device))
    assert_matches_torch(lambda *a: F.conv3d(*a, s, p, d, groups),
                         lambda *a: torch.nn.functional.conv3d(*a, s, p, d, groups), [x, w, b],
                         **TOL)
    op = tuple(data.draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d))
    if all(n > 0 for n in ((np.array(size) - 1) * s - 2 * np.array(p) + np.array(d) *
                           (np.array(k) - 1) + np.array(op) + 1)):
        assert_matches_torch(
            lambda *a: F.conv_transpose3d(*a, s, p, op, groups, d),
            lambda *a: torch.nn.functional.conv_transpose3d(*a, s, p, op, groups, d),
            [x, w, b], **TOL)
    if finite_differences_add_coverage(device):
        assert minigrad.gradcheck(lambda *a: F.conv3d(*a, s, p, d, groups), [x, w, b])


@pytest.mark.cpu_suffices  # double backward is Tensor ops; test_conv3d_* run its kernels on cuda
def test_conv3d_second_derivatives_and_same_padding(device):
    torch = pytest.importorskip("torch")
    x = minigrad.randn(1, 1, 3, 2, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    w = minigrad.randn(1, 1, 2, 1, 2, dtype=minigrad.float64, device=device, requires_grad=True)
    assert minigrad.gradgradcheck(lambda a, b: F.conv3d(a, b, padding=1), [x, w])
    assert minigrad.gradgradcheck(lambda a, b: F.conv_transpose3d(a, b, stride=2), [x, w])
    assert_matches_torch(lambda a, b: F.conv3d(a, b, padding="same", dilation=(2, 1, 1)),
                         lambda a, b: torch.nn.functional.conv3d(a, b, padding="same",
                                                                 dilation=(2, 1, 1)),
                         [x, w], **TOL)


@given(data=st.data(), k=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
       s=triple, ceil_mode=st.booleans(), padded=st.booleans())
def test_max_pool3d_matches_torch_with_indices(device, data, k, s, ceil_mode, padded):
    torch = pytest.importorskip("torch")
    p = tuple(kk // 2 for kk in k) if padded else 0
    size = tuple(data.draw(st.integers(kk, 4)) for kk in k)
    x = data.draw(tensors(st.just((1, 2) + size), device=device, distinct=True, margin=0.02,
                          min_value=-3, max_value=3))
    out, idx = F.max_pool3d(x, k, s, p, ceil_mode=ceil_mode, return_indices=True)
    expected, expected_idx = torch.nn.functional.max_pool3d(
        torch.tensor(x.detach().numpy()), k, s, p, ceil_mode=ceil_mode, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), expected_idx.numpy())
    assert_matches_torch(lambda t: F.max_pool3d(t, k, s, p, ceil_mode=ceil_mode),
                         lambda t: torch.nn.functional.max_pool3d(t, k, s, p,
                                                                  ceil_mode=ceil_mode),
                         [x], **TOL)
    np.testing.assert_allclose(out.detach().numpy(), expected.numpy(), **TOL)


@HALF
@given(data=st.data(), k=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
       s=triple, ceil_mode=st.booleans(), include=st.booleans(),
       override=st.sampled_from([None, 3]))
def test_avg_pool3d_matches_torch(device, data, k, s, ceil_mode, include, override):
    torch = pytest.importorskip("torch")
    p = tuple(data.draw(st.integers(0, kk // 2)) for kk in k)
    size = tuple(data.draw(st.integers(kk, 4)) for kk in k)
    x = data.draw(tensors(st.just((2, 1) + size), device=device))
    args = (k, s, p, ceil_mode, include, override)
    assert_matches_torch(lambda t: F.avg_pool3d(t, *args),
                         lambda t: torch.nn.functional.avg_pool3d(t, *args), [x], **TOL)
    assert minigrad.gradcheck(lambda t: F.avg_pool3d(t, *args), [x])


@given(data=st.data())
def test_adaptive_avg_pool3d_matches_torch(device, data):
    torch = pytest.importorskip("torch")
    size = tuple(data.draw(st.integers(1, 4)) for _ in range(3))
    out = tuple(data.draw(st.one_of(st.none(), st.integers(1, 4))) for _ in range(3))
    x = data.draw(tensors(st.just((1, 2) + size), device=device))
    assert_matches_torch(lambda t: F.adaptive_avg_pool3d(t, out),
                         lambda t: torch.nn.functional.adaptive_avg_pool3d(t, out), [x], **TOL)


@pytest.mark.parametrize("make", [
    lambda nn_: nn_.Conv3d(2, 4, (2, 1, 2), stride=(1, 2, 1), padding=1, groups=2),
    lambda nn_: nn_.ConvTranspose3d(2, 3, 2, stride=2, output_padding=1, bias=False),
    lambda nn_: nn_.MaxPool3d(2, stride=1, padding=1),
    lambda nn_: nn_.AvgPool3d((1, 2, 2), count_include_pad=False, padding=(0, 1, 1)),
    lambda nn_: nn_.AdaptiveAvgPool3d((2, None, 1))])
def test_modules_match_torch_from_the_same_state_dict(device, make):
    torch = pytest.importorskip("torch")
    theirs, mine = make(torch.nn).double(), make(nn).double()
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    mine.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in
                          theirs.state_dict().items()})
    mine.to(device)
    x = minigrad.randn(2, 2, 3, 3, 4, dtype=minigrad.float64, device=device, requires_grad=True)
    assert_matches_torch(mine, theirs, [x], **TOL)
    unbatched = minigrad.randn(2, 3, 3, 4, dtype=minigrad.float64, device=device)
    np.testing.assert_allclose(mine(unbatched).detach().numpy(),
                               theirs(torch.tensor(unbatched.numpy())).detach().numpy(), **TOL)


def test_errors_name_what_was_wrong():
    with pytest.raises(ValueError, match="5-D"):
        F.conv3d(minigrad.randn(1, 2, 3), minigrad.randn(1, 2, 1, 1, 1))
    with pytest.raises(ValueError, match="channels"):
        F.conv3d(minigrad.randn(1, 2, 3, 3, 3), minigrad.randn(1, 3, 1, 1, 1))
    with pytest.raises(ValueError, match="deeper"):
        F.conv3d(minigrad.randn(1, 1, 1, 3, 3), minigrad.randn(1, 1, 2, 1, 1))
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose3d(minigrad.randn(1, 1, 2, 2, 2), minigrad.randn(1, 1, 1, 1, 1),
                           output_padding=1)
    with pytest.raises(ValueError, match="4-D"):
        F.max_pool3d(minigrad.randn(2, 3, 3), 2)
