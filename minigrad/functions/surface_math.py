"""Elementwise math PyTorch programs reach for beyond the core set: float_power, deg2rad and
rad2deg, logaddexp2, sinc, gcd and lcm, ldexp, frexp, nextafter.

All are built from Tensor ops, so they run on every device and differentiate where PyTorch
does. Integer inputs to the float-only ops compute in the default float dtype, as in PyTorch.
"""
import math

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..creation import ones
from ..errors import DTypeError, DTypeNotImplementedError
from ..tensor import Tensor
from ._util import broadcast_shapes, coerce_pair, to_float
from .elementwise import where
from .math import logaddexp, sin


def _tensor(x, name, what="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


def _floating(x):
    """x itself if floating point, else x in the default float dtype."""
    return x if x.dtype.is_floating_point else to_float(x)


def float_power(input, exponent):
    """input ** exponent computed in float64 (either may be a Python number, not both)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor as input or exponent, got "
                        f"{type(input).__name__} and {type(exponent).__name__}")
    base = input.to(dtype=dtypes.float64) if isinstance(input, Tensor) else float(input)
    power = exponent.to(dtype=dtypes.float64) if isinstance(exponent, Tensor) \
        else float(exponent)
    return base ** power


def deg2rad(input):
    """Degrees to radians (integer input gives the default float dtype)."""
    return _floating(_tensor(input, "deg2rad")) * (math.pi / 180.0)


def rad2deg(input):
    """Radians to degrees (integer input gives the default float dtype)."""
    return _floating(_tensor(input, "rad2deg")) * (180.0 / math.pi)


def logaddexp2(input, other):
    """log2(2**input + 2**other), without overflow; floating point input only."""
    a, b, dtype = coerce_pair(input, other, "logaddexp2")
    if not dtype.is_floating_point:
        raise DTypeNotImplementedError(f"logaddexp2: expected floating point tensors, got "
                                       f"{dtype}")
    return logaddexp(a * math.log(2.0), b * math.log(2.0)) / math.log(2.0)


def sinc(input):
    """sin(pi x) / (pi x), 1 at x == 0 (where its gradient is 0)."""
    x = _floating(_tensor(input, "sinc"))
    zero = x == 0
    # the division sees 1 where x is 0, so its gradient there stays finite
    scaled = where(zero, 1.0, x) * math.pi
    return where(zero, 1.0, sin(scaled) / scaled)


def _integer_pair(input, other, name):
    a, b, dtype = coerce_pair(input, other, name)
    if dtype.is_floating_point or dtype is dtypes.bool_:
        raise DTypeNotImplementedError(f"{name}: expected integer tensors, got {dtype}")
    a = a if isinstance(a, Tensor) else Tensor(a, dtype=dtype, device=b.device)
    b = b if isinstance(b, Tensor) else Tensor(b, dtype=dtype, device=a.device)
    return a.to(dtype=dtype), b.to(dtype=dtype)


def gcd(input, other):
    """The greatest common divisor, elementwise (non-negative; gcd(0, 0) = 0); integers only."""
    a, b = _integer_pair(input, other, "gcd")
    a, b = a.abs().broadcast_to(_shape(a, b)), b.abs().broadcast_to(_shape(a, b))
    # Euclid's algorithm on every element at once; ends when every remainder is 0
    while bool((b != 0).any()):
        nonzero = b != 0
        a, b = where(nonzero, b, a), where(nonzero, a % where(nonzero, b, 1), 0)
    return a.contiguous()


def lcm(input, other):
    """The least common multiple, elementwise (non-negative; 0 if either is 0); integers only."""
    a, b = _integer_pair(input, other, "lcm")
    divisor = gcd(a, b)
    return where(divisor == 0, 0, (a // where(divisor == 0, 1, divisor) * b).abs())


def _shape(a, b):
    return broadcast_shapes(tuple(a.shape), tuple(b.shape))


def ldexp(input, other):
    """input * 2 ** other (integer input gives the default float dtype)."""
    _tensor(input, "ldexp")
    power = (2.0 ** other) if isinstance(other, Tensor) else \
        Tensor(2.0 ** other, dtype=dtypes.default_float, device=input.device)
    return input * power


def frexp(input):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, 0.5 <= |mantissa| < 1, the
    exponent int32; zero, inf and NaN give (input, 0). Floating point input only."""
    x = _tensor(input, "frexp")
    if not x.dtype.is_floating_point:
        raise DTypeError("frexp() only supports floating-point dtypes, got " + str(x.dtype))
    finite = x.isfinite() & (x != 0)
    with no_grad():
        safe = where(finite, x, 1.0).abs().to(dtype=dtypes.float64)
        exponent = (safe.log2().floor() + 1)
        mantissa = _scale_by_power_of_two(safe, -exponent)
        # log2 can round across a power of two: move the mantissa back into [0.5, 1)
        exponent = exponent + (mantissa >= 1).to(dtype=exponent.dtype) \
            - (mantissa < 0.5).to(dtype=exponent.dtype)
        exponent = where(finite, exponent, 0.0)
    mantissa = _scale_by_power_of_two(x, -exponent.to(dtype=x.dtype))
    mantissa = where(finite, mantissa, x)
    return mantissa, exponent.to(dtype=dtypes.int32)


def _scale_by_power_of_two(x, power):
    """x * 2 ** power in two halves, so that 2 ** power alone never over- or underflows."""
    half = (power / 2).trunc()
    return x * (2.0 ** half) * (2.0 ** (power - half))


_BITS = {dtypes.float64: dtypes.int64, dtypes.float32: dtypes.int32}


def nextafter(input, other):
    """The next floating point value after input towards other, elementwise (float32 and
    float64); not differentiable."""
    a, b, dtype = coerce_pair(input, other, "nextafter")
    if dtype not in _BITS:
        raise DTypeNotImplementedError(f"nextafter: expected float32 or float64 tensors, got "
                                       f"{dtype}")
    a = a if isinstance(a, Tensor) else Tensor(a, dtype=dtype, device=b.device)
    b = b if isinstance(b, Tensor) else Tensor(b, dtype=dtype, device=a.device)
    shape = _shape(a, b)
    inputs = (a, b)
    a = a.detach().to(dtype=dtype).broadcast_to(shape).contiguous()
    b = b.detach().to(dtype=dtype).broadcast_to(shape).contiguous()
    bits = a.view(_BITS[dtype])
    # moving away from zero is +1 on the bit pattern, towards zero -1, for either sign
    step = where((b > a) == (a > 0), 1, -1).to(dtype=bits.dtype)
    moved = (bits + step).view(dtype)
    smallest = Tensor(dtypes.finfo(dtype).smallest_normal * 2.0 ** -(
        52 if dtype is dtypes.float64 else 23), dtype=dtype, device=a.device)
    toward_sign = where(b > 0, smallest, -smallest)
    result = where(a == 0, toward_sign, moved)
    result = where(a == b, b, result)
    result = where(a.isnan() | b.isnan(), a + b, result)
    if inputs[0].requires_grad:
        # PyTorch's gradient: the incoming one for input where input != other, zero for other
        result = _PassGradient.apply(inputs[0].to(dtype=dtype).broadcast_to(shape), result,
                                     a != b)
    if inputs[1].requires_grad:  # in the graph, with a zero gradient
        everywhere = ones(shape, dtype=dtypes.bool_, device=result.device)
        result = where(everywhere, result, inputs[1].to(dtype=dtype).broadcast_to(shape))
    return result


class _PassGradient(Function):
    """`value` forward; the gradient passes to `through` where `passes` holds, 0 elsewhere
    (PyTorch's nextafter gradient: that of input where input != other)."""

    @staticmethod
    def forward(ctx, through, value, passes):
        ctx.passes = passes
        return value.clone()

    @staticmethod
    def backward(ctx, grad):
        return where(ctx.passes, grad, 0.0), None, None
