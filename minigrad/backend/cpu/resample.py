"""Bilinear and bicubic resampling kernels (NCHW) and their adjoints (the gradient), parallel
over the (n, c) planes; the tap rules are PyTorch's, shared with the cuda kernels
(`_resample_scalar`)."""
import numba
import numpy as np

from .. import _resample_scalar as rules

_tap = numba.njit(cache=True)(rules.resample_tap)


@numba.njit(cache=True, parallel=True)
def _forward(out, x, scale_h, scale_w, align_corners, cubic):
    planes, height, width = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    taps = 4 if cubic else 2
    for p in numba.prange(planes):
        for i in range(out_h):
            for j in range(out_w):
                total = 0.0
                for a in range(taps):
                    ih, wh = _tap(i, a, height, scale_h, align_corners, cubic)
                    for b in range(taps):
                        iw, ww = _tap(j, b, width, scale_w, align_corners, cubic)
                        total += wh * ww * x[p, ih, iw]
                out[p, i, j] = total


@numba.njit(cache=True, parallel=True)
def _adjoint(grad_input, grad, scale_h, scale_w, align_corners, cubic):
    planes, height, width = grad_input.shape
    out_h, out_w = grad.shape[1], grad.shape[2]
    taps = 4 if cubic else 2
    for p in numba.prange(planes):
        for i in range(out_h):
            for j in range(out_w):
                g = grad[p, i, j]
                for a in range(taps):
                    ih, wh = _tap(i, a, height, scale_h, align_corners, cubic)
                    for b in range(taps):
                        iw, ww = _tap(j, b, width, scale_w, align_corners, cubic)
                        grad_input[p, ih, iw] += wh * ww * g


def resample2d_forward(x, out_size, scales, align_corners, cubic):
    """x (N, C, H, W) resampled to (N, C, *out_size), bilinear or (cubic) bicubic."""
    n, c, height, width = x.shape
    planes = np.ascontiguousarray(x).reshape(n * c, height, width)
    out = np.empty((n * c,) + tuple(out_size), dtype=x.dtype)
    _forward(out, planes, float(scales[0]), float(scales[1]), bool(align_corners), bool(cubic))
    return out.reshape((n, c) + tuple(out_size))


def resample2d_backward(grad, in_size, scales, align_corners, cubic):
    """The adjoint of resample2d_forward: grad (N, C, Ho, Wo) -> (N, C, *in_size)."""
    n, c, out_h, out_w = grad.shape
    planes = np.ascontiguousarray(grad).reshape(n * c, out_h, out_w)
    grad_input = np.zeros((n * c,) + tuple(in_size), dtype=grad.dtype)
    _adjoint(grad_input, planes, float(scales[0]), float(scales[1]), bool(align_corners),
             bool(cubic))
    return grad_input.reshape((n, c) + tuple(in_size))
