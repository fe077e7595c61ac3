"""`Tensor`: an n-dimensional array on a device, with reverse-mode autograd.

A tensor holds a backend array (`_data`), its dtype and device, and for autograd `requires_grad`,
`grad`, and `grad_fn` (the node of the `Function` that made it). This module is the bottom of
the tensor stack: it imports no autograd and no op. The methods that run an op or the autograd
engine (operators, `sum`, `to`, `backward`, `register_hook`, in-place ops, ...) are written in
`minigrad/tensor_methods.py`, above `functions/`, and attached to the class when `minigrad` is
imported.
"""
import copy
import math
import warnings
import weakref
from collections import namedtuple

import numpy as np

from . import dtypes
from ._args import normalize_dim as _normalize_dim
from .errors import AutogradError, DTypeError, IntegerOverflowError, InvalidArgumentError
from .backend import get_backend
from .backend.reduced import ReducedBackend, backend_for, bfloat16_values
from .device import Device
from .printing import format_tensor


_new_object = object.__new__
_of_storage = dtypes.of_storage


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


def _legacy_constructor_data(args):
    """(data, dtype) for `Tensor(*args)` without a dtype, PyTorch's `torch.Tensor(...)` rules:
    sizes give a zero-filled tensor, data is converted to the default float dtype, a tensor
    keeps its dtype."""
    float_dtype = dtypes.default_float
    if not args:
        return np.empty(0, float_dtype.numpy), float_dtype
    if len(args) == 1 and isinstance(args[0], Size):
        args = tuple(args[0])
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))
           for a in args):
        if any(a < 0 for a in args):
            raise ValueError(f"Tensor(): negative dimension in sizes {tuple(args)}")
        return np.zeros(tuple(int(a) for a in args), float_dtype.numpy), float_dtype
    if len(args) != 1:
        raise TypeError(f"Tensor() takes sizes (ints) or one sequence of data, got "
                        f"{len(args)} arguments")
    data = args[0]
    if isinstance(data, Tensor):
        return data, data.dtype
    if isinstance(data, (bool, float, complex, np.generic)):
        raise TypeError(f"Tensor(): data must be a sequence (got {type(data).__name__}); "
                        f"use minigrad.tensor for a 0-d tensor")
    arr, _ = _infer_numpy(data)
    return arr.astype(float_dtype.numpy), float_dtype


class Tensor:
    """`Tensor(data, dtype=None, device="cpu", requires_grad=False)`.

    Without a dtype this is PyTorch's legacy constructor `torch.Tensor(...)`: `Tensor()` is an
    empty tensor, `Tensor(2, 3)` (ints or a Size) a zero-filled (2, 3) tensor (uninitialised in
    PyTorch), and `Tensor(sequence or array)` a copy converted to the default float dtype; a
    bare number is refused and `Tensor(tensor)` copies the tensor keeping its dtype. With a
    dtype it is `tensor(data, dtype=...)`.

    The op and autograd methods are attached from `minigrad.tensor_methods` (see above)."""

    __slots__ = ("_data", "_dtype", "_device", "_backend", "requires_grad", "_grad", "_grad_fn",
                 "_output_nr", "_version", "_leaf_node", "_backward_hooks",
                 "_post_accumulate_grad_hooks", "_retains_grad", "__weakref__")

    __array_priority__ = 1000  # numpy scalars defer to Tensor's reflected operators

    def __init__(self, *args, dtype=None, device="cpu", requires_grad=False):
        if dtype is None:
            data, dtype = _legacy_constructor_data(args)
        elif len(args) != 1:
            raise TypeError(f"Tensor(data, dtype=...) takes one data argument, got {len(args)}")
        else:
            data = args[0]
        self._build(data, dtype, device, requires_grad)

    @classmethod
    def _from_data(cls, data, dtype=None, device="cpu", requires_grad=False):
        """`tensor(data, ...)`: a copy of `data` whose dtype, when not given, is inferred the way
        `minigrad.tensor` infers it (the constructor's own default is the legacy one)."""
        out = cls.__new__(cls)
        out._build(data, dtype, device, requires_grad)
        return out

    def _build(self, data, dtype, device, requires_grad):
        numbers = not isinstance(data, (Tensor, np.ndarray, np.generic))
        if isinstance(data, Tensor):
            data, dtype = data._host_values(), data.dtype if dtype is None else dtype
        arr, inferred = _infer_numpy(data)
        dtype = inferred if dtype is None else dtypes.as_dtype(dtype)
        _check_fits(arr, dtype)
        if numbers:  # Python numbers out of an integer dtype's range raise, as in PyTorch
            dtypes.check_fits(arr, dtype)
        if dtype is dtypes.bfloat16 and arr.dtype == dtypes.bfloat16.numpy:
            arr = arr.astype(np.float32)  # uint16 numbers, not bfloat16 bit patterns
        device = Device("cpu" if device is None else device)  # None: the default device
        backend = backend_for(get_backend(device), dtype)
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
        # float16/bfloat16 compute in float32 through a ReducedBackend; others use the device's
        self._backend = backend_for(backend, dtype) if dtype.is_reduced or \
            type(backend) is ReducedBackend else backend
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
        """A tensor around a backend array (no copy). `version` shares a view's counter.
        (`_init` written out: this runs for most op results.)"""
        if isinstance(data, np.generic):
            data = np.asarray(data)  # every tensor holds a real array (see _init)
        dtype = _of_storage(data.dtype)
        t = _new_object(cls)
        t._data = data
        t._dtype = dtype
        t._device = device
        t._backend = backend_for(backend, dtype) if dtype.is_reduced or \
            type(backend) is ReducedBackend else backend
        t.requires_grad = False
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._version = VersionCounter() if version is None else version
        t._leaf_node = None
        t._backward_hooks = None
        t._post_accumulate_grad_hooks = None
        t._retains_grad = False
        return t

    def _new(self, data):
        """A result tensor on this tensor's device (what every op returns: `_init` written
        out, as it runs once per op call)."""
        if isinstance(data, np.generic):
            data = np.asarray(data)  # every tensor holds a real array (see _init)
        dtype = _of_storage(data.dtype)
        backend = self._backend
        t = _new_object(Tensor)
        t._data = data
        t._dtype = dtype
        t._device = self._device
        t._backend = backend_for(backend, dtype) if dtype.is_reduced or \
            type(backend) is ReducedBackend else backend
        t.requires_grad = False
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._version = VersionCounter()
        t._leaf_node = None
        t._backward_hooks = None
        t._post_accumulate_grad_hooks = None
        t._retains_grad = False
        return t

    def _new_view(self, data):
        """A result that may share this tensor's storage: it shares the version counter."""
        view = Tensor._wrap(data, self._device, self._backend, self._version)
        self._version.add_views(self, view)
        return view

    @classmethod
    def _from_node(cls, data, version, node, output_nr, requires_grad, backend=None):
        """Output `output_nr` of `node` rebuilt around its saved `data` and version counter
        (`backend`: the output's own, else its device's)."""
        device = node.output_meta[output_nr][2]
        t = cls._wrap(data, device, get_backend(device) if backend is None else backend,
                      version)
        t.requires_grad, t._grad_fn, t._output_nr = requires_grad, node, output_nr
        return t

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
        return math.prod(self._data.shape)

    nelement = numel
    ndimension = dim

    def stride(self, dim=None):
        """The step, in elements, between neighbours along each dim (one dim's with `dim`)."""
        steps = tuple(int(b) // self._dtype.itemsize for b in self._data.strides)
        return steps if dim is None else steps[_normalize_dim(dim, max(self.ndim, 1))]

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

    # ---- conversion --------------------------------------------------------------------
    def numpy(self):
        """The values as a numpy array: on the cpu, an array sharing the tensor's memory
        (changes through either are seen by the other, as in PyTorch); from another device, or
        of a flipped view (negative strides, which PyTorch's tensors never have), a copy.
        numpy has no bfloat16: a bfloat16 tensor raises TypeError, as in PyTorch (convert it
        with .float() first)."""
        if self._dtype is dtypes.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16: numpy has no bfloat16; "
                            "convert the tensor with .float() first")
        data = self._data
        if type(data) is np.ndarray and all(stride >= 0 for stride in data.strides):
            # (a flipped view here is a copy in PyTorch, which has no negative strides)
            return data.view()
        return self._backend.to_numpy(self._data)

    def _host_values(self):
        """A host copy of the values; float32 for bfloat16 (which numpy lacks)."""
        host = self._backend.to_numpy(self._data)
        return bfloat16_values(host) if self._dtype is dtypes.bfloat16 else host

    def item(self):
        if self.numel() != 1:
            raise InvalidArgumentError(f"item() needs a tensor with one element, got shape "
                                       f"{tuple(self.shape)}")
        return self._host_values().reshape(()).item()

    def tolist(self):
        return self._host_values().tolist()

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
        # numpy() shares the cpu memory: np.array(t) (copy=True) must not
        arr = self.numpy() if dtype is None else self._host_values().astype(dtype)
        return arr.copy() if copy else arr

    def detach(self):
        """The same storage without autograd history (in-place changes are seen by both)."""
        return Tensor._wrap(self._data, self._device, self._backend, self._version)

    def detach_(self):
        self._grad_fn, self.requires_grad = None, False
        return self

    def float(self):
        return self.to(dtype=dtypes.float32)

    def double(self):
        return self.to(dtype=dtypes.float64)

    def long(self):
        return self.to(dtype=dtypes.int64)

    def bool(self):
        return self.to(dtype=dtypes.bool_)

    def int(self):
        return self.to(dtype=dtypes.int32)

    def short(self):
        return self.to(dtype=dtypes.int16)

    def char(self):
        return self.to(dtype=dtypes.int8)

    def byte(self):
        return self.to(dtype=dtypes.uint8)

    def half(self):
        return self.to(dtype=dtypes.float16)

    def bfloat16(self):
        return self.to(dtype=dtypes.bfloat16)

    def cpu(self):
        return self.to(device="cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to(device="cuda" if device is None else Device(
            device if isinstance(device, (str, Device)) else f"cuda:{device}"))

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
        return (_unpickle_tensor, (type(self), self._host_values(), self._dtype.name,
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
            copied.grad = copy.deepcopy(self.grad, memo)
        return copied

    def __repr__(self):
        return format_tensor(self)


_LegacyTypeSpec = namedtuple("_LegacyTypeSpec", "dtype device_type")
LEGACY_TYPE_NAMES = {dtypes.float32: "FloatTensor", dtypes.float64: "DoubleTensor",
                     dtypes.int64: "LongTensor", dtypes.bool_: "BoolTensor",
                     dtypes.int32: "IntTensor", dtypes.int16: "ShortTensor",
                     dtypes.int8: "CharTensor", dtypes.uint8: "ByteTensor",
                     dtypes.float16: "HalfTensor", dtypes.bfloat16: "BFloat16Tensor"}


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
    backend = backend_for(get_backend(device), dtype)
    t = cls.__new__(cls)
    t._init(backend.from_numpy(array, dtype.numpy), dtype, device, backend)
    t.requires_grad = bool(requires_grad)
    return t


class Size(tuple):
    """A tensor's shape: a tuple of ints (PyTorch's `torch.Size`)."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self):
        return math.prod(self)


def _shape_args(args):
    """Accept both `f(2, 3)` and `f((2, 3))` for shape-like arguments."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(args[0])
    return tuple(args)
