"""The reflect / replicate / circular pad kernels (`pad_modes_forward` / `pad_modes_backward`):
float32 values and gradients against PyTorch on hypothesis-drawn shapes, amounts (cropping
included) and layouts for 1-3 padded dims, the backward against an independent scatter-add of
the forward's own index map, and the kernels' dtypes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.errors import ShapeError
from minigrad.testing import tensors

MODES = ["reflect", "replicate", "circular"]
HALF = settings(max_examples=max(3, settings().max_examples // 2))


def _draw_amounts(data, spatial, mode, allow_crop):
    """F.pad amounts (last dim first) that torch accepts and that leave every dim non-empty."""
    amounts = []
    for n in reversed(spatial):
        top = n - 1 if mode == "reflect" else n
        low = -1 if allow_crop else 0
        left = data.draw(st.integers(low, top))
        amounts += [left, data.draw(st.integers(max(low, 1 - n - left), top))]
    return amounts


@HALF
@pytest.mark.parametrize("mode", MODES)
@given(data=st.data(), dims=st.integers(1, 3), lead=st.sampled_from([(2,), (1, 2)]))
def test_float32_values_and_gradients_match_torch(device, mode, data, dims, lead):
    torch = pytest.importorskip("torch")
    spatial = tuple(data.draw(st.integers(1 if mode == "replicate" else 2, 4))
                    for _ in range(dims))
    x = data.draw(tensors(st.just(lead + spatial), dtype=minigrad.float32, device=device))
    # torch's circular backward is wrong where negative amounts crop (see the adjoint test)
    amounts = _draw_amounts(data, spatial, mode, allow_crop=mode != "circular")
    out = F.pad(x, amounts, mode)
    expected = torch.nn.functional.pad(torch.tensor(x.numpy(), requires_grad=True), amounts,
                                       mode=mode)
    assert out.dtype is minigrad.float32
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    weights = np.random.default_rng(3).standard_normal(tuple(out.shape)).astype(np.float32)
    (grad,) = minigrad.grad((out * minigrad.tensor(weights, device=device)).sum(), [x])
    leaf = torch.tensor(x.numpy(), requires_grad=True)
    (torch.nn.functional.pad(leaf, amounts, mode=mode) * torch.tensor(weights)).sum().backward()
    assert grad.dtype is minigrad.float32
    np.testing.assert_allclose(grad.numpy(), leaf.grad.numpy(), rtol=1e-6, atol=1e-6)


@HALF
@pytest.mark.parametrize("mode", MODES)
@given(data=st.data(), dims=st.integers(1, 3))
def test_backward_sums_the_gradient_at_every_position_that_reads_an_element(device, mode, data,
                                                                             dims):
    spatial = tuple(data.draw(st.integers(2, 4)) for _ in range(dims))
    shape = (2,) + spatial
    amounts = _draw_amounts(data, spatial, mode, allow_crop=True)
    # the forward on the element numbers is the index map the backward must invert
    numbers = minigrad.tensor(np.arange(int(np.prod(shape))).reshape(shape), device=device)
    source = F.pad(numbers, amounts, mode).numpy()
    assert source.dtype == np.int64
    x = minigrad.zeros(*shape, dtype=minigrad.float64, device=device, requires_grad=True)
    weights = np.random.default_rng(5).standard_normal(source.shape)
    (grad,) = minigrad.grad((F.pad(x, amounts, mode) * minigrad.tensor(weights,
                                                                        device=device)).sum(),
                            [x])
    expected = np.zeros(int(np.prod(shape)))
    np.add.at(expected, source.ravel(), weights.ravel())
    np.testing.assert_allclose(grad.numpy().ravel(), expected, rtol=1e-12, atol=1e-12)


def test_the_gradient_repeats_bitwise_and_its_own_gradient_is_the_pad(device):
    x = minigrad.randn(2, 3, 4, 5, dtype=minigrad.float32, device=device, requires_grad=True)
    w = minigrad.randn(2, 3, 7, 9, dtype=minigrad.float32, device=device, requires_grad=True)
    grads = [minigrad.grad((F.pad(x, (2, 2, 1, 2), "replicate") * w).sum(), [x],
                           create_graph=True)[0] for _ in range(2)]
    np.testing.assert_array_equal(grads[0].numpy(), grads[1].numpy())
    # the gradient is pad^T(w); its derivative for w along x is pad(x)
    (second,) = minigrad.grad((grads[0] * x.detach()).sum(), [w])
    np.testing.assert_array_equal(second.numpy(),
                                  F.pad(x.detach(), (2, 2, 1, 2), "replicate").numpy())


def test_circular_padding_of_a_dim_cropped_away_is_refused(device):
    # torch returns uninitialised memory here
    x = minigrad.randn(1, 2, 2, device=device)
    with pytest.raises(ShapeError, match="crops every element"):
        F.pad(x, (-2, 1), "circular")
    assert F.pad(x, (-2, 0), "circular").shape == (1, 2, 0)
