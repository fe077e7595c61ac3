"""grid_sample kernels (2-d, NCHW): the forward sampling and its gradient with respect to the
input and the grid, one pass over the output points each, parallel over the batch (the
gradient scatter-adds into the input plane of its own sample, so batches never collide).
The coordinate rules are PyTorch's, shared with the cuda kernels (`_grid_sample_scalar`)."""
import numba
import numpy as np

from .. import _grid_sample_scalar as rules

_source = numba.njit(cache=True)(rules.source_coordinate)
_round = numba.njit(cache=True)(rules.round_half_even)
_inside = numba.njit(cache=True)(rules.inside)
_corner = numba.njit(cache=True)(rules.corner)
_NEAREST = rules.NEAREST


@numba.njit(cache=True, parallel=True)
def _forward(out, x, grid, mode, padding, align_corners):
    n, channels, height, width = x.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    for b in numba.prange(n):
        for i in range(out_h):
            for j in range(out_w):
                px, _ = _source(grid[b, i, j, 0], width, padding, align_corners)
                py, _ = _source(grid[b, i, j, 1], height, padding, align_corners)
                for ch in range(channels):
                    out[b, ch, i, j] = 0.0
                if mode == _NEAREST:
                    ix, iy = _round(px), _round(py)
                    if _inside(iy, ix, height, width):
                        for ch in range(channels):
                            out[b, ch, i, j] = x[b, ch, int(iy), int(ix)]
                    continue
                for k in range(4):
                    cy, cx, weight, _, _ = _corner(k, px, py)
                    if _inside(cy, cx, height, width):
                        for ch in range(channels):
                            out[b, ch, i, j] += weight * x[b, ch, cy, cx]


@numba.njit(cache=True, parallel=True)
def _backward(grad_input, grad_grid, grad, x, grid, mode, padding, align_corners):
    n, channels, height, width = x.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    for b in numba.prange(n):
        for i in range(out_h):
            for j in range(out_w):
                px, scale_x = _source(grid[b, i, j, 0], width, padding, align_corners)
                py, scale_y = _source(grid[b, i, j, 1], height, padding, align_corners)
                if mode == _NEAREST:
                    ix, iy = _round(px), _round(py)
                    if _inside(iy, ix, height, width):
                        for ch in range(channels):
                            grad_input[b, ch, int(iy), int(ix)] += grad[b, ch, i, j]
                    grad_grid[b, i, j, 0] = 0.0
                    grad_grid[b, i, j, 1] = 0.0
                    continue
                gx = 0.0
                gy = 0.0
                for k in range(4):
                    cy, cx, weight, dwx, dwy = _corner(k, px, py)
                    if _inside(cy, cx, height, width):
                        for ch in range(channels):
                            g = grad[b, ch, i, j]
                            grad_input[b, ch, cy, cx] += weight * g
                            v = x[b, ch, cy, cx] * g
                            gx += v * dwx
                            gy += v * dwy
                grad_grid[b, i, j, 0] = gx * scale_x
                grad_grid[b, i, j, 1] = gy * scale_y


def grid_sample2d_forward(x, grid, mode, padding, align_corners):
    """x (N, C, H, W) sampled at grid (N, Ho, Wo, 2) (x, y in [-1, 1]) -> (N, C, Ho, Wo)."""
    x, grid = np.ascontiguousarray(x), np.ascontiguousarray(grid)
    out = np.empty((x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]), dtype=x.dtype)
    _forward(out, x, grid, mode, padding, bool(align_corners))
    return out


def grid_sample2d_backward(grad, x, grid, mode, padding, align_corners):
    """(grad_input (N, C, H, W), grad_grid (N, Ho, Wo, 2)) of grid_sample2d_forward for the
    output gradient grad (N, C, Ho, Wo)."""
    grad, x, grid = (np.ascontiguousarray(a) for a in (grad, x, grid))
    grad_input = np.zeros(x.shape, dtype=x.dtype)
    grad_grid = np.empty(grid.shape, dtype=x.dtype)
    _backward(grad_input, grad_grid, grad, x, grid, mode, padding, bool(align_corners))
    return grad_input, grad_grid
