"""Reflect, replicate and circular padding of the last 1-3 dims and its adjoint (the gradient),
parallel over the planes; the index rules are shared with the cuda kernels (`_pad_scalar`).

Both kernels see their arrays as (planes, D, H, W), missing spatial dims of size 1 with no
padding. The adjoint gathers: each input element sums the output-gradient positions that read
it, so it needs no atomics and its sums run in one fixed order.
"""
import numba
import numpy as np

from .. import _pad_scalar as rules

_source = numba.njit(cache=True)(rules.pad_source)
_preimages = numba.njit(cache=True)(rules.pad_preimages)


@numba.njit(cache=True, parallel=True)
def _forward(out, x, pads, mode):
    planes, in_d, in_h, in_w = x.shape
    out_d, out_h, out_w = out.shape[1], out.shape[2], out.shape[3]
    for p in numba.prange(planes):
        for od in range(out_d):
            sd = _source(od, in_d, pads[0], pads[1], mode)
            for oh in range(out_h):
                sh = _source(oh, in_h, pads[2], pads[3], mode)
                for ow in range(out_w):
                    out[p, od, oh, ow] = x[p, sd, sh, _source(ow, in_w, pads[4], pads[5], mode)]


@numba.njit(cache=True)
def _gather_row(grad, p, od, oh, w, in_w, out_w, pads, mode, zero):
    """The gradient of input position w along W, output positions od, oh fixed."""
    total = zero
    s0, e0, t0, s1, e1, t1 = _preimages(w, in_w, pads[4], pads[5], out_w, mode)
    for ow in range(s0, e0, t0):
        total += grad[p, od, oh, ow]
    for ow in range(s1, e1, t1):
        total += grad[p, od, oh, ow]
    return total


@numba.njit(cache=True)
def _gather_plane(grad, p, od, h, w, in_h, in_w, out_h, out_w, pads, mode, zero):
    """The gradient of input position (h, w), output depth od fixed."""
    total = zero
    s0, e0, t0, s1, e1, t1 = _preimages(h, in_h, pads[2], pads[3], out_h, mode)
    for oh in range(s0, e0, t0):
        total += _gather_row(grad, p, od, oh, w, in_w, out_w, pads, mode, zero)
    for oh in range(s1, e1, t1):
        total += _gather_row(grad, p, od, oh, w, in_w, out_w, pads, mode, zero)
    return total


@numba.njit(cache=True, parallel=True)
def _adjoint(grad_input, grad, pads, mode, zero):
    planes, in_d, in_h, in_w = grad_input.shape
    out_d, out_h, out_w = grad.shape[1], grad.shape[2], grad.shape[3]
    for p in numba.prange(planes):
        for d in range(in_d):
            s0, e0, t0, s1, e1, t1 = _preimages(d, in_d, pads[0], pads[1], out_d, mode)
            for h in range(in_h):
                for w in range(in_w):
                    total = zero
                    for od in range(s0, e0, t0):
                        total += _gather_plane(grad, p, od, h, w, in_h, in_w, out_h, out_w,
                                               pads, mode, zero)
                    for od in range(s1, e1, t1):
                        total += _gather_plane(grad, p, od, h, w, in_h, in_w, out_h, out_w,
                                               pads, mode, zero)
                    grad_input[p, d, h, w] = total


def _as_planes(a, dims):
    """a (..., *spatial) with `dims` spatial dims as a contiguous (planes, D, H, W) array."""
    spatial = a.shape[a.ndim - dims:]
    planes = int(np.prod(a.shape[:a.ndim - dims], dtype=np.int64))
    return np.ascontiguousarray(a).reshape((planes,) + (1,) * (3 - dims) + tuple(spatial))


def _dhw_pads(pad):
    """PyTorch's (before, after) amounts, last dim first, as (d0, d1, h0, h1, w0, w1)."""
    amounts = list(pad) + [0] * (6 - len(pad))
    return np.array([amounts[4], amounts[5], amounts[2], amounts[3], amounts[0], amounts[1]],
                    dtype=np.int64)


def pad_modes_forward(x, pad, mode):
    """x (..., *spatial) padded along its last len(pad) // 2 dims; see the contract."""
    dims = len(pad) // 2
    out_spatial = tuple(x.shape[x.ndim - 1 - i] + pad[2 * i] + pad[2 * i + 1]
                        for i in reversed(range(dims)))
    out_shape = tuple(x.shape[:x.ndim - dims]) + out_spatial
    out = np.empty(out_shape, dtype=x.dtype)
    if out.size:
        _forward(_as_planes(out, dims), _as_planes(x, dims), _dhw_pads(pad),
                 rules.MODE_CODES[mode])
    return out


def pad_modes_backward(grad, in_shape, pad, mode):
    """The adjoint of pad_modes_forward: grad (..., *padded spatial) -> (*in_shape)."""
    dims = len(pad) // 2
    grad_input = np.empty(tuple(in_shape), dtype=grad.dtype)
    if grad_input.size:
        _adjoint(_as_planes(grad_input, dims), _as_planes(grad, dims), _dhw_pads(pad),
                 rules.MODE_CODES[mode], grad.dtype.type(0))
    return grad_input
