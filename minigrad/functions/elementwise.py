"""Elementwise ops with numpy broadcasting: arithmetic, unary math, comparisons, where.

Binary Functions take two operands, either of which may be a Python number (already of the
result's kind, see `coerce_pair`); gradients are summed back to each tensor operand's shape.
"""
import builtins
import math

import numpy as np

from .. import dtypes
from ..autograd.function import Function, record_fresh_binary, rename_grad_fn
from ..autograd.grad_mode import _state as _grad_state
from ..autograd.grad_mode import is_grad_enabled
from ..errors import DTypeError, DTypeNotImplementedError, InvalidArgumentError
from ..tensor import Tensor
from ._util import broadcast_shapes, coerce_pair, sum_to, to_float


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _owner(a, b):
    return a if isinstance(a, Tensor) else b


def _kernels(a, b):
    """The backend of the tensor operand(s) (at least one of a, b is a Tensor)."""
    return _owner(a, b)._backend


def _binary_forward(ctx, kernel, a, b, save=(False, False)):
    """Run `kernel` (a backend function) on two operands; `save[i]` says whether backward
    needs operand i."""
    # Once per op call: written out for two operands rather than looped over them.
    a_is_t, b_is_t = isinstance(a, Tensor), isinstance(b, Tensor)
    ctx.shapes = (a._data.shape if a_is_t else (), b._data.shape if b_is_t else ())
    if save[0] or save[1]:
        ctx.save_for_backward(a if save[0] and a_is_t else None,
                              b if save[1] and b_is_t else None)
        ctx.scalars = (None if a_is_t else a, None if b_is_t else b)
    return (a if a_is_t else b)._new(kernel(a._data if a_is_t else a,
                                            b._data if b_is_t else b))


def _operand(ctx, saved, i):
    """Operand i for backward: its saved tensor, or the Python number it was."""
    return saved[i] if saved[i] is not None else ctx.scalars[i]


def _passed(ctx, grad, grad_b):
    """(grad, grad_b) summed to the operands' shapes, None where no gradient is needed: the
    gradients of add and sub, which need no callables (grad_b is grad or -grad, computed by
    the caller only where needed)."""
    need_a, need_b = ctx.needs_input_grad
    shape_a, shape_b = ctx.shapes
    return (_summed(grad, shape_a) if need_a else None,
            _summed(grad_b, shape_b) if need_b else None)


def _negated(grad):
    """-grad; straight from the kernel when nothing records (as Neg.apply would return)."""
    if grad.requires_grad and is_grad_enabled():
        return -grad
    return grad._new(grad._backend.neg(grad._data))


def _summed(grad, shape):
    """`grad` summed to `shape` (an operand's), where broadcasting made it larger."""
    return grad if grad._data.shape == shape else sum_to(grad, shape)


def _reduced(ctx, grad_a, grad_b):
    """Per-input gradients from callables, computed only where needed and summed to shape."""
    needs = ctx.needs_input_grad
    return (sum_to(grad_a(), ctx.shapes[0]) if needs[0] else None,
            sum_to(grad_b(), ctx.shapes[1]) if needs[1] else None)


class Add(Function):
    backward_name = "AddBackward0"
    scalar_operands = True

    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).add, a, b)

    @staticmethod
    def backward(ctx, grad):
        return _passed(ctx, grad, grad)


class Sub(Function):
    backward_name = "SubBackward0"
    scalar_operands = True

    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).sub, a, b)

    @staticmethod
    def backward(ctx, grad):
        return _passed(ctx, grad, _negated(grad) if ctx.needs_input_grad[1] else None)


class Mul(Function):
    backward_name = "MulBackward0"
    scalar_operands = True

    @staticmethod
    def forward(ctx, a, b):
        # d/da needs b and d/db needs a: keep only what the requested gradients use
        needs = ctx.needs_input_grad
        return _binary_forward(ctx, _kernels(a, b).mul, a, b, save=(needs[1], needs[0]))

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        shape_a, shape_b = ctx.shapes
        return (_summed(grad * _operand(ctx, saved, 1), shape_a) if need_a else None,
                _summed(grad * _operand(ctx, saved, 0), shape_b) if need_b else None)


class Div(Function):
    backward_name = "DivBackward0"
    scalar_operands = True

    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).div, a, b, save=(ctx.needs_input_grad[1], True))

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        a, b = _operand(ctx, saved, 0), _operand(ctx, saved, 1)
        need_a, need_b = ctx.needs_input_grad
        shape_a, shape_b = ctx.shapes
        return (_summed(grad / b, shape_a) if need_a else None,
                _summed(-grad * a / (b * b), shape_b) if need_b else None)


class Pow(Function):
    backward_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).pow, a, b, save=(True, True))

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        a, b = _operand(ctx, saved, 0), _operand(ctx, saved, 1)

        # PyTorch's formulas, which fix the cases at a zero base or a zero exponent:
        # d/da = b a^(b-1), taken as 0 where b == 0 (at a == 0 it is 0 * inf = nan);
        # d/db = a^b log a, taken as 0 where a == 0 and b >= 0 (where b < 0: inf * -inf = -inf)
        def grad_base():
            if isinstance(b, Tensor):
                slope = b * a ** (b - 1)
                # mask only the nan (a smooth 0 elsewhere keeps d/db of this gradient right)
                return grad * where((b == 0) * isnan(slope), 0.0, slope)
            if b == 0:
                return grad * 0
            return grad * b * a ** (b - 1) if b != 1 else grad

        def grad_exponent():
            out = a ** b
            if isinstance(a, Tensor):
                return grad * where((a == 0) * (b >= 0), 0.0, out * log(a))
            if a == 0:  # where b < 0: 0^b log 0 = inf * -inf; a nan b stays nan
                return where(b >= 0, 0.0, grad * where(b < 0, -math.inf, math.nan))
            return grad * out * (math.log(a) if a > 0 else math.nan)
        return _reduced(ctx, grad_base, grad_exponent)


class Maximum(Function):
    """max(a, b); at ties the gradient is split evenly between a and b, as in PyTorch."""

    backward_name = "MaximumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).maximum, a, b, save=(True, True))

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        a, b = _operand(ctx, saved, 0), _operand(ctx, saved, 1)
        return _reduced(ctx, lambda: grad * _share(a, b, a < b),
                        lambda: grad * _share(a, b, a > b))


def _share(a, b, loses):
    """An operand's share of max/min's gradient, as PyTorch: half at ties, none where it
    loses, all otherwise (so both get all of it where a NaN makes them incomparable)."""
    return where(a == b, 0.5, where(loses, 0.0, 1.0))


class Minimum(Function):
    backward_name = "MinimumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return _binary_forward(ctx, _kernels(a, b).minimum, a, b, save=(True, True))

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        a, b = _operand(ctx, saved, 0), _operand(ctx, saved, 1)
        return _reduced(ctx, lambda: grad * _share(a, b, a > b),
                        lambda: grad * _share(a, b, a < b))


class Where(Function):
    backward_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.shapes = tuple(x.shape if isinstance(x, Tensor) else () for x in (a, b))
        ctx.save_for_backward(condition)
        # the kernels of the values' tensor: a float16/bfloat16 one computes through its own
        values = _owner(a, b)
        return values._new(values._backend.where(condition._data, _raw(a), _raw(b)))

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        grads = []
        for i, keep in ((0, True), (1, False)):
            if ctx.needs_input_grad[i + 1]:
                g = where(condition, grad, 0.0) if keep else where(condition, 0.0, grad)
                grads.append(sum_to(g, ctx.shapes[i]))
            else:
                grads.append(None)
        return (None, *grads)


def _unary(name, kernel, backward_rule, save="input"):
    """Build a unary Function named `name` from `kernel(backend)` (the backend function it runs)
    and `backward_rule(grad, x, out)`."""

    class Unary(Function):
        @staticmethod
        def forward(ctx, x):
            out = x._new(kernel(x._backend)(x._data))
            ctx.save_for_backward(x if save == "input" else out if save == "output" else None)
            return out

        @staticmethod
        def backward(ctx, grad):
            (saved,) = ctx.saved_tensors
            x, out = (saved, None) if save == "input" else (None, saved)
            return backward_rule(grad, x, out)

    Unary.__name__ = Unary.__qualname__ = name
    Unary.backward_name = name + "Backward0"
    return Unary


Neg = _unary("Neg", lambda backend: backend.neg,
             lambda g, x, out: -g, save="none")
Exp = _unary("Exp", lambda backend: backend.exp,
             lambda g, x, out: g * out, save="output")
Log = _unary("Log", lambda backend: backend.log,
             lambda g, x, out: g / x)
Sqrt = _unary("Sqrt", lambda backend: backend.sqrt,
              lambda g, x, out: g / (2 * out), save="output")
Abs = _unary("Abs", lambda backend: backend.abs,
             lambda g, x, out: g * sign(x))
Tanh = _unary("Tanh", lambda backend: backend.tanh,
              lambda g, x, out: g * (1 - out * out), save="output")
Sigmoid = _unary("Sigmoid", lambda backend: backend.sigmoid,
                 lambda g, x, out: g * out * (1 - out), save="output")
def _relu_backward(grad, _x, out):
    """Zero where out <= 0, so a NaN passes its gradient (PyTorch's threshold_backward): one
    kernel pass, or Tensor ops when the backward itself is recorded (create_graph)."""
    if _grad_state.enabled:
        return where(out <= 0, 0.0, grad)
    return grad._new(grad._backend.relu_backward(grad._data, out._data))


Relu = _unary("Relu", lambda backend: backend.relu, _relu_backward, save="output")
Sign = _unary("Sign", lambda backend: backend.sign,
              lambda g, x, out: g * 0, save="none")


class Clamp(Function):
    """Clamp to [min, max]; the gradient passes where min <= x <= max (PyTorch's rule)."""

    backward_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        data = x._data
        if lo is not None:
            data = x._backend.maximum(data, lo)
        if hi is not None:
            data = x._backend.minimum(data, hi)
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        return x._new(data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = None
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            below = x <= hi
            inside = below if inside is None else inside * below
        return (grad if inside is None else grad * inside.to(dtype=grad.dtype)), None, None


# ---- public functional forms ------------------------------------------------------------------

# The backend kernel of the Functions whose operands, when they agree (two float tensors of
# one dtype, shape and device), need no coercion: the fast path of _binary.
_AGREEING_KERNEL = {Add: "add", Sub: "sub", Mul: "mul"}


def _binary(cls, a, b, name):
    kernel = _AGREEING_KERNEL.get(cls)
    if (kernel is not None and isinstance(a, Tensor) and isinstance(b, Tensor)
            and a._dtype is b._dtype and a._dtype.is_floating_point
            and a._device is b._device and a._data.shape == b._data.shape):
        # The commonest call of all goes straight to the kernel: what Function.apply would
        # do, less its bookkeeping, which is most of the cost of a small op.
        out = a._new(getattr(a._backend, kernel)(a._data, b._data))
        need_a, need_b = a.requires_grad, b.requires_grad
        if (need_a or need_b) and _grad_state.enabled:
            ctx = record_fresh_binary(cls, a, b, out, need_a, need_b)
            ctx.shapes = (a._data.shape, b._data.shape)
            if cls is Mul:  # as Mul.forward: d/da needs b and d/db needs a
                ctx.save_for_backward(a if need_b else None, b if need_a else None)
                ctx.scalars = (None, None)
        return out
    a, b, _ = coerce_pair(a, b, name)
    return cls.apply(a, b)


def _scaled(b, alpha):
    """alpha * b for add/sub's `alpha` (1 leaves b as it is)."""
    return b if alpha == 1 else (mul(b, alpha) if isinstance(b, Tensor) else b * alpha)


def add(a, b, *, alpha=1):
    """a + alpha * b."""
    return _binary(Add, a, b if alpha == 1 else _scaled(b, alpha), "add")


def _is_bool(x):
    return (x._dtype is dtypes.bool_) if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))


def sub(a, b, *, alpha=1):
    """a - alpha * b. A bool operand raises, as in PyTorch (use `^` or logical_not)."""
    if _is_bool(a) or _is_bool(b):
        raise DTypeError("sub: subtraction, the `-` operator, with a bool operand is not "
                         "supported; use the `^` or logical_xor() operator, or `~` / "
                         "logical_not() to invert a mask")
    out = _binary(Sub, a, b if alpha == 1 else _scaled(b, alpha), "sub")
    return out if isinstance(a, Tensor) else rename_grad_fn(out, "RsubBackward1")


def mul(a, b):
    return _binary(Mul, a, b, "mul")


def div(a, b):
    a_in, b_in, dtype = coerce_pair(a, b, "div")
    if not dtype.is_floating_point:
        # true division of integers gives floats, as in PyTorch; the operands as given become
        # floats, so a negative number next to a uint8 tensor keeps its sign
        a_in, b_in, _ = coerce_pair(_float_operand(a), _float_operand(b), "div")
    return Div.apply(a_in, b_in)


def _float_operand(x):
    return to_float(x) if isinstance(x, Tensor) else float(x)


def pow(a, b):
    """a ** b. Integer tensors follow PyTorch: a negative Python int exponent raises; a
    negative exponent in an integer tensor gives 1 for a base of 1, +-1 for -1, else 0."""
    a, b, dtype = coerce_pair(a, b, "pow")
    if dtype.is_floating_point:
        out = Pow.apply(a, b)
        if isinstance(b, Tensor):  # PyTorch's overloads: tensor ** tensor, number ** tensor
            rename_grad_fn(out, "PowBackward1" if isinstance(a, Tensor) else "PowBackward2")
        return out
    if not isinstance(b, Tensor):
        if b < 0:
            raise InvalidArgumentError(
                f"pow: integers to negative integer powers are not allowed (a tensor of dtype "
                f"{dtype.name} to the power {b}); use a float exponent or convert the tensor "
                "with .float()")
        return Pow.apply(a, b)
    magnitude = Pow.apply(a, abs(b))
    below_one = b < 0
    if isinstance(a, Tensor):
        below_one = below_one * (abs(a) != 1)  # 1 and -1 keep a magnitude of 1
    elif builtins.abs(a) == 1:
        return magnitude
    return where(below_one, 0, magnitude)


def maximum(a, b):
    return _binary(Maximum, a, b, "maximum")


def minimum(a, b):
    return _binary(Minimum, a, b, "minimum")


def where(condition, a, b):
    """`a` where `condition` is true, else `b`; shapes broadcast together."""
    if not isinstance(condition, Tensor) or condition.dtype is not dtypes.bool_:
        raise DTypeError("where: condition must be a bool Tensor, got "
                         f"{getattr(condition, 'dtype', type(condition).__name__)}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        # two numbers: the result takes their common dtype, as PyTorch (1.0, 0 -> float32)
        dtype = dtypes.scalar_dtype(a, dtypes.scalar_dtype(b, dtypes.bool_))
        # filled on the condition's device: no host-to-device copy of the number
        a = condition.new_full((), a, dtype=dtype)
    a, b, _ = coerce_pair(a, b, "where")
    shape = broadcast_shapes(condition.shape, *(x.shape for x in (a, b)
                                                if isinstance(x, Tensor)), op="where")
    if tuple(condition.shape) != shape:
        condition = condition.expand(shape)
    return Where.apply(condition, a, b)


def neg(x):
    if x.dtype is dtypes.bool_:
        raise DTypeError("neg: negation, the `-` operator, on a bool tensor is not supported; "
                         "use `~` or logical_not() to invert a mask")
    return Neg.apply(x)


def exp(x):
    return Exp.apply(to_float(x))


def log(x):
    return Log.apply(to_float(x))


def sqrt(x):
    return Sqrt.apply(to_float(x))


def abs(x):
    if x.dtype is dtypes.bool_:
        raise DTypeNotImplementedError("abs: not implemented for bool tensors (as in "
                                       "PyTorch); convert with .long()")
    return Abs.apply(x)


def tanh(x):
    return Tanh.apply(to_float(x))


def sigmoid(x):
    return Sigmoid.apply(to_float(x))


def relu(x):
    if x.dtype is dtypes.bool_:
        raise DTypeError("relu: bool input is not supported (as in PyTorch); convert it with "
                         ".float() or .long()")
    return Relu.apply(x)


def sign(x):
    if x.dtype is dtypes.bool_:
        return x.clone()  # the sign of False is 0 and of True is 1, as in PyTorch
    return Sign.apply(x)


def _promoted(name, a, b):
    """a and b promoted to a common dtype, and the tensor among them (for its backend)."""
    a, b, _ = coerce_pair(a, b, name)
    return _raw(a), _raw(b), _owner(a, b)


def eq(a, b):
    a, b, t = _promoted("eq", a, b)
    return t._new(t._backend.eq(a, b))


def ne(a, b):
    a, b, t = _promoted("ne", a, b)
    return t._new(t._backend.ne(a, b))


def lt(a, b):
    a, b, t = _promoted("lt", a, b)
    return t._new(t._backend.lt(a, b))


def le(a, b):
    a, b, t = _promoted("le", a, b)
    return t._new(t._backend.le(a, b))


def gt(a, b):
    a, b, t = _promoted("gt", a, b)
    return t._new(t._backend.gt(a, b))


def ge(a, b):
    a, b, t = _promoted("ge", a, b)
    return t._new(t._backend.ge(a, b))


def isnan(x):
    """A bool tensor, True where x holds NaN."""
    return ne(x, x)  # NaN is the one value unequal to itself


def logical_not(x):
    return x._new(x._backend.logical_not(x._data))


def bitwise_not(x):
    """`~x`: bitwise not of an integer tensor, logical not of a bool one (PyTorch's rule)."""
    if x.dtype is dtypes.bool_:
        return logical_not(x)
    if x.dtype.is_floating_point:
        raise DTypeNotImplementedError(f"~ (bitwise_not) is only implemented on integer and "
                                       f"bool tensors, got {x.dtype}; use logical_not() for a "
                                       "bool result")
    b = x._backend
    return x._new(b.sub(b.neg(x._data), 1))  # ~v == -v - 1 in two's complement
