"""Matrix functions and factorizations on stacks of matrices (numpy.linalg, i.e. LAPACK):
inv, solve, det, slogdet, cholesky, qr, svd. Matrices are the last two dims."""
import numpy as np

from ...errors import LinAlgError


def _lapack(fn, name, *args):
    try:
        return fn(*args)
    except np.linalg.LinAlgError as err:
        raise LinAlgError(f"linalg.{name}: {err}") from None


def inv(a):
    return _lapack(np.linalg.inv, "inv", a)


def solve(a, b):
    """A^-1 B for (..., n, n) A and (..., n, k) B (batch dims broadcast)."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, shape + a.shape[-2:])
    b = np.broadcast_to(b, shape + b.shape[-2:])
    return np.ascontiguousarray(_lapack(np.linalg.solve, "solve", a, b))


def det(a):
    return np.array(np.linalg.det(a), dtype=a.dtype)  # np.array keeps a 0-d result 0-d


def slogdet(a):
    sign, logabsdet = np.linalg.slogdet(a)
    return np.array(sign, dtype=a.dtype), np.array(logabsdet, dtype=a.dtype)


def cholesky(a):
    """The lower triangular L with L L^T = a."""
    return _lapack(np.linalg.cholesky, "cholesky", a)


def qr(a, mode):
    """(Q, R) for mode "reduced" or "complete"; for "r", Q is an empty array."""
    if mode == "r":
        r = np.linalg.qr(a, mode="r")
        return np.zeros((0,), a.dtype), np.ascontiguousarray(r)
    q, r = np.linalg.qr(a, mode=mode)
    return np.ascontiguousarray(q), np.ascontiguousarray(r)


def svd(a, full_matrices):
    """(U, S, Vh) with singular values in descending order."""
    u, s, vh = _lapack(np.linalg.svd, "svd", a, full_matrices)
    return np.ascontiguousarray(u), np.ascontiguousarray(s), np.ascontiguousarray(vh)
