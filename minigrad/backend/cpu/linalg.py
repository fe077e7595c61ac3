"""Matrix products (BLAS through numpy)."""
import numpy as np


def matmul(a, b):
    """(..., n, k) @ (..., k, m) -> (..., n, m) with broadcast batch dimensions."""
    return np.matmul(a, b)
