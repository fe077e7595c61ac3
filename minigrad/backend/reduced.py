"""Kernels for the reduced-precision dtypes float16 and bfloat16, on every device.

No device kernel computes in 16 bits: like PyTorch on the cpu, each kernel of a float16 or
bfloat16 tensor widens its operands to float32, runs the float32 kernel and rounds the float32
results back (once per kernel, round to nearest even). `ReducedBackend` wraps a device backend
to do that around each of its kernels; a tensor of a reduced dtype holds one as its `_backend`,
so ops reach it exactly as they reach the plain backend.

numpy has no bfloat16: its values are stored as the uint16 bit patterns (the top half of the
float32 with the same sign, exponent and leading 7 mantissa bits). Kernels that only move
bits (copies, views, concatenation) run on those patterns unchanged.
"""
import numpy as np

FLOAT16 = np.dtype(np.float16)
BFLOAT16_STORAGE = np.dtype(np.uint16)
FLOAT32 = np.dtype(np.float32)
REDUCED_STORAGE = (FLOAT16, BFLOAT16_STORAGE)
_BFLOAT16_NAN = 0x7FC0  # the quiet NaN PyTorch gives every NaN converted to bfloat16

# kernels that only move or view bits: they run on the 16-bit storage as it is
_BIT_EXACT = frozenset(["to_numpy", "copy", "reshape", "permute", "broadcast_to", "getitem",
                        "concatenate", "is_contiguous", "name", "check_available",
                        "storage_offset", "view_dtype", "sole_owner"])


def bfloat16_bits(values):
    """Host conversion: numpy `values` (any real dtype) -> uint16 bfloat16 bit patterns, rounded
    to nearest even from float32 (float64 goes through float32 first, as in PyTorch); every NaN
    becomes the quiet NaN 0x7FC0, as PyTorch's scalar conversion gives (its vectorised cpu
    loops give 0xFFFF, another NaN)."""
    bits = np.array(values, dtype=np.float32, order="C").view(np.uint32)  # 0-d stays 0-d
    nan = (bits & np.uint32(0x7FFFFFFF)) > np.uint32(0x7F800000)
    finite = np.where(nan, np.uint32(0), bits)  # no NaN in the sum: it cannot overflow then
    rounded = (finite + np.uint32(0x7FFF) + ((finite >> np.uint32(16)) & np.uint32(1))) \
        >> np.uint32(16)
    return np.where(nan, np.uint32(_BFLOAT16_NAN), rounded).astype(np.uint16)


def bfloat16_values(bits):
    """Host conversion: uint16 bfloat16 bit patterns -> their float32 values (exact)."""
    wide = np.asarray(bits, dtype=np.uint16).astype(np.uint32)
    wide <<= np.uint32(16)  # in place: a 0-d array stays an array
    return wide.view(np.float32)


def _is_array(value):
    """A backend array, or the numpy scalar a cpu reduction over everything gives."""
    return not isinstance(value, (np.dtype, type)) and hasattr(value, "dtype") and \
        hasattr(value, "shape")


def _is_dtype_argument(value):
    return isinstance(value, np.dtype) or (isinstance(value, type) and
                                           issubclass(value, np.generic))


class ReducedBackend:
    """A device backend whose kernels take and give float16 / bfloat16 storage, computing in
    float32 on the wrapped backend `base`. Any other attribute is the base's own."""

    def __init__(self, base):
        self.base = base
        self.name = base.name

    def __getattr__(self, name):
        kernel = getattr(self.base, name)
        if name in _BIT_EXACT or not callable(kernel):
            return kernel
        wrapped = _SPECIAL[name].__get__(self) if name in _SPECIAL else self._widened(name, kernel)
        setattr(self, name, wrapped)  # found by ordinary lookup from now on
        return wrapped

    # ---- conversions --------------------------------------------------------------------------
    def to_float32(self, a):
        """`a` (an array of any dtype) as float32 values."""
        if a.dtype == BFLOAT16_STORAGE:
            return self.base.float32_from_bfloat16(a)
        return a if a.dtype == FLOAT32 else self.base.astype(a, FLOAT32)

    def to_storage(self, a, storage):
        """`a` (an array of any dtype) converted to the dtype whose storage is `storage`."""
        if a.dtype == storage:
            return a
        if storage == BFLOAT16_STORAGE:
            return self.base.bfloat16_from_float32(self.to_float32(a))
        return self.base.astype(self.to_float32(a) if a.dtype == BFLOAT16_STORAGE else a,
                                storage)

    def scalar_in(self, value, storage):
        """A Python number as one element of `storage` (bfloat16: its bit pattern)."""
        if storage == BFLOAT16_STORAGE:
            return np.uint16(bfloat16_bits(np.float32(value)).reshape(()))
        return storage.type(value)

    # ---- the generic wrapper ------------------------------------------------------------------
    def _widen(self, value, found):
        if _is_array(value) and value.dtype in REDUCED_STORAGE:
            found.append(value.dtype)
            return self.to_float32(value)
        if _is_dtype_argument(value) and np.dtype(value) in REDUCED_STORAGE:
            found.append(np.dtype(value))
            return FLOAT32
        if isinstance(value, (list, tuple)) and any(_is_array(v) for v in value):
            return type(value)(self._widen(v, found) for v in value)
        return value

    def _narrow(self, value, storage):
        if _is_array(value) and value.dtype == FLOAT32:
            return self.to_storage(value, storage)
        if isinstance(value, tuple):
            return tuple(self._narrow(v, storage) for v in value)
        return value

    def _write_back(self, original, updated):
        """Round the float32 arrays a kernel updated in place into the 16-bit originals."""
        if isinstance(original, (list, tuple)) and isinstance(updated, (list, tuple)):
            for o, u in zip(original, updated):
                self._write_back(o, u)
        elif _is_array(original) and updated is not original:
            self.base.copy_into(original, self.to_storage(updated, original.dtype))

    def _widened(self, name, kernel):
        def run(*args, **kwargs):
            found = []
            wide = [self._widen(a, found) for a in args]
            result = kernel(*wide, **{k: self._widen(v, found) for k, v in kwargs.items()})
            if name.endswith("_step"):  # optimizer steps update in place: write back, rounded
                self._write_back(args, wide)
                return result
            return self._narrow(result, found[0]) if found else result
        run.__name__ = name
        run.__doc__ = f"{name} of the base backend, computed in float32 (see ReducedBackend)."
        return run

    # ---- kernels that write or create storage ------------------------------------------------
    def _from_numpy(self, array, dtype):
        dtype = np.dtype(dtype)
        if dtype == BFLOAT16_STORAGE and np.asarray(array).dtype != BFLOAT16_STORAGE:
            array = bfloat16_bits(array)  # values to bit patterns (bit patterns pass as they are)
        return self.base.from_numpy(array, dtype)

    def _full(self, shape, dtype, value):
        dtype = np.dtype(dtype)
        if dtype in REDUCED_STORAGE:
            value = self.scalar_in(value, dtype)
        return self.base.full(shape, dtype, value)

    def _astype(self, a, dtype):
        dtype = np.dtype(dtype)
        if dtype in REDUCED_STORAGE or a.dtype in REDUCED_STORAGE:
            if dtype in REDUCED_STORAGE:
                return self.base.copy(self.to_storage(a, dtype)) if a.dtype == dtype else \
                    self.to_storage(a, dtype)
            return self.base.astype(self.to_float32(a), dtype)
        return self.base.astype(a, dtype)

    def _source_for(self, target, src):
        """`src` (an array or a number) ready to be written into `target`'s storage."""
        if _is_array(src):
            if target.dtype in REDUCED_STORAGE or src.dtype in REDUCED_STORAGE:
                return self.to_storage(src, target.dtype) if target.dtype in REDUCED_STORAGE \
                    else self.to_float32(src)
            return src
        return self.scalar_in(src, target.dtype) if target.dtype in REDUCED_STORAGE else src

    def _copy_into(self, dst, src):
        return self.base.copy_into(dst, self._source_for(dst, src))

    def _setitem(self, a, index, value):
        return self.base.setitem(a, index, self._source_for(a, value))

    def _batch_norm_forward(self, x, weight, bias, eps, running_mean=None, running_var=None,
                            momentum=0.0, num_batches_tracked=None):
        """In float32; running statistics of x's 16-bit dtype are updated in float32 copies,
        then rounded into the originals (float32 ones are updated where they are). The output
        is rounded to x's dtype; the batch's statistics stay float32, as PyTorch keeps them
        for its backward (so the gradients are not computed from rounded statistics)."""
        found = []
        wide = [self._widen(a, found) for a in (x, weight, bias, running_mean, running_var)]
        out, mean, var, invstd = self.base.batch_norm_forward(*wide[:3], eps, *wide[3:],
                                                              momentum, num_batches_tracked)
        self._write_back((running_mean, running_var), tuple(wide[3:]))
        return self.to_storage(out, x.dtype), mean, var, invstd

    def _batch_norm_backward(self, grad, x, weight, mean, invstd, need_input_grad):
        """In float32: grad_x rounded to x's dtype, grad_weight and grad_bias to weight's
        (float32 for a float32 weight: PyTorch's mixed-type batch norm)."""
        found = []
        grad_x, grad_weight, grad_bias = self.base.batch_norm_backward(
            *(self._widen(a, found) for a in (grad, x, weight, mean, invstd)), need_input_grad)
        parameters = x.dtype if weight is None else weight.dtype
        return (None if grad_x is None else self.to_storage(grad_x, x.dtype),
                self.to_storage(grad_weight, parameters), self.to_storage(grad_bias, parameters))


_SPECIAL = {"from_numpy": ReducedBackend._from_numpy, "full": ReducedBackend._full,
            "astype": ReducedBackend._astype, "copy_into": ReducedBackend._copy_into,
            "setitem": ReducedBackend._setitem,
            "batch_norm_forward": ReducedBackend._batch_norm_forward,
            "batch_norm_backward": ReducedBackend._batch_norm_backward}
_WRAPPERS = {}


def backend_for(backend, dtype):
    """The kernels a tensor of `dtype` uses on `backend`'s device: the backend itself, or for
    float16 and bfloat16 its `ReducedBackend`."""
    base = backend.base if isinstance(backend, ReducedBackend) else backend
    if not dtype.is_reduced:
        return base
    wrapper = _WRAPPERS.get(base.name)
    if wrapper is None or wrapper.base is not base:
        wrapper = _WRAPPERS[base.name] = ReducedBackend(base)
    return wrapper
