"""The dtypes minigrad supports and PyTorch's type promotion between them.

Categories, lowest first: bool, integers (uint8, int8, int16, int32, int64), floating point
(float16, bfloat16, float32, float64). Two dtypes of one category promote to the wider one,
except uint8 with int8, which gives int16, and float16 with bfloat16, which gives float32 (the
narrowest types holding both). A dtype of a higher category wins.

float16 and bfloat16 are "reduced" dtypes: stored in 16 bits (bfloat16, which numpy lacks, as
the uint16 bit patterns of its values), computed in float32 and rounded back (see
`minigrad.backend.reduced`).
"""
import numpy as np

from .errors import ValueOverflowError


class DType:
    """A tensor element type: a name, the numpy dtype backing it, and its category."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "category", "bits",
                 "is_reduced")

    def __init__(self, name, numpy_dtype, category, is_signed):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)  # the storage dtype (uint16 for bfloat16)
        self.is_reduced = name in ("float16", "bfloat16")
        self.category = category  # 0 bool, 1 integer, 2 floating point
        self.is_floating_point = category == 2
        self.is_signed = is_signed
        self.bits = 8 * self.numpy.itemsize

    @property
    def itemsize(self):
        return self.numpy.itemsize

    @property
    def is_complex(self):
        return False

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return (from_name, (self.name,))


bool_ = DType("bool", np.bool_, 0, False)
uint8 = DType("uint8", np.uint8, 1, False)
int8 = DType("int8", np.int8, 1, True)
int16 = DType("int16", np.int16, 1, True)
int32 = DType("int32", np.int32, 1, True)
int64 = DType("int64", np.int64, 1, True)
float16 = DType("float16", np.float16, 2, True)
bfloat16 = DType("bfloat16", np.uint16, 2, True)
float32 = DType("float32", np.float32, 2, True)
float64 = DType("float64", np.float64, 2, True)

INTEGERS = (uint8, int8, int16, int32, int64)
ALL = (bool_,) + INTEGERS + (float16, bfloat16, float32, float64)
_BY_NUMPY = {d.numpy: d for d in ALL}  # storage dtype -> dtype (uint16 is bfloat16's)
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"float": float32, "double": float64, "long": int64, "int": int32,
                 "short": int16, "char": int8, "byte": uint8, "half": float16})

default_float = float32
default_int = int64


def set_default_float(dtype):
    """Make `dtype` (a floating point one) the dtype of floating point tensors made without
    one, and of Python floats (PyTorch's `torch.set_default_dtype`)."""
    global default_float
    dtype = as_dtype(dtype)
    if not dtype.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got "
                        f"{dtype}")
    default_float = dtype


def from_name(name):
    return _BY_NAME[name]


def _supported_names():
    return ", ".join(repr(d) for d in ALL)


def as_dtype(value):
    """Turn a minigrad dtype, numpy dtype, Python type or name into a `DType`.

    Raises TypeError naming the supported dtypes for anything else (complex, uint16, ...).
    """
    if isinstance(value, DType):
        return value
    if value is None:
        raise TypeError(f"expected a dtype, got None; minigrad supports {_supported_names()}")
    if value is float:
        return default_float
    if value is int:
        return default_int
    if value is bool:
        return bool_
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        np_dtype = None
    if np_dtype is not None and np_dtype in _BY_NUMPY and np_dtype != bfloat16.numpy:
        return _BY_NUMPY[np_dtype]
    raise TypeError(f"unsupported dtype {value!r}; minigrad supports {_supported_names()}")


def from_numpy_dtype(np_dtype):
    """The minigrad dtype that numpy data of `np_dtype` becomes: the same dtype where minigrad
    has it; other integer widths (uint16, uint32, uint64) widen to int64."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _BY_NUMPY and np_dtype != bfloat16.numpy:
        return _BY_NUMPY[np_dtype]
    if np_dtype.kind in "iu":
        return int64
    raise TypeError(f"unsupported dtype {np_dtype}; minigrad supports {_supported_names()}")


def of_storage(np_dtype):
    """The minigrad dtype of a backend array whose numpy dtype is `np_dtype` (exact)."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"a kernel gave an array of dtype {np_dtype}, which stores no minigrad "
                        f"dtype ({_supported_names()})") from None


def promote(a, b):
    """The result dtype of a binary op between tensors of dtypes `a` and `b` (PyTorch's
    `promote_types`)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == 1 and a.is_signed != b.is_signed:
        signed, unsigned = (a, b) if a.is_signed else (b, a)
        if signed.bits > unsigned.bits:
            return signed
        return _signed_of_bits[2 * unsigned.bits]
    if a.bits == b.bits:  # float16 with bfloat16: neither holds the other
        return float32
    return a if a.bits > b.bits else b


_signed_of_bits = {8: int8, 16: int16, 32: int32, 64: int64}


def combine(higher, lower):
    """PyTorch's rule for operands of different priority (tensors with dims over 0-d tensors
    over Python numbers): the `lower`-priority dtype only counts when it is of a higher
    category (an int8 tensor plus a 0-d int64 tensor stays int8; plus a float it is float)."""
    if lower is None:
        return higher
    if higher is None:
        return lower
    if higher.category == 2:
        return higher
    if higher is bool_ or lower.category > higher.category:
        return promote(higher, lower)
    return higher


def promote_types(type1, type2):
    """PyTorch's `promote_types`: the smallest dtype both `type1` and `type2` convert to
    without leaving their category (uint8 and int8 give int16; int32 and float32 give
    float32)."""
    return promote(as_dtype(type1), as_dtype(type2))


def can_cast(from_, to):
    """PyTorch's `can_cast`: whether casting `from_` to `to` is allowed by the same-kind rule
    (no lower category than the source: float to int, or int to bool, is not)."""
    return as_dtype(from_).category <= as_dtype(to).category


def can_store(result, target):
    """Whether an in-place op may write a result of dtype `result` into a `target` tensor.

    As in PyTorch: any dtype of the same or a lower category (float64 into float32 is fine,
    float into an integer tensor or int into bool is not).
    """
    return can_cast(result, target)


def python_scalar_dtype(value):
    """The dtype a Python number has on its own: bool, int64 or the default float dtype."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return default_float
    raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")


def scalar_dtype(value, tensor_dtype):
    """The dtype a Python scalar takes when combined with a tensor of `tensor_dtype`.

    As in PyTorch, a scalar never widens a tensor within its category: float32 tensor + 2.5 stays
    float32 and int8 tensor + 300 stays int8, but int8 tensor + 2.5 becomes the default float.
    """
    return combine(tensor_dtype, python_scalar_dtype(value))


def check_fits(values, dtype):
    """Raise ValueOverflowError if a number of `values` (Python numbers, or the numpy array
    built from them) lies outside the integer `dtype`'s range, as PyTorch does for numbers.
    As there, uint8 also takes -255..-1, which wrap around (-1 is 255)."""
    if dtype.category != 1:
        return
    values = np.asarray(values)
    if values.size and values.dtype.kind in "iuf":
        info = np.iinfo(dtype.numpy)
        lowest = -int(info.max) if info.min == 0 else int(info.min)
        low, high = values.min(), values.max()
        if low < lowest or high > info.max or np.isnan(low) or np.isnan(high):
            bad = low if (low < lowest or np.isnan(low)) else high
            raise ValueOverflowError(f"value cannot be converted to type {dtype.name} without "
                                     f"overflow: {bad} lies outside [{lowest}, {info.max}]")


def wrap_int(value, dtype):
    """The Python int `value` wrapped into `dtype`'s range (two's complement), as a C cast."""
    span = 1 << dtype.bits
    low = -(span >> 1) if dtype.is_signed else 0
    return (int(value) - low) % span + low


class iinfo:
    """Limits of an integer dtype, as `torch.iinfo`: bits, min, max, dtype."""

    def __init__(self, dtype):
        dtype = as_dtype(dtype)
        if dtype.category != 1:
            raise TypeError(f"iinfo: expected an integer dtype, got {dtype} (use finfo for "
                            "floating point dtypes)")
        info = np.iinfo(dtype.numpy)
        self.bits, self.min, self.max, self.dtype = info.bits, int(info.min), int(info.max), \
            dtype.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


class finfo:
    """Limits of a floating point dtype, as `torch.finfo`: bits, eps, max, min, tiny
    (= smallest_normal), resolution, dtype. `finfo()` describes the default float dtype."""

    def __init__(self, dtype=None):
        dtype = default_float if dtype is None else as_dtype(dtype)
        if not dtype.is_floating_point:
            raise TypeError(f"finfo: expected a floating point dtype, got {dtype} (use iinfo "
                            "for integer dtypes)")
        if dtype is bfloat16:  # float32's exponent range with 8 significant bits
            self.bits, self.eps, self.max = 16, 2.0 ** -7, (2.0 - 2.0 ** -7) * 2.0 ** 127
            self.tiny, self.resolution = 2.0 ** -126, 0.01
        else:
            info = np.finfo(dtype.numpy)
            self.bits, self.eps, self.max = info.bits, float(info.eps), float(info.max)
            self.tiny = float(info.smallest_normal)
            self.resolution = 10.0 ** -info.precision  # a Python float, as PyTorch's
        self.min, self.smallest_normal, self.dtype = -self.max, self.tiny, dtype.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")
