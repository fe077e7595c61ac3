"""Scalar rules of bilinear and bicubic resampling shared by the cpu and cuda kernels: plain
Python on numbers, compiled by each backend (`numba.njit` on the cpu, `cuda.jit(device=True)` on
the gpu).

Along one dim, output sample o reads the input at the source coordinate PyTorch computes
(o * scale with align_corners, else scale * (o + 0.5) - 0.5, which linear interpolation clamps
at 0); `scale` is decided above the backend (PyTorch's area_pixel_compute_scale). Linear
interpolation has two taps, cubic convolution (Keys, A = -0.75) four, at clamped indices.
"""
import math

CUBIC_A = -0.75


def resample_tap(o, k, in_size, scale, align_corners, cubic):
    """(input index, weight) of tap k (0..1 linear, 0..3 cubic) of output sample o."""
    if align_corners:
        src = o * scale
    else:
        src = scale * (o + 0.5) - 0.5
        if not cubic and src < 0.0:
            src = 0.0
    if cubic:
        base = math.floor(src)
        t = src - base
        index = int(base) - 1 + k
        if index < 0:
            index = 0
        if index > in_size - 1:
            index = in_size - 1
        a = CUBIC_A
        if k == 0:
            x = t + 1.0
            weight = ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
        elif k == 1:
            weight = ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0
        elif k == 2:
            x = 1.0 - t
            weight = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
        else:
            x = 2.0 - t
            weight = ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
        return index, weight
    low = int(math.floor(src))
    if low > in_size - 1:
        low = in_size - 1
    fraction = src - low
    if k == 0:
        return low, 1.0 - fraction
    high = low + 1
    if high > in_size - 1:
        high = in_size - 1
    return high, fraction
