"""A layer and the relu after it as one op: `linear_relu` and `conv2d_relu`.

`relu(linear(x, w, b))` records two graph nodes and, on the cpu, makes a second output array
(on cuda, a second launch); fused, the relu is the GEMM's (or convolution's) epilogue and the
graph holds one node. Its backward masks the incoming gradient where the output is not
positive (relu's backward) and then runs the layer's backward, so values and gradients are
bit for bit those of the two ops. The node is named as PyTorch names the last of the two,
`ReluBackward0`; its inputs are the layer's (input, weight, bias).

`nn.Sequential` calls these for a `Linear` or `Conv2d` followed by a `ReLU` when nothing (no
hook) can observe the output of the layer before the relu.
"""
from ..autograd.function import KernelFunction
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from .conv import conv2d, conv2d_backward, conv_operands, empty_conv2d, has_empty
from .elementwise import relu, where
from .linear import check_linear, linear, linear_arrays_forward, linear_backward


def _relu_masked(grad, out):
    """relu's backward: 0 where the output is <= 0 (a NaN output passes its gradient), in one
    kernel pass, or with Tensor ops when the backward itself is recorded (create_graph)."""
    if is_grad_enabled():
        return where(out <= 0, 0.0, grad)
    return grad._new(grad._backend.relu_backward(grad._data, out._data))


class LinearRelu(KernelFunction):
    """relu(input (*, in) @ weight.T (in, out) + bias (out,)) -> (*, out)."""

    backward_name = "ReluBackward0"
    op_name = "Linear"  # errors name the layer's op, as unfused

    @staticmethod
    def forward(ctx, kernels, input, weight, bias):
        ctx.save(inputs=(0, 1), outputs=(0,))
        return linear_arrays_forward(kernels, kernels.linear_relu_forward, input, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        input, weight, out = ctx.saved_tensors
        return linear_backward(ctx.needs_input_grad, _relu_masked(grad, out), input, weight)


class Conv2dRelu(KernelFunction):
    """relu(Conv2d(x (N, C, H, W), weight, bias, geometry)) -> (N, O, *geometry.output_size)."""

    backward_name = "ReluBackward0"
    op_name = "Conv2d"  # errors name the layer's op, as unfused

    @staticmethod
    def forward(ctx, kernels, x, weight, bias, geometry):
        ctx.save(inputs=(0, 1), outputs=(0,))
        ctx.geometry = geometry
        if has_empty(x, weight):
            return kernels.relu(empty_conv2d(kernels, x, weight, bias, geometry))
        return kernels.conv2d_relu_forward(x, weight, bias, geometry)

    @staticmethod
    def backward(ctx, grad):
        x, weight, out = ctx.saved_tensors
        return conv2d_backward(ctx.needs_input_grad, _relu_masked(grad, out), x, weight,
                               ctx.geometry)


def linear_relu(input, weight, bias=None):
    """relu(linear(input, weight, bias)) as one op (arguments and checks as `linear`'s)."""
    if check_linear(input, weight, bias):  # a 1-D weight: a matrix-vector product
        return relu(linear(input, weight, bias))
    return LinearRelu.apply(input, weight, bias)


def conv2d_relu(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """relu(conv2d(input, ...)) as one op (arguments and checks as `conv2d`'s). An unbatched
    input takes the two ops, so that the result's grad_fn is relu's there too."""
    if not (isinstance(input, Tensor) and input.ndim == 4):
        return relu(conv2d(input, weight, bias, stride, padding, dilation, groups))
    x, weight, geometry, _ = conv_operands("conv2d", 2, input, weight, bias, stride, padding,
                                           dilation, groups)
    return Conv2dRelu.apply(x, weight, bias, geometry)
