"""The methods of `Tensor` that run an op or the autograd engine, attached to the class.

`minigrad.tensor` is the bottom layer (storage, dtype, device, autograd fields) and imports no
op; the ops (`minigrad.functions`) and autograd import it. The methods that call them (the
operators, `sum`, `reshape`, `to`, in-place ops, `backward`, `register_hook`, ...) are
written here, as the body of `TensorMethods`, and copied onto the class when this module is
imported, which `minigrad/__init__.py` does right after `tensor` and `autograd`, before
anything can call them. So the import graph has one direction:
tensor <- autograd <- functions <- tensor_methods.
Every method is one line that forwards to the function of the same name in `functions`
(imported as `ops`), except for the in-place machinery.
"""
import numpy as np

from . import creation, dtypes
from . import functions as ops
from .autograd.api import backward as autograd_backward
from .autograd.function import alias, leaf_node
from .autograd.grad_mode import is_grad_enabled
from .autograd.hooks import HookDict, add_hook
from .errors import AutogradError, DTypeError, ShapeError
from .tensor import Size, Tensor, _shape_args


def _is_dtype(value):
    """Whether `value` names a dtype (a minigrad or numpy dtype, or a numpy scalar type)."""
    return isinstance(value, (dtypes.DType, np.dtype)) or \
        (isinstance(value, type) and issubclass(value, np.generic))


def _comparable(other):
    """Whether `tensor == other` compares elementwise (else it is False, as in PyTorch)."""
    return isinstance(other, (Tensor, bool, int, float, np.number, np.bool_))


def _bounds(positional, named, defaults):
    """(from, to) of uniform_/random_ given positionally or as from=/to= keywords."""
    unknown = set(named) - {"from", "to"}
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {sorted(unknown)}")
    if len(positional) > 2:
        raise TypeError(f"expected at most 2 bounds, got {len(positional)}")
    values = list(positional) + list(defaults[len(positional):])
    if "from" in named:
        values[0] = named["from"]
    if "to" in named:
        values[1] = named["to"]
    return values


class TensorMethods:
    """Not a class of its own: a namespace whose attributes become `Tensor`'s methods."""

    _alias = alias            # a new tensor object for the same storage and history
    _accumulator = leaf_node  # a leaf's AccumulateGrad node, made on first use

    def register_hook(self, hook):
        """Run `hook(grad)` each time the gradient with respect to this tensor is computed; a
        Tensor it returns (same shape, dtype and device) replaces the gradient. On a leaf the
        hooks run before `.grad` is accumulated. Returns a handle whose `.remove()` unregisters
        the hook."""
        if not self.requires_grad:
            raise AutogradError("cannot register a hook on a tensor that doesn't require "
                                "gradient")
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._backward_hooks is None:
            self._backward_hooks = HookDict()
        return add_hook(self._backward_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Run `hook(tensor)` (returning None) after backward() has accumulated this leaf's
        `.grad`, once per backward pass. Returns a handle whose `.remove()` unregisters it."""
        if not self.requires_grad:
            raise AutogradError("cannot register a hook on a tensor that doesn't require "
                                "gradient")
        if self._grad_fn is not None:
            raise AutogradError("post accumulate grad hooks cannot be registered on non-leaf "
                                "tensors")
        if self._post_accumulate_grad_hooks is None:
            self._post_accumulate_grad_hooks = HookDict()
        return add_hook(self._post_accumulate_grad_hooks, hook)

    def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False):
        """`to(device)`, `to(dtype)`, `to(device, dtype)` or keywords; differentiable.

        `non_blocking` is accepted for PyTorch's signature (given positionally too, after the
        device or dtype, followed by `copy`); copies are ordered on the device's stream
        either way."""
        flags = []
        for arg in args:
            if isinstance(arg, bool):
                flags.append(arg)
            elif isinstance(arg, (dtypes.DType, type, np.dtype)):
                dtype = arg
            elif isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            else:
                device = arg
        if len(flags) > 2:
            raise TypeError(f"to() takes at most two flags (non_blocking, copy), got {flags}")
        if len(flags) == 2:
            copy = flags[1]
        return ops.to(self, device=device, dtype=dtype, copy=copy)

    def clone(self, *, memory_format=None):
        ops.check_memory_format(memory_format, "clone")
        return ops.clone(self)

    def contiguous(self, memory_format=None):
        ops.check_memory_format(memory_format, "contiguous")
        return ops.contiguous(self)

    # ---- autograd ------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf this tensor depends on."""
        autograd_backward(self, None if gradient is None else (gradient,), retain_graph,
                          create_graph)

    # ---- in-place ------------------------------------------------------------------------
    def _inplace(self, op, *others):
        """Replace this tensor's values with `op(self, *others)` in place.

        Under autograd the result is computed out of place from a copy of the old values (so a
        node that saved them keeps them; `self` among `others` stands for that copy too), then
        written into this storage, and the tensor takes the result's grad_fn. Anything else
        that saved this storage sees the version bump, and its backward raises.
        """
        record = is_grad_enabled() and (self.requires_grad or any(
            isinstance(o, Tensor) and o.requires_grad for o in others))
        if record:
            self._check_inplace_allowed()
            old = self._alias().clone()
            result = op(old, *(old if o is self else o for o in others))
        else:
            result = op(self, *others)
        if not dtypes.can_store(result.dtype, self._dtype):
            raise DTypeError(f"result of dtype {result.dtype} cannot be stored in place in a "
                             f"tensor of dtype {self._dtype}")
        if tuple(result.shape) != tuple(self.shape):
            raise ShapeError(f"in-place result has shape {tuple(result.shape)}, which does not "
                             f"match the tensor's shape {tuple(self.shape)}")
        if record:
            result = result.to(dtype=self._dtype)
            if not result.requires_grad:
                # fill_, zero_, copy_ of a constant: the tensor stays in the graph and passes a
                # zero gradient to its old values, as in PyTorch.
                result = ops.where(creation.full_like(old, True, dtype=dtypes.bool_), result, old)
            elif result.is_leaf:
                result = ops.clone(result)  # copy_(leaf): the history must lead to that leaf
        self._backend.copy_into(self._data, result._data)
        self._version.value += 1
        if record:
            self.requires_grad, self._grad_fn, self._output_nr = result.requires_grad, \
                result._grad_fn, result._output_nr
            if self._retains_grad:
                self._grad_fn._retain_output_grad(self._output_nr, self)
        return self

    def _check_inplace_allowed(self):
        if self.is_leaf and self.requires_grad:
            raise AutogradError("a leaf tensor that requires grad is being used in an in-place "
                                "operation; wrap it in `with minigrad.no_grad():` or use the "
                                "out-of-place form")
        if self._version.other_live_view(self):
            raise AutogradError("an in-place operation under autograd on a tensor that shares "
                                "storage with another live tensor (a view of it, or the tensor "
                                "it is a view of) is not supported: that tensor's gradient "
                                "would be wrong. Use the out-of-place form, or clone() first")

    def add_(self, other, alpha=1):
        return self._inplace(lambda s, o: s + (o if alpha == 1 else o * alpha), other)

    def sub_(self, other, alpha=1):
        return self._inplace(lambda s, o: s - (o if alpha == 1 else o * alpha), other)

    def mul_(self, other):
        return self._inplace(lambda s, o: s * o, other)

    def div_(self, other, *, rounding_mode=None):
        return self._inplace(lambda s, o: ops.div(s, o, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        return self._inplace(lambda s, e: s ** e, exponent)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda s, lo, hi: s.clamp(lo, hi), min, max)

    def addcmul_(self, tensor1, tensor2, value=1):
        return self._inplace(lambda s, a, b: s + a * b * value, tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1):
        return self._inplace(lambda s, a, b: s + a / b * value, tensor1, tensor2)

    def lerp_(self, end, weight):
        return self._inplace(lambda s, e, w: s + (e - s) * w, end, weight)

    def neg_(self): return self._inplace(ops.neg)
    def abs_(self): return self._inplace(ops.abs)
    def exp_(self): return self._inplace(ops.exp)
    def log_(self): return self._inplace(ops.log)
    def sqrt_(self): return self._inplace(ops.sqrt)
    def tanh_(self): return self._inplace(ops.tanh)
    def sigmoid_(self): return self._inplace(ops.sigmoid)
    def relu_(self): return self._inplace(ops.relu)

    # in-place random fills and Python maps (functions/fill.py); `from`/`to` are keywords
    # in PyTorch's signatures, which Python spells only through **kwargs
    def uniform_(self, *bounds, generator=None, **named):
        return ops.uniform_(self, *_bounds(bounds, named, (0.0, 1.0)), generator=generator)
    def random_(self, *bounds, generator=None, **named):
        return ops.random_(self, *_bounds(bounds, named, (0, None)), generator=generator)
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return ops.normal_(self, mean, std, generator=generator)
    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return ops.log_normal_(self, mean, std, generator=generator)
    def exponential_(self, lambd=1.0, *, generator=None):
        return ops.exponential_(self, lambd, generator=generator)
    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return ops.cauchy_(self, median, sigma, generator=generator)
    def geometric_(self, p, *, generator=None):
        return ops.geometric_(self, p, generator=generator)
    def bernoulli(self, p=None, *, generator=None):
        return ops.bernoulli(self, p, generator=generator)
    def bernoulli_(self, p=0.5, *, generator=None):
        return ops.bernoulli_(self, p, generator=generator)
    def apply_(self, callable): return ops.apply_(self, callable)
    def map_(self, tensor, callable): return ops.map_(self, tensor, callable)
    def fill_diagonal_(self, fill_value, wrap=False):
        return ops.fill_diagonal_(self, fill_value, wrap)

    def copy_(self, src):
        """Copy `src` (broadcast to this shape, cast to this dtype, from any device) in."""
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_ expects a Tensor, got {type(src).__name__}")
        return self._inplace(lambda s, o: o.to(device=s.device, dtype=s.dtype).expand(s.shape),
                             src)

    def fill_(self, value):
        if isinstance(value, Tensor):
            if value.numel() != 1:
                raise ValueError(f"fill_ expects a number or a one-element tensor, got a tensor "
                                 f"of shape {tuple(value.shape)}")
            return self._inplace(lambda s, v: v.reshape(()).to(dtype=s.dtype).expand(s.shape),
                                 value)
        return self._inplace(lambda s: creation.full_like(s, value))

    def zero_(self):
        return self.fill_(0)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ipow__(self, other):
        return self.pow_(other)

    def index_put_(self, indices, values, accumulate=False):
        """`self[indices] = values` in place (`+=` with accumulate, repeated indices adding up);
        `indices` is a tuple of index tensors, `values` a tensor of this dtype."""
        index = ops.index_put_indices(self, indices, values)
        return self._inplace(lambda s, v: ops.index_put(s, index, v, accumulate), values)

    def index_put(self, indices, values, accumulate=False):
        index = ops.index_put_indices(self, indices, values)
        return ops.index_put(self, index, values, accumulate)

    def __setitem__(self, index, value):
        if is_grad_enabled() and (self.requires_grad or getattr(value, "requires_grad", False)):
            self._inplace(lambda s, v: ops.index_put(s, index, v), value)
        else:
            ops.setitem_(self, index, value)
            self._version.value += 1

    # ---- operators (one line each; the ops live in minigrad.functions) ---------------------
    def __add__(self, other): return ops.add(self, other)
    def __radd__(self, other): return ops.add(other, self)
    def __sub__(self, other): return ops.sub(self, other)
    def __rsub__(self, other): return ops.sub(other, self)
    def __mul__(self, other): return ops.mul(self, other)
    def __rmul__(self, other): return ops.mul(other, self)
    def __truediv__(self, other): return ops.div(self, other)
    def __rtruediv__(self, other): return ops.div(other, self)
    def __pow__(self, other): return ops.pow(self, other)
    def __rpow__(self, other): return ops.pow(other, self)
    def __matmul__(self, other): return ops.matmul(self, other)
    def __rmatmul__(self, other): return ops.matmul(other, self)
    def __neg__(self): return ops.neg(self)
    def __pos__(self): return self
    def __abs__(self): return ops.abs(self)
    def __eq__(self, other): return ops.eq(self, other) if _comparable(other) else False
    def __ne__(self, other): return ops.ne(self, other) if _comparable(other) else True
    def __lt__(self, other): return ops.lt(self, other)
    def __le__(self, other): return ops.le(self, other)
    def __gt__(self, other): return ops.gt(self, other)
    def __ge__(self, other): return ops.ge(self, other)
    def __invert__(self): return ops.bitwise_not(self)
    def __getitem__(self, index): return ops.getitem(self, index)
    __hash__ = object.__hash__

    def add(self, other, alpha=1): return ops.add(self, other if alpha == 1 else other * alpha)
    def sub(self, other, alpha=1): return ops.sub(self, other if alpha == 1 else other * alpha)
    def mul(self, other): return ops.mul(self, other)
    multiply, subtract = mul, sub
    def div(self, other, *, rounding_mode=None):
        return ops.div(self, other, rounding_mode=rounding_mode)
    def pow(self, exponent): return ops.pow(self, exponent)
    def matmul(self, other): return ops.matmul(self, other)
    def neg(self): return ops.neg(self)
    negative = neg
    def exp(self): return ops.exp(self)
    def log(self): return ops.log(self)
    def sqrt(self): return ops.sqrt(self)
    def rsqrt(self): return ops.sqrt(self).reciprocal()
    def reciprocal(self): return ops.div(1.0, self)
    def square(self): return ops.square(self)
    def abs(self): return ops.abs(self)
    def sign(self): return ops.sign(self)
    def tanh(self): return ops.tanh(self)
    def sigmoid(self): return ops.sigmoid(self)
    def relu(self): return ops.relu(self)
    def clamp(self, min=None, max=None): return ops.clamp(self, min, max)
    clip = clamp
    def maximum(self, other): return ops.maximum(self, other)
    def minimum(self, other): return ops.minimum(self, other)
    def eq(self, other): return ops.eq(self, other)
    def ne(self, other): return ops.ne(self, other)
    def lt(self, other): return ops.lt(self, other)
    def le(self, other): return ops.le(self, other)
    def gt(self, other): return ops.gt(self, other)
    def ge(self, other): return ops.ge(self, other)
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
    def logical_not(self): return ops.logical_not(self)
    def bitwise_not(self): return ops.bitwise_not(self)
    def isnan(self): return ops.isnan(self)

    def sum(self, dim=None, keepdim=False, dtype=None):
        return ops.sum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return ops.mean(self, dim, keepdim, dtype=dtype)
    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return ops.nansum(self, dim, keepdim, dtype=dtype)
    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return ops.nanmean(self, dim, keepdim, dtype=dtype)
    def nanmedian(self, dim=None, keepdim=False): return ops.nanmedian(self, dim, keepdim)
    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return ops.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def signbit(self): return ops.signbit(self)
    def logit(self, eps=None): return ops.logit(self, eps)
    def heaviside(self, values): return ops.heaviside(self, values)
    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return ops.diff(self, n, dim, prepend, append)
    def select(self, dim, index): return ops.select(self, dim, index)
    def isin(self, test_elements, *, assume_unique=False, invert=False):
        return ops.isin(self, test_elements, invert=invert)
    def max(self, dim=None, keepdim=False, *, other=None):
        return ops.max(self, dim, keepdim, other=other)
    def min(self, dim=None, keepdim=False, *, other=None):
        return ops.min(self, dim, keepdim, other=other)
    def amax(self, dim=(), keepdim=False): return ops.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return ops.amin(self, dim, keepdim)
    def argmax(self, dim=None, keepdim=False): return ops.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return ops.argmin(self, dim, keepdim)
    def all(self, dim=None, keepdim=False): return ops.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return ops.any(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.var(self, dim, unbiased=unbiased, keepdim=keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.std(self, dim, unbiased=unbiased, keepdim=keepdim, correction=correction)

    def reshape(self, *shape): return ops.reshape(self, _shape_args(shape))
    def view(self, *shape, dtype=None):
        """A view with another shape (`view(2, 3)`, `view((2, 3))`) or, given one dtype
        (`view(minigrad.int32)`, `view(dtype=...)`), x's bits read as that dtype."""
        if dtype is not None:
            if shape:
                raise TypeError("view: expected either a shape or dtype=, got both")
            return ops.view_dtype(self, dtype)
        if len(shape) == 1 and _is_dtype(shape[0]):
            return ops.view_dtype(self, shape[0])
        return ops.view(self, _shape_args(shape))

    def view_as(self, other): return ops.view(self, other.shape)
    def reshape_as(self, other): return ops.reshape(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return ops.flatten(self, start_dim, end_dim)
    def transpose(self, dim0, dim1): return ops.transpose(self, dim0, dim1)
    def permute(self, *dims): return ops.permute(self, _shape_args(dims))
    def t(self): return ops.t(self)
    @property
    def T(self): return ops.permute(self, tuple(range(self.ndim))[::-1])
    @property
    def mT(self): return ops.transpose(self, -2, -1)
    def squeeze(self, dim=None): return ops.squeeze(self, dim)
    def unsqueeze(self, dim): return ops.unsqueeze(self, dim)
    def expand(self, *sizes): return ops.expand(self, _shape_args(sizes))
    def expand_as(self, other): return ops.expand(self, other.shape)
    def broadcast_to(self, size): return ops.broadcast_to(self, _shape_args((size,)))
    def narrow(self, dim, start, length): return ops.narrow(self, dim, start, length)
    def split(self, split_size, dim=0): return ops.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return ops.chunk(self, chunks, dim)

    # ---- new tensors like this one, and in-place shape changes ----------------------------------
    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        """A tensor of shape `size` (a tuple) filled with `fill_value`, with this tensor's dtype
        and device unless given."""
        if not isinstance(size, (tuple, list, Size)):
            raise TypeError(f"new_full(): argument 'size' must be tuple of ints, not "
                            f"{type(size).__name__}")
        return creation.full(tuple(size), fill_value,
                             dtype=self._dtype if dtype is None else dtype,
                             device=self._device if device is None else device,
                             requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(_shape_args(size), 0, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(_shape_args(size), 1, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """Uninitialised in PyTorch; zero-filled here, as `minigrad.empty`."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """A copy of `data` with this tensor's dtype and device unless given (a leaf)."""
        if isinstance(data, Tensor):
            data = data.detach()
        return Tensor(data, dtype=self._dtype if dtype is None else dtype,
                      device=self._device if device is None else device,
                      requires_grad=requires_grad)

    def _inplace_view(self, op):
        """Make this tensor `op(self)` (a view op: same storage, new shape), in place.

        Under autograd the tensor takes the view's grad_fn, as PyTorch's `unsqueeze_` and
        friends do; the version counter is bumped, so a node that saved the old tensor fails
        loudly in backward."""
        record = is_grad_enabled() and self.requires_grad
        if record:
            self._check_inplace_allowed()
        result = op(self._alias() if record else self.detach())
        self._data = result._data
        self._version.value += 1
        if record:
            self._grad_fn, self._output_nr = result._grad_fn, result._output_nr
        else:
            self._leaf_node = None  # a leaf's graph node recorded the old shape
        return self

    def unsqueeze_(self, dim): return self._inplace_view(lambda s: ops.unsqueeze(s, dim))
    def squeeze_(self, dim=None): return self._inplace_view(lambda s: ops.squeeze(s, dim))
    def t_(self): return self._inplace_view(ops.t)
    def transpose_(self, dim0, dim1):
        return self._inplace_view(lambda s: ops.transpose(s, dim0, dim1))
    swapdims_ = swapaxes_ = transpose_

    def resize_(self, *sizes):
        """Give this tensor shape `sizes`, keeping its first elements in row-major order: a
        smaller size keeps a prefix, a larger one appends zeros (uninitialised in PyTorch).
        Not differentiable: a tensor that requires grad cannot be resized, as in PyTorch."""
        if self.requires_grad:
            raise AutogradError("cannot resize tensors that require grad; resize a detached "
                                "tensor, or use reshape/view")
        shape = creation.check_shape(_shape_args(sizes))
        count = int(np.prod(shape, dtype=np.int64))
        flat = self.detach().reshape(-1)
        if count <= flat.numel():
            resized = flat[:count].reshape(shape)
        else:
            resized = ops.cat([flat, creation.zeros(count - flat.numel(), dtype=self._dtype,
                                                  device=self._device)]).reshape(shape)
        self._data = resized._data
        self._version.value += 1
        self._leaf_node = None
        return self

    def resize_as_(self, other):
        return self.resize_(tuple(other.shape))

    # ---- layers family: activation and special-function methods -----------------------------
    def softmax(self, dim, dtype=None): return ops.softmax(self, dim, dtype=dtype)
    def log_softmax(self, dim, dtype=None): return ops.log_softmax(self, dim, dtype=dtype)
    def prelu(self, weight): return ops.prelu(self, weight)
    def hardshrink(self, lambd=0.5): return ops.hardshrink(self, lambd)
    def erf(self): return ops.erf(self)
    def erfc(self): return ops.erfc(self)
    def erfinv(self): return ops.erfinv(self)
    def erf_(self): return self._inplace(ops.erf)
    def erfc_(self): return self._inplace(ops.erfc)
    def erfinv_(self): return self._inplace(ops.erfinv)
    # ---- end of layers family block -------------------------------------------------------

    # ==== PyTorch operator breadth (issue 13): math, bitwise, shape and indexing, ... ====
    # One block, so that the methods of these families stay together; each forwards to ops.
    def sin(self): return ops.sin(self)
    def cos(self): return ops.cos(self)
    def tan(self): return ops.tan(self)
    def asin(self): return ops.asin(self)
    def acos(self): return ops.acos(self)
    def atan(self): return ops.atan(self)
    def sinh(self): return ops.sinh(self)
    def cosh(self): return ops.cosh(self)
    def asinh(self): return ops.asinh(self)
    def acosh(self): return ops.acosh(self)
    def atanh(self): return ops.atanh(self)
    def floor(self): return ops.floor(self)
    def ceil(self): return ops.ceil(self)
    def trunc(self): return ops.trunc(self)
    fix = trunc
    def round(self, decimals=0): return ops.round(self, decimals=decimals)
    def frac(self): return ops.frac(self)
    def log2(self): return ops.log2(self)
    def log10(self): return ops.log10(self)
    def log1p(self): return ops.log1p(self)
    def exp2(self): return ops.exp2(self)
    def expm1(self): return ops.expm1(self)
    def sgn(self): return ops.sgn(self)
    def atan2(self, other): return ops.atan2(self, other)
    arctan2 = atan2
    def hypot(self, other): return ops.hypot(self, other)
    def copysign(self, other): return ops.copysign(self, other)
    def fmod(self, other): return ops.fmod(self, other)
    def remainder(self, other): return ops.remainder(self, other)
    def floor_divide(self, other): return ops.floor_divide(self, other)
    def true_divide(self, other): return ops.true_divide(self, other)
    def divide(self, other, *, rounding_mode=None):
        return ops.div(self, other, rounding_mode=rounding_mode)
    def logaddexp(self, other): return ops.logaddexp(self, other)
    def xlogy(self, other): return ops.xlogy(self, other)
    def fmax(self, other): return ops.fmax(self, other)
    def fmin(self, other): return ops.fmin(self, other)
    def lerp(self, end, weight): return ops.lerp(self, end, weight)
    def addcmul(self, tensor1, tensor2, *, value=1):
        return ops.addcmul(self, tensor1, tensor2, value=value)
    def addcdiv(self, tensor1, tensor2, *, value=1):
        return ops.addcdiv(self, tensor1, tensor2, value=value)
    def clamp_min(self, min): return ops.clamp(self, min=min)
    def clamp_max(self, max): return ops.clamp(self, max=max)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return ops.nan_to_num(self, nan, posinf, neginf)
    def isinf(self): return ops.isinf(self)
    def isfinite(self): return ops.isfinite(self)
    def isposinf(self): return ops.isposinf(self)
    def isneginf(self): return ops.isneginf(self)
    def logical_and(self, other): return ops.logical_and(self, other)
    def logical_or(self, other): return ops.logical_or(self, other)
    def logical_xor(self, other): return ops.logical_xor(self, other)
    def bitwise_and(self, other): return ops.bitwise_and(self, other)
    def bitwise_or(self, other): return ops.bitwise_or(self, other)
    def bitwise_xor(self, other): return ops.bitwise_xor(self, other)
    def bitwise_left_shift(self, other): return ops.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return ops.bitwise_right_shift(self, other)
    def __floordiv__(self, other): return ops.floor_divide(self, other)
    def __rfloordiv__(self, other): return ops.floor_divide(other, self)
    def __mod__(self, other): return ops.remainder(self, other)
    def __rmod__(self, other): return ops.remainder(other, self)
    def __and__(self, other): return ops.bitwise_and(self, other)
    def __rand__(self, other): return ops.bitwise_and(other, self)
    def __or__(self, other): return ops.bitwise_or(self, other)
    def __ror__(self, other): return ops.bitwise_or(other, self)
    def __xor__(self, other): return ops.bitwise_xor(self, other)
    def __rxor__(self, other): return ops.bitwise_xor(other, self)
    def __lshift__(self, other): return ops.bitwise_left_shift(self, other)
    def __rlshift__(self, other): return ops.bitwise_left_shift(other, self)
    def __rshift__(self, other): return ops.bitwise_right_shift(self, other)
    def __rrshift__(self, other): return ops.bitwise_right_shift(other, self)

    # in-place forms: the out-of-place op written back (see _inplace)
    def sin_(self): return self._inplace(ops.sin)
    def cos_(self): return self._inplace(ops.cos)
    def tan_(self): return self._inplace(ops.tan)
    def asin_(self): return self._inplace(ops.asin)
    def acos_(self): return self._inplace(ops.acos)
    def atan_(self): return self._inplace(ops.atan)
    def sinh_(self): return self._inplace(ops.sinh)
    def cosh_(self): return self._inplace(ops.cosh)
    def asinh_(self): return self._inplace(ops.asinh)
    def acosh_(self): return self._inplace(ops.acosh)
    def atanh_(self): return self._inplace(ops.atanh)
    def floor_(self): return self._inplace(ops.floor)
    def ceil_(self): return self._inplace(ops.ceil)
    def trunc_(self): return self._inplace(ops.trunc)
    def round_(self, decimals=0): return self._inplace(lambda s: ops.round(s, decimals=decimals))
    def frac_(self): return self._inplace(ops.frac)
    def log2_(self): return self._inplace(ops.log2)
    def log10_(self): return self._inplace(ops.log10)
    def log1p_(self): return self._inplace(ops.log1p)
    def exp2_(self): return self._inplace(ops.exp2)
    def expm1_(self): return self._inplace(ops.expm1)
    def rsqrt_(self): return self._inplace(lambda s: s.rsqrt())
    def square_(self): return self._inplace(lambda s: s.square())
    def reciprocal_(self): return self._inplace(lambda s: s.reciprocal())
    def sign_(self): return self._inplace(ops.sign)
    def sgn_(self): return self._inplace(ops.sgn)
    def atan2_(self, other): return self._inplace(ops.atan2, other)
    def hypot_(self, other): return self._inplace(ops.hypot, other)
    def copysign_(self, other): return self._inplace(ops.copysign, other)
    def fmod_(self, other): return self._inplace(ops.fmod, other)
    def remainder_(self, other): return self._inplace(ops.remainder, other)
    def floor_divide_(self, other): return self._inplace(ops.floor_divide, other)
    def xlogy_(self, other): return self._inplace(ops.xlogy, other)
    def clamp_min_(self, min): return self._inplace(lambda s, lo: ops.clamp(s, min=lo), min)
    def clamp_max_(self, max): return self._inplace(lambda s, hi: ops.clamp(s, max=hi), max)
    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return self._inplace(lambda s: ops.nan_to_num(s, nan, posinf, neginf))
    def logical_and_(self, other): return self._inplace(ops.logical_and, other)
    def logical_or_(self, other): return self._inplace(ops.logical_or, other)
    def logical_xor_(self, other): return self._inplace(ops.logical_xor, other)
    def logical_not_(self): return self._inplace(ops.logical_not)
    def bitwise_and_(self, other): return self._inplace(ops.bitwise_and, other)
    def bitwise_or_(self, other): return self._inplace(ops.bitwise_or, other)
    def bitwise_xor_(self, other): return self._inplace(ops.bitwise_xor, other)
    def bitwise_not_(self): return self._inplace(ops.bitwise_not)
    def bitwise_left_shift_(self, other): return self._inplace(ops.bitwise_left_shift, other)
    def bitwise_right_shift_(self, other): return self._inplace(ops.bitwise_right_shift, other)
    __ifloordiv__ = floor_divide_
    __imod__ = remainder_
    __iand__ = bitwise_and_
    __ior__ = bitwise_or_
    __ixor__ = bitwise_xor_
    __ilshift__ = bitwise_left_shift_
    __irshift__ = bitwise_right_shift_

    # shape and indexing
    def repeat(self, *sizes): return ops.repeat(self, *sizes)
    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return ops.repeat_interleave(self, repeats, dim, output_size=output_size)
    def tile(self, *dims): return ops.tile(self, _shape_args(dims))
    def flip(self, *dims): return ops.flip(self, *dims)
    def fliplr(self): return ops.fliplr(self)
    def flipud(self): return ops.flipud(self)
    def roll(self, shifts, dims=None): return ops.roll(self, shifts, dims)
    def rot90(self, k=1, dims=(0, 1)): return ops.rot90(self, k, dims)
    def tril(self, diagonal=0): return ops.tril(self, diagonal)
    def triu(self, diagonal=0): return ops.triu(self, diagonal)
    def tril_(self, diagonal=0): return self._inplace(lambda s: ops.tril(s, diagonal))
    def triu_(self, diagonal=0): return self._inplace(lambda s: ops.triu(s, diagonal))
    def diag(self, diagonal=0): return ops.diag(self, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return ops.diagonal(self, offset, dim1, dim2)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return ops.diag_embed(self, offset, dim1, dim2)
    def trace(self): return ops.trace(self)
    def unflatten(self, dim, sizes): return ops.unflatten(self, dim, sizes)
    def unfold(self, dimension, size, step): return ops.unfold(self, dimension, size, step)
    def movedim(self, source, destination): return ops.movedim(self, source, destination)
    moveaxis = movedim
    def swapaxes(self, axis0, axis1): return ops.transpose(self, axis0, axis1)
    swapdims = swapaxes
    def narrow_copy(self, dim, start, length): return ops.narrow_copy(self, dim, start, length)
    def gather(self, dim, index): return ops.gather(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return ops.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return self._inplace(lambda s, i, v: ops.scatter(s, dim, i, v, reduce=reduce), index,
                             value if src is None else src)
    def scatter_add(self, dim, index, src): return ops.scatter_add(self, dim, index, src)
    def scatter_add_(self, dim, index, src):
        return self._inplace(lambda s, i, v: ops.scatter_add(s, dim, i, v), index, src)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return self._inplace(lambda s, i, v: ops.scatter_reduce(s, dim, i, v, reduce,
                                                              include_self=include_self),
                             index, src)
    def index_select(self, dim, index): return ops.index_select(self, dim, index)
    def index_add(self, dim, index, source, *, alpha=1):
        return ops.index_add(self, dim, index, source, alpha=alpha)
    def index_add_(self, dim, index, source, *, alpha=1):
        return self._inplace(lambda s, i, v: ops.index_add(s, dim, i, v, alpha=alpha), index,
                             source)
    def take(self, index): return ops.take(self, index)
    def index_fill(self, dim, index, value): return ops.index_fill(self, dim, index, value)
    def index_fill_(self, dim, index, value):
        return self._inplace(lambda s, i, v: ops.index_fill(s, dim, i, v), index, value)
    def unbind(self, dim=0): return ops.unbind(self, dim)
    def masked_fill(self, mask, value): return ops.masked_fill(self, mask, value)
    def masked_fill_(self, mask, value):
        return self._inplace(lambda s, m, v: ops.masked_fill(s, m, v), mask, value)
    def masked_select(self, mask): return ops.masked_select(self, mask)
    def masked_scatter(self, mask, source): return ops.masked_scatter(self, mask, source)
    def masked_scatter_(self, mask, source):
        return self._inplace(lambda s, m, v: ops.masked_scatter(s, m, v), mask, source)
    def nonzero(self, *, as_tuple=False): return ops.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return ops.argwhere(self)
    def where(self, condition, other): return ops.where(condition, self, other)

    # reductions, scans, sorting
    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return ops.prod(self, dim, keepdim, dtype=dtype)
    def logsumexp(self, dim, keepdim=False): return ops.logsumexp(self, dim, keepdim)
    def cumsum(self, dim, *, dtype=None): return ops.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return ops.cumprod(self, dim, dtype=dtype)
    def cumsum_(self, dim): return self._inplace(lambda s: ops.cumsum(s, dim))
    def cumprod_(self, dim): return self._inplace(lambda s: ops.cumprod(s, dim))
    def cummax(self, dim): return ops.cummax(self, dim)
    def cummin(self, dim): return ops.cummin(self, dim)
    def logcumsumexp(self, dim): return ops.logcumsumexp(self, dim)
    def sort(self, dim=-1, descending=False, *, stable=False):
        return ops.sort(self, dim, descending, stable=stable)
    def argsort(self, dim=-1, descending=False, *, stable=False):
        return ops.argsort(self, dim, descending, stable=stable)
    def msort(self): return ops.msort(self)
    def topk(self, k, dim=-1, largest=True, sorted=True):
        return ops.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return ops.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim=False): return ops.median(self, dim, keepdim)
    def mode(self, dim=-1, keepdim=False): return ops.mode(self, dim, keepdim)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return ops.unique(self, sorted, return_inverse, return_counts, dim)
    def bincount(self, weights=None, minlength=0): return ops.bincount(self, weights, minlength)
    def histc(self, bins=100, min=0, max=0): return ops.histc(self, bins, min, max)
    def count_nonzero(self, dim=None): return ops.count_nonzero(self, dim)
    def aminmax(self, *, dim=None, keepdim=False): return ops.aminmax(self, dim=dim,
                                                                    keepdim=keepdim)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return ops.allclose(self, other, rtol, atol, equal_nan)
    def equal(self, other): return ops.equal(self, other)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return ops.norm(self, p, dim, keepdim, dtype)

    # linear algebra
    def mm(self, mat2): return ops.mm(self, mat2)
    def bmm(self, mat2): return ops.bmm(self, mat2)
    def mv(self, vec): return ops.mv(self, vec)
    def dot(self, other): return ops.dot(self, other)
    def vdot(self, other): return ops.vdot(self, other)
    def outer(self, vec2): return ops.outer(self, vec2)
    ger = outer
    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return ops.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return self._inplace(lambda s, a, b: ops.addmm(s, a, b, beta=beta, alpha=alpha), mat1,
                             mat2)
    def kron(self, other): return ops.kron(self, other)
    def cross(self, other, dim=None): return ops.cross(self, other, dim)
    def inverse(self): return ops.inv(self)
    def det(self): return ops.det(self)
    def logdet(self): return ops.logdet(self)
    def slogdet(self): return ops.slogdet(self)
    # ==== end of the issue-13 block ======================================================


_NOT_METHODS = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"}


def attach_tensor_methods(tensor_class):
    """Copy every method of `TensorMethods` onto `tensor_class` (once, at import)."""
    for name, value in vars(TensorMethods).items():
        if name not in _NOT_METHODS:
            setattr(tensor_class, name, value)


attach_tensor_methods(Tensor)

from .surface_methods import attach_surface_methods  # noqa: E402  (more of torch.Tensor's names)

attach_surface_methods(Tensor)
