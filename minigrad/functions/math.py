"""Elementwise math beyond arithmetic: trigonometric and hyperbolic functions, rounding,
logarithms and exponentials of other bases, division with rounding, remainders, NaN handling,
predicates, logical ops, and the ternary helpers (lerp, addcmul, addcdiv, clamp with tensor
bounds), each as PyTorch defines it (dtype promotion, broadcasting, gradients).

Ops on integer or bool input that are only defined for floats (sin, log2, atan2, ...) compute in
the default float dtype, as PyTorch does. Rounding an integer tensor returns a copy of it.
"""
import math

import numpy as np

from .. import dtypes
from ..creation import full_like
from ..autograd.function import Function
from ..errors import (DTypeError, DTypeNotImplementedError, IntegerDivisionByZeroError,
                      InvalidArgumentError)
from ..tensor import Tensor
from ._util import as_python_scalar, broadcast_shapes, coerce_pair, sum_to, to_float
from .elementwise import (Clamp, _binary_forward, _kernels, _operand, _raw, _reduced, _unary,
                          abs, isnan,
                          maximum, minimum, sign, sigmoid, sqrt, where)
from .elementwise import div as _true_divide

LN2, LN10 = math.log(2.0), math.log(10.0)


def _zero(g, x, out):
    return g * 0


Sin = _unary("Sin", lambda backend: backend.sin, lambda g, x, out: g * cos(x))
Cos = _unary("Cos", lambda backend: backend.cos, lambda g, x, out: -(g * sin(x)))
Tan = _unary("Tan", lambda backend: backend.tan,
             lambda g, x, out: g * (1 + out * out), save="output")
Asin = _unary("Asin", lambda backend: backend.asin, lambda g, x, out: g / sqrt(1 - x * x))
Acos = _unary("Acos", lambda backend: backend.acos, lambda g, x, out: -(g / sqrt(1 - x * x)))
Atan = _unary("Atan", lambda backend: backend.atan, lambda g, x, out: g / (1 + x * x))
Sinh = _unary("Sinh", lambda backend: backend.sinh, lambda g, x, out: g * cosh(x))
Cosh = _unary("Cosh", lambda backend: backend.cosh, lambda g, x, out: g * sinh(x))
Asinh = _unary("Asinh", lambda backend: backend.asinh, lambda g, x, out: g / sqrt(x * x + 1))
Acosh = _unary("Acosh", lambda backend: backend.acosh,
               lambda g, x, out: g / sqrt((x - 1) * (x + 1)))
Atanh = _unary("Atanh", lambda backend: backend.atanh, lambda g, x, out: g / (1 - x * x))
Log2 = _unary("Log2", lambda backend: backend.log2, lambda g, x, out: g / (x * LN2))
Log10 = _unary("Log10", lambda backend: backend.log10, lambda g, x, out: g / (x * LN10))
Log1p = _unary("Log1p", lambda backend: backend.log1p, lambda g, x, out: g / (x + 1))
Exp2 = _unary("Exp2", lambda backend: backend.exp2, lambda g, x, out: g * out * LN2, save="output")
Expm1 = _unary("Expm1", lambda backend: backend.expm1,
               lambda g, x, out: g * (out + 1), save="output")
# rounding is piecewise constant: zero gradient, as PyTorch
Floor = _unary("Floor", lambda backend: backend.floor, _zero, save="none")
Ceil = _unary("Ceil", lambda backend: backend.ceil, _zero, save="none")
Trunc = _unary("Trunc", lambda backend: backend.trunc, _zero, save="none")
Round = _unary("Round", lambda backend: backend.round_half_even, _zero, save="none")


def _float_unary(cls):
    def op(input):
        return cls.apply(to_float(input))
    op.__name__ = cls.__name__.lower()
    op.__doc__ = f"Elementwise {op.__name__}; integer input computes in the default float dtype."
    return op


sin, cos, tan = _float_unary(Sin), _float_unary(Cos), _float_unary(Tan)
asin, acos, atan = _float_unary(Asin), _float_unary(Acos), _float_unary(Atan)
sinh, cosh = _float_unary(Sinh), _float_unary(Cosh)
asinh, acosh, atanh = _float_unary(Asinh), _float_unary(Acosh), _float_unary(Atanh)
log2, log10, log1p = _float_unary(Log2), _float_unary(Log10), _float_unary(Log1p)
exp2, expm1 = _float_unary(Exp2), _float_unary(Expm1)


def _rounding(cls, input):
    if input.dtype is dtypes.bool_:
        raise DTypeNotImplementedError(f"{cls.__name__.lower()}: not implemented for bool "
                                       "tensors (as in PyTorch); convert with .int() first")
    if not input.dtype.is_floating_point:
        return input.clone()  # integers are already whole, as PyTorch
    return cls.apply(input)


def floor(input):
    return _rounding(Floor, input)


def ceil(input):
    return _rounding(Ceil, input)


def trunc(input):
    return _rounding(Trunc, input)


fix = trunc


def round(input, *, decimals=0):
    """Round half to even; with `decimals`, to that many decimal places (negative: tens,
    hundreds, ...), scaling in the tensor's dtype as PyTorch does."""
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    if input.dtype is dtypes.bool_:
        raise DTypeNotImplementedError("round: not implemented for bool tensors (as in "
                                       "PyTorch); convert with .int() first")
    if not input.dtype.is_floating_point:
        if decimals != 0:
            raise TypeError(f"round: decimals is only supported for floating point tensors, "
                            f"got {input.dtype}")
        return input.clone()
    if decimals == 0:
        return Round.apply(input)
    if decimals > 0:
        scale = 10.0 ** decimals
        return Round.apply(input * scale) / scale
    scale = 10.0 ** -decimals
    return Round.apply(input / scale) * scale


def frac(input):
    """input - trunc(input), the fractional part with the sign of input."""
    if not input.dtype.is_floating_point:
        raise DTypeNotImplementedError(f"frac: expected a floating point tensor, got "
                                       f"{input.dtype}")
    return input - trunc(input)


def sgn(input):
    """sign(input) (the same for real tensors)."""
    return sign(input)


# ---- binary math ------------------------------------------------------------------------------

def _floating_pair(a, b, name):
    """Operands of an op PyTorch defines for floating point only (hypot, logaddexp)."""
    a, b, dtype = coerce_pair(a, b, name)
    if not dtype.is_floating_point:
        raise DTypeNotImplementedError(f"{name}: expected floating point tensors, got {dtype}")
    return a, b


def _float_pair(a, b, name):
    """Coerce two operands to one dtype, then ints and bools to the default float dtype."""
    _, _, dtype = coerce_pair(a, b, name)
    if not dtype.is_floating_point:
        # both become floats before they meet, so a negative number next to a uint8 tensor
        # keeps its sign (coercing first would wrap it into uint8's range)
        a = to_float(a) if isinstance(a, Tensor) else float(a)
        b = to_float(b) if isinstance(b, Tensor) else float(b)
    a, b, _ = coerce_pair(a, b, name)
    return a, b


class Atan2(Function):
    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).atan2, a, b, save=(True, True))

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        a, b = _operand(ctx, saved, 0), _operand(ctx, saved, 1)
        denom = a * a + b * b
        return _reduced(ctx, lambda: grad * b / denom, lambda: -(grad * a) / denom)


class Hypot(Function):
    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).hypot, a, b, save=(True, True))

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        a, b = _operand(ctx, saved, 0), _operand(ctx, saved, 1)
        out = hypot(a, b)  # recomputed, so that double backward sees its dependence on a, b
        return _reduced(ctx, lambda: grad * a / out, lambda: grad * b / out)


class Copysign(Function):
    """|a| with the sign of b; d/da is +-1 (0 where a == 0, as PyTorch), d/db is 0."""

    @staticmethod
    def forward(ctx, a, b):
        out = _binary_forward(ctx, _kernels(a, b).copysign, a, b, save=(True, False))
        ctx.b = b.detach() if isinstance(b, Tensor) else b
        return out

    @staticmethod
    def backward(ctx, grad):
        a = _operand(ctx, ctx.saved_tensors, 0)

        def grad_a():
            sign_b = copysign(1.0, ctx.b) if isinstance(ctx.b, Tensor) else \
                math.copysign(1.0, ctx.b)
            flips = sign(a) * sign_b
            return grad * flips
        return _reduced(ctx, grad_a, lambda: grad * 0)


class _Division(Function):
    """fmod, remainder and floor_divide: `kernel(a, b)`; the quotient's derivative is 0."""

    kernel = staticmethod(lambda backend: backend.fmod)

    @classmethod
    def forward(cls, ctx, a, b):
        return _binary_forward(ctx, cls.kernel(_kernels(a, b)), a, b, save=(True, True))

    quotient_rounding = "trunc"  # the rounding of the quotient that d/db multiplies by

    @classmethod
    def backward(cls, ctx, grad):
        saved = ctx.saved_tensors
        if cls.quotient_rounding is None:  # floor_divide: piecewise constant
            return _reduced(ctx, lambda: grad * 0, lambda: grad * 0)
        a, b = _operand(ctx, saved, 0), _operand(ctx, saved, 1)
        mode = cls.quotient_rounding
        return _reduced(ctx, lambda: grad, lambda: -(grad * div(a, b, rounding_mode=mode)))


class Fmod(_Division):
    kernel = staticmethod(lambda backend: backend.fmod)


class Remainder(_Division):
    kernel = staticmethod(lambda backend: backend.remainder)
    quotient_rounding = "floor"


class FloorDivide(_Division):
    kernel = staticmethod(lambda backend: backend.floor_divide)
    quotient_rounding = None


class TruncDivide(_Division):
    """Float division rounded towards zero; piecewise constant, so its gradient is 0 (as in
    PyTorch, also where a / b is NaN)."""
    kernel = staticmethod(lambda backend: lambda a, b: backend.trunc(backend.div(a, b)))
    quotient_rounding = None


def _integer_pair(a, b, name):
    """Operands of an integer-capable division: one dtype, no bool, no zero divisor."""
    a, b, dtype = coerce_pair(a, b, name)
    if dtype is dtypes.bool_:
        raise DTypeNotImplementedError(f"{name}: not defined for bool tensors; convert them "
                                       "with .long()")
    if not dtype.is_floating_point:
        # an empty result divides nothing: no error, as in PyTorch
        shapes = [tuple(x.shape) for x in (a, b) if isinstance(x, Tensor)]
        empty = 0 in broadcast_shapes(*shapes, op=name)
        zero = not empty and ((b == 0).any().item() if isinstance(b, Tensor) else b == 0)
        if zero:
            raise IntegerDivisionByZeroError(
                f"{name}: integer division by zero (a zero in the divisor of an integer tensor)")
    return a, b


def atan2(input, other):
    """The angle of the point (other, input): arctan(input / other) in the right quadrant."""
    return Atan2.apply(*_float_pair(input, other, "atan2"))


arctan2 = atan2


def hypot(input, other):
    """sqrt(input**2 + other**2) without intermediate overflow."""
    return Hypot.apply(*_floating_pair(input, other, "hypot"))


def copysign(input, other):
    """|input| with the sign of other (including the sign of zero)."""
    return Copysign.apply(*_float_pair(input, other, "copysign"))


def fmod(input, other):
    """Remainder of truncated division: the result has the sign of input."""
    return Fmod.apply(*_integer_pair(input, other, "fmod"))


def remainder(input, other):
    """Remainder of floored division (Python's %): the result has the sign of other."""
    return Remainder.apply(*_integer_pair(input, other, "remainder"))


def floor_divide(input, other):
    """Floored division (Python's //); integers stay integers."""
    return FloorDivide.apply(*_integer_pair(input, other, "floor_divide"))


def div(input, other, *, rounding_mode=None):
    """input / other. rounding_mode None: true division (integers give floats); "trunc":
    rounded towards zero; "floor": rounded down (integers stay integers in both)."""
    if rounding_mode is None:
        return _true_divide(input, other)
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        a, b = _integer_pair(input, other, "div")
        owner = a if isinstance(a, Tensor) else b
        if owner.dtype.is_floating_point:
            return TruncDivide.apply(a, b)
        return floor_divide(a - fmod(a, b), b)  # exact: a - fmod(a, b) is a multiple of b
    raise InvalidArgumentError(f"div: rounding_mode must be None, 'trunc' or 'floor', got "
                               f"{rounding_mode!r}")


def true_divide(input, other):
    return _true_divide(input, other)


def divide(input, other, *, rounding_mode=None):
    return div(input, other, rounding_mode=rounding_mode)


class LogAddExp(Function):
    """log(exp(a) + exp(b)), computed as max + log1p(exp(-|a - b|))."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        big = maximum(a, b)
        out = big + log1p((-(a - b).abs()).exp())
        return where((a == b) & a.isinf(), a, out)  # inf + inf: the formula's inf - inf is NaN

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = sum_to(grad * sigmoid(a - b), a.shape) if ctx.needs_input_grad[0] else None
        grad_b = sum_to(grad * sigmoid(b - a), b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def logaddexp(input, other):
    a, b = _floating_pair(input, other, "logaddexp")
    a = a if isinstance(a, Tensor) else Tensor(a, dtype=b.dtype, device=b.device)
    b = b if isinstance(b, Tensor) else Tensor(b, dtype=a.dtype, device=a.device)
    return LogAddExp.apply(a, b)


class Xlogy(Function):
    """a * log(b), 0 where a == 0 (unless b is NaN), as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return where((a == 0) & ~b.isnan(), 0.0, a * b.log())

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to(where((a == 0) & (b <= 0), 0.0, xlogy(grad, b)), a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to(grad * a / b, b.shape)
        return grad_a, grad_b


def xlogy(input, other):
    a, b = _float_pair(input, other, "xlogy")
    a = a if isinstance(a, Tensor) else Tensor(a, dtype=b.dtype, device=b.device)
    b = b if isinstance(b, Tensor) else Tensor(b, dtype=a.dtype, device=a.device)
    return Xlogy.apply(a, b)


class _NanIgnoringExtreme(Function):
    """fmax / fmin: like maximum / minimum, but a NaN loses to a number. At ties the gradient
    goes to input (PyTorch's rule), not split."""

    take_first = None

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        first = cls.take_first(a, b) | b.isnan()
        ctx.save_for_backward(first)
        return where(first, a, b)

    @staticmethod
    def backward(ctx, grad):
        (first,) = ctx.saved_tensors
        return (sum_to(where(first, grad, 0.0), ctx.shapes[0]) if ctx.needs_input_grad[0]
                else None,
                sum_to(where(first, 0.0, grad), ctx.shapes[1]) if ctx.needs_input_grad[1]
                else None)


class FMax(_NanIgnoringExtreme):
    take_first = staticmethod(lambda a, b: a >= b)


class FMin(_NanIgnoringExtreme):
    take_first = staticmethod(lambda a, b: a <= b)


def _tensor_pair(input, other, name):
    a, b, _ = coerce_pair(input, other, name)
    for x in (a, b):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: expected two Tensors, got a {type(x).__name__}")
    return a, b


def fmax(input, other):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    return FMax.apply(*_tensor_pair(input, other, "fmax"))


def fmin(input, other):
    """Elementwise minimum that ignores NaN (NaN only where both are NaN)."""
    return FMin.apply(*_tensor_pair(input, other, "fmin"))


# ---- ternary helpers ----------------------------------------------------------------------

def lerp(input, end, weight):
    """input + weight * (end - input), computed from the nearer end as PyTorch does (exact at
    weight 0 and 1). `weight` is a number or a tensor; all three broadcast."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor):
        raise TypeError("lerp: input and end must be Tensors")
    if input.dtype is not end.dtype:
        raise DTypeError(f"lerp: expected input and end of one dtype, got {input.dtype} and "
                        f"{end.dtype}")
    if not input.dtype.is_floating_point:
        raise TypeError(f"lerp: expected floating point tensors, got {input.dtype}")
    diff = end - input
    if isinstance(weight, Tensor):
        if not weight.dtype.is_floating_point:
            # an integer weight counts by its value, as in PyTorch (1 - weight must not wrap)
            weight = weight.to(dtype=input.dtype)
        return where(abs(weight) < 0.5, input + weight * diff, end - diff * (1 - weight))
    weight = float(weight)
    return input + weight * diff if builtins_abs(weight) < 0.5 else end - diff * (1 - weight)


def builtins_abs(value):
    return value if value >= 0 else -value


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2 (broadcast)."""
    product = tensor1 * tensor2
    return input + (product if value == 1 else product * value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2 (broadcast); integer tensor1 and tensor2 are refused,
    as PyTorch refuses them (use floats)."""
    if not (tensor1.dtype.is_floating_point or tensor2.dtype.is_floating_point):
        raise DTypeError("addcdiv: integer division of tensor1 by tensor2 is not supported; "
                        "convert them to floating point")
    quotient = tensor1 / tensor2
    return input + (quotient if value == 1 else quotient * value)


class ClampTensor(Function):
    """clamp(x, lo, hi) with tensor (or None) bounds, PyTorch's gradients: x gets the
    gradient where lo <= x <= hi; lo where x < lo (and lo < hi); hi where x > hi or hi < lo."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        out = x
        if lo is not None:
            out = maximum(out, lo)
        if hi is not None:
            out = minimum(out, hi)
        ctx.shapes = tuple(None if t is None else t.shape for t in (x, lo, hi))
        ctx.save_for_backward(x, lo, hi)
        return out if out is not x else x.clone()

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        if lo is not None and hi is not None:
            masks = ((x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo))
        elif lo is not None:
            masks = (x >= lo, x < lo, None)
        else:
            masks = (x <= hi, None, x > hi)
        return tuple(sum_to(where(mask, grad, 0.0), shape) if need and mask is not None
                     else None for mask, shape, need in
                     zip(masks, ctx.shapes, ctx.needs_input_grad))


def clamp(input, min=None, max=None):
    """Limit input to [min, max]; either bound may be None, a number or a Tensor (tensors
    broadcast and promote together). Where min > max the result is max, as PyTorch."""
    if min is None and max is None:
        raise InvalidArgumentError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(input, min, max)
    dtype = input.dtype
    for bound in (min, max):
        if bound is not None:  # a float bound makes an integer tensor float, as PyTorch
            dtype = dtypes.scalar_dtype(bound, dtype)
    lo = None if min is None else as_python_scalar(min, dtype)
    hi = None if max is None else as_python_scalar(max, dtype)
    return Clamp.apply(input.to(dtype=dtype), lo, hi)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def _promote_all(dtype_list):
    out = None
    for d in dtype_list:
        out = d if out is None else dtypes.promote(out, d)
    return out


def _clamp_tensor(input, min=None, max=None):
    dtype = input.dtype
    bounds = []
    for bound in (min, max):
        if bound is None:
            bounds.append(None)
            continue
        if not isinstance(bound, Tensor):
            bound = Tensor(bound, dtype=dtypes.scalar_dtype(bound, input.dtype),
                           device=input.device)
        bounds.append(bound)
    # PyTorch's rule over all three at once: the dimensioned tensors' dtype, unless the 0-d
    # ones are of a higher category (folding pairwise would let a 0-d input lose its dims)
    dims = [t.dtype for t in (input, *bounds) if t is not None and t.ndim]
    zero = [t.dtype for t in (input, *bounds) if t is not None and not t.ndim]
    dims_dtype = _promote_all(dims)
    zero_dtype = _promote_all(zero)
    if dims_dtype is None or zero_dtype is None:
        dtype = dims_dtype or zero_dtype
    else:
        dtype = dtypes.combine(dims_dtype, zero_dtype)
    shape = broadcast_shapes(input.shape, *(b.shape for b in bounds if b is not None),
                             op="clamp")
    input = input.to(dtype=dtype)
    if tuple(input.shape) != shape:
        input = input.expand(shape)
    lo, hi = (None if b is None else b.to(dtype=dtype) for b in bounds)
    return ClampTensor.apply(input, lo, hi)


# ---- NaN handling and predicates ----------------------------------------------------------

def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> `nan`, +inf -> `posinf` (default: the dtype's largest value), -inf -> `neginf`
    (default: the lowest). Integer input is returned as a copy. The gradient passes where input
    is finite."""
    if not input.dtype.is_floating_point:
        return input.clone()
    info = np.finfo(input.dtype.numpy)
    posinf = float(info.max) if posinf is None else float(posinf)
    neginf = float(info.min) if neginf is None else float(neginf)
    out = where(isnan(input), 0.0 if nan is None else float(nan), input)
    out = where(isposinf(input), posinf, out)
    return where(isneginf(input), neginf, out)


def _predicate(name, kernel, input, for_integers):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(input).__name__}")
    if not input.dtype.is_floating_point:  # integers are never NaN or infinite
        return full_like(input, for_integers, dtype=dtypes.bool_)
    return input._new(kernel(input._backend)(input._data))


def isinf(input):
    return _predicate("isinf", lambda backend: backend.isinf, input, False)


def isposinf(input):
    return _predicate("isposinf", lambda backend: backend.isposinf, input, False)


def isneginf(input):
    return _predicate("isneginf", lambda backend: backend.isneginf, input, False)


def isfinite(input):
    return _predicate("isfinite", lambda backend: backend.isfinite, input, True)


def _logical(name, kernel, input, other):
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"{name}: expected two Tensors, got {type(input).__name__} and "
                        f"{type(other).__name__}")
    a, b, _ = coerce_pair(input, other, name)
    return a._new(kernel(a._backend)(_raw(a), _raw(b)))


def logical_and(input, other):
    return _logical("logical_and", lambda backend: backend.logical_and, input, other)


def logical_or(input, other):
    return _logical("logical_or", lambda backend: backend.logical_or, input, other)


def logical_xor(input, other):
    return _logical("logical_xor", lambda backend: backend.logical_xor, input, other)


def rsqrt(input):
    """1 / sqrt(input)."""
    return sqrt(input).reciprocal()


def square(input):
    if input.dtype is dtypes.bool_:
        input = input.long()  # PyTorch squares bools as int64 (pow's promotion)
    return input * input


def reciprocal(input):
    """1 / input; integers give the default float dtype."""
    return _true_divide(1.0, input)
