"""Scalar rules of bilinear and bicubic resampling shared by the cpu and cuda kernels: plain
Python on numbers, compiled by each backend (`numba.njit` on the cpu, `cuda.jit(device=True)` on
the gpu).

Along one dim, output sample o reads the input at the source coordinate PyTorch computes
(o * scale with align_corners, else scale * (o + 0.5) - 0.5, which linear interpolation clamps
at 0); `scale` is decided above the backend (PyTorch's area_pixel_compute_scale). Linear
interpolation has two taps, cubic convolution (Keys, A = -0.75) four, at clamped indices.

`tap_rule(real)` is the rule computing in one floating type: every constant is a `real` and the
output index is converted to it, so that, compiled for a `real` scale, no operation widens.
PyTorch's CUDA kernels compute float32 resampling in float32 (their accumulation type for float
on CUDA is float); `resample_tap` is the float64 rule, `resample_tap32` the float32 one.
"""
import math

import numpy as np

CUBIC_A = -0.75


def tap_rule(real):
    """resample_tap computing in `real` (np.float32 or np.float64): give it a `real` scale."""
    zero, half, one = real(0.0), real(0.5), real(1.0)
    a = real(CUBIC_A)
    a_plus_2, a_plus_3 = real(CUBIC_A + 2.0), real(CUBIC_A + 3.0)
    five_a, eight_a, four_a = real(5.0 * CUBIC_A), real(8.0 * CUBIC_A), real(4.0 * CUBIC_A)

    def resample_tap(o, k, in_size, scale, align_corners, cubic):
        """(input index, weight) of tap k (0..1 linear, 0..3 cubic) of output sample o."""
        if align_corners:
            src = real(o) * scale
        else:
            src = scale * (real(o) + half) - half
            if not cubic and src < zero:
                src = zero
        if cubic:
            base = math.floor(src)
            t = src - real(base)
            index = int(base) - 1 + k
            if index < 0:
                index = 0
            if index > in_size - 1:
                index = in_size - 1
            # PyTorch's cubic_convolution1 (inner taps) and cubic_convolution2 (outer taps)
            if k == 0:
                x = t + one
                weight = ((a * x - five_a) * x + eight_a) * x - four_a
            elif k == 1:
                weight = (a_plus_2 * t - a_plus_3) * t * t + one
            elif k == 2:
                x = one - t
                weight = (a_plus_2 * x - a_plus_3) * x * x + one
            else:
                x = (one - t) + one
                weight = ((a * x - five_a) * x + eight_a) * x - four_a
            return index, weight
        low = int(math.floor(src))
        if low > in_size - 1:
            low = in_size - 1
        fraction = src - real(low)
        if k == 0:
            return low, one - fraction
        high = low + 1
        if high > in_size - 1:
            high = in_size - 1
        return high, fraction

    return resample_tap


resample_tap = tap_rule(np.float64)
resample_tap32 = tap_rule(np.float32)
