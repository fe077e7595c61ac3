"""Winograd F(2x2, 3x3) on the cpu backend: the three kernels against float64 references,
float32 accuracy within a stated tolerance, which convolutions the dispatch sends to it, and
gradients through conv2d with it forced on.

Winograd adds and subtracts transformed values, so it rounds differently from a direct sum.
The tolerance stated and tested here: every float32 result is within 32 float32 epsilons
(3.8e-6) of the exact value, relative to the largest sum of term magnitudes in its array (the
convolution of |x| with |w| for the output, and likewise for the gradients). The largest, not
its own: the transforms mix the 16 inputs of a tile, so a small result next to large ones
carries their rounding. float64 results agree with the float64 references to 1e-10.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.backend.cpu import _config as cpu_config
from minigrad.backend.cpu import conv as cpu_conv
from minigrad.backend.cpu import conv_winograd
from minigrad.geometry import ConvGeometry
from minigrad.testing.conv import (conv_input_grad_reference, conv_reference,
                                   conv_weight_grad_reference)

FLOAT32_TOLERANCE = 32 * np.finfo(np.float32).eps  # relative to the terms' magnitudes
CHANNELS = ("conv_winograd_forward_min_channels", "conv_winograd_input_min_channels",
            "conv_winograd_weight_min_channels")
ALWAYS = dict({name: 0 for name in CHANNELS}, conv_winograd_min_tile_use_percent=0,
              conv_winograd_gradient_min_map=0)
NEVER = {name: 1 << 30 for name in CHANNELS}


@st.composite
def cases(draw, max_channels=3, max_side=7):
    """(x shape, weight shape, padding) of a 3x3 stride-1 convolution with output >= 1x1,
    odd and even sides, a single image or channel included; padding 3 makes the input
    gradient's own padding (2 - padding) negative."""
    padding = draw(st.integers(0, 3))
    height = draw(st.integers(max(1, 3 - 2 * padding), max_side))
    width = draw(st.integers(max(1, 3 - 2 * padding), max_side))
    batch = draw(st.integers(1, 2))
    channels_in = draw(st.integers(1, max_channels))
    channels_out = draw(st.integers(1, max_channels))
    return (batch, channels_in, height, width), (channels_out, channels_in, 3, 3), padding


def _operands(case, seed, dtype=np.float64):
    x_shape, w_shape, padding = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    out_hw = tuple(side + 2 * padding - 2 for side in x_shape[2:])
    grad = rng.standard_normal((x_shape[0], w_shape[0]) + out_hw).astype(dtype)
    bias = rng.standard_normal(w_shape[0]).astype(dtype)
    return x, w, grad, bias, padding


def _winograd(x, w, grad, bias, padding):
    """The three kernels' results: output, input gradient, weight gradient."""
    out = np.empty(grad.shape, x.dtype)
    conv_winograd.forward(out, x, w, bias, (padding, padding))
    dx = np.empty_like(x)
    conv_winograd.backward_input(dx, grad, w, (padding, padding))
    dw = np.empty_like(w)
    conv_winograd.backward_weight(dw, x, grad, (padding, padding))
    return out, dx, dw


def _references(x, w, grad, bias, padding):
    return (conv_reference(x, w, bias, padding=padding),
            conv_input_grad_reference(grad, w, x.shape[2:], padding=padding),
            conv_weight_grad_reference(x, grad, (3, 3), padding=padding))


@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_float64_matches_references(case, seed):
    x, w, grad, bias, padding = _operands(case, seed)
    for got, expected in zip(_winograd(x, w, grad, bias, padding),
                             _references(x, w, grad, bias, padding)):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def _direct_float64(x, w, grad, padding):
    """The three results by the backend's direct loops in float64 (Winograd off), from the
    float32 operands: exact to far below the float32 tolerance, and fast."""
    x, w, grad = (a.astype(np.float64) for a in (x, w, grad))
    geometry = ConvGeometry.of(x.shape[2:], (3, 3), (1, 1), (padding, padding), (1, 1), 1)
    with cpu_config.override(conv_direct_max_weights=1 << 30, **NEVER):
        return _run_all_three(x, w, grad, geometry)


@given(case=cases(max_channels=8), seed=st.integers(0, 2 ** 16))
def test_float32_within_stated_tolerance(case, seed):
    x, w, grad, bias, padding = _operands(case, seed, np.float32)
    got = _winograd(x, w, grad, None, padding)
    exact = _direct_float64(x, w, grad, padding)
    magnitudes = _direct_float64(np.abs(x), np.abs(w), np.abs(grad), padding)
    for result, expected, magnitude in zip(got, exact, magnitudes):
        assert result.dtype == np.float32
        error = np.abs(result.astype(np.float64) - expected).max()
        assert error <= FLOAT32_TOLERANCE * magnitude.max(), \
            error / magnitude.max() / np.finfo(np.float32).eps


def test_float32_tolerance_holds_with_many_channels():
    """Hundreds of channels (as in the layers the dispatch sends here) stay within it too."""
    x, w, grad, _, padding = _operands(((2, 256, 6, 5), (8, 256, 3, 3), 1), 0, np.float32)
    got = _winograd(x, w, grad, None, padding)
    exact = _direct_float64(x, w, grad, padding)
    magnitudes = _direct_float64(np.abs(x), np.abs(w), np.abs(grad), padding)
    for result, expected, magnitude in zip(got, exact, magnitudes):
        assert np.abs(result - expected).max() <= FLOAT32_TOLERANCE * magnitude.max()


# ---- dispatch ---------------------------------------------------------------------------------

def _spy(monkeypatch):
    """Record the Winograd kernels the dispatch calls (they still compute)."""
    called = []
    for name in ("forward", "backward_input", "backward_weight"):
        kernel = getattr(conv_winograd, name)

        def spy(*args, kernel=kernel, name=name):
            called.append(name)
            return kernel(*args)
        monkeypatch.setattr(conv_winograd, name, spy)
    return called


def _run_all_three(x, w, grad, geometry):
    return (cpu_conv.conv2d_forward(x, w, None, geometry),
            cpu_conv.conv2d_backward_input(grad, w, geometry),
            cpu_conv.conv2d_backward_weight(x, grad, geometry))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dispatch_uses_winograd_when_configured_and_not_when_off(monkeypatch, dtype):
    called = _spy(monkeypatch)
    x, w, grad, _, padding = _operands(((2, 3, 5, 6), (4, 3, 3, 3), 1), 0, dtype)
    geometry = ConvGeometry.of((5, 6), (3, 3), (1, 1), (1, 1), (1, 1), 1)
    with cpu_config.override(**ALWAYS):
        on = _run_all_three(x, w, grad, geometry)
    assert called == ["forward", "backward_input", "backward_weight"]
    called.clear()
    with cpu_config.override(**NEVER):
        off = _run_all_three(x, w, grad, geometry)
    assert called == []
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    for a, b in zip(on, off):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def test_each_kernel_has_its_own_threshold(monkeypatch):
    called = _spy(monkeypatch)
    x, w, grad, _, _ = _operands(((1, 4, 5, 5), (6, 4, 3, 3), 1), 0)
    geometry = ConvGeometry.of((5, 5), (3, 3), (1, 1), (1, 1), (1, 1), 1)
    for name, kernel in (("conv_winograd_forward_min_channels", "forward"),
                         ("conv_winograd_input_min_channels", "backward_input"),
                         ("conv_winograd_weight_min_channels", "backward_weight")):
        # 4 channels (the fewer of 4 and 6) and a 5x5 map, 25 of its tiles' 36 positions (69%)
        for channels, use, taken in ((4, 69, True), (5, 69, False), (4, 70, False)):
            with cpu_config.override(**dict(NEVER, **{name: channels}),
                                     conv_winograd_min_tile_use_percent=use,
                                     conv_winograd_gradient_min_map=0):
                _run_all_three(x, w, grad, geometry)
            assert called == ([kernel] if taken else [])
            called.clear()


def test_gradients_only_on_large_enough_maps(monkeypatch):
    called = _spy(monkeypatch)
    x, w, grad, _, _ = _operands(((1, 4, 5, 5), (6, 4, 3, 3), 1), 0)
    geometry = ConvGeometry.of((5, 5), (3, 3), (1, 1), (1, 1), (1, 1), 1)
    for positions, expected in ((25, ["forward", "backward_input", "backward_weight"]),
                                (26, ["forward"])):
        with cpu_config.override(**dict(ALWAYS, conv_winograd_gradient_min_map=positions)):
            _run_all_three(x, w, grad, geometry)
        assert called == expected
        called.clear()


@pytest.mark.parametrize("stride, dilation, groups, kernel", [
    (2, 1, 1, 3), (1, 2, 1, 3), (1, 1, 2, 3), (1, 1, 1, 5), (1, 1, 1, 2)])
def test_dispatch_leaves_other_convolutions_alone(monkeypatch, stride, dilation, groups, kernel):
    called = _spy(monkeypatch)
    x = np.ones((1, 4, 7, 7))
    w = np.ones((4, 4 // groups, kernel, kernel))
    geometry = ConvGeometry.of((7, 7), (kernel, kernel), (stride, stride), (1, 1),
                               (dilation, dilation), groups)
    grad = np.ones((1, 4) + geometry.output_size)
    with cpu_config.override(**ALWAYS):
        _run_all_three(x, w, grad, geometry)
    assert called == []


def test_only_float32_and_float64():
    geometry = ConvGeometry.of((7, 7), (3, 3), (1, 1), (1, 1), (1, 1), 1)
    assert conv_winograd.applies(geometry, np.dtype(np.float32))
    assert conv_winograd.applies(geometry, np.dtype(np.float64))
    assert not conv_winograd.applies(geometry, np.dtype(np.float16))


def test_taps_that_only_meet_padding_are_dropped_first(monkeypatch):
    """A 3x3 convolution with padding 1 on a 1-row input is a 1x3 one: not Winograd's."""
    called = _spy(monkeypatch)
    x, w = np.ones((1, 2, 1, 5)), np.ones((2, 2, 3, 3))
    geometry = ConvGeometry.of((1, 5), (3, 3), (1, 1), (1, 1), (1, 1), 1)
    with cpu_config.override(**ALWAYS):
        out = cpu_conv.conv2d_forward(x, w, None, geometry)
    assert called == []
    np.testing.assert_allclose(out, conv_reference(x, w, padding=1))


# ---- gradients through conv2d -----------------------------------------------------------------

@given(case=cases(max_channels=2, max_side=5), seed=st.integers(0, 2 ** 16))
def test_gradcheck_through_conv2d_with_winograd_forced(case, seed):
    x, w, _, bias, padding = _operands(case, seed)
    inputs = tuple(minigrad.tensor(a, requires_grad=True) for a in (x, w, bias))
    with cpu_config.override(**ALWAYS):
        assert minigrad.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=padding), inputs)
        assert minigrad.gradgradcheck(lambda x, w: F.conv2d(x, w, padding=padding),
                                      inputs[:2], fast_mode=True)
