"""Activation kernels numpy lacks: erf (for exact GELU), ELU, a stable softplus, and the
one-pass (leaky) ReLU kernels a training step calls on every activation map."""
import math

import numba
import numpy as np

from ._config import get_config
from ._parallel import call, ready


@numba.njit(cache=True)
def _erf_into(src, dst):
    for i in range(src.size):
        dst[i] = math.erf(src[i])


def erf(a):
    """The error function, elementwise (libm's erf: accurate to about 1 ulp)."""
    flat = np.ascontiguousarray(a).reshape(-1)
    out = np.empty_like(flat)
    _erf_into(flat, out)
    return out.reshape(a.shape)


def elu(a, alpha):
    """a where a > 0, else alpha * (exp(a) - 1) (expm1 keeps precision near 0)."""
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))


def softplus(a, beta, threshold):
    """log(1 + exp(beta * a)) / beta, or `a` itself where beta * a > threshold.

    Written as max(z, 0) + log1p(exp(-|z|)) so that no exp overflows for large |z|.
    """
    z = a * beta
    smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, a, smooth)


# ---- (leaky) ReLU in one pass: numpy needs a comparison, a product and a select, each a pass
# over the map with an array of its own; these read their operands once and write once.

@numba.njit(cache=True, parallel=True)
def _relu_backward_flat(result, grad, out):
    for i in numba.prange(result.size):
        result[i] = 0 if out[i] <= 0 else grad[i]


@numba.njit(cache=True, parallel=True)
def _leaky_relu_flat(result, a, slope):
    for i in numba.prange(result.size):
        result[i] = a[i] if a[i] > 0 else a[i] * slope


@numba.njit(cache=True, parallel=True)
def _leaky_relu_backward_flat(result, grad, a, slope):
    for i in numba.prange(result.size):
        result[i] = grad[i] if a[i] > 0 else grad[i] * slope


def _flat(a):
    return ready(a).reshape(-1)


def _elementwise(kernel, like, *operands):
    """kernel(result, *operands) on flattened C-contiguous operands; result shaped as `like`,
    on the thread pool only when the map is large."""
    result = np.empty(like.shape, dtype=like.dtype)
    call(kernel, like.size >= get_config().elementwise_parallel_min_elements,
         result.reshape(-1), *operands)
    return result


def relu_backward(grad, out):
    """0 where out <= 0, else grad (a NaN output passes its gradient, as PyTorch)."""
    if grad.size < _NUMPY_BELOW:
        # small maps: numpy's select costs less than a kernel call (grad may be a broadcast
        # view, read as it is); the result is C-contiguous, as the kernel's (ascontiguousarray
        # alone would turn a 0-d result into shape (1,))
        result = np.where(out <= 0, grad.dtype.type(0), grad)
        return result if result.flags.c_contiguous else np.ascontiguousarray(result)
    return _elementwise(_relu_backward_flat, grad, _flat(grad), _flat(out))


_NUMPY_BELOW = 4096  # elements (measured: numpy 1.3 us at 128, the kernel call 3-5 us)


def leaky_relu(a, negative_slope):
    """a where a > 0, else a * negative_slope, the product in a's dtype (as numpy's a * s)."""
    return _elementwise(_leaky_relu_flat, a, _flat(a), a.dtype.type(negative_slope))


def leaky_relu_backward(grad, a, negative_slope):
    """grad where a > 0, else grad * negative_slope in grad's dtype."""
    return _elementwise(_leaky_relu_backward_flat, grad, _flat(grad), _flat(a),
                        grad.dtype.type(negative_slope))
