"""The affine map of a fully connected layer: `linear(input, weight, bias)`."""
import math

from ..autograd.function import KernelFunction, rename_grad_fn
from ..errors import DTypeError, DTypeNotImplementedError, ShapeError
from ..tensor import Tensor


def _rows(shape):
    """How many rows a (*, features) tensor has once its leading dims are flattened."""
    return math.prod(shape[:-1])


class Linear(KernelFunction):
    """input (*, in) @ weight.T (in, out) + bias (out,) -> (*, out).

    Forward flattens the leading dims into one GEMM (plus the bias in the same kernel call);
    backward is written with Tensor ops so that it can itself be differentiated.
    """

    backward_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, kernels, input, weight, bias):
        ctx.save(inputs=(0, 1))
        shape = tuple(input.shape)  # a plain tuple: device arrays' shapes may not index from -1
        x2d = kernels.reshape(input, (_rows(shape), shape[-1]))
        out = kernels.linear_forward(x2d, weight, bias)
        return kernels.reshape(out, shape[:-1] + (weight.shape[0],))

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        out_features, in_features = weight.shape
        rows = _rows(input.shape)
        grad2d = grad.reshape(rows, out_features)
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = (grad2d @ weight).reshape(input.shape)
        if ctx.needs_input_grad[1]:
            grad_weight = grad2d.mT @ input.reshape(rows, in_features)
        if ctx.needs_input_grad[2]:
            grad_bias = grad2d.sum(0)
        return grad_input, grad_weight, grad_bias


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


def linear(input, weight, bias=None):
    """`input @ weight.T + bias`, PyTorch's `torch.nn.functional.linear`.

    input: (*, in_features) with at least one dim; a 1-D input gives a 1-D output.
    weight: (out_features, in_features). bias: (out_features,) or None.
    Returns (*, out_features). All tensors must share one dtype (floating point, or integer:
    computed with wrap-around, not differentiable) and one device.
    A 1-D weight (in_features,) without bias gives `input @ weight`, shape (*), as PyTorch.
    """
    _check_tensor(input, "input")
    _check_tensor(weight, "weight")
    if bias is not None:
        _check_tensor(bias, "bias")
    if input.ndim == 0:
        raise ShapeError("linear: input must have at least 1 dim (*, in_features), got a 0-d "
                         "tensor")
    if weight.ndim == 1:
        return _linear_vector_weight(input, weight, bias)
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features) or 1-D "
                         f"(in_features,), got shape {tuple(weight.shape)}")
    out_features, in_features = weight.shape
    if input.shape[-1] != in_features:
        raise ShapeError(f"linear: input shape {tuple(input.shape)} does not match weight shape "
                         f"{tuple(weight.shape)}: input's last dim is {input.shape[-1]} but "
                         f"weight expects in_features={in_features}")
    if bias is not None and tuple(bias.shape) != (out_features,):
        raise ShapeError(f"linear: bias must have shape ({out_features},) to match weight shape "
                         f"{tuple(weight.shape)}, got {tuple(bias.shape)}")
    others = [("weight", weight)] + ([("bias", bias)] if bias is not None else [])
    for name, t in others:
        if t.dtype != input.dtype:
            raise DTypeError(f"linear: expected {name} to have the input's dtype {input.dtype}, "
                             f"got {t.dtype}; convert with .to(dtype=...) first")
    out = Linear.apply(input, weight, bias)
    if input.ndim > 2:  # PyTorch's names: addmm/mm on 2-D input, a view of them beyond
        return rename_grad_fn(out, "ViewBackward0" if bias is not None else "UnsafeViewBackward0")
    return out if bias is not None else rename_grad_fn(out, "MmBackward0")
