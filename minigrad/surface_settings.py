"""Global switches and small queries of PyTorch's top level that programs call at start-up:
seed, typename, the tensor predicates (is_nonzero, is_same_size, is_signed, ...), the default
device, float32 matmul precision, inter-op threads, denormal flushing and warn-always.

minigrad computes float32 matmuls in full float32 whatever the precision setting (which
PyTorch allows: the setting permits, never requires, a faster format), has one inter-op thread
pool (the number is recorded and reported back), cannot flush denormals (so
`set_flush_denormal` returns False, PyTorch's answer where unsupported), and its default
device is the cpu.
"""
import os

from . import dtypes
from .determinism import (are_deterministic_algorithms_enabled,
                          is_deterministic_algorithms_warn_only_enabled,
                          use_deterministic_algorithms)
from .device import Device
from .random import manual_seed
from .tensor import Tensor

_MATMUL_PRECISIONS = ("highest", "high", "medium")
_state = {"matmul_precision": "highest", "interop_threads": os.cpu_count() or 1,
          "warn_always": False}


def seed():
    """Seed the default generator with a fresh non-deterministic number and return it."""
    value = int.from_bytes(os.urandom(8), "little") & ((1 << 63) - 1)
    manual_seed(value)
    return value


def typename(obj):
    """The type of obj as a string: a tensor's legacy type name ('minigrad.FloatTensor'), else
    the qualified class name ('int', 'numpy.ndarray')."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in (None, "builtins") else f"{module}.{cls.__qualname__}"


def _tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def is_nonzero(input):
    """Whether the single value of a one-element tensor is not zero."""
    x = _tensor(input, "is_nonzero")
    if x.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if x.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(x.item() != 0)


def is_same_size(input, other):
    """Whether the two tensors have the same shape."""
    return tuple(_tensor(input, "is_same_size").shape) == tuple(_tensor(other,
                                                                         "is_same_size").shape)


def is_signed(input):
    """Whether input's dtype holds negative values (every dtype but uint8 and bool)."""
    return _tensor(input, "is_signed").dtype not in (dtypes.uint8, dtypes.bool_)


def is_complex(input):
    """False: minigrad has no complex dtypes."""
    _tensor(input, "is_complex")
    return False


def is_conj(input):
    """False: minigrad's tensors are real, so none carries a conjugation flag."""
    _tensor(input, "is_conj")
    return False


def is_neg(input):
    """False: minigrad's tensors carry no lazy negation flag."""
    _tensor(input, "is_neg")
    return False


def is_inference(input):
    """False: minigrad's inference_mode makes ordinary tensors (see `inference_mode`)."""
    _tensor(input, "is_inference")
    return False


def get_default_device():
    """The device factories use without a `device` argument: the cpu."""
    return Device("cpu")


def set_float32_matmul_precision(precision):
    """Record the float32 matmul precision ('highest', 'high' or 'medium'); minigrad computes
    in full float32 under every setting."""
    if precision not in _MATMUL_PRECISIONS:
        raise RuntimeError(f"Invalid precision {precision!r}: expected one of "
                           f"{', '.join(_MATMUL_PRECISIONS)}")
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    """The float32 matmul precision last set ('highest' by default)."""
    return _state["matmul_precision"]


def set_num_interop_threads(num):
    """Record the number of inter-op threads (a positive int)."""
    if isinstance(num, bool) or not isinstance(num, int) or num <= 0:
        raise RuntimeError(f"Expected a positive number of threads, got {num!r}")
    _state["interop_threads"] = num


def get_num_interop_threads():
    """The number of inter-op threads (the cpu count unless set)."""
    return _state["interop_threads"]


def set_flush_denormal(mode):
    """False: flushing denormals to zero is not supported (PyTorch's answer where it isn't)."""
    if not isinstance(mode, bool):
        raise TypeError(f"set_flush_denormal(): argument 'mode' must be bool, not "
                        f"{type(mode).__name__}")
    return False


def set_warn_always(b):
    """Record whether warnings PyTorch gives once should be given every time."""
    _state["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _state["warn_always"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """0 / 'default': nondeterministic algorithms allowed; 1 / 'warn': they warn; 2 / 'error':
    they raise (use_deterministic_algorithms(True))."""
    mode = _DEBUG_MODES.get(debug_mode, debug_mode) if isinstance(debug_mode, str) else \
        debug_mode
    if isinstance(debug_mode, str) and debug_mode not in _DEBUG_MODES:
        raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, "
                           f"`error`, but got {debug_mode}")
    if mode not in (0, 1, 2) or isinstance(mode, bool):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {mode}")
    use_deterministic_algorithms(mode > 0, warn_only=mode == 1)


def get_deterministic_debug_mode():
    """2 if nondeterministic algorithms raise, 1 if they warn, else 0."""
    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def is_storage(obj):
    """False: minigrad exposes no storage objects."""
    return False


class layout:
    """A tensor layout (PyTorch's `torch.layout`); minigrad's tensors are all `strided`."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"minigrad.{self.name}"


strided = layout("strided")
