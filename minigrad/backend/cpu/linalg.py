"""Matrix products: GEMM through numpy's BLAS, the bias (and relu) epilogue in a Numba kernel.

The GEMM itself always goes to the BLAS numpy is linked against (a hand-written loop nest
would be many times slower). Numba handles the part BLAS cannot: adding the bias to the GEMM
result in place, and for a layer followed by relu clamping it too, in one pass over the
output, without numpy's broadcasting machinery.
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


@numba.njit(cache=True)
def _add_bias_relu_rows(out, bias, has_bias):
    """out[i, j] = relu(out[i, j] + bias[j]) in place (bias read only if `has_bias`).

    relu as the unfused kernel computes it (numpy's maximum(v, 0)): v where v > 0 or v is
    NaN, else 0 (so -0.0 becomes 0.0). Serial for the reason `_add_bias_rows` is.
    """
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            v = out[i, j]
            if has_bias:
                v += bias[j]
            out[i, j] = v if v > 0 or v != v else 0


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


def linear_relu_forward(x, weight, bias):
    """relu(x @ weight.T + bias), operands as `linear_forward`'s -> (n, out): the bias and the
    relu in one pass over the GEMM's result, bit for bit the unfused kernels' values."""
    out = np.matmul(x, weight.T)
    if bias is None:
        _add_bias_relu_rows(out, np.empty(0, out.dtype), False)
    else:
        _add_bias_relu_rows(out, np.ascontiguousarray(bias), True)
    return out
