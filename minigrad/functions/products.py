"""Matrix products: `matmul` with numpy's batching and 1-D rules (the affine map of a layer is
`linear.py`)."""
from ..autograd.function import KernelFunction, rename_grad_fn
from ..errors import DTypeError, DTypeNotImplementedError, ShapeError
from ..tensor import Tensor
from ._util import broadcast_shapes, sum_to


class MatMul(KernelFunction):
    """(..., n, k) @ (..., k, m) -> (..., n, m), batch dims broadcast."""

    backward_name = "MmBackward0"

    @staticmethod
    def forward(ctx, kernels, a, b):
        ctx.save(inputs=(0, 1))
        return kernels.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = sum_to(grad @ b.mT, a.shape) if ctx.needs_input_grad[0] else None
        grad_b = sum_to(a.mT @ grad, b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def check_same_dtype(a, b, name):
    """Matrix products do not promote, as in PyTorch: operands of two dtypes raise DTypeError
    (a RuntimeError) naming both."""
    if a.dtype is not b.dtype:
        raise DTypeError(f"{name}: expected both operands to have the same dtype, but got "
                         f"{a.dtype} and {b.dtype}; convert one with .to(dtype)")


def check_not_bool(a, name):
    """Matrix products take floating point and integer tensors (integers wrap around, as in
    PyTorch); bool raises DTypeNotImplementedError (PyTorch's NotImplementedError)."""
    if a.dtype.category == 0:
        raise DTypeNotImplementedError(f"{name}: not implemented for bool tensors; convert "
                                       "them with .int() or .float() first")


def matmul(a, b):
    """Matrix product with numpy's rules: 1-D operands are promoted to a row (left) or column
    (right) and that dim is removed from the result; leading dims broadcast. Floating point or
    integer operands of one dtype; integer products wrap around on overflow."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected two Tensors, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both arguments need at least 1 dim, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
        raise ShapeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                         f"multiplied ({a.shape[-1]} != {b.shape[0 if b.ndim == 1 else -2]})")
    try:
        broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    except ValueError:
        raise ShapeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} have batch dims "
                         f"{tuple(a.shape[:-2])} and {tuple(b.shape[:-2])}, which are not "
                         "broadcastable") from None
    check_same_dtype(a, b, "matmul")
    check_not_bool(a, "matmul")
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    out = MatMul.apply(a2, b2)
    if b.ndim == 1:
        out = out.squeeze(-1)
    if a.ndim == 1:
        out = out.squeeze(-2 if b.ndim > 1 else -1)
    if a.ndim == b.ndim == 1:
        return rename_grad_fn(out, "DotBackward0")
    if a.ndim == 2 and b.ndim == 1:
        return rename_grad_fn(out, "MvBackward0")
    return rename_grad_fn(out, "UnsafeViewBackward0") if max(a.ndim, b.ndim) > 2 else out
