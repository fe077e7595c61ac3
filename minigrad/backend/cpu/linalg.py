"""Matrix products: GEMM through numpy's BLAS, the bias epilogue in a Numba kernel.

The GEMM itself always goes to the BLAS numpy is linked against (a hand-written loop nest
would be many times slower). Numba handles the part BLAS cannot: adding the bias to the GEMM
result in place, one pass over the output, without numpy's broadcasting machinery.
"""
import numba
import numpy as np


def matmul(a, b):
    """(..., n, k) @ (..., k, m) -> (..., n, m) with broadcast batch dimensions; integer
    operands (numpy's own loop, not BLAS) wrap around on overflow."""
    return np.matmul(a, b)


@numba.njit(cache=True)
def _add_bias_rows(out, bias):
    """out[i, j] += bias[j] in place; out (n, m) and bias (m,) C-contiguous, same dtype.

    Serial on purpose: the pass is memory-bound and a tiny share of a GEMM's time, so a
    parallel version would mostly add compile time (about ten times this kernel's).
    """
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] += bias[j]


def linear_forward(x, weight, bias):
    """x @ weight.T + bias: x (n, in), weight (out, in), bias (out,) or None -> (n, out).

    All operands share one floating point or integer dtype (integers wrap around). `weight.T`
    is a strided view, which numpy hands to BLAS as a transposed operand, so no copy of the
    weight is made.
    """
    out = np.matmul(x, weight.T)
    if bias is not None:
        _add_bias_rows(out, np.ascontiguousarray(bias))
    return out
