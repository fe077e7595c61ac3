"""PyTorch's legacy tensor types, still common in published code: `FloatTensor`,
`DoubleTensor`, `HalfTensor`, `BFloat16Tensor`, `LongTensor`, `IntTensor`, `ShortTensor`,
`CharTensor`, `ByteTensor`, `BoolTensor` (and the `minigrad.cuda.*` twins).

Each is a constructor and an `isinstance` check, as in PyTorch:

    minigrad.FloatTensor(2, 3)          # a (2, 3) float32 tensor (zero-filled here)
    minigrad.LongTensor([1, 2])         # int64 tensor([1, 2])
    isinstance(x, minigrad.FloatTensor) # x is a Tensor, float32, on the cpu
    x.type(minigrad.DoubleTensor)       # the same as x.double()
"""
import numpy as np

from .creation import zeros
from .tensor import LEGACY_TYPE_NAMES, Size, Tensor


class TensorType(type):
    """The metaclass of the legacy types: calling one builds a Tensor of its dtype and device;
    `isinstance(x, T)` holds for Tensors of that dtype on that device type."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and \
            obj.device.type == cls.device_type

    def __call__(cls, *args, device=None):
        device = cls.device_type if device is None else device
        if not args:
            return zeros(0, dtype=cls.dtype, device=device)
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return zeros(*args, dtype=cls.dtype, device=device)
        if len(args) == 1 and isinstance(args[0], Size):
            return zeros(tuple(args[0]), dtype=cls.dtype, device=device)
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}() takes sizes (ints) or one sequence of values, "
                            f"got {len(args)} arguments")
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype is not cls.dtype or data.device.type != cls.device_type:
                raise TypeError(f"{cls.__name__}(tensor) expects a {cls.dtype} tensor on "
                                f"{cls.device_type}, got {data.dtype} on {data.device}; "
                                f"convert it with .type({cls.__qualname__})")
            return data.detach()
        if isinstance(data, (bool, int, float, np.number)):
            raise TypeError(f"{cls.__name__}(): data must be a sequence (got "
                            f"{type(data).__name__}); for a tensor of that size pass an int")
        return Tensor._from_data(data, dtype=cls.dtype, device=device)

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__qualname__}'>"


def _make(name, dtype, device_type, module):
    doc = f"Legacy constructor and isinstance check for {dtype} tensors on {device_type}."
    return TensorType(name, (), {"dtype": dtype, "device_type": device_type,
                                 "is_cuda": device_type == "cuda", "__module__": module,
                                 "__qualname__": name, "__doc__": doc})


def _types(device_type, module):
    return {name: _make(name, dtype, device_type, module)
            for dtype, name in LEGACY_TYPE_NAMES.items()}


CPU_TYPES = _types("cpu", "minigrad")
CUDA_TYPES = _types("cuda", "minigrad.cuda")
FloatTensor = CPU_TYPES["FloatTensor"]
DoubleTensor = CPU_TYPES["DoubleTensor"]
LongTensor = CPU_TYPES["LongTensor"]
BoolTensor = CPU_TYPES["BoolTensor"]
IntTensor = CPU_TYPES["IntTensor"]
ShortTensor = CPU_TYPES["ShortTensor"]
CharTensor = CPU_TYPES["CharTensor"]
ByteTensor = CPU_TYPES["ByteTensor"]
HalfTensor = CPU_TYPES["HalfTensor"]
BFloat16Tensor = CPU_TYPES["BFloat16Tensor"]


def missing_attribute(module, name):
    """The AttributeError for `module.name` (the module's `__getattr__` raises it)."""
    return AttributeError(f"module {module!r} has no attribute {name!r}")


__all__ = ["BFloat16Tensor", "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor",
           "FloatTensor", "HalfTensor", "IntTensor", "LongTensor", "ShortTensor", "TensorType"]
