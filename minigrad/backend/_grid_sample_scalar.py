"""Scalar rules of grid_sample shared by the cpu and cuda kernels: plain Python on floats,
compiled by each backend (`numba.njit` on the cpu, `cuda.jit(device=True)` on the gpu).

They follow PyTorch's grid sampler: a grid coordinate in [-1, 1] becomes a pixel coordinate
(unnormalised with or without align_corners), then border padding clips it into the image and
reflection padding mirrors it at the edges, each rule also giving the derivative of the pixel
coordinate with respect to the grid coordinate (0 where clipped, the sign of the mirror).
"""
import math

ZEROS, BORDER, REFLECTION = 0, 1, 2   # padding modes
BILINEAR, NEAREST = 0, 1              # sampling modes


def source_coordinate(coord, size, padding, align_corners):
    """(pixel coordinate of grid coordinate `coord` along a dim of `size` pixels, d/dcoord).

    Border padding clamps into [0, size - 1] (derivative 0 where clamped, the borders
    included, as PyTorch); reflection mirrors into [0, size - 1] (align_corners) or
    [-0.5, size - 0.5] (derivative +-1), then clamps. One self-contained function, as each
    backend compiles it on its own.
    """
    if align_corners:
        x = (coord + 1.0) / 2.0 * (size - 1.0)
        scale = (size - 1.0) / 2.0
    else:
        x = ((coord + 1.0) * size - 1.0) / 2.0
        scale = size / 2.0
    if padding == REFLECTION:
        twice_low = 0.0 if align_corners else -1.0
        twice_high = 2.0 * (size - 1.0) if align_corners else 2.0 * size - 1.0
        if twice_low == twice_high:
            x = 0.0
            scale = 0.0
        else:
            low = twice_low / 2.0
            span = (twice_high - twice_low) / 2.0
            x = x - low
            if x < 0.0:
                scale = -scale
                x = -x
            flips = math.floor(x / span)
            extra = x - flips * span  # fmod(x, span) for x >= 0 (numba's cpu has no fmod)
            if int(flips) % 2 == 0:
                x = extra + low
            else:
                x = span - extra + low
                scale = -scale
    if padding != ZEROS:
        if x <= 0.0:
            x = 0.0
            scale = 0.0
        elif x >= size - 1.0:
            x = size - 1.0
            scale = 0.0
    return x, scale


def round_half_even(x):
    """x rounded to the nearest integer, ties to even (as nearbyint in PyTorch's sampler)."""
    r = math.floor(x + 0.5)
    if r - x == 0.5 and r % 2.0 != 0.0:
        r = r - 1.0
    return r


def inside(iy, ix, height, width):
    """Whether integer pixel (iy, ix) lies in the image (False for NaN coordinates)."""
    return 0 <= iy < height and 0 <= ix < width


def corner(k, x, y):
    """Bilinear corner k (0..3: (y0, x0), (y0, x0 + 1), (y0 + 1, x0), (y0 + 1, x0 + 1)) of the
    point (x, y): (iy, ix, weight, d weight / dx, d weight / dy)."""
    x0 = math.floor(x)
    y0 = math.floor(y)
    tx = x - x0
    ty = y - y0
    dy = k // 2
    dx = k - 2 * dy
    wx = tx if dx == 1 else 1.0 - tx
    wy = ty if dy == 1 else 1.0 - ty
    sx = 1.0 if dx == 1 else -1.0
    sy = 1.0 if dy == 1 else -1.0
    return int(y0) + dy, int(x0) + dx, wx * wy, sx * wy, wx * sy

