"""Tensor factories: tensor, zeros, ones, full, empty, arange, rand, randn, *_like."""
import numpy as np

from . import dtypes
from .backend import get_backend
from .backend.reduced import backend_for
from .device import Device
from .errors import DTypeNotImplementedError, InvalidArgumentError, SizeArgumentError
from .random import as_numpy_generator
from .tensor import Tensor, _shape_args


# numpy dtypes whose arrays a tensor can share: every dtype's storage but bfloat16's (a uint16
# array holds numbers, not bfloat16 bit patterns)
_SHAREABLE = [d.numpy for d in dtypes.ALL if d is not dtypes.bfloat16]


def tensor(data, dtype=None, device="cpu", requires_grad=False):
    """A new tensor holding a copy of `data` (nested lists, numbers, numpy array or Tensor)."""
    return Tensor._from_data(data, dtype=dtype, device=device, requires_grad=requires_grad)


def from_numpy(ndarray):
    """A cpu tensor that shares memory with the numpy array `ndarray` (writes to either are seen
    by both), as PyTorch's. The array's dtype must be one minigrad has (bool, uint8, int8,
    int16, int32, int64, float16, float32, float64): other dtypes cannot be shared, so they raise
    TypeError (use `tensor(ndarray)` to copy and convert instead)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype not in _SHAREABLE:
        raise TypeError(f"from_numpy: can't share memory with a numpy array of dtype "
                        f"{ndarray.dtype}; minigrad tensors hold "
                        f"{', '.join(str(d) for d in _SHAREABLE)} (copy and convert with "
                        "minigrad.tensor(array) instead)")
    if any(stride < 0 for stride in ndarray.strides):
        raise ValueError("from_numpy: at least one stride in the given numpy array is "
                         "negative; copy the array first (array.copy())")
    device = Device("cpu")
    return Tensor._wrap(ndarray, device, get_backend(device))


def as_tensor(data, dtype=None, device=None):
    """`data` as a tensor, sharing memory where it can, as PyTorch's: a Tensor already of that
    dtype and device is returned itself (else converted); a numpy array of a dtype minigrad has,
    wanted unchanged on the cpu, is shared as by `from_numpy`; anything else is copied."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    wanted = None if dtype is None else dtypes.as_dtype(dtype)
    on_cpu = device is None or Device(device) == Device("cpu")
    if isinstance(data, np.ndarray) and on_cpu and data.dtype in _SHAREABLE \
            and (wanted is None or wanted.numpy == data.dtype) \
            and all(stride >= 0 for stride in data.strides):
        return from_numpy(data)
    return Tensor._from_data(data, dtype=wanted, device="cpu" if device is None else device)


def check_shape(shape):
    """`shape` as a tuple of non-negative ints: SizeArgumentError (a TypeError) for a size that
    is not an int, InvalidArgumentError (a RuntimeError, as in PyTorch) for a negative one."""
    for s in shape:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise SizeArgumentError(f"sizes must be non-negative ints, got {shape}")
        if s < 0:
            raise InvalidArgumentError(f"sizes must be non-negative ints, got {shape}")
    return tuple(int(s) for s in shape)


def _prepare(size, dtype, device, default=None):
    """(shape, dtype, device, backend) for a factory of `size` ints; without a dtype, `default`
    or else the default float dtype (read now: `set_default_dtype` may have changed it)."""
    shape = check_shape(_shape_args(size))
    if dtype is None:
        dtype = dtypes.default_float if default is None else default
    else:
        dtype = dtypes.as_dtype(dtype)
    device = Device("cpu" if device is None else device)  # None: the default device, as in PyTorch
    return shape, dtype, device, backend_for(get_backend(device), dtype)


def _finish(data, device, backend, requires_grad):
    t = Tensor._wrap(data, device, backend)
    return t.requires_grad_(True) if requires_grad else t


def _filled(size, fill_value, dtype, device, requires_grad):
    shape, dtype, device, backend = _prepare(size, dtype, device)
    dtypes.check_fits(fill_value, dtype)
    if dtype.category == 1 and isinstance(fill_value, (int, np.integer)):
        fill_value = dtypes.wrap_int(fill_value, dtype)  # uint8's -1 is 255
    return _finish(backend.full(shape, dtype.numpy, fill_value), device, backend, requires_grad)


def full(size, fill_value, dtype=None, device="cpu", requires_grad=False):
    """A tensor of shape `size` (a sequence, or one int) filled with `fill_value`; the dtype
    follows the value (float32, int64 or bool) unless given."""
    if isinstance(size, (int, np.integer)):
        size = (size,)
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value, dtypes.bool_)
    return _filled(size, fill_value, dtype, device, requires_grad)


def _sizes(sizes, size, name):
    """The sizes of a factory given as arguments (`zeros(2, 3)`, `zeros((2, 3))`) or as the
    `size=` keyword (`zeros(size=(2, 3))`), as PyTorch takes both."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{name}() got its sizes both as arguments and as size=")
    return (size,)


def zeros(*sizes, size=None, dtype=None, device="cpu", requires_grad=False):
    return _filled(_sizes(sizes, size, "zeros"), 0, dtype, device, requires_grad)


def ones(*sizes, size=None, dtype=None, device="cpu", requires_grad=False):
    return _filled(_sizes(sizes, size, "ones"), 1, dtype, device, requires_grad)


def empty(*sizes, size=None, dtype=None, device="cpu", requires_grad=False):
    """Uninitialised in PyTorch; zero-filled here (cheap, and never shows stale memory)."""
    return zeros(*_sizes(sizes, size, "empty"), dtype=dtype, device=device,
                 requires_grad=requires_grad)


def _float_dtype(dtype, name):
    dtype = dtypes.default_float if dtype is None else dtypes.as_dtype(dtype)
    if not dtype.is_floating_point:
        raise DTypeNotImplementedError(f"{name} needs a floating point dtype, got {dtype}")
    return dtype


def _numeric_dtype(dtype, default, name):
    """`dtype` (or `default`) for a factory of numbers; bool has none, as in PyTorch."""
    dtype = default if dtype is None else dtypes.as_dtype(dtype)
    if dtype is dtypes.bool_:
        raise DTypeNotImplementedError(f"{name} is not implemented for dtype bool; make the "
                                       "values in a numeric dtype and compare them instead")
    return dtype


def _generator_or_default(generator, name):
    """None for the device's default generator, else the numpy Generator behind `generator`."""
    return None if generator is None else as_numpy_generator(generator, name)


def rand(*sizes, size=None, generator=None, dtype=None, device="cpu", requires_grad=False):
    """Samples from U[0, 1) drawn from `generator` (default: the device's default generator)."""
    shape, dtype, device, backend = _prepare(_sizes(sizes, size, "rand"),
                                             _float_dtype(dtype, "rand"), device)
    return _finish(backend.uniform(shape, dtype.numpy, _generator_or_default(generator, "rand")),
                   device, backend, requires_grad)


def randn(*sizes, size=None, generator=None, dtype=None, device="cpu", requires_grad=False):
    """Samples from N(0, 1) drawn from `generator` (default: the device's default generator)."""
    shape, dtype, device, backend = _prepare(_sizes(sizes, size, "randn"),
                                             _float_dtype(dtype, "randn"), device)
    return _finish(backend.normal(shape, dtype.numpy, _generator_or_default(generator, "randn")),
                   device, backend, requires_grad)


def randint(low, high=None, size=(), *, generator=None, dtype=None, device="cpu",
            requires_grad=False):
    """Integers in [low, high); `randint(high, size)` draws from [0, high), as in PyTorch.
    `requires_grad=True` needs a floating point `dtype`."""
    if isinstance(high, (tuple, list)):
        high, size = None, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise InvalidArgumentError(f"randint: high ({high}) must be greater than low ({low})")
    values = as_numpy_generator(generator, "randint").integers(
        low, high, size=check_shape(tuple(size)))
    return Tensor._from_data(values, dtype=dtypes.int64 if dtype is None else dtype, device=device,
                             requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    """randint over input's shape, in input's dtype and device unless given;
    `randint_like(x, high)` draws from [0, high)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=input.dtype if dtype is None else dtype,
                   device=input.device if device is None else device,
                   requires_grad=requires_grad)


def randperm(n, *, generator=None, dtype=None, device="cpu", requires_grad=False):
    """A random permutation of 0..n-1."""
    dtype = _numeric_dtype(dtype, dtypes.int64, "randperm")
    values = as_numpy_generator(generator, "randperm").permutation(int(n))
    return Tensor._from_data(values, dtype=dtype, device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device="cpu", requires_grad=False):
    """Values from start (default 0) to end, exclusive; int64 if all arguments are ints."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise InvalidArgumentError("arange: step must be non-zero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if ints else dtypes.default_float
    dtype = _numeric_dtype(dtype, None, "arange")
    device = Device("cpu" if device is None else device)
    backend = backend_for(get_backend(device), dtype)
    t = Tensor._wrap(backend.arange(start, end, step, dtype.numpy), device, backend)
    return t.requires_grad_(True) if requires_grad else t


def linspace(start, end, steps, *, dtype=None, device="cpu", requires_grad=False):
    """`steps` evenly spaced values from `start` to `end`, both included."""
    dtype = _numeric_dtype(dtype, dtypes.default_float, "linspace")
    return Tensor._from_data(np.linspace(start, end, int(steps)), dtype=dtype, device=device,
                             requires_grad=requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device="cpu", requires_grad=False):
    """`steps` values from base**start to base**end, evenly spaced in the exponent."""
    dtype = _numeric_dtype(dtype, dtypes.default_float, "logspace")
    values = np.power(float(base), np.linspace(start, end, int(steps)))
    return Tensor._from_data(values, dtype=dtype, device=device, requires_grad=requires_grad)


def _triangle_indices(lower, row, col, offset, dtype, device):
    dtype = _numeric_dtype(dtype, dtypes.int64, "tril_indices" if lower else "triu_indices")
    if row < 0 or col < 0:
        raise InvalidArgumentError(f"row and col must be non-negative, got {row} and {col}")
    which = np.tril_indices if lower else np.triu_indices
    rows, cols = which(int(row), int(offset), int(col))
    return Tensor._from_data(np.stack([rows, cols]).reshape(2, -1), dtype=dtype, device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device="cpu"):
    """(2, N): the row and column indices of the lower triangle (on and below diagonal
    `offset`) of a (row, col) matrix, row by row."""
    return _triangle_indices(True, row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device="cpu"):
    """(2, N): the row and column indices of the upper triangle (on and above diagonal
    `offset`) of a (row, col) matrix, row by row."""
    return _triangle_indices(False, row, col, offset, dtype, device)


def eye(n, m=None, *, dtype=None, device="cpu", requires_grad=False):
    """The (n, m) identity matrix (m defaults to n)."""
    return Tensor._from_data(np.eye(n, m), dtype=dtypes.default_float if dtype is None else dtype,
                             device=device, requires_grad=requires_grad)


def _like(fn, t, dtype, device, requires_grad, *args):
    return fn(*args, tuple(t.shape), dtype=t.dtype if dtype is None else dtype,
              device=t.device if device is None else device, requires_grad=requires_grad)


def zeros_like(t, dtype=None, device=None, requires_grad=False):
    return _like(zeros, t, dtype, device, requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False):
    return _like(ones, t, dtype, device, requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False):
    return _like(empty, t, dtype, device, requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False):
    return full(tuple(t.shape), fill_value, dtype=t.dtype if dtype is None else dtype,
                device=t.device if device is None else device, requires_grad=requires_grad)


def rand_like(t, dtype=None, device=None, requires_grad=False):
    return _like(rand, t, dtype, device, requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False):
    return _like(randn, t, dtype, device, requires_grad)
