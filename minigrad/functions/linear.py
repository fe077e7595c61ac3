"""The affine map of a fully connected layer: `linear(input, weight, bias)`."""
import math

from ..autograd.function import KernelFunction, rename_grad_fn
from ..autograd.grad_mode import is_grad_enabled
from ..errors import DTypeError, DTypeNotImplementedError, ShapeError
from ..tensor import Tensor


def linear_arrays_forward(kernels, forward, input, weight, bias):
    """`forward(x2d, weight, bias)` (a backend's linear kernel) on the arrays of a
    (*, in) input: a 2-D input goes as it is, more dims are flattened into rows (views, no
    copies) and the (rows, out) result is shaped (*, out)."""
    shape = input.shape
    if len(shape) == 2:
        return forward(input, weight, bias)
    shape = tuple(shape)  # a plain tuple: device arrays' shapes may not index from -1
    x2d = kernels.reshape(input, (math.prod(shape[:-1]), shape[-1]))
    out = forward(x2d, weight, bias)
    return kernels.reshape(out, shape[:-1] + (weight.shape[0],))


def _linear_backward_kernels(needs, grad, input, weight):
    """linear_backward's gradients from the backend's kernels directly, for a backward that
    is not recorded: the same kernel calls the Tensor ops make, without building a transpose,
    two product and a sum node for nothing."""
    kernels = grad._backend
    g, x = grad._data, input._data
    flat = len(x.shape) != 2
    if flat:
        rows = math.prod(tuple(x.shape)[:-1])
        g = kernels.reshape(g, (rows, weight.shape[0]))
        x = kernels.reshape(x, (rows, weight.shape[1]))
    grad_input = grad_weight = grad_bias = None
    if needs[0]:
        grad_x = kernels.matmul(g, weight._data)
        grad_input = grad._new(kernels.reshape(grad_x, tuple(input.shape)) if flat else grad_x)
    if needs[1]:
        grad_weight = grad._new(kernels.matmul(kernels.permute(g, (1, 0)), x))
    if needs[2]:
        grad_bias = grad._new(kernels.sum(g, (0,), False))
    return grad_input, grad_weight, grad_bias


def linear_backward(needs, grad, input, weight):
    """(grad_input, grad_weight, grad_bias) of `input @ weight.T + bias` for the gradient
    `grad` (*, out) of its result, None where `needs` (needs_input_grad) says so; Tensor ops
    when the backward is recorded (create_graph), so that it is itself differentiable."""
    if not is_grad_enabled():
        return _linear_backward_kernels(needs, grad, input, weight)
    if input.ndim == 2:
        grad2d, input2d = grad, input
    else:
        out_features, in_features = weight.shape
        rows = math.prod(input.shape[:-1])
        grad2d = grad.reshape(rows, out_features)
        input2d = input.reshape(rows, in_features) if needs[1] else None
    grad_input = grad_weight = grad_bias = None
    if needs[0]:
        grad_input = grad2d @ weight
        if input.ndim != 2:
            grad_input = grad_input.reshape(input.shape)
    if needs[1]:
        grad_weight = grad2d.mT @ input2d
    if needs[2]:
        grad_bias = grad2d.sum(0)
    return grad_input, grad_weight, grad_bias


class Linear(KernelFunction):
    """input (*, in) @ weight.T (in, out) + bias (out,) -> (*, out).

    Forward flattens the leading dims into one GEMM (plus the bias in the same kernel call);
    backward is written with Tensor ops so that it can itself be differentiated.
    """

    backward_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, kernels, input, weight, bias):
        ctx.save(inputs=(0, 1))
        return linear_arrays_forward(kernels, kernels.linear_forward, input, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        return linear_backward(ctx.needs_input_grad, grad, input, weight)


def _check_tensor(value, name):
    if not isinstance(value, Tensor):
        raise TypeError(f"linear: expected {name} to be a Tensor, got {type(value).__name__}")
    if value.dtype.category == 0:
        raise DTypeNotImplementedError(f"linear: expected a floating point or integer {name}, "
                                       f"got dtype {value.dtype}")


def _linear_vector_weight(input, weight, bias):
    """PyTorch's linear with a 1-D weight: a matrix-vector product (*, in) @ (in,) -> (*)."""
    if bias is not None:
        raise ShapeError(f"linear: a 1-D weight {tuple(weight.shape)} takes no bias (it would "
                         f"be a matrix product with a vector), got bias of shape "
                         f"{tuple(bias.shape)}")
    if input.shape[-1] != weight.shape[0]:
        raise ShapeError(f"linear: input shape {tuple(input.shape)} does not match the 1-D "
                         f"weight of shape {tuple(weight.shape)}")
    if weight.dtype != input.dtype:
        raise DTypeError(f"linear: expected weight to have the input's dtype {input.dtype}, "
                         f"got {weight.dtype}; convert with .to(dtype=...) first")
    return input @ weight


def _check_dtype(name, t, input):
    if t.dtype != input.dtype:
        raise DTypeError(f"linear: expected {name} to have the input's dtype {input.dtype}, "
                         f"got {t.dtype}; convert with .to(dtype=...) first")


def check_linear(input, weight, bias):
    """Raise unless `linear(input, weight, bias)` with a 2-D weight is well formed (types,
    dtypes and shapes, in PyTorch's terms); returns whether the weight is 1-D instead (then
    `input @ weight` is what linear computes, checked by `_linear_vector_weight`)."""
    if (isinstance(input, Tensor) and isinstance(weight, Tensor)
            and input._dtype is weight._dtype and input._dtype.category != 0):
        # the usual case, in a few comparisons: a float or integer input and a 2-D weight of
        # its dtype that fits it, and no bias or a float (out_features,) bias of that dtype
        # (device arrays' shapes may not index from -1)
        shape, weight_shape = input._data.shape, weight._data.shape
        if len(weight_shape) == 2 and shape and shape[len(shape) - 1] == weight_shape[1] and (
                bias is None or (isinstance(bias, Tensor) and bias._dtype is input._dtype
                                 and bias._data.shape == weight_shape[:1])):
            return False
    _check_tensor(input, "input")
    _check_tensor(weight, "weight")
    if bias is not None:
        _check_tensor(bias, "bias")
    if input.ndim == 0:
        raise ShapeError("linear: input must have at least 1 dim (*, in_features), got a 0-d "
                         "tensor")
    weight_shape = weight.shape
    if len(weight_shape) == 1:
        return True
    if len(weight_shape) != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features) or 1-D "
                         f"(in_features,), got shape {tuple(weight_shape)}")
    out_features, in_features = weight_shape
    if input.shape[-1] != in_features:
        raise ShapeError(f"linear: input shape {tuple(input.shape)} does not match weight shape "
                         f"{tuple(weight_shape)}: input's last dim is {input.shape[-1]} but "
                         f"weight expects in_features={in_features}")
    if bias is not None and tuple(bias.shape) != (out_features,):
        raise ShapeError(f"linear: bias must have shape ({out_features},) to match weight shape "
                         f"{tuple(weight_shape)}, got {tuple(bias.shape)}")
    _check_dtype("weight", weight, input)
    if bias is not None:
        _check_dtype("bias", bias, input)
    return False


def linear(input, weight, bias=None):
    """`input @ weight.T + bias`, PyTorch's `torch.nn.functional.linear`.

    input: (*, in_features) with at least one dim; a 1-D input gives a 1-D output.
    weight: (out_features, in_features). bias: (out_features,) or None.
    Returns (*, out_features). All tensors must share one dtype (floating point, or integer:
    computed with wrap-around, not differentiable) and one device.
    A 1-D weight (in_features,) without bias gives `input @ weight`, shape (*), as PyTorch.
    """
    if check_linear(input, weight, bias):
        return _linear_vector_weight(input, weight, bias)
    out = Linear.apply(input, weight, bias)
    if len(input._data.shape) > 2:  # PyTorch's names: addmm/mm on 2-D input, a view of them beyond
        return rename_grad_fn(out, "ViewBackward0" if bias is not None else "UnsafeViewBackward0")
    return out if bias is not None else rename_grad_fn(out, "MmBackward0")
