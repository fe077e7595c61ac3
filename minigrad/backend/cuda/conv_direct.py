"""Direct convolution kernels, for grouped convolutions with few channels per group.

When a group has a handful of input and output channels (depthwise convolution is the extreme:
one of each), a GEMM over one group's weight matrix would fill only a sliver of each output
tile; computing each result directly is faster and needs no column buffer. Every kernel handles
all strides, paddings, dilations and groups:

- forward: one thread per output element, summing its window over the group's input channels;
- input gradient: one thread per input element, gathering from the outputs whose windows cover
  it (no atomics, deterministic); both run over (plane, position) grids, see _planes.py;
- weight gradient: one block per weight element; its threads stride over the (image, output
  position) pairs and a shared-memory tree adds up their partial sums.

Layouts: x, dx (N, C, H, W); w, dw (O, C // groups, kh, kw), C-contiguous; out, grad
(N, O, out_h, out_w). x and grad are read through their element strides; results are written
C-contiguous. `geometry` is (kh, kw, sh, sw, ph, pw, dh, dw). Indices are int64.
"""
from numba import cuda

from ._array import buffer
from ._launch import blocks_for, get_config, launch
from ._planes import launch_rows
from .conv_im2col import tap_output


@cuda.jit(cache=True)
def _forward_kernel(out, x, x_strides, w, bias, has_bias, group_in, group_out, height, width,
                    geometry, channels_out, out_h, out_w, zero, rows):
    kh, kw, sh, sw, ph, pw, dh, dw = geometry
    positions = out_h * out_w
    for row in range(cuda.blockIdx.y, rows, cuda.gridDim.y):  # row = image * channels_out + o
        image = row // channels_out
        o = row - image * channels_out
        x_at = image * x_strides[0] + (o // group_out) * group_in * x_strides[1]
        w_at = o * group_in * kh * kw
        for p in range(cuda.grid(1), positions, cuda.gridsize(1)):
            oy = p // out_w
            ox = p - oy * out_w
            total = zero
            if has_bias:
                total = bias[o]
            for c in range(group_in):
                for i in range(kh):
                    iy = oy * sh + i * dh - ph
                    if iy < 0 or iy >= height:
                        continue
                    for j in range(kw):
                        ix = ox * sw + j * dw - pw
                        if 0 <= ix < width:
                            total += (w[w_at + (c * kh + i) * kw + j]
                                      * x[x_at + c * x_strides[1] + iy * x_strides[2]
                                          + ix * x_strides[3]])
            out[row * positions + p] = total


@cuda.jit(cache=True)
def _backward_input_kernel(dx, grad, grad_strides, w, group_in, group_out, channels_in, height,
                           width, geometry, out_h, out_w, zero, rows):
    kh, kw, sh, sw, ph, pw, dh, dw = geometry
    plane = height * width
    for row in range(cuda.blockIdx.y, rows, cuda.gridDim.y):  # row = image * channels_in + ci
        image = row // channels_in
        ci = row - image * channels_in
        g = ci // group_in
        w_at = (g * group_out * group_in + ci - g * group_in) * kh * kw  # w[first o, c]
        w_step = group_in * kh * kw  # to the next output channel
        grad_at = image * grad_strides[0] + g * group_out * grad_strides[1]
        for q in range(cuda.grid(1), plane, cuda.gridsize(1)):
            iy = q // width
            ix = q - iy * width
            total = zero
            for i in range(kh):
                oy = tap_output(iy, i, ph, dh, sh, out_h)
                if oy < 0:
                    continue
                for j in range(kw):
                    ox = tap_output(ix, j, pw, dw, sw, out_w)
                    if ox < 0:
                        continue
                    at = grad_at + oy * grad_strides[2] + ox * grad_strides[3]
                    for o in range(group_out):
                        total += (w[w_at + o * w_step + i * kw + j]
                                  * grad[at + o * grad_strides[1]])
            dx[row * plane + q] = total


def _backward_weight(threads):
    """The weight-gradient kernel for blocks of `threads` (a power of two; the shared-memory
    size is a compile-time constant)."""

    @cuda.jit(cache=True)
    def kernel(dw_out, x, x_strides, grad, grad_strides, group_in, group_out, height, width,
               geometry, images, out_h, out_w, zero, n):
        kh, kw, sh, sw, ph, pw, dh, dw = geometry
        partial = cuda.shared.array(threads, dw_out.dtype)
        t = cuda.threadIdx.x
        positions = out_h * out_w
        terms = images * positions
        # weight element e = ((o * group_in + c) * kh + i) * kw + j
        for e in range(cuda.blockIdx.x, n, cuda.gridDim.x):
            r = e // kw
            j = e - r * kw
            s = r // kh
            i = r - s * kh
            o = s // group_in
            x_at = ((o // group_out) * group_in + s - o * group_in) * x_strides[1]
            grad_at = o * grad_strides[1]
            total = zero
            for q in range(t, terms, threads):
                image = q // positions
                p = q - image * positions
                oy = p // out_w
                ox = p - oy * out_w
                iy = oy * sh + i * dh - ph
                ix = ox * sw + j * dw - pw
                if 0 <= iy < height and 0 <= ix < width:
                    total += (grad[grad_at + image * grad_strides[0] + oy * grad_strides[2]
                                   + ox * grad_strides[3]]
                              * x[x_at + image * x_strides[0] + iy * x_strides[2]
                                  + ix * x_strides[3]])
            partial[t] = total
            cuda.syncthreads()
            half = threads // 2
            while half > 0:
                if t < half:
                    partial[t] += partial[t + half]
                cuda.syncthreads()
                half //= 2
            if t == 0:
                dw_out[e] = partial[0]
            cuda.syncthreads()  # the next weight element reuses `partial`

    return kernel


_weight_kernels = {}


# ---- launchers: flat buffers, element strides and Python ints in, nothing returned ----------

def forward(out, x, x_strides, w, bias, has_bias, groups, input_hw, geometry):
    """out (flat C-contiguous (N, O, out_h, out_w), shape given by `out.shape`) = x correlated
    with w (O, C // groups, kh, kw), plus bias[o] if `has_bias`."""
    channels_out, out_h, out_w = out.shape[1:]
    group_in = w.shape[1]
    rows = out.shape[0] * channels_out
    launch_rows(_forward_kernel, rows, out_h * out_w, buffer(out), x, x_strides, buffer(w), bias,
                has_bias, group_in, channels_out // groups, *input_hw, geometry, channels_out,
                out_h, out_w, out.dtype.type(0), rows)


def backward_input(dx, grad, grad_strides, w, groups, geometry, out_hw):
    """dx (N, C, H, W) = the adjoint of x -> forward(x, w) applied to grad (N, O, *out_hw)."""
    channels_in, height, width = dx.shape[1:]
    channels_out, group_in = w.shape[:2]
    rows = dx.shape[0] * channels_in
    launch_rows(_backward_input_kernel, rows, height * width, buffer(dx), grad, grad_strides,
                buffer(w), group_in, channels_out // groups, channels_in, height, width,
                geometry, *out_hw, dx.dtype.type(0), rows)


def backward_weight(dw, x, x_strides, grad, grad_strides, groups, input_hw, geometry, grad_nhw):
    """dw (O, C // groups, kh, kw) = the adjoint of w -> forward(x, w) applied to grad, whose
    (images, out_h, out_w) are `grad_nhw`."""
    channels_out, group_in = dw.shape[:2]
    threads = get_config().reduce_threads
    kernel = _weight_kernels.get(threads)
    if kernel is None:
        kernel = _weight_kernels[threads] = _backward_weight(threads)
    launch(kernel, blocks_for(dw.size, 1), threads, buffer(dw), x, x_strides, grad, grad_strides,
           group_in, channels_out // groups, *input_hw, geometry, *grad_nhw, dw.dtype.type(0),
           dw.size)
