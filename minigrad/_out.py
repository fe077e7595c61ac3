"""The `out=` keyword of PyTorch's functions (`minigrad.matmul(a, b, out=c)`, `minigrad.max(x,
1, out=(values, indices))`, `minigrad.arange(4, out=t)`), on the `minigrad.*` functions whose
PyTorch counterparts take it.

As in PyTorch: the result is written into `out` (resized when its shape differs, with
PyTorch's deprecation warning if it held elements, except for factories) and `out` is
returned; the result's dtype must be castable to out's (no float into an integer tensor,
nothing but bool into a bool one); out must be on the result's device; and while grad mode
is on, no argument (out included) may require grad. A factory given no dtype makes out's
dtype on out's device.
"""
import functools
import warnings

from .autograd.grad_mode import is_grad_enabled, no_grad
from .tensor import Tensor

# the minigrad.* functions that take out= in PyTorch
OUT_FUNCTIONS = frozenset("""
abs absolute acos acosh add addcdiv addcmul addmm addmv all amax amin aminmax any arange arccos
arcsin arctan arctan2 argmax argmin asin asinh atan atan2 atanh baddbmm bernoulli bitwise_and
bitwise_left_shift bitwise_not bitwise_or bitwise_right_shift bitwise_xor bmm bucketize cat
ceil clamp clamp_max clamp_min clip column_stack concat concatenate copysign cos cosh cross
cummax cummin cumprod cumsum diag diff div divide dot dstack empty eq erf erfc erfinv exp exp2
expm1 eye fix floor floor_divide fmax fmin fmod frac full gather ge ger greater greater_equal
gt hardshrink heaviside histc hstack hypot index_select inverse isin isneginf isposinf kron
kthvalue le lerp less less_equal linspace log log10 log1p log2 log_softmax logaddexp
logcumsumexp logical_and logical_not logical_or logical_xor logit logspace logsumexp lt
masked_select matmul max maximum mean median min minimum mm mode msort mul multinomial
multiply mv nan_to_num nanmean nanmedian nansum narrow_copy ne neg negative nonzero norm normal
not_equal ones outer pow prod quantile rand randint randn randperm reciprocal remainder round
row_stack rsqrt searchsorted sgn sigmoid sign signbit sin sinh softmax sort sqrt square stack
std sub subtract sum tan tanh tensordot threshold topk tril triu true_divide trunc var vdot
vstack where xlogy zeros
""".split())

# factories: without dtype= they make out's dtype, on out's device
_FACTORIES = frozenset("arange empty eye full linspace logspace ones rand randint randn randperm "
                       "zeros".split())

_CATEGORY_NAMES = {0: "Bool", 1: "Long", 2: "Float"}


def _tensors_in(values):
    for v in values:
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, (list, tuple)):
            yield from (t for t in v if isinstance(t, Tensor))


def _type_name(dtype):
    """PyTorch's scalar type name for messages ("Float", "Long", "Bool", "Double", ...)."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half",
             "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
             "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return names.get(dtype.name, dtype.name)


def _write(name, result, out):
    """Copy `result` into `out` after PyTorch's checks; returns `out`. (A factory resizes out
    without a warning, as PyTorch's do.)"""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result.dtype.category > out.dtype.category:
        raise RuntimeError(f"result type {_type_name(result.dtype)} can't be cast to the "
                           f"desired output type {_type_name(out.dtype)}")
    if result.device != out.device:
        raise RuntimeError(f"Expected out tensor to have device {result.device}, but got "
                           f"{out.device} instead")
    if tuple(out.shape) != tuple(result.shape):
        if out.numel() != 0 and name not in _FACTORIES:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).", UserWarning, stacklevel=4)
        out.resize_(tuple(result.shape))
    with no_grad():
        out.copy_(result)
    return out


def with_out(fn, name):
    """`fn` also taking `out=` (a Tensor, or a tuple of them for a function returning a
    tuple)."""

    @functools.wraps(fn)
    def accept_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        if is_grad_enabled() and any(t.requires_grad for t in
                                     _tensors_in(list(args) + list(kwargs.values()) + list(outs))):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments requires "
                               "grad.")
        if name in _FACTORIES and kwargs.get("dtype") is None and isinstance(out, Tensor):
            kwargs["dtype"] = out.dtype
            kwargs.setdefault("device", out.device)
        result = fn(*args, **kwargs)
        if isinstance(result, Tensor):
            if isinstance(out, (tuple, list)):
                raise TypeError(f"{name}(): argument 'out' must be Tensor, not "
                                f"{type(out).__name__}")
            return _write(name, result, out)
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(result)} "
                            f"Tensors, got {type(out).__name__}")
        written = [_write(name, r, o) for r, o in zip(result, out)]
        return type(result)(*written) if hasattr(result, "_fields") else tuple(written)

    accept_out.accepts_out = True
    return accept_out


def out_versions(namespace):
    """{name: wrapped function} for the functions of the dict `namespace` (the minigrad
    module's) that take out= in PyTorch and are not wrapped yet."""
    return {name: with_out(namespace[name], name) for name in OUT_FUNCTIONS
            if name in namespace and callable(namespace[name])
            and not getattr(namespace[name], "accepts_out", False)}
