"""Scalar rules of grid_sample shared by the cpu and cuda kernels: plain Python on floats,
compiled by each backend (`numba.njit` on the cpu, `cuda.jit(device=True)` on the gpu).

They follow PyTorch's grid sampler: a grid coordinate in [-1, 1] becomes a pixel coordinate
(unnormalised with or without align_corners), then border padding clips it into the image and
reflection padding mirrors it at the edges, each rule also giving the derivative of the pixel
coordinate with respect to the grid coordinate (0 where clipped, the sign of the mirror).
Bilinear (trilinear) and nearest sampling pad the point; bicubic sampling pads each of its
integer taps instead (as PyTorch), so its grid gradient is that of the cubic weights alone.

Every rule takes `zero`, a 0 of the data's float type, and writes its constants as
`zero + np.float32(c)`: numba types a bare float literal (or an int64) as float64, which would
make float32 kernels compute in float64. Each rule is self-contained, as each backend compiles
it on its own.
"""
import numpy as np

ZEROS, BORDER, REFLECTION = 0, 1, 2   # padding modes
BILINEAR, NEAREST, BICUBIC = 0, 1, 2  # sampling modes (bilinear is trilinear on 5-D input)


def unnormalize(coord, size, align_corners, zero):
    """(pixel coordinate of grid coordinate `coord` along a dim of `size` pixels,
    d pixel / d coord)."""
    one = zero + np.float32(1.0)
    two = zero + np.float32(2.0)
    pixels = zero + np.float32(size)
    if align_corners:
        return (coord + one) / two * (pixels - one), (pixels - one) / two
    return ((coord + one) * pixels - one) / two, pixels / two


def pad(x, size, padding, align_corners, zero):
    """(pixel coordinate x after the padding rule, d result / d x).

    Border padding clamps into [0, size - 1] (derivative 0 where clamped, the borders
    included, as PyTorch); reflection mirrors into [0, size - 1] (align_corners) or
    [-0.5, size - 0.5] (derivative +-1), then clamps; zeros padding keeps x.
    """
    one = zero + np.float32(1.0)
    two = zero + np.float32(2.0)
    pixels = zero + np.float32(size)
    factor = one
    if padding == REFLECTION:
        twice_low = zero if align_corners else -one
        twice_high = two * (pixels - one) if align_corners else two * pixels - one
        if twice_low == twice_high:
            return zero, zero
        low = twice_low / two
        span = (twice_high - twice_low) / two
        x = x - low
        if x < zero:
            factor = -factor
            x = -x
        flips = x // span
        extra = x - flips * span  # fmod(x, span) for x >= 0
        if flips % two == zero:
            x = extra + low
        else:
            x = span - extra + low
            factor = -factor
    if padding != ZEROS:
        if x <= zero:
            return zero, zero
        if x >= pixels - one:
            return pixels - one, zero
    return x, factor


def round_half_even(x, zero):
    """x rounded to the nearest integer (a float), ties to even (as nearbyint in PyTorch's
    sampler)."""
    one = zero + np.float32(1.0)
    half = zero + np.float32(0.5)
    r = (x + half) // one
    if r - x == half and r % (one + one) != zero:
        r = r - one
    return r


def index_within(position, size, zero):
    """The integer pixel index of the integral float `position`, or -1 where it lies outside
    [0, size) (NaN included)."""
    if position >= zero and position < zero + np.float32(size):
        return int(position)
    return -1


def tap_weight(mode, k, t, zero):
    """(offset from floor(x), weight, d weight / d t) of tap k along one axis of a point
    x = floor(x) + t: taps 0..1 of linear interpolation, or 0..3 of Keys' cubic convolution
    with A = -0.75 (PyTorch's get_cubic_upsample_coefficients and their derivatives)."""
    one = zero + np.float32(1.0)
    if mode != BICUBIC:
        if k == 0:
            return 0, one - t, -one
        return 1, t, one
    a = zero + np.float32(-0.75)
    if k == 0 or k == 3:  # |distance| in [1, 2]
        x = t + one if k == 0 else (one - t) + one
        weight = ((a * x - np.float32(5.0) * a) * x + np.float32(8.0) * a) * x \
            - np.float32(4.0) * a
        slope = (np.float32(3.0) * a * x - np.float32(10.0) * a) * x + np.float32(8.0) * a
    else:  # |distance| in [0, 1]
        x = t if k == 1 else one - t
        weight = ((a + np.float32(2.0)) * x - (a + np.float32(3.0))) * x * x + one
        slope = (np.float32(3.0) * (a + np.float32(2.0)) * x
                 - np.float32(2.0) * (a + np.float32(3.0))) * x
    if k >= 2:  # the distance shrinks as t grows
        slope = -slope
    return k - 1, weight, slope
