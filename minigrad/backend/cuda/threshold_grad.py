"""relu's gradient in one launch (composed of elementwise ops it is a comparison, a fill of
the zero and a select: three launches per relu in every backward pass)."""
from numba import cuda

from ._array import broadcast_strides, buffer, coalesce, element_strides, empty, numel
from ._launch import launch_1d
from ._strided import offsets2


@cuda.jit(cache=True)
def _threshold_backward_kernel(out, grad, grad_strides, result, result_strides, shape, zero, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        ig, ir = offsets2(i, shape, grad_strides, result_strides)
        if result[ir] <= zero:
            out[i] = zero
        else:
            out[i] = grad[ig]


def threshold_backward(grad, result):
    """0 where result <= 0, else grad (a NaN result passes its gradient, as PyTorch's
    threshold_backward): grad broadcast to result's shape, any layouts -> result's shape."""
    out = empty(result.shape, result.dtype)
    n = numel(out.shape)
    shape, (sg, sr) = coalesce(out.shape,
                               broadcast_strides(grad.shape, element_strides(grad), out.shape),
                               element_strides(result))
    launch_1d(_threshold_backward_kernel, n, buffer(out), buffer(grad), sg, buffer(result), sr,
              shape, result.dtype.type(0), n)
    return out
