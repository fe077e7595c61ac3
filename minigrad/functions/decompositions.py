"""Matrix functions with gradients: inv, solve, det, slogdet, cholesky, qr, svd (and
svdvals). Forwards are backend kernels (LAPACK on the cpu; the cuda backend names the
alternative); backwards are the standard matrix-calculus formulas written with Tensor ops and
these same Functions, so they are differentiable again. Matrices are the last two dims.
"""
from collections import namedtuple

from .. import dtypes
from ..autograd.function import KernelFunction
from ..tensor import Tensor
from ._util import sum_to
from .rearrange import diag_embed, diagonal, tril
from .shape import cat
from ..errors import DTypeError, ShapeError

SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])
QRResult = namedtuple("qr", ["Q", "R"])
SVDResult = namedtuple("svd", ["U", "S", "Vh"])


def _square(a, name):
    if not isinstance(a, Tensor):
        raise TypeError(f"linalg.{name}: expected a Tensor, got {type(a).__name__}")
    if not a.dtype.is_floating_point:
        raise DTypeError(f"linalg.{name}: expected a floating point tensor, got {a.dtype}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{name}: expected square matrices (..., n, n), got shape "
                         f"{tuple(a.shape)}")


def _matrices(a, name):
    if not isinstance(a, Tensor):
        raise TypeError(f"linalg.{name}: expected a Tensor, got {type(a).__name__}")
    if not a.dtype.is_floating_point:
        raise DTypeError(f"linalg.{name}: expected a floating point tensor, got {a.dtype}")
    if a.ndim < 2:
        raise ShapeError(f"linalg.{name}: expected matrices (..., m, n), got shape "
                         f"{tuple(a.shape)}")


class Inv(KernelFunction):
    @staticmethod
    def forward(ctx, kernels, a):
        ctx.save(outputs=(0,))
        return kernels.inv(a)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return -(out.mT @ grad @ out.mT)


class Solve(KernelFunction):
    """X = A^-1 B for B of shape (..., n, k)."""

    @staticmethod
    def forward(ctx, kernels, a, b):
        ctx.save(inputs=(0,), outputs=(0,))
        ctx.shapes = (a.shape, b.shape)
        return kernels.solve(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        grad_b = Solve.apply(a.mT, grad)
        grad_a = sum_to(-(grad_b @ x.mT), ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        return grad_a, sum_to(grad_b, ctx.shapes[1]) if ctx.needs_input_grad[1] else None


class Det(KernelFunction):
    """d det(A) / dA = det(A) A^-T (A invertible)."""

    @staticmethod
    def forward(ctx, kernels, a):
        ctx.save(inputs=(0,), outputs=(0,))
        return kernels.det(a)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return (grad * out).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


class Slogdet(KernelFunction):
    @staticmethod
    def forward(ctx, kernels, a):
        ctx.save(inputs=(0,))  # sign is piecewise constant: its gradient is zero, as PyTorch
        ctx.set_materialize_grads(False)
        return kernels.slogdet(a)

    @staticmethod
    def backward(ctx, _grad_sign, grad):
        if grad is None:  # only the sign was used
            return None
        (a,) = ctx.saved_tensors
        return grad.unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def _phi(x):
    """The lower triangle of x with its diagonal halved."""
    return tril(x, -1) + diag_embed(diagonal(x, 0, -2, -1) * 0.5)


class Cholesky(KernelFunction):
    """L with L L^T = A; the gradient is symmetric (Murray 2016):
    sym(L^-T Phi(L^T dL) L^-1)."""

    @staticmethod
    def forward(ctx, kernels, a):
        ctx.save(outputs=(0,))
        return kernels.cholesky(a)

    @staticmethod
    def backward(ctx, grad):
        (lower,) = ctx.saved_tensors
        inverse = inv(lower)
        s = inverse.mT @ _phi(lower.mT @ grad) @ inverse
        return (s + s.mT) * 0.5


def _copyltu(m):
    """The symmetric matrix that has m's lower triangle."""
    low = tril(m, -1)
    return low + low.mT + diag_embed(diagonal(m, 0, -2, -1))


def _qr_backward_tall(grad_q, grad_r, q, r):
    """dA for A = QR with m >= n (reduced): [dQ + Q copyltu(M)] R^-T, M = R dR^T - dQ^T Q."""
    m = r @ grad_r.mT - grad_q.mT @ q
    return (grad_q + q @ _copyltu(m)) @ inv(r).mT


class QR(KernelFunction):
    @staticmethod
    def forward(ctx, kernels, a, mode):
        ctx.save(outputs=(0, 1))
        ctx.mode = mode
        return kernels.qr(a, mode)

    @staticmethod
    def backward(ctx, grad_q, grad_r):
        q, r = ctx.saved_tensors
        if ctx.mode != "reduced" and q.shape[-2] > r.shape[-1]:
            raise RuntimeError("linalg.qr: the gradient is defined for mode='reduced' (and for "
                               "'complete' only when rows <= columns), as in PyTorch")
        m, n = q.shape[-2], r.shape[-1]
        if m >= n:
            return _qr_backward_tall(grad_q, grad_r, q, r), None
        # wide: A = Q [U | V], U square; the part V of A only moves R's right block
        u, grad_u, grad_v = r[..., :m], grad_r[..., :m], grad_r[..., m:]
        y = q @ r[..., m:]
        grad_y = q @ grad_v
        left = _qr_backward_tall(grad_q + y @ grad_v.mT, grad_u, q, u)
        return cat([left, grad_y], -1), None


class SVD(KernelFunction):
    """A = U diag(S) Vh. The gradient (reduced SVD, distinct non-zero singular values) is
    PyTorch's formula; it is unique only for losses that do not depend on the signs of the
    singular vectors."""

    @staticmethod
    def forward(ctx, kernels, a, full_matrices):
        ctx.save(outputs=(0, 1, 2))
        ctx.full = full_matrices
        return kernels.svd(a, full_matrices)

    @staticmethod
    def backward(ctx, grad_u, grad_s, grad_vh):
        u, s, vh = ctx.saved_tensors
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        if ctx.full and (u.shape[-1] != k or vh.shape[-2] != k):
            raise RuntimeError("linalg.svd: the gradient needs full_matrices=False when the "
                               "matrix is not square, as in PyTorch")
        s2 = s * s
        gap = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        gap = gap + diag_embed(s2 * 0 + 1)  # 1 on the diagonal (masked below)
        u_term = u.mT @ grad_u
        v_term = vh @ grad_vh.mT
        inner = ((u_term - u_term.mT) * s.unsqueeze(-2) + s.unsqueeze(-1) *
                 (v_term - v_term.mT)) / gap
        inner = inner - diag_embed(diagonal(inner, 0, -2, -1)) + diag_embed(grad_s)
        if m > k:
            grad_a = u @ inner
            scaled = grad_u / s.unsqueeze(-2)
            grad_a = (grad_a + scaled - u @ (u.mT @ scaled)) @ vh
        elif n > k:
            grad_a = inner @ vh
            scaled = grad_vh / s.unsqueeze(-1)
            grad_a = u @ (grad_a + scaled - (scaled @ vh.mT) @ vh)
        else:
            grad_a = u @ inner @ vh
        return grad_a, None


# ---- public functions ---------------------------------------------------------------------

def inv(A):
    """The inverse of each square matrix (LinAlgError if singular)."""
    _square(A, "inv")
    return Inv.apply(A)


def solve(A, B, *, left=True):
    """X with A X = B (left=False: X A = B). B is a batch of matrices (..., n, k) or of
    vectors (..., n); batch dims broadcast."""
    _square(A, "solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve: B must be a Tensor, got {type(B).__name__}")
    dtype = dtypes.promote(A.dtype, B.dtype)
    A, B = A.to(dtype=dtype), B.to(dtype=dtype)
    if not left:
        return solve(A.mT, B.mT).mT
    n = A.shape[-1]
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    matrix = B.unsqueeze(-1) if vector else B
    if matrix.shape[-2] != n:
        raise ShapeError(f"linalg.solve: B of shape {tuple(B.shape)} does not fit A of shape "
                         f"{tuple(A.shape)}")
    out = Solve.apply(A, matrix)
    return out.squeeze(-1) if vector else out


def det(A):
    """The determinant of each square matrix."""
    _square(A, "det")
    return Det.apply(A)


def slogdet(A):
    """(sign, log|det|) of each square matrix; sign's gradient is zero."""
    _square(A, "slogdet")
    return SlogdetResult(*Slogdet.apply(A))


def logdet(A):
    """log(det(A)): NaN for a negative determinant, -inf for a singular matrix."""
    sign, logabsdet = slogdet(A)
    return sign.log() + logabsdet  # log(1) = 0, log(-1) = NaN, log(0) = -inf


def cholesky(A, *, upper=False):
    """The Cholesky factor of each symmetric positive definite matrix: lower L with
    A = L L^T (upper=True: U = L^T)."""
    _square(A, "cholesky")
    lower = Cholesky.apply(A)
    return lower.mT if upper else lower


def qr(A, mode="reduced"):
    """(Q, R) with A = QR, Q orthonormal columns, R upper triangular. mode "reduced",
    "complete", or "r" (Q is then empty)."""
    _matrices(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    q, r = QR.apply(A, mode)
    return QRResult(q, r)


def svd(A, full_matrices=True):
    """(U, S, Vh) with A = U diag(S) Vh, S descending. Gradients need distinct singular values
    (and full_matrices=False for non-square A)."""
    _matrices(A, "svd")
    return SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A):
    """The singular values, descending."""
    return svd(A, full_matrices=False).S
