"""grid_sample kernels (2-d, NCHW) on the device: one thread per output point (n, i, j), looping
over the channels, with PyTorch's coordinate rules shared with the cpu kernels
(`_grid_sample_scalar`). The grid never leaves the device.

The gradient with respect to the input scatter-adds each point's four corner weights with float
atomics (the order of the additions varies from run to run); under
`minigrad.use_deterministic_algorithms(True)` the same kernel runs on a single thread, so the
additions happen in one fixed order.
"""
from numba import cuda

from ...determinism import are_deterministic_algorithms_enabled
from .. import _grid_sample_scalar as rules
from . import _copy
from ._array import empty, is_contiguous
from ._launch import launch, launch_1d

_source = cuda.jit(device=True)(rules.source_coordinate)
_round = cuda.jit(device=True)(rules.round_half_even)
_inside = cuda.jit(device=True)(rules.inside)
_corner = cuda.jit(device=True)(rules.corner)
_NEAREST = rules.NEAREST


@cuda.jit(cache=True)
def _forward_kernel(out, x, grid, mode, padding, align_corners):
    n, channels, height, width = x.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    points = n * out_h * out_w
    for p in range(cuda.grid(1), points, cuda.gridsize(1)):
        b = p // (out_h * out_w)
        i = (p // out_w) % out_h
        j = p % out_w
        px, _ = _source(grid[b, i, j, 0], width, padding, align_corners)
        py, _ = _source(grid[b, i, j, 1], height, padding, align_corners)
        for ch in range(channels):
            out[b, ch, i, j] = 0.0
        if mode == _NEAREST:
            ix = _round(px)
            iy = _round(py)
            if _inside(iy, ix, height, width):
                for ch in range(channels):
                    out[b, ch, i, j] = x[b, ch, int(iy), int(ix)]
            continue
        for k in range(4):
            cy, cx, weight, _, _ = _corner(k, px, py)
            if _inside(cy, cx, height, width):
                for ch in range(channels):
                    out[b, ch, i, j] += weight * x[b, ch, cy, cx]


@cuda.jit(cache=True)
def _backward_kernel(grad_input, grad_grid, grad, x, grid, mode, padding, align_corners):
    n, channels, height, width = x.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    points = n * out_h * out_w
    for p in range(cuda.grid(1), points, cuda.gridsize(1)):
        b = p // (out_h * out_w)
        i = (p // out_w) % out_h
        j = p % out_w
        px, scale_x = _source(grid[b, i, j, 0], width, padding, align_corners)
        py, scale_y = _source(grid[b, i, j, 1], height, padding, align_corners)
        if mode == _NEAREST:
            ix = _round(px)
            iy = _round(py)
            if _inside(iy, ix, height, width):
                for ch in range(channels):
                    cuda.atomic.add(grad_input, (b, ch, int(iy), int(ix)), grad[b, ch, i, j])
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
                    cuda.atomic.add(grad_input, (b, ch, cy, cx), weight * g)
                    v = x[b, ch, cy, cx] * g
                    gx += v * dwx
                    gy += v * dwy
        grad_grid[b, i, j, 0] = gx * scale_x
        grad_grid[b, i, j, 1] = gy * scale_y


def _contiguous(a):
    return a if is_contiguous(a) else _copy.copy(a)


def grid_sample2d_forward(x, grid, mode, padding, align_corners):
    """x (N, C, H, W) sampled at grid (N, Ho, Wo, 2) (x, y in [-1, 1]) -> (N, C, Ho, Wo)."""
    x, grid = _contiguous(x), _contiguous(grid)
    n, out_h, out_w = grid.shape[0], grid.shape[1], grid.shape[2]
    out = empty((n, x.shape[1], out_h, out_w), x.dtype)
    launch_1d(_forward_kernel, n * out_h * out_w, out, x, grid, mode, padding,
              bool(align_corners))
    return out


def grid_sample2d_backward(grad, x, grid, mode, padding, align_corners):
    """(grad_input (N, C, H, W), grad_grid (N, Ho, Wo, 2)) of grid_sample2d_forward for the
    output gradient grad (N, C, Ho, Wo)."""
    grad, x, grid = _contiguous(grad), _contiguous(x), _contiguous(grid)
    grad_input = empty(x.shape, x.dtype)
    _copy.fill(grad_input, 0)
    grad_grid = empty(grid.shape, x.dtype)
    points = grid.shape[0] * grid.shape[1] * grid.shape[2]
    args = (grad_input, grad_grid, grad, x, grid, mode, padding, bool(align_corners))
    if are_deterministic_algorithms_enabled():
        if points:
            launch(_backward_kernel, 1, 1, *args)
    else:
        launch_1d(_backward_kernel, points, *args)
    return grad_input, grad_grid


__all__ = ["grid_sample2d_backward", "grid_sample2d_forward"]
