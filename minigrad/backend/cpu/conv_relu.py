"""A convolution followed by relu: the convolution's own kernels, then one in-place relu pass
over their fresh output (no second output array, no relu node in the graph), unless the
strategy taken clamps in its own epilogue (conv_wide.py)."""
import numba
from numba import prange

from ._config import get_config
from ._parallel import call, ready
from .conv import forward_maybe_clamped


@numba.njit(cache=True, parallel=True)
def _relu_in_place(flat):
    """flat[i] = relu(flat[i]) as the unfused relu kernel computes it (numpy's maximum(v, 0)):
    v where v > 0 or v is NaN, else 0."""
    for i in prange(flat.shape[0]):
        v = flat[i]
        if not (v > 0 or v != v):
            flat[i] = 0


def conv2d_relu_forward(x, weight, bias, geometry):
    """relu(conv2d_forward(x, weight, bias, geometry)): x (N, C, H, W), weight
    (O, C // groups, kh, kw), bias (O,) or None -> (N, O, *geometry.output_size)."""
    out, clamped = forward_maybe_clamped(x, weight, bias, geometry, relu=True)
    if clamped:
        return out
    out = ready(out)
    flat = out.reshape(-1)
    call(_relu_in_place, flat.size >= get_config().elementwise_parallel_min_elements, flat)
    return out
