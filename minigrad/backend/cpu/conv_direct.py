"""Direct (loop nest) convolution kernels, for grouped convolutions with few channels per group.

When each group has only a handful of input and output channels (depthwise convolution is the
extreme: one input channel per group), the matrices of the GEMM path are too thin for BLAS to
pay off, and sliding each weight over its input plane directly is faster. Every kernel handles
all strides, paddings, dilations and groups; the innermost loop runs along a row of the output
(unit stride in memory), so it vectorizes.

Layouts: x, dx (N, C, H, W); w, dw (O, C // groups, kh, kw); out, grad (N, O, out_h, out_w).
Arguments as on the cuda backend: the result first, `window` the geometry's flat
(kh, kw, sh, sw, ph, pw, dh, dw) (the kernel size is read from the weight's shape).
"""
import numba
import numpy as np

from .conv_im2col import _inside, _u


@numba.njit(cache=True, parallel=True, fastmath={"contract"})
def forward(out, x, w, bias, window, groups):
    """out[n, o] = bias[o] + sum over the group's input channels c of x[n, c] correlated with
    w[o, c]."""
    _, _, sh, sw, ph, pw, dh, dw = window
    channels_out, group_in, kh, kw = w.shape
    height, width = x.shape[2], x.shape[3]
    out_h, out_w = out.shape[2], out.shape[3]
    group_out = channels_out // groups
    for task in numba.prange(out.shape[0] * channels_out):
        n, o = task // channels_out, task % channels_out
        first_in = (o // group_out) * group_in
        for y in range(out_h):
            for ox in range(out_w):
                out[n, o, y, _u(ox)] = bias[o]
        for c in range(group_in):
            ci = first_in + c
            for i in range(kh):
                for j in range(kw):
                    weight = w[o, c, i, j]
                    offset = j * dw - pw
                    lo, hi = _inside(offset, sw, width, out_w)
                    for y in range(out_h):
                        iy = y * sh + i * dh - ph
                        if iy < 0 or iy >= height:
                            continue
                        if sw == 1:
                            for ox in range(lo, hi):
                                out[n, o, y, _u(ox)] += weight * x[n, ci, iy, _u(ox + offset)]
                        else:
                            for ox in range(lo, hi):
                                out[n, o, y, _u(ox)] += weight * x[n, ci, iy, _u(ox * sw + offset)]


@numba.njit(cache=True, parallel=True, fastmath={"contract"})
def backward_input(dx, grad, w, window, groups):
    """dx[n, c] = sum over the group's output channels o of grad[n, o] scattered through w[o, c].

    One task per (image, input channel) plane, so no two tasks write the same element.
    """
    _, _, sh, sw, ph, pw, dh, dw = window
    channels_out, group_in, kh, kw = w.shape
    channels_in, height, width = dx.shape[1], dx.shape[2], dx.shape[3]
    out_h, out_w = grad.shape[2], grad.shape[3]
    group_out = channels_out // groups
    for task in numba.prange(dx.shape[0] * channels_in):
        n, ci = task // channels_in, task % channels_in
        g, c = ci // group_in, ci % group_in
        for iy in range(height):
            for ix in range(width):
                dx[n, ci, iy, ix] = 0
        for o in range(g * group_out, (g + 1) * group_out):
            for i in range(kh):
                for j in range(kw):
                    weight = w[o, c, i, j]
                    offset = j * dw - pw
                    lo, hi = _inside(offset, sw, width, out_w)
                    for y in range(out_h):
                        iy = y * sh + i * dh - ph
                        if iy < 0 or iy >= height:
                            continue
                        if sw == 1:
                            for ox in range(lo, hi):
                                dx[n, ci, iy, _u(ox + offset)] += weight * grad[n, o, y, _u(ox)]
                        else:
                            for ox in range(lo, hi):
                                dx[n, ci, iy, _u(ox * sw + offset)] += (weight
                                                                        * grad[n, o, y, _u(ox)])


@numba.njit(cache=True, parallel=True, fastmath={"contract"})
def backward_weight(dweight, x, grad, window, groups):
    """dweight[o, c, i, j] = sum over n, y, x of grad[n, o, y, x] * x_pad[n, c', y*sh + i*dh, ...].

    One task per (output channel, input channel of its group). Each tap keeps one partial sum
    per output column (so the loop over columns vectorizes without reassociating a sum); the
    partial sums are added up in float64 at the end.
    """
    _, _, sh, sw, ph, pw, dh, dw = window
    channels_out, group_in, kh, kw = dweight.shape
    height, width = x.shape[2], x.shape[3]
    out_h, out_w = grad.shape[2], grad.shape[3]
    group_out = channels_out // groups
    for task in numba.prange(channels_out * group_in):
        o, c = task // group_in, task % group_in
        ci = (o // group_out) * group_in + c
        partial = np.zeros((kh * kw, out_w), dtype=dweight.dtype)
        for n in range(x.shape[0]):
            for i in range(kh):
                for j in range(kw):
                    tap = i * kw + j
                    offset = j * dw - pw
                    lo, hi = _inside(offset, sw, width, out_w)
                    for y in range(out_h):
                        iy = y * sh + i * dh - ph
                        if iy < 0 or iy >= height:
                            continue
                        if sw == 1:
                            for ox in range(lo, hi):
                                partial[tap, _u(ox)] += (grad[n, o, y, _u(ox)]
                                                         * x[n, ci, iy, _u(ox + offset)])
                        else:
                            for ox in range(lo, hi):
                                partial[tap, _u(ox)] += (grad[n, o, y, _u(ox)]
                                                         * x[n, ci, iy, _u(ox * sw + offset)])
        for i in range(kh):
            for j in range(kw):
                total = 0.0
                for ox in range(out_w):
                    total += partial[i * kw + j, ox]
                dweight[o, c, i, j] = total
