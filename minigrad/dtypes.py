"""The dtypes minigrad supports and PyTorch-style type promotion between them."""
import numpy as np


class DType:
    """A tensor element type: a name, the numpy dtype backing it, and its category."""

    __slots__ = ("name", "numpy", "is_floating_point", "_rank")

    def __init__(self, name, numpy_dtype, is_floating_point, rank):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = is_floating_point
        self._rank = rank

    @property
    def itemsize(self):
        return self.numpy.itemsize

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return (from_name, (self.name,))


bool_ = DType("bool", np.bool_, False, 0)
int64 = DType("int64", np.int64, False, 1)
float32 = DType("float32", np.float32, True, 2)
float64 = DType("float64", np.float64, True, 3)

ALL = (bool_, int64, float32, float64)
_BY_NUMPY = {d.numpy: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"float": float32, "double": float64, "long": int64})

default_float = float32
default_int = int64


def from_name(name):
    return _BY_NAME[name]


def _supported_names():
    return ", ".join(repr(d) for d in ALL)


def as_dtype(value):
    """Turn a minigrad dtype, numpy dtype, Python type or name into a `DType`.

    Raises TypeError naming the supported dtypes for anything else (float16, complex, ...).
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
    if np_dtype is not None:
        if np_dtype in _BY_NUMPY:
            return _BY_NUMPY[np_dtype]
        if np_dtype.kind in "iu":  # other integer widths are stored as int64
            return int64
    raise TypeError(f"unsupported dtype {value!r}; minigrad supports {_supported_names()}")


def from_numpy_dtype(np_dtype):
    """The minigrad dtype that numpy data of `np_dtype` becomes (ints widen to int64)."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _BY_NUMPY:
        return _BY_NUMPY[np_dtype]
    if np_dtype.kind in "iu":
        return int64
    if np_dtype.kind == "f" and np_dtype.itemsize < 4:
        raise TypeError(f"unsupported dtype {np_dtype} (half precision); "
                        f"minigrad supports {_supported_names()}")
    raise TypeError(f"unsupported dtype {np_dtype}; minigrad supports {_supported_names()}")


def promote(a, b):
    """The result dtype of a binary op between tensors of dtypes `a` and `b`."""
    return a if a._rank >= b._rank else b


def _category(dtype):
    """0 for bool, 1 for integers, 2 for floating point."""
    return min(dtype._rank, 2)


def can_store(result, target):
    """Whether an in-place op may write a result of dtype `result` into a `target` tensor.

    As in PyTorch: any dtype of the same or a lower category (float64 into float32 is fine,
    float into int64 or int into bool is not).
    """
    return _category(result) <= _category(target)


def scalar_dtype(value, tensor_dtype):
    """The dtype a Python scalar takes when combined with a tensor of `tensor_dtype`.

    As in PyTorch, a scalar never widens a tensor within its category: float32 tensor + 2.5 stays
    float32, but int64 tensor + 2.5 becomes the default float dtype.
    """
    if isinstance(value, bool):
        category = bool_
    elif isinstance(value, (int, np.integer)):
        category = int64
    elif isinstance(value, (float, np.floating)):
        category = default_float
    else:
        raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")
    if tensor_dtype._rank >= category._rank:
        return tensor_dtype
    return category
