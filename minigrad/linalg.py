"""`minigrad.linalg`, PyTorch's `torch.linalg`: norms, and the matrix functions (inverse,
solve, determinants, factorizations) with their gradients."""
from .errors import LinAlgError
from .functions.contractions import cross as _cross
from .functions.decompositions import (cholesky, det, inv, qr, slogdet, solve, svd, svdvals)
from .functions.norms import matrix_norm, norm as _norm, vector_norm
from .functions.products import matmul


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: with ord None, the 2-norm of the flattened input (dim None) or of
    dim; a string ord or two dims give a matrix norm, else a vector norm."""
    if isinstance(ord, str) or (dim is not None and not isinstance(dim, int) and len(dim) == 2
                                and ord is not None):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if ord is None:
        return _norm(A, "fro", dim, keepdim, dtype)
    if dim is None and A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along dim (default the last)."""
    return _cross(input, other, dim)


__all__ = ["LinAlgError", "cholesky", "cross", "det", "inv", "matmul", "matrix_norm", "norm",
           "qr", "slogdet", "solve", "svd", "svdvals", "vector_norm"]

# ---- more of torch.linalg: powers and exponential, pseudo-inverse and rank, chained products --
from .functions.surface_linalg import (matrix_exp, matrix_power, matrix_rank,  # noqa: E402
                                       multi_dot, pinv, vecdot)

__all__ += ["matrix_exp", "matrix_power", "matrix_rank", "multi_dot", "pinv", "vecdot"]
