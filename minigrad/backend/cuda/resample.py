"""Bilinear and bicubic resampling kernels (NCHW) and their adjoints on the device: one thread
per output element; the tap rules are PyTorch's, shared with the cpu kernels
(`_resample_scalar`). The adjoint scatter-adds with float atomics (the order of the additions
varies from run to run) and runs on a single thread, in one fixed order, under
`minigrad.use_deterministic_algorithms(True)`.

float32 data is resampled in float32, as PyTorch's CUDA kernels do (their accumulation type for
float is float): the scales, the taps' weights and the sums are float32, and the float32
kernels contain no float64 operation. float64 data is resampled in float64.
"""
import numpy as np
from numba import cuda

from ...determinism import are_deterministic_algorithms_enabled
from .. import _resample_scalar as rules
from . import _copy
from ._array import empty, is_contiguous
from ._launch import launch, launch_1d

_tap32 = cuda.jit(device=True)(rules.resample_tap32)
_tap64 = cuda.jit(device=True)(rules.resample_tap)


def _kernels(single):
    """(forward, adjoint) kernels computing in float32 (`single`) or float64. `single` is a
    compile-time constant: numba drops the branch not taken before typing, so each kernel
    contains only its own tap rule. (The kernels close over plain constants only, which
    numba's cache keys them by.)"""
    zero = np.float32(0) if single else np.float64(0)

    @cuda.jit(cache=True)
    def forward(out, x, scale_h, scale_w, align_corners, cubic):
        planes, height, width = x.shape
        out_h, out_w = out.shape[1], out.shape[2]
        taps = 4 if cubic else 2
        for e in range(cuda.grid(1), planes * out_h * out_w, cuda.gridsize(1)):
            p = e // (out_h * out_w)
            i = (e // out_w) % out_h
            j = e % out_w
            total = zero
            for a in range(taps):
                if single:
                    ih, wh = _tap32(i, a, height, scale_h, align_corners, cubic)
                else:
                    ih, wh = _tap64(i, a, height, scale_h, align_corners, cubic)
                for b in range(taps):
                    if single:
                        iw, ww = _tap32(j, b, width, scale_w, align_corners, cubic)
                    else:
                        iw, ww = _tap64(j, b, width, scale_w, align_corners, cubic)
                    total += wh * ww * x[p, ih, iw]
            out[p, i, j] = total

    @cuda.jit(cache=True)
    def adjoint(grad_input, grad, scale_h, scale_w, align_corners, cubic):
        planes, height, width = grad_input.shape
        out_h, out_w = grad.shape[1], grad.shape[2]
        taps = 4 if cubic else 2
        for e in range(cuda.grid(1), planes * out_h * out_w, cuda.gridsize(1)):
            p = e // (out_h * out_w)
            i = (e // out_w) % out_h
            j = e % out_w
            g = grad[p, i, j]
            for a in range(taps):
                if single:
                    ih, wh = _tap32(i, a, height, scale_h, align_corners, cubic)
                else:
                    ih, wh = _tap64(i, a, height, scale_h, align_corners, cubic)
                for b in range(taps):
                    if single:
                        iw, ww = _tap32(j, b, width, scale_w, align_corners, cubic)
                    else:
                        iw, ww = _tap64(j, b, width, scale_w, align_corners, cubic)
                    cuda.atomic.add(grad_input, (p, ih, iw), wh * ww * g)

    return forward, adjoint


_forward32, _adjoint32 = _kernels(True)
_forward64, _adjoint64 = _kernels(False)


def _for(dtype):
    """(forward, adjoint, scalar type) for float32 or float64 data."""
    if dtype == np.float32:
        return _forward32, _adjoint32, np.float32
    return _forward64, _adjoint64, np.float64


def _planes(a):
    """a (N, C, H, W) as contiguous (N * C, H, W) planes."""
    a = a if is_contiguous(a) else _copy.copy(a)
    n, c, h, w = a.shape
    return a.reshape(n * c, h, w)


def resample2d_forward(x, out_size, scales, align_corners, cubic):
    """x (N, C, H, W) resampled to (N, C, *out_size), bilinear or (cubic) bicubic."""
    n, c = x.shape[0], x.shape[1]
    out = empty((n * c,) + tuple(out_size), x.dtype)
    forward, _, real = _for(x.dtype)
    launch_1d(forward, out.size, out, _planes(x), real(scales[0]), real(scales[1]),
              bool(align_corners), bool(cubic))
    return out.reshape((n, c) + tuple(out_size))


def resample2d_backward(grad, in_size, scales, align_corners, cubic):
    """The adjoint of resample2d_forward: grad (N, C, Ho, Wo) -> (N, C, *in_size)."""
    n, c = grad.shape[0], grad.shape[1]
    grad_input = empty((n * c,) + tuple(in_size), grad.dtype)
    _copy.fill(grad_input, 0)
    planes = _planes(grad)
    _, adjoint, real = _for(grad.dtype)
    args = (grad_input, planes, real(scales[0]), real(scales[1]), bool(align_corners),
            bool(cubic))
    if are_deterministic_algorithms_enabled():
        if planes.size:
            launch(adjoint, 1, 1, *args)
    else:
        launch_1d(adjoint, planes.size, *args)
    return grad_input.reshape((n, c) + tuple(in_size))
