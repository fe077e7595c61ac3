"""Reflect, replicate and circular padding of the last 1-3 dims and its adjoint (the gradient)
on the device; the index rules are shared with the cpu kernels (`_pad_scalar`).

Both kernels see their arrays as (planes, D, H, W), missing spatial dims of size 1 with no
padding. The forward runs one thread per output element; the adjoint one thread per input
element, which gathers the output-gradient positions that read it: no atomics, and every sum
runs in one fixed order, so the result is the same from run to run.
"""
from numba import cuda

from .. import _pad_scalar as rules
from . import _copy
from ._array import empty, is_contiguous
from ._launch import launch_1d

_source = cuda.jit(device=True)(rules.pad_source)
_preimages = cuda.jit(device=True)(rules.pad_preimages)


@cuda.jit(cache=True)
def _forward_kernel(out, x, pads, mode):
    in_d, in_h, in_w = x.shape[1], x.shape[2], x.shape[3]
    planes, out_d, out_h, out_w = out.shape
    for e in range(cuda.grid(1), planes * out_d * out_h * out_w, cuda.gridsize(1)):
        ow = e % out_w
        oh = (e // out_w) % out_h
        od = (e // (out_w * out_h)) % out_d
        p = e // (out_w * out_h * out_d)
        sd = _source(od, in_d, pads[0], pads[1], mode)
        sh = _source(oh, in_h, pads[2], pads[3], mode)
        sw = _source(ow, in_w, pads[4], pads[5], mode)
        out[p, od, oh, ow] = x[p, sd, sh, sw]


@cuda.jit(device=True)
def _gather_row(grad, p, od, oh, w, in_w, out_w, pads, mode, zero):
    """The gradient of input position w along W, output positions od, oh fixed."""
    total = zero
    s0, e0, t0, s1, e1, t1 = _preimages(w, in_w, pads[4], pads[5], out_w, mode)
    for ow in range(s0, e0, t0):
        total += grad[p, od, oh, ow]
    for ow in range(s1, e1, t1):
        total += grad[p, od, oh, ow]
    return total


@cuda.jit(device=True)
def _gather_plane(grad, p, od, h, w, in_h, in_w, out_h, out_w, pads, mode, zero):
    """The gradient of input position (h, w), output depth od fixed."""
    total = zero
    s0, e0, t0, s1, e1, t1 = _preimages(h, in_h, pads[2], pads[3], out_h, mode)
    for oh in range(s0, e0, t0):
        total += _gather_row(grad, p, od, oh, w, in_w, out_w, pads, mode, zero)
    for oh in range(s1, e1, t1):
        total += _gather_row(grad, p, od, oh, w, in_w, out_w, pads, mode, zero)
    return total


@cuda.jit(cache=True)
def _adjoint_kernel(grad_input, grad, pads, mode, zero):
    planes, in_d, in_h, in_w = grad_input.shape
    out_d, out_h, out_w = grad.shape[1], grad.shape[2], grad.shape[3]
    for e in range(cuda.grid(1), planes * in_d * in_h * in_w, cuda.gridsize(1)):
        w = e % in_w
        h = (e // in_w) % in_h
        d = (e // (in_w * in_h)) % in_d
        p = e // (in_w * in_h * in_d)
        total = zero
        s0, e0, t0, s1, e1, t1 = _preimages(d, in_d, pads[0], pads[1], out_d, mode)
        for od in range(s0, e0, t0):
            total += _gather_plane(grad, p, od, h, w, in_h, in_w, out_h, out_w, pads, mode, zero)
        for od in range(s1, e1, t1):
            total += _gather_plane(grad, p, od, h, w, in_h, in_w, out_h, out_w, pads, mode, zero)
        grad_input[p, d, h, w] = total


def _as_planes(a, dims):
    """a (..., *spatial) with `dims` spatial dims as a contiguous (planes, D, H, W) array."""
    a = a if is_contiguous(a) else _copy.copy(a)
    spatial = tuple(a.shape[a.ndim - dims:])
    planes = 1
    for size in a.shape[:a.ndim - dims]:
        planes *= size
    return a.reshape((planes,) + (1,) * (3 - dims) + spatial)


def _dhw_pads(pad):
    """PyTorch's (before, after) amounts, last dim first, as (d0, d1, h0, h1, w0, w1)."""
    amounts = [int(v) for v in pad] + [0] * (6 - len(pad))
    return (amounts[4], amounts[5], amounts[2], amounts[3], amounts[0], amounts[1])


def pad_modes_forward(x, pad, mode):
    """x (..., *spatial) padded along its last len(pad) // 2 dims; see the contract."""
    dims = len(pad) // 2
    out_spatial = tuple(x.shape[x.ndim - 1 - i] + pad[2 * i] + pad[2 * i + 1]
                        for i in reversed(range(dims)))
    out = empty(tuple(x.shape[:x.ndim - dims]) + out_spatial, x.dtype)
    if out.size:
        launch_1d(_forward_kernel, out.size, _as_planes(out, dims), _as_planes(x, dims),
                  _dhw_pads(pad), rules.MODE_CODES[mode])
    return out


def pad_modes_backward(grad, in_shape, pad, mode):
    """The adjoint of pad_modes_forward: grad (..., *padded spatial) -> (*in_shape)."""
    dims = len(pad) // 2
    grad_input = empty(tuple(in_shape), grad.dtype)
    if grad.size == 0:  # nothing reads the input (an all-cropping pad): a zero gradient
        _copy.fill(grad_input, 0)
    elif grad_input.size:
        launch_1d(_adjoint_kernel, grad_input.size, _as_planes(grad_input, dims),
                  _as_planes(grad, dims), _dhw_pads(pad), rules.MODE_CODES[mode],
                  grad.dtype.type(0))
    return grad_input
