"""grid_sample kernels (2-d NCHW and 3-d NCDHW): the forward sampling and its gradient with
respect to the input and the grid, one pass over the output points each, parallel over the
batch (the gradient scatter-adds into the input of its own sample, so batches never collide).
The coordinate rules are PyTorch's, shared with the cuda kernels (`_grid_sample_scalar`); the
arithmetic runs in the data's float type (`zero` carries it)."""
import numba
import numpy as np

from .. import _grid_sample_scalar as rules

_unnormalize = numba.njit(cache=True)(rules.unnormalize)
_pad = numba.njit(cache=True)(rules.pad)
_round = numba.njit(cache=True)(rules.round_half_even)
_index_within = numba.njit(cache=True)(rules.index_within)
_tap_weight = numba.njit(cache=True)(rules.tap_weight)
_NEAREST, _BICUBIC = rules.NEAREST, rules.BICUBIC


@numba.njit(cache=True)
def _point(coord, size, mode, padding, align_corners, zero):
    """(pixel coordinate, d pixel / d coord) of a grid coordinate: padded for bilinear and
    nearest sampling; bicubic sampling pads its taps instead."""
    x, scale = _unnormalize(coord, size, align_corners, zero)
    if mode != _BICUBIC:
        x, factor = _pad(x, size, padding, align_corners, zero)
        scale = scale * factor
    return x, scale


@numba.njit(cache=True)
def _tap(mode, k, origin, t, size, padding, align_corners, zero):
    """(pixel index or -1 outside, weight, d weight / d t) of tap k around origin + t."""
    offset, weight, slope = _tap_weight(mode, k, t, zero)
    position = origin + (zero + np.float32(offset))
    if mode == _BICUBIC:
        position, _ = _pad(position, size, padding, align_corners, zero)
    return _index_within(position, size, zero), weight, slope


@numba.njit(cache=True, parallel=True)
def _forward2d(out, x, grid, mode, padding, align_corners, zero):
    n, channels, height, width = x.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    taps = 4 if mode == _BICUBIC else 2
    one = zero + np.float32(1.0)
    for b in numba.prange(n):
        for i in range(out_h):
            for j in range(out_w):
                px, _ = _point(grid[b, i, j, 0], width, mode, padding, align_corners, zero)
                py, _ = _point(grid[b, i, j, 1], height, mode, padding, align_corners, zero)
                for ch in range(channels):
                    out[b, ch, i, j] = zero
                if mode == _NEAREST:
                    ix = _index_within(_round(px, zero), width, zero)
                    iy = _index_within(_round(py, zero), height, zero)
                    if ix >= 0 and iy >= 0:
                        for ch in range(channels):
                            out[b, ch, i, j] = x[b, ch, iy, ix]
                    continue
                x0, y0 = px // one, py // one
                for ky in range(taps):
                    iy, wy, _ = _tap(mode, ky, y0, py - y0, height, padding, align_corners,
                                     zero)
                    if iy < 0:
                        continue
                    for kx in range(taps):
                        ix, wx, _ = _tap(mode, kx, x0, px - x0, width, padding, align_corners,
                                         zero)
                        if ix < 0:
                            continue
                        weight = wx * wy
                        for ch in range(channels):
                            out[b, ch, i, j] += weight * x[b, ch, iy, ix]


@numba.njit(cache=True, parallel=True)
def _backward2d(grad_input, grad_grid, grad, x, grid, mode, padding, align_corners, zero):
    n, channels, height, width = x.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    taps = 4 if mode == _BICUBIC else 2
    one = zero + np.float32(1.0)
    for b in numba.prange(n):
        for i in range(out_h):
            for j in range(out_w):
                px, scale_x = _point(grid[b, i, j, 0], width, mode, padding, align_corners,
                                     zero)
                py, scale_y = _point(grid[b, i, j, 1], height, mode, padding, align_corners,
                                     zero)
                grad_grid[b, i, j, 0] = zero
                grad_grid[b, i, j, 1] = zero
                if mode == _NEAREST:
                    ix = _index_within(_round(px, zero), width, zero)
                    iy = _index_within(_round(py, zero), height, zero)
                    if ix >= 0 and iy >= 0:
                        for ch in range(channels):
                            grad_input[b, ch, iy, ix] += grad[b, ch, i, j]
                    continue
                x0, y0 = px // one, py // one
                gx = zero
                gy = zero
                for ky in range(taps):
                    iy, wy, dwy = _tap(mode, ky, y0, py - y0, height, padding, align_corners,
                                       zero)
                    if iy < 0:
                        continue
                    for kx in range(taps):
                        ix, wx, dwx = _tap(mode, kx, x0, px - x0, width, padding,
                                           align_corners, zero)
                        if ix < 0:
                            continue
                        for ch in range(channels):
                            g = grad[b, ch, i, j]
                            grad_input[b, ch, iy, ix] += wx * wy * g
                            v = x[b, ch, iy, ix] * g
                            gx += v * dwx * wy
                            gy += v * wx * dwy
                grad_grid[b, i, j, 0] = gx * scale_x
                grad_grid[b, i, j, 1] = gy * scale_y


@numba.njit(cache=True, parallel=True)
def _forward3d(out, x, grid, mode, padding, align_corners, zero):
    n, channels, depth, height, width = x.shape
    out_d, out_h, out_w = grid.shape[1], grid.shape[2], grid.shape[3]
    one = zero + np.float32(1.0)
    for b in numba.prange(n):
        for p in range(out_d * out_h * out_w):
            i, j, k = p // (out_h * out_w), (p // out_w) % out_h, p % out_w
            px, _ = _point(grid[b, i, j, k, 0], width, mode, padding, align_corners, zero)
            py, _ = _point(grid[b, i, j, k, 1], height, mode, padding, align_corners, zero)
            pz, _ = _point(grid[b, i, j, k, 2], depth, mode, padding, align_corners, zero)
            for ch in range(channels):
                out[b, ch, i, j, k] = zero
            if mode == _NEAREST:
                ix = _index_within(_round(px, zero), width, zero)
                iy = _index_within(_round(py, zero), height, zero)
                iz = _index_within(_round(pz, zero), depth, zero)
                if ix >= 0 and iy >= 0 and iz >= 0:
                    for ch in range(channels):
                        out[b, ch, i, j, k] = x[b, ch, iz, iy, ix]
                continue
            x0, y0, z0 = px // one, py // one, pz // one
            for kz in range(2):
                iz, wz, _ = _tap(mode, kz, z0, pz - z0, depth, padding, align_corners, zero)
                for ky in range(2):
                    iy, wy, _ = _tap(mode, ky, y0, py - y0, height, padding, align_corners,
                                     zero)
                    for kx in range(2):
                        ix, wx, _ = _tap(mode, kx, x0, px - x0, width, padding, align_corners,
                                         zero)
                        if ix < 0 or iy < 0 or iz < 0:
                            continue
                        weight = wx * wy * wz
                        for ch in range(channels):
                            out[b, ch, i, j, k] += weight * x[b, ch, iz, iy, ix]


@numba.njit(cache=True, parallel=True)
def _backward3d(grad_input, grad_grid, grad, x, grid, mode, padding, align_corners, zero):
    n, channels, depth, height, width = x.shape
    out_d, out_h, out_w = grid.shape[1], grid.shape[2], grid.shape[3]
    one = zero + np.float32(1.0)
    for b in numba.prange(n):
        for p in range(out_d * out_h * out_w):
            i, j, k = p // (out_h * out_w), (p // out_w) % out_h, p % out_w
            px, sx = _point(grid[b, i, j, k, 0], width, mode, padding, align_corners, zero)
            py, sy = _point(grid[b, i, j, k, 1], height, mode, padding, align_corners, zero)
            pz, sz = _point(grid[b, i, j, k, 2], depth, mode, padding, align_corners, zero)
            for axis in range(3):
                grad_grid[b, i, j, k, axis] = zero
            if mode == _NEAREST:
                ix = _index_within(_round(px, zero), width, zero)
                iy = _index_within(_round(py, zero), height, zero)
                iz = _index_within(_round(pz, zero), depth, zero)
                if ix >= 0 and iy >= 0 and iz >= 0:
                    for ch in range(channels):
                        grad_input[b, ch, iz, iy, ix] += grad[b, ch, i, j, k]
                continue
            x0, y0, z0 = px // one, py // one, pz // one
            gx = zero
            gy = zero
            gz = zero
            for kz in range(2):
                iz, wz, dwz = _tap(mode, kz, z0, pz - z0, depth, padding, align_corners, zero)
                for ky in range(2):
                    iy, wy, dwy = _tap(mode, ky, y0, py - y0, height, padding, align_corners,
                                       zero)
                    for kx in range(2):
                        ix, wx, dwx = _tap(mode, kx, x0, px - x0, width, padding,
                                           align_corners, zero)
                        if ix < 0 or iy < 0 or iz < 0:
                            continue
                        for ch in range(channels):
                            g = grad[b, ch, i, j, k]
                            grad_input[b, ch, iz, iy, ix] += wx * wy * wz * g
                            v = x[b, ch, iz, iy, ix] * g
                            gx += v * dwx * wy * wz
                            gy += v * wx * dwy * wz
                            gz += v * wx * wy * dwz
            grad_grid[b, i, j, k, 0] = gx * sx
            grad_grid[b, i, j, k, 1] = gy * sy
            grad_grid[b, i, j, k, 2] = gz * sz


def _sample(kernel, x, grid, mode, padding, align_corners):
    x, grid = np.ascontiguousarray(x), np.ascontiguousarray(grid)
    out = np.empty(x.shape[:2] + grid.shape[1:-1], dtype=x.dtype)
    kernel(out, x, grid, mode, padding, bool(align_corners), x.dtype.type(0))
    return out


def _sample_backward(kernel, grad, x, grid, mode, padding, align_corners):
    grad, x, grid = (np.ascontiguousarray(a) for a in (grad, x, grid))
    grad_input = np.zeros(x.shape, dtype=x.dtype)
    grad_grid = np.empty(grid.shape, dtype=x.dtype)
    kernel(grad_input, grad_grid, grad, x, grid, mode, padding, bool(align_corners),
           x.dtype.type(0))
    return grad_input, grad_grid


def grid_sample2d_forward(x, grid, mode, padding, align_corners):
    """x (N, C, H, W) sampled at grid (N, Ho, Wo, 2) (x, y in [-1, 1]) -> (N, C, Ho, Wo)."""
    return _sample(_forward2d, x, grid, mode, padding, align_corners)


def grid_sample2d_backward(grad, x, grid, mode, padding, align_corners):
    """(grad_input (N, C, H, W), grad_grid (N, Ho, Wo, 2)) of grid_sample2d_forward for the
    output gradient grad (N, C, Ho, Wo)."""
    return _sample_backward(_backward2d, grad, x, grid, mode, padding, align_corners)


def grid_sample3d_forward(x, grid, mode, padding, align_corners):
    """x (N, C, D, H, W) sampled at grid (N, Do, Ho, Wo, 3) (x, y, z in [-1, 1])
    -> (N, C, Do, Ho, Wo)."""
    return _sample(_forward3d, x, grid, mode, padding, align_corners)


def grid_sample3d_backward(grad, x, grid, mode, padding, align_corners):
    """(grad_input (N, C, D, H, W), grad_grid (N, Do, Ho, Wo, 3)) of grid_sample3d_forward for
    the output gradient grad (N, C, Do, Ho, Wo)."""
    return _sample_backward(_backward3d, grad, x, grid, mode, padding, align_corners)
