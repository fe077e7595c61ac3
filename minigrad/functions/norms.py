"""Vector and matrix norms: linalg.vector_norm, linalg.matrix_norm, norm / Tensor.norm.

`VectorNorm` computes sum(|x|^p)^(1/p) (max/min |x| for +-inf, the count of non-zeros for 0)
and has PyTorch's gradient, written with Tensor ops so that it is differentiable again: it is
0 where the norm is 0 (a subgradient, where the formula would divide by zero), and shared
evenly among tied extremes for +-inf.
"""
import math

from ..autograd.function import Function
from ..tensor import Tensor
from .._args import normalize_dims
from ._util import keepdim_shape
from .decompositions import svdvals
from .elementwise import where
from .reduce import amax, amin
from ..errors import DTypeError, InvalidArgumentError, ShapeError


def _reduce_norm(x, ord, axes, keepdim):
    a = x.abs()
    if ord == math.inf:
        return amax(a, axes, keepdim)
    if ord == -math.inf:
        return amin(a, axes, keepdim)
    if ord == 0:
        return (a != 0).to(dtype=x.dtype).sum(dim=axes, keepdim=keepdim)
    if ord == 1:
        return a.sum(dim=axes, keepdim=keepdim)
    # scaled by the largest |x|, so that the powers neither underflow (1e-200 ** 2) nor
    # overflow (1e200 ** 2) where the norm itself is representable
    top = amax(a, axes, True) if a.numel() else a.sum(dim=axes, keepdim=True)
    scale = where((top == 0) | top.isinf(), 1.0, top)
    scaled = a / scale
    powered = scaled * scaled if ord == 2 else scaled ** ord
    out = powered.sum(dim=axes, keepdim=True) ** (1.0 / ord) * scale
    out = where(top.isinf(), top, out)
    return out if keepdim else out.squeeze(axes)


class VectorNorm(Function):
    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        out = _reduce_norm(x, ord, axes, keepdim)
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        ord, axes = ctx.ord, ctx.axes
        shape = keepdim_shape(x.shape, axes)
        norm, grad = out.reshape(shape), grad.reshape(shape)
        if ord == 0:
            return x * 0 * grad, None, None, None
        if ord == 1:
            return grad * x.sign(), None, None, None
        if ord in (math.inf, -math.inf):
            hits = (x.abs() == norm).to(dtype=grad.dtype)
            count = hits.sum(dim=axes, keepdim=True)
            return grad * x.sign() * hits / count, None, None, None
        zero = norm == 0
        safe = where(zero, 1.0, norm)
        if ord == 2:
            scaled = x / safe
        else:
            scaled = x * x.abs() ** (ord - 2) / safe ** (ord - 1)
        return where(zero, 0.0, grad * scaled), None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ord-norm of x over dim (an int, a tuple, or None for all elements): ord a number,
    inf (max |x|), -inf (min |x|) or 0 (number of non-zeros)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"vector_norm: expected a Tensor, got {type(x).__name__}")
    if dtype is not None:
        x = x.to(dtype=dtype)
    if not x.dtype.is_floating_point:
        raise DTypeError(f"vector_norm: expected a floating point tensor, got {x.dtype}")
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"vector_norm: ord must be a number, got {ord!r}")
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    axes = normalize_dims(dim, x.ndim)
    if x.numel() == 0 and ord < 0:
        raise InvalidArgumentError(f"vector_norm: ord={ord} is not defined for an empty tensor")
    if x.ndim == 0:
        return VectorNorm.apply(x.reshape(1), float(ord), (0,), False).reshape(())
    return VectorNorm.apply(x, float(ord), axes, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A matrix norm over the two dims `dim`: "fro" (Frobenius), "nuc" (sum of singular
    values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min absolute column
    sum), inf / -inf (max / min absolute row sum)."""
    if dtype is not None:
        A = A.to(dtype=dtype)
    if not A.dtype.is_floating_point:
        raise DTypeError(f"matrix_norm: expected a floating point tensor, got {A.dtype}")
    if A.ndim < 2:
        raise ShapeError(f"matrix_norm: expected at least 2 dims, got {A.ndim}")
    if len(dim) != 2:
        raise InvalidArgumentError(f"matrix_norm: dim must name two dims, got {dim}")
    rows, cols = normalize_dims(dim[0], A.ndim)[0], normalize_dims(dim[1], A.ndim)[0]
    if rows == cols:
        raise InvalidArgumentError(f"matrix_norm: dim names one dim twice: {dim}")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = A.abs().sum(dim=summed, keepdim=True)
        out = amax(sums, other, True) if ord > 0 else amin(sums, other, True)
        return out if keepdim else out.squeeze((rows, cols))
    if ord in ("nuc", 2, -2):
        moved = A.movedim((rows, cols), (-2, -1))
        values = svdvals(moved)
        if ord == "nuc":
            out = values.sum(-1)
        else:
            out = values.narrow(-1, 0 if ord == 2 else values.shape[-1] - 1, 1).squeeze(-1)
        if keepdim:
            out = out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols))
        return out
    raise InvalidArgumentError(
        f"matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got "
        f"{ord!r}")


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm: p="fro" is the 2-norm over dim (all elements, one dim or two); a number p
    is the vector p-norm over dim."""
    if dtype is not None:
        input = input.to(dtype=dtype)
    if p == "fro":
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise ValueError(f"norm: the Frobenius norm takes at most 2 dims, got {dim}")
        return vector_norm(input, 2, dim, keepdim)
    if p == "nuc":
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)
    if isinstance(p, str):
        raise ValueError(f"norm: p must be 'fro', 'nuc' or a number, got {p!r}")
    return vector_norm(input, p, dim, keepdim)


__all__ = ["matrix_norm", "norm", "vector_norm"]
