"""A convolution followed by relu, with no second output array and no relu node in the graph: on
the GEMM path the GEMM clamps each output as it stores it (no launch of its own); the direct
kernels are followed by one in-place relu launch over their fresh output."""
from numba import cuda

from ._array import buffer, numel
from ._launch import launch_1d
from .conv import _use_direct, conv2d_forward, conv2d_forward_clamped


@cuda.jit(cache=True)
def _relu_in_place_kernel(flat, n):
    """flat[i] = relu(flat[i]) as the unfused relu kernel computes it: v where v > 0 or v is
    NaN, else 0."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        v = flat[i]
        if not (v > 0 or v != v):
            flat[i] = 0


def conv2d_relu_forward(x, weight, bias, geometry):
    """relu(conv2d_forward(x, weight, bias, geometry)): x (N, C, H, W), weight
    (O, C // groups, kh, kw), bias (O,) or None -> new C-contiguous
    (N, O, *geometry.output_size)."""
    if not _use_direct(weight.shape, geometry.groups):
        return conv2d_forward_clamped(x, weight, bias, geometry, relu=True)
    out = conv2d_forward(x, weight, bias, geometry)
    n = numel(out.shape)
    launch_1d(_relu_in_place_kernel, n, buffer(out), n)
    return out
