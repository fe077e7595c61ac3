"""Scalar special functions shared by the cpu and cuda kernels: plain Python on floats, compiled
by each backend (`numba.njit` on the cpu, `cuda.jit(device=True)` on the gpu)."""
import math

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def erfinv_scalar(y):
    """The inverse of erf on (-1, 1); +-inf at +-1, NaN outside [-1, 1] and for NaN.

    A single-precision rational start in the middle (Giles, "Approximating the erfinv
    function", 2010) or sqrt(-log((1 - y)(1 + y))) in the tails, refined by Newton steps: on
    erf(x) = y for |y| <= 0.5, and on log(erfc(|x|)) = log(1 - |y|) beyond, where 1 - |y| is
    exact and erfc keeps full relative precision (erf would lose it). The logarithm makes the
    tails' steps converge from the rough start.
    """
    if not (-1.0 <= y <= 1.0):
        return math.nan
    if y == 1.0:
        return math.inf
    if y == -1.0:
        return -math.inf
    a = abs(y)
    w = -math.log((1.0 - a) * (1.0 + a))
    if w < 5.0:
        w = w - 2.5
        p = 2.81022636e-08
        p = 3.43273939e-07 + p * w
        p = -3.5233877e-06 + p * w
        p = -4.39150654e-06 + p * w
        p = 0.00021858087 + p * w
        p = -0.00125372503 + p * w
        p = -0.00417768164 + p * w
        p = 0.246640727 + p * w
        p = 1.50140941 + p * w
        x = p * a
    else:
        x = math.sqrt(w)
    for _ in range(5):
        slope = _TWO_OVER_SQRT_PI * math.exp(-x * x)
        if a <= 0.5:
            x = x - (math.erf(x) - a) / slope
        else:
            tail = math.erfc(x)
            x = x + (math.log(tail) - math.log(1.0 - a)) * tail / slope
    return x if y >= 0.0 else -x
