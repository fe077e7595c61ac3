"""`Tensor`: an n-dimensional array on a device, with reverse-mode autograd.

A tensor holds a backend array (`_data`), its dtype and device, and for autograd `requires_grad`,
`grad`, and `grad_fn` (the node of the `Function` that made it). Operator methods are one line
each and forward to the differentiable functions in `minigrad.functions`.
"""
import warnings
import weakref
from collections import namedtuple

import numpy as np

from . import dtypes
from ._args import normalize_dim as _normalize_dim
from .autograd.errors import AutogradError
from .errors import (DTypeError, IntegerOverflowError, InvalidArgumentError,
                     ShapeError)
from .autograd.function import AccumulateGrad
from .autograd.grad_mode import is_grad_enabled
from .autograd.hooks import HookDict, add_hook
from .backend import get_backend
from .device import Device


class VersionCounter:
    """Counts in-place writes to a storage; shared by a tensor and the views of it.

    It also holds, weakly, the tensors that take part in a view relation on this storage (each
    view and the tensor it was taken from), so an in-place op under autograd can tell whether
    another live tensor would silently keep a stale graph.
    """

    __slots__ = ("value", "_views", "_prune_at")

    def __init__(self):
        self.value = 0
        self._views = None  # {id(tensor): weakref}, created on the first view
        self._prune_at = 8

    def add_views(self, *tensors):
        if self._views is None:
            self._views = {}
        for t in tensors:
            self._views[id(t)] = weakref.ref(t)
        if len(self._views) > self._prune_at:  # drop dead entries; amortised O(1) per view
            self._views = {k: r for k, r in self._views.items() if r() is not None}
            self._prune_at = max(8, 2 * len(self._views))

    def other_live_view(self, tensor):
        """Whether a live tensor other than `tensor` shares this storage through a view."""
        if self._views is None:
            return False
        return any(r() is not None and r() is not tensor for r in self._views.values())


def _infer_numpy(data):
    """Nested lists / scalars / arrays -> (numpy array, minigrad dtype), PyTorch's inference."""
    if isinstance(data, np.ndarray):
        return data, dtypes.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return np.asarray(data), dtypes.from_numpy_dtype(data.dtype)
    try:
        arr = np.asarray(data)
    except ValueError as err:
        raise ValueError(f"cannot build a tensor from ragged or malformed data: {err}") from None
    if arr.dtype == object:
        if arr.size and all(isinstance(v, int) for v in arr.flat):
            raise IntegerOverflowError(_int64_overflow(arr))
        raise TypeError(f"cannot build a tensor from {type(data).__name__} data: its elements "
                        "must be numbers (ints within int64), in nested lists of equal lengths")
    if arr.dtype.kind == "f":
        return arr, dtypes.default_float  # Python floats become float32, as in PyTorch
    return arr, dtypes.from_numpy_dtype(arr.dtype)


def _int64_overflow(values):
    """The message for integers that int64 cannot hold (PyTorch raises ValueError too)."""
    bad = next(int(v) for v in values.flat if not -2**63 <= int(v) < 2**63)
    return (f"integer {bad} does not fit in int64, minigrad's integer dtype (which holds "
            f"-2**63 to 2**63 - 1); store such values in a floating point tensor (give them as "
            f"floats, or as a numpy float array)")


def _check_fits(arr, dtype):
    """Unsigned data bound for int64 must not wrap around to negative numbers."""
    if dtype is dtypes.int64 and arr.dtype.kind == "u" and arr.itemsize == 8 and arr.size \
            and arr.max() >= 2**63:
        raise IntegerOverflowError(_int64_overflow(arr))


class DeviceMismatchError(RuntimeError):
    """Tensors on different devices met in one op. `module_hint` is set once a module has
    added which of its inputs and parameters are where."""

    module_hint = False


def check_same_device(tensors, op_name):
    """Raise a clear error if `tensors` do not all live on one device."""
    first = tensors[0].device
    for t in tensors[1:]:
        if t.device != first:
            where = ", ".join(f"argument {i} on {x.device}" for i, x in enumerate(tensors))
            raise DeviceMismatchError(f"{op_name}: expected all tensors on the same device, "
                                      f"but got {where}; move them with .to(device) first")


def _check_grad(tensor, grad):
    """Raise unless `grad` can be `tensor`'s gradient: a Tensor of its shape, dtype, device."""
    if not isinstance(grad, Tensor):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                        f"{type(grad).__name__}")
    if grad is tensor:
        raise AutogradError("can't assign a tensor as its own grad")
    if grad._data.shape != tensor._data.shape:
        raise AutogradError(f"attempting to assign a gradient of shape "
                            f"{tuple(grad._data.shape)} to a tensor of shape "
                            f"{tuple(tensor._data.shape)}; they must have the same shape")
    if grad._dtype != tensor._dtype:
        raise AutogradError(f"attempting to assign a gradient of dtype {grad._dtype.name} to a "
                            f"tensor of dtype {tensor._dtype.name}; they must have the same "
                            "dtype")
    if grad._device != tensor._device:
        raise AutogradError(f"attempting to assign a gradient on {grad._device} to a tensor on "
                            f"{tensor._device}; they must be on the same device")


class Tensor:
    """`Tensor(data, dtype=None, device="cpu", requires_grad=False)`, same as `tensor(...)`."""

    __slots__ = ("_data", "_dtype", "_device", "_backend", "requires_grad", "_grad", "_grad_fn",
                 "_output_nr", "_version", "_leaf_node", "_backward_hooks",
                 "_post_accumulate_grad_hooks", "_retains_grad", "__weakref__")

    __array_priority__ = 1000  # numpy scalars defer to Tensor's reflected operators

    def __init__(self, data, dtype=None, device="cpu", requires_grad=False):
        if isinstance(data, Tensor):
            data = data._backend.to_numpy(data._data)
        arr, inferred = _infer_numpy(data)
        dtype = inferred if dtype is None else dtypes.as_dtype(dtype)
        _check_fits(arr, dtype)
        device = Device(device)
        backend = get_backend(device)
        self._init(backend.from_numpy(arr, dtype.numpy), dtype, device, backend)
        if requires_grad:
            self.requires_grad_(True)

    def _init(self, data, dtype, device, backend, version=None):
        if isinstance(data, np.generic):
            # numpy reductions and ufuncs on 0-d arrays give scalars, which in-place ops cannot
            # write into: every tensor holds a real array
            data = np.asarray(data)
        self._data = data
        self._dtype = dtype
        self._device = device
        self._backend = backend
        self.requires_grad = False
        self._grad = None
        self._grad_fn = None
        self._output_nr = 0
        self._version = VersionCounter() if version is None else version
        self._leaf_node = None
        self._backward_hooks = None  # a leaf's Tensor.register_hook hooks (a HookDict)
        self._post_accumulate_grad_hooks = None
        self._retains_grad = False

    # ---- internal construction -------------------------------------------------------------
    @classmethod
    def _wrap(cls, data, device, backend, version=None):
        """A tensor around a backend array (no copy). `version` shares a view's counter."""
        t = cls.__new__(cls)
        t._init(data, dtypes.from_numpy_dtype(data.dtype), device, backend, version)
        return t

    def _new(self, data):
        """A result tensor on this tensor's device."""
        return Tensor._wrap(data, self._device, self._backend)

    def _new_view(self, data):
        """A result that may share this tensor's storage: it shares the version counter."""
        view = Tensor._wrap(data, self._device, self._backend, self._version)
        self._version.add_views(self, view)
        return view

    def _alias(self):
        """A new tensor object for the same storage, grad_fn and version counter."""
        t = Tensor._wrap(self._data, self._device, self._backend, self._version)
        t.requires_grad, t._grad_fn, t._output_nr = self.requires_grad, self._grad_fn, \
            self._output_nr
        t._leaf_node = self._accumulator() if self._grad_fn is None and self.requires_grad \
            else None
        return t

    @classmethod
    def _from_node(cls, data, version, node, output_nr, requires_grad):
        t = cls.__new__(cls)
        t._init(data, dtypes.from_numpy_dtype(data.dtype), node.output_meta[output_nr][2],
                get_backend(node.output_meta[output_nr][2]), version)
        t.requires_grad, t._grad_fn, t._output_nr = requires_grad, node, output_nr
        return t

    def _accumulator(self):
        if self._leaf_node is None:
            self._leaf_node = AccumulateGrad(self)
        return self._leaf_node

    # ---- properties --------------------------------------------------------------------
    @property
    def data(self):
        """This tensor's values without autograd history, sharing storage (writes through it
        are seen by this tensor). As in PyTorch, writes through `.data` are not counted as
        in-place changes of this tensor: they bypass autograd's checks (prefer no_grad())."""
        return Tensor._wrap(self._data, self._device, self._backend)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"expected a Tensor for .data, got {type(value).__name__}")
        if self.requires_grad and not value._dtype.is_floating_point:
            raise AutogradError(f"data set to a tensor that requires gradients must be floating "
                                f"point, got {value._dtype.name}")
        self._data, self._dtype = value._data, value._dtype
        self._device, self._backend = value._device, value._backend
        # the leaf's graph node recorded the old shape/dtype/device: later graphs need a new one
        self._leaf_node = None

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def shape(self):
        return Size(self._data.shape)

    @property
    def ndim(self):
        return len(self._data.shape)

    def dim(self):
        return self.ndim

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self._data.shape[_normalize_dim(dim, self.ndim)]

    def numel(self):
        return int(np.prod(self._data.shape, dtype=np.int64))

    nelement = numel
    ndimension = dim

    def element_size(self):
        """Bytes per element."""
        return self._dtype.itemsize

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        """Bytes the elements take (numel * itemsize)."""
        return self.numel() * self._dtype.itemsize

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_mps(self):
        return self._device.type == "mps"

    @property
    def is_xpu(self):
        return self._device.type == "xpu"

    def is_floating_point(self):
        return self._dtype.is_floating_point

    @property
    def _version_value(self):
        return self._version.value

    def requires_grad_(self, requires_grad=True):
        if requires_grad and not self._dtype.is_floating_point:
            raise DTypeError(f"only floating point tensors can require gradients, but this tensor "
                             f"has dtype {self._dtype}; convert it with .float() or .double()")
        if not self.is_leaf:
            if not requires_grad:
                raise AutogradError("requires_grad can only be turned off on a leaf tensor; "
                                    "use .detach() to get a tensor without history")
            return self
        self.requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        """The gradient accumulated by backward(): filled for leaves that require grad, and for
        non-leaf tensors only after `retain_grad()` (reading it otherwise warns, as in
        PyTorch)."""
        if self._grad is None and self._grad_fn is not None and not self._retains_grad:
            warnings.warn("the .grad of a tensor that is not a leaf is being read: backward() "
                          "does not fill it. Call .retain_grad() on this tensor before "
                          "backward() to keep its gradient, or read the .grad of the leaf "
                          "tensor you meant.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        """Assigning a gradient checks that it is a Tensor with this tensor's shape, dtype and
        device, as PyTorch does: optimizers read and write both element by element."""
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        """Whether this non-leaf tensor keeps its gradient in `.grad` (see `retain_grad`)."""
        return self._retains_grad and self._grad_fn is not None

    def retain_grad(self):
        """Make backward() fill this non-leaf tensor's `.grad` (accumulating, as for leaves).
        A no-op on leaves, which always keep theirs."""
        if not self.requires_grad:
            raise AutogradError("can't retain_grad on a tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._grad_fn._retain_output_grad(self._output_nr, self)
        self._retains_grad = True

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

    # ---- conversion --------------------------------------------------------------------
    def numpy(self):
        """A host copy of the values as a numpy array."""
        return self._backend.to_numpy(self._data)

    def item(self):
        if self.numel() != 1:
            raise InvalidArgumentError(f"item() needs a tensor with one element, got shape "
                                       f"{tuple(self.shape)}")
        return self.numpy().reshape(()).item()

    def tolist(self):
        return self.numpy().tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise InvalidArgumentError(f"the truth value of a tensor with {self.numel()} "
                                       "elements is ambiguous; use .any() or .all()")
        return bool(self.item())

    def __index__(self):
        if self._dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def detach(self):
        """The same storage without autograd history (in-place changes are seen by both)."""
        return Tensor._wrap(self._data, self._device, self._backend, self._version)

    def detach_(self):
        self._grad_fn, self.requires_grad = None, False
        return self

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
        return F.to(self, device=device, dtype=dtype, copy=copy)

    def float(self):
        return self.to(dtype=dtypes.float32)

    def double(self):
        return self.to(dtype=dtypes.float64)

    def long(self):
        return self.to(dtype=dtypes.int64)

    def bool(self):
        return self.to(dtype=dtypes.bool_)

    def cpu(self):
        return self.to(device="cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to(device="cuda" if device is None else Device(
            device if isinstance(device, (str, Device)) else f"cuda:{device}"))

    def clone(self):
        return F.clone(self)

    def contiguous(self):
        return F.contiguous(self)

    def is_contiguous(self):
        """True if the elements lie in memory in row-major order without gaps."""
        return bool(self._backend.is_contiguous(self._data))

    def type_as(self, other):
        return self.to(dtype=other.dtype)

    def type(self, dtype=None, non_blocking=False):
        """Without an argument, the legacy type name ("minigrad.FloatTensor",
        "minigrad.cuda.LongTensor", ...); with a dtype, a legacy type (`minigrad.DoubleTensor`)
        or such a name, this tensor converted to it (itself if it already is)."""
        if dtype is None:
            prefix = "minigrad." if self._device.type == "cpu" else f"minigrad.{self._device.type}."
            return prefix + LEGACY_TYPE_NAMES[self._dtype]
        if isinstance(dtype, str):
            dtype = _legacy_type_from_name(dtype)
        if hasattr(dtype, "device_type") and hasattr(dtype, "dtype"):  # a legacy tensor type
            device = self._device if self._device.type == dtype.device_type else \
                dtype.device_type
            return self.to(device=device, dtype=dtype.dtype)
        return self.to(dtype=dtype)

    def __format__(self, spec):
        """format(t, ".4f") formats a 0-d tensor's value; other tensors take no spec."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__ (only 0-d "
                            f"tensors take one; this tensor has shape {tuple(self.shape)})")
        return str(self)

    def __reduce__(self):
        """Pickling (DataLoader workers send batches this way): values, dtype, device,
        requires_grad and the class (a Parameter stays one); not the grad or the history, and a
        non-leaf that requires grad is refused, as in PyTorch."""
        if self.requires_grad and not self.is_leaf:
            raise AutogradError("can't pickle a non-leaf tensor that requires grad; detach() "
                                "it first")
        return (_unpickle_tensor, (type(self), self.numpy(), self._dtype.name,
                                   str(self._device), self.requires_grad))

    def __deepcopy__(self, memo):
        """A leaf copy with its own storage (and grad); keeps the class, so Parameters stay
        Parameters. Only leaves can be deep-copied, as in PyTorch."""
        if not self.is_leaf:
            raise AutogradError("only leaf tensors (created by the user, not by an op) support "
                                "deepcopy; detach() or clone() it first")
        copied = type(self).__new__(type(self))
        copied._init(self._backend.copy(self._data), self._dtype, self._device, self._backend)
        copied.requires_grad = self.requires_grad
        memo[id(self)] = copied
        if self.grad is not None:
            import copy
            copied.grad = copy.deepcopy(self.grad, memo)
        return copied

    # ---- autograd ------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf this tensor depends on."""
        from .autograd.api import backward
        backward(self, None if gradient is None else (gradient,), retain_graph, create_graph)

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
                result = F.where(F.full_like(old, True, dtype=dtypes.bool_), result, old)
            elif result.is_leaf:
                result = F.clone(result)  # copy_(leaf): the history must lead to that leaf
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
        return self._inplace(lambda s, o: F.div(s, o, rounding_mode=rounding_mode), other)

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

    def neg_(self): return self._inplace(F.neg)
    def abs_(self): return self._inplace(F.abs)
    def exp_(self): return self._inplace(F.exp)
    def log_(self): return self._inplace(F.log)
    def sqrt_(self): return self._inplace(F.sqrt)
    def tanh_(self): return self._inplace(F.tanh)
    def sigmoid_(self): return self._inplace(F.sigmoid)
    def relu_(self): return self._inplace(F.relu)

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
        return self._inplace(lambda s: F.full_like(s, value))

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
        index = F.index_put_indices(self, indices, values)
        return self._inplace(lambda s, v: F.index_put(s, index, v, accumulate), values)

    def index_put(self, indices, values, accumulate=False):
        index = F.index_put_indices(self, indices, values)
        return F.index_put(self, index, values, accumulate)

    def __setitem__(self, index, value):
        if is_grad_enabled() and (self.requires_grad or getattr(value, "requires_grad", False)):
            self._inplace(lambda s, v: F.index_put(s, index, v), value)
        else:
            F.setitem_(self, index, value)
            self._version.value += 1

    # ---- operators (one line each; the ops live in minigrad.functions) ------------------------
    def __add__(self, other): return F.add(self, other)
    def __radd__(self, other): return F.add(other, self)
    def __sub__(self, other): return F.sub(self, other)
    def __rsub__(self, other): return F.sub(other, self)
    def __mul__(self, other): return F.mul(self, other)
    def __rmul__(self, other): return F.mul(other, self)
    def __truediv__(self, other): return F.div(self, other)
    def __rtruediv__(self, other): return F.div(other, self)
    def __pow__(self, other): return F.pow(self, other)
    def __rpow__(self, other): return F.pow(other, self)
    def __matmul__(self, other): return F.matmul(self, other)
    def __rmatmul__(self, other): return F.matmul(other, self)
    def __neg__(self): return F.neg(self)
    def __pos__(self): return self
    def __abs__(self): return F.abs(self)
    def __eq__(self, other): return F.eq(self, other) if _comparable(other) else False
    def __ne__(self, other): return F.ne(self, other) if _comparable(other) else True
    def __lt__(self, other): return F.lt(self, other)
    def __le__(self, other): return F.le(self, other)
    def __gt__(self, other): return F.gt(self, other)
    def __ge__(self, other): return F.ge(self, other)
    def __invert__(self): return F.bitwise_not(self)
    def __getitem__(self, index): return F.getitem(self, index)
    __hash__ = object.__hash__

    def add(self, other, alpha=1): return F.add(self, other if alpha == 1 else other * alpha)
    def sub(self, other, alpha=1): return F.sub(self, other if alpha == 1 else other * alpha)
    def mul(self, other): return F.mul(self, other)
    def div(self, other, *, rounding_mode=None):
        return F.div(self, other, rounding_mode=rounding_mode)
    def pow(self, exponent): return F.pow(self, exponent)
    def matmul(self, other): return F.matmul(self, other)
    def neg(self): return F.neg(self)
    def exp(self): return F.exp(self)
    def log(self): return F.log(self)
    def sqrt(self): return F.sqrt(self)
    def rsqrt(self): return F.sqrt(self).reciprocal()
    def reciprocal(self): return F.div(1.0, self)
    def square(self): return F.mul(self, self)
    def abs(self): return F.abs(self)
    def sign(self): return F.sign(self)
    def tanh(self): return F.tanh(self)
    def sigmoid(self): return F.sigmoid(self)
    def relu(self): return F.relu(self)
    def clamp(self, min=None, max=None): return F.clamp(self, min, max)
    clip = clamp
    def maximum(self, other): return F.maximum(self, other)
    def minimum(self, other): return F.minimum(self, other)
    def eq(self, other): return F.eq(self, other)
    def ne(self, other): return F.ne(self, other)
    def lt(self, other): return F.lt(self, other)
    def le(self, other): return F.le(self, other)
    def gt(self, other): return F.gt(self, other)
    def ge(self, other): return F.ge(self, other)
    def logical_not(self): return F.logical_not(self)
    def bitwise_not(self): return F.bitwise_not(self)
    def isnan(self): return F.isnan(self)

    def sum(self, dim=None, keepdim=False, dtype=None):
        return F.sum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim=None, keepdim=False): return F.mean(self, dim, keepdim)
    def max(self, dim=None, keepdim=False): return F.max(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return F.min(self, dim, keepdim)
    def amax(self, dim=(), keepdim=False): return F.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return F.amin(self, dim, keepdim)
    def argmax(self, dim=None, keepdim=False): return F.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return F.argmin(self, dim, keepdim)
    def all(self, dim=None, keepdim=False): return F.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return F.any(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return F.var(self, dim, unbiased=unbiased, keepdim=keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return F.std(self, dim, unbiased=unbiased, keepdim=keepdim, correction=correction)

    def reshape(self, *shape): return F.reshape(self, _shape_args(shape))
    def view(self, *shape): return F.view(self, _shape_args(shape))
    def view_as(self, other): return F.view(self, other.shape)
    def reshape_as(self, other): return F.reshape(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return F.flatten(self, start_dim, end_dim)
    def transpose(self, dim0, dim1): return F.transpose(self, dim0, dim1)
    def permute(self, *dims): return F.permute(self, _shape_args(dims))
    def t(self): return F.t(self)
    @property
    def T(self): return F.permute(self, tuple(range(self.ndim))[::-1])
    @property
    def mT(self): return F.transpose(self, -2, -1)
    def squeeze(self, dim=None): return F.squeeze(self, dim)
    def unsqueeze(self, dim): return F.unsqueeze(self, dim)
    def expand(self, *sizes): return F.expand(self, _shape_args(sizes))
    def expand_as(self, other): return F.expand(self, other.shape)
    def narrow(self, dim, start, length): return F.narrow(self, dim, start, length)
    def split(self, split_size, dim=0): return F.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return F.chunk(self, chunks, dim)

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

    def unsqueeze_(self, dim): return self._inplace_view(lambda s: F.unsqueeze(s, dim))
    def squeeze_(self, dim=None): return self._inplace_view(lambda s: F.squeeze(s, dim))
    def t_(self): return self._inplace_view(F.t)
    def transpose_(self, dim0, dim1):
        return self._inplace_view(lambda s: F.transpose(s, dim0, dim1))
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
            resized = F.cat([flat, creation.zeros(count - flat.numel(), dtype=self._dtype,
                                                  device=self._device)]).reshape(shape)
        self._data = resized._data
        self._version.value += 1
        self._leaf_node = None
        return self

    def resize_as_(self, other):
        return self.resize_(tuple(other.shape))

    # ---- layers family: activation and special-function methods -----------------------------
    def softmax(self, dim, dtype=None): return F.softmax(self, dim, dtype=dtype)
    def log_softmax(self, dim, dtype=None): return F.log_softmax(self, dim, dtype=dtype)
    def prelu(self, weight): return F.prelu(self, weight)
    def hardshrink(self, lambd=0.5): return F.hardshrink(self, lambd)
    def erf(self): return F.erf(self)
    def erfc(self): return F.erfc(self)
    def erfinv(self): return F.erfinv(self)
    def erf_(self): return self._inplace(F.erf)
    def erfc_(self): return self._inplace(F.erfc)
    def erfinv_(self): return self._inplace(F.erfinv)
    # ---- end of layers family block -------------------------------------------------------

    # ==== PyTorch operator breadth (issue 13): math, bitwise, shape and indexing, ... ====
    # One block, so that the methods of these families stay together; each forwards to F.
    def sin(self): return F.sin(self)
    def cos(self): return F.cos(self)
    def tan(self): return F.tan(self)
    def asin(self): return F.asin(self)
    def acos(self): return F.acos(self)
    def atan(self): return F.atan(self)
    def sinh(self): return F.sinh(self)
    def cosh(self): return F.cosh(self)
    def asinh(self): return F.asinh(self)
    def acosh(self): return F.acosh(self)
    def atanh(self): return F.atanh(self)
    def floor(self): return F.floor(self)
    def ceil(self): return F.ceil(self)
    def trunc(self): return F.trunc(self)
    fix = trunc
    def round(self, decimals=0): return F.round(self, decimals=decimals)
    def frac(self): return F.frac(self)
    def log2(self): return F.log2(self)
    def log10(self): return F.log10(self)
    def log1p(self): return F.log1p(self)
    def exp2(self): return F.exp2(self)
    def expm1(self): return F.expm1(self)
    def sgn(self): return F.sgn(self)
    def atan2(self, other): return F.atan2(self, other)
    arctan2 = atan2
    def hypot(self, other): return F.hypot(self, other)
    def copysign(self, other): return F.copysign(self, other)
    def fmod(self, other): return F.fmod(self, other)
    def remainder(self, other): return F.remainder(self, other)
    def floor_divide(self, other): return F.floor_divide(self, other)
    def true_divide(self, other): return F.true_divide(self, other)
    def divide(self, other, *, rounding_mode=None):
        return F.div(self, other, rounding_mode=rounding_mode)
    def logaddexp(self, other): return F.logaddexp(self, other)
    def xlogy(self, other): return F.xlogy(self, other)
    def fmax(self, other): return F.fmax(self, other)
    def fmin(self, other): return F.fmin(self, other)
    def lerp(self, end, weight): return F.lerp(self, end, weight)
    def addcmul(self, tensor1, tensor2, *, value=1):
        return F.addcmul(self, tensor1, tensor2, value=value)
    def addcdiv(self, tensor1, tensor2, *, value=1):
        return F.addcdiv(self, tensor1, tensor2, value=value)
    def clamp_min(self, min): return F.clamp(self, min=min)
    def clamp_max(self, max): return F.clamp(self, max=max)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return F.nan_to_num(self, nan, posinf, neginf)
    def isinf(self): return F.isinf(self)
    def isfinite(self): return F.isfinite(self)
    def isposinf(self): return F.isposinf(self)
    def isneginf(self): return F.isneginf(self)
    def logical_and(self, other): return F.logical_and(self, other)
    def logical_or(self, other): return F.logical_or(self, other)
    def logical_xor(self, other): return F.logical_xor(self, other)
    def bitwise_and(self, other): return F.bitwise_and(self, other)
    def bitwise_or(self, other): return F.bitwise_or(self, other)
    def bitwise_xor(self, other): return F.bitwise_xor(self, other)
    def bitwise_left_shift(self, other): return F.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return F.bitwise_right_shift(self, other)
    def __floordiv__(self, other): return F.floor_divide(self, other)
    def __rfloordiv__(self, other): return F.floor_divide(other, self)
    def __mod__(self, other): return F.remainder(self, other)
    def __rmod__(self, other): return F.remainder(other, self)
    def __and__(self, other): return F.bitwise_and(self, other)
    def __rand__(self, other): return F.bitwise_and(other, self)
    def __or__(self, other): return F.bitwise_or(self, other)
    def __ror__(self, other): return F.bitwise_or(other, self)
    def __xor__(self, other): return F.bitwise_xor(self, other)
    def __rxor__(self, other): return F.bitwise_xor(other, self)
    def __lshift__(self, other): return F.bitwise_left_shift(self, other)
    def __rlshift__(self, other): return F.bitwise_left_shift(other, self)
    def __rshift__(self, other): return F.bitwise_right_shift(self, other)
    def __rrshift__(self, other): return F.bitwise_right_shift(other, self)

    # in-place forms: the out-of-place op written back (see _inplace)
    def sin_(self): return self._inplace(F.sin)
    def cos_(self): return self._inplace(F.cos)
    def tan_(self): return self._inplace(F.tan)
    def asin_(self): return self._inplace(F.asin)
    def acos_(self): return self._inplace(F.acos)
    def atan_(self): return self._inplace(F.atan)
    def sinh_(self): return self._inplace(F.sinh)
    def cosh_(self): return self._inplace(F.cosh)
    def asinh_(self): return self._inplace(F.asinh)
    def acosh_(self): return self._inplace(F.acosh)
    def atanh_(self): return self._inplace(F.atanh)
    def floor_(self): return self._inplace(F.floor)
    def ceil_(self): return self._inplace(F.ceil)
    def trunc_(self): return self._inplace(F.trunc)
    def round_(self, decimals=0): return self._inplace(lambda s: F.round(s, decimals=decimals))
    def frac_(self): return self._inplace(F.frac)
    def log2_(self): return self._inplace(F.log2)
    def log10_(self): return self._inplace(F.log10)
    def log1p_(self): return self._inplace(F.log1p)
    def exp2_(self): return self._inplace(F.exp2)
    def expm1_(self): return self._inplace(F.expm1)
    def rsqrt_(self): return self._inplace(lambda s: s.rsqrt())
    def square_(self): return self._inplace(lambda s: s.square())
    def reciprocal_(self): return self._inplace(lambda s: s.reciprocal())
    def sign_(self): return self._inplace(F.sign)
    def sgn_(self): return self._inplace(F.sgn)
    def atan2_(self, other): return self._inplace(F.atan2, other)
    def hypot_(self, other): return self._inplace(F.hypot, other)
    def copysign_(self, other): return self._inplace(F.copysign, other)
    def fmod_(self, other): return self._inplace(F.fmod, other)
    def remainder_(self, other): return self._inplace(F.remainder, other)
    def floor_divide_(self, other): return self._inplace(F.floor_divide, other)
    def xlogy_(self, other): return self._inplace(F.xlogy, other)
    def clamp_min_(self, min): return self._inplace(lambda s, lo: F.clamp(s, min=lo), min)
    def clamp_max_(self, max): return self._inplace(lambda s, hi: F.clamp(s, max=hi), max)
    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return self._inplace(lambda s: F.nan_to_num(s, nan, posinf, neginf))
    def logical_and_(self, other): return self._inplace(F.logical_and, other)
    def logical_or_(self, other): return self._inplace(F.logical_or, other)
    def logical_xor_(self, other): return self._inplace(F.logical_xor, other)
    def logical_not_(self): return self._inplace(F.logical_not)
    def bitwise_and_(self, other): return self._inplace(F.bitwise_and, other)
    def bitwise_or_(self, other): return self._inplace(F.bitwise_or, other)
    def bitwise_xor_(self, other): return self._inplace(F.bitwise_xor, other)
    def bitwise_not_(self): return self._inplace(F.bitwise_not)
    def bitwise_left_shift_(self, other): return self._inplace(F.bitwise_left_shift, other)
    def bitwise_right_shift_(self, other): return self._inplace(F.bitwise_right_shift, other)
    __ifloordiv__ = floor_divide_
    __imod__ = remainder_
    __iand__ = bitwise_and_
    __ior__ = bitwise_or_
    __ixor__ = bitwise_xor_
    __ilshift__ = bitwise_left_shift_
    __irshift__ = bitwise_right_shift_

    # shape and indexing
    def repeat(self, *sizes): return F.repeat(self, *sizes)
    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return F.repeat_interleave(self, repeats, dim, output_size=output_size)
    def tile(self, *dims): return F.tile(self, _shape_args(dims))
    def flip(self, *dims): return F.flip(self, *dims)
    def fliplr(self): return F.fliplr(self)
    def flipud(self): return F.flipud(self)
    def roll(self, shifts, dims=None): return F.roll(self, shifts, dims)
    def rot90(self, k=1, dims=(0, 1)): return F.rot90(self, k, dims)
    def tril(self, diagonal=0): return F.tril(self, diagonal)
    def triu(self, diagonal=0): return F.triu(self, diagonal)
    def tril_(self, diagonal=0): return self._inplace(lambda s: F.tril(s, diagonal))
    def triu_(self, diagonal=0): return self._inplace(lambda s: F.triu(s, diagonal))
    def diag(self, diagonal=0): return F.diag(self, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return F.diagonal(self, offset, dim1, dim2)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return F.diag_embed(self, offset, dim1, dim2)
    def trace(self): return F.trace(self)
    def unflatten(self, dim, sizes): return F.unflatten(self, dim, sizes)
    def unfold(self, dimension, size, step): return F.unfold(self, dimension, size, step)
    def movedim(self, source, destination): return F.movedim(self, source, destination)
    moveaxis = movedim
    def swapaxes(self, axis0, axis1): return F.transpose(self, axis0, axis1)
    swapdims = swapaxes
    def narrow_copy(self, dim, start, length): return F.narrow_copy(self, dim, start, length)
    def gather(self, dim, index): return F.gather(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return F.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return self._inplace(lambda s, i, v: F.scatter(s, dim, i, v, reduce=reduce), index,
                             value if src is None else src)
    def scatter_add(self, dim, index, src): return F.scatter_add(self, dim, index, src)
    def scatter_add_(self, dim, index, src):
        return self._inplace(lambda s, i, v: F.scatter_add(s, dim, i, v), index, src)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return F.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return self._inplace(lambda s, i, v: F.scatter_reduce(s, dim, i, v, reduce,
                                                              include_self=include_self),
                             index, src)
    def index_select(self, dim, index): return F.index_select(self, dim, index)
    def index_add(self, dim, index, source, *, alpha=1):
        return F.index_add(self, dim, index, source, alpha=alpha)
    def index_add_(self, dim, index, source, *, alpha=1):
        return self._inplace(lambda s, i, v: F.index_add(s, dim, i, v, alpha=alpha), index,
                             source)
    def take(self, index): return F.take(self, index)
    def masked_fill(self, mask, value): return F.masked_fill(self, mask, value)
    def masked_fill_(self, mask, value):
        return self._inplace(lambda s, m, v: F.masked_fill(s, m, v), mask, value)
    def masked_select(self, mask): return F.masked_select(self, mask)
    def masked_scatter(self, mask, source): return F.masked_scatter(self, mask, source)
    def masked_scatter_(self, mask, source):
        return self._inplace(lambda s, m, v: F.masked_scatter(s, m, v), mask, source)
    def nonzero(self, *, as_tuple=False): return F.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return F.argwhere(self)
    def where(self, condition, other): return F.where(condition, self, other)

    # reductions, scans, sorting
    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return F.prod(self, dim, keepdim, dtype=dtype)
    def logsumexp(self, dim, keepdim=False): return F.logsumexp(self, dim, keepdim)
    def cumsum(self, dim, *, dtype=None): return F.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return F.cumprod(self, dim, dtype=dtype)
    def cumsum_(self, dim): return self._inplace(lambda s: F.cumsum(s, dim))
    def cumprod_(self, dim): return self._inplace(lambda s: F.cumprod(s, dim))
    def cummax(self, dim): return F.cummax(self, dim)
    def cummin(self, dim): return F.cummin(self, dim)
    def logcumsumexp(self, dim): return F.logcumsumexp(self, dim)
    def sort(self, dim=-1, descending=False, *, stable=False):
        return F.sort(self, dim, descending, stable=stable)
    def argsort(self, dim=-1, descending=False, *, stable=False):
        return F.argsort(self, dim, descending, stable=stable)
    def msort(self): return F.msort(self)
    def topk(self, k, dim=-1, largest=True, sorted=True):
        return F.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return F.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim=False): return F.median(self, dim, keepdim)
    def mode(self, dim=-1, keepdim=False): return F.mode(self, dim, keepdim)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return F.unique(self, sorted, return_inverse, return_counts, dim)
    def bincount(self, weights=None, minlength=0): return F.bincount(self, weights, minlength)
    def histc(self, bins=100, min=0, max=0): return F.histc(self, bins, min, max)
    def count_nonzero(self, dim=None): return F.count_nonzero(self, dim)
    def aminmax(self, *, dim=None, keepdim=False): return F.aminmax(self, dim=dim,
                                                                    keepdim=keepdim)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.allclose(self, other, rtol, atol, equal_nan)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return F.norm(self, p, dim, keepdim, dtype)

    # linear algebra
    def mm(self, mat2): return F.mm(self, mat2)
    def bmm(self, mat2): return F.bmm(self, mat2)
    def mv(self, vec): return F.mv(self, vec)
    def dot(self, other): return F.dot(self, other)
    def vdot(self, other): return F.vdot(self, other)
    def outer(self, vec2): return F.outer(self, vec2)
    ger = outer
    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return F.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return F.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return F.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return self._inplace(lambda s, a, b: F.addmm(s, a, b, beta=beta, alpha=alpha), mat1,
                             mat2)
    def kron(self, other): return F.kron(self, other)
    def cross(self, other, dim=None): return F.cross(self, other, dim)
    def inverse(self): return F.inv(self)
    def det(self): return F.det(self)
    def logdet(self): return F.logdet(self)
    def slogdet(self): return F.slogdet(self)
    # ==== end of the issue-13 block ======================================================

    def __repr__(self):
        return format_tensor(self)


_LegacyTypeSpec = namedtuple("_LegacyTypeSpec", "dtype device_type")
LEGACY_TYPE_NAMES = {dtypes.float32: "FloatTensor", dtypes.float64: "DoubleTensor",
                     dtypes.int64: "LongTensor", dtypes.bool_: "BoolTensor"}


def _legacy_type_from_name(name):
    """The `_LegacyTypeSpec` a legacy type name such as "minigrad.cuda.FloatTensor" means."""
    module, _, type_name = name.rpartition(".")
    by_name = {v: k for k, v in LEGACY_TYPE_NAMES.items()}
    if module not in ("minigrad", "minigrad.cuda") or type_name not in by_name:
        known = ", ".join(f"minigrad.{n}" for n in by_name)
        raise ValueError(f"invalid type: {name!r}; expected a legacy type name such as {known} "
                         "(or minigrad.cuda.<Name>)")
    device_type = "cpu" if module == "minigrad" else "cuda"
    return _LegacyTypeSpec(by_name[type_name], device_type)


def _unpickle_tensor(cls, array, dtype_name, device, requires_grad):
    """The tensor `Tensor.__reduce__` describes."""
    dtype, device = dtypes.from_name(dtype_name), Device(device)
    backend = get_backend(device)
    t = cls.__new__(cls)
    t._init(backend.from_numpy(array, dtype.numpy), dtype, device, backend)
    t.requires_grad = bool(requires_grad)
    return t


class Size(tuple):
    """A tensor's shape: a tuple of ints (PyTorch's `torch.Size`)."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


def _comparable(other):
    """Whether `tensor == other` compares elementwise (else it is False, as in PyTorch)."""
    return isinstance(other, (Tensor, bool, int, float, np.number, np.bool_))


def _shape_args(args):
    """Accept both `f(2, 3)` and `f((2, 3))` for shape-like arguments."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(args[0])
    return tuple(args)


def _float_format(arr):
    """array2string options for float values, following PyTorch's choices: integral values
    print as `1.`, values spanning a wide range in scientific notation, others with 4 decimals."""
    finite = np.abs(arr[np.isfinite(arr)])
    if finite.size == 0 or (np.all(finite == np.round(finite)) and finite.max() < 1e8):
        return {"floatmode": "unique", "suppress_small": True}
    nonzero = finite[finite != 0]
    if nonzero.max() >= 1e8 or nonzero.min() < 1e-4 or nonzero.max() / nonzero.min() > 1e3:
        return {"formatter": {"float_kind": lambda v: f"{v:.4e}"}}
    return {"floatmode": "fixed", "precision": 4, "suppress_small": True}


def format_tensor(t):
    """PyTorch-like repr: values, then dtype/device/grad markers that are not the default."""
    arr = t.numpy()
    options = {}
    if t.dtype.is_floating_point and arr.size:
        # float64 for display: numpy switches float32 to scientific notation from 1e6 on
        arr = arr.astype(np.float64)
        options = _float_format(arr)
    if t.dtype is dtypes.bool_ and (arr.all() or not arr.any()):
        options = {"formatter": {"bool": str}}  # no padding to the width of "False"
    body = np.array2string(arr, separator=", ", prefix="tensor(", threshold=1000, edgeitems=3,
                           **options)
    extras = []
    if arr.size == 0 and arr.ndim > 1:
        extras.append(f"size={tuple(arr.shape)}")
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    # float32, int64 and bool are what `tensor(data)` infers, so only an empty int64 or bool
    # tensor (which could be any of them) names its dtype.
    inferred = (dtypes.default_float,) if arr.size == 0 else \
        (dtypes.default_float, dtypes.int64, dtypes.bool_)
    if t.dtype not in inferred:
        extras.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"


from . import functions as F  # noqa: E402  (functions import Tensor; bind after the class)
from . import creation  # noqa: E402  (the factories build Tensors; bind after the class)
