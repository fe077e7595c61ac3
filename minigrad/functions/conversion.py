"""dtype casts, device transfers and copies, each differentiable."""
from .. import dtypes
from ..autograd.function import Function
from ..backend import get_backend
from ..backend.reduced import backend_for
from ..device import Device
from ..tensor import Tensor


def _cast(backend, data, source, target):
    """`data` (of dtype `source`) converted to `target`. Floats reach integers narrower than 32
    bits through int32, as PyTorch's C casts do, so values out of the narrow range but within
    int32's wrap as there (300.7 -> int8 44, -1.5 -> uint8 255) rather than depending on the
    device's conversion to a narrow type (numba's on the gpu saturates). float16 and bfloat16
    convert through float32, rounding to nearest even."""
    kernels = backend_for(backend, target if target.is_reduced else source)
    if source.is_floating_point and target.category == 1 and target.bits < 32:
        data = kernels.astype(data, dtypes.int32.numpy)
    return kernels.astype(data, target.numpy)


class Cast(Function):
    backward_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.input_dtype = x.dtype
        return x._new(_cast(x._backend, x._data, x.dtype, dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad.to(dtype=ctx.input_dtype), None


class ToDevice(Function):
    """Copy to another device. This is the only place data crosses devices."""

    backward_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, device):
        ctx.input_device = x.device
        target = get_backend(device)
        host = x._backend.to_numpy(x._data)
        return Tensor._wrap(target.from_numpy(host, host.dtype), device, target)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(device=ctx.input_device), None


class Clone(Function):
    backward_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return x._new(x._backend.copy(x._data))

    @staticmethod
    def backward(ctx, grad):
        return grad


def to(x, device=None, dtype=None, copy=False):
    """`x` on `device` with `dtype` (either may be None to keep it); returns x itself when
    nothing changes and copy is False."""
    out = x
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        if dtype is not x.dtype:
            if x.requires_grad and not dtype.is_floating_point:
                out = Tensor._wrap(_cast(x._backend, x._data, x.dtype, dtype), x.device,
                                   x._backend)
            else:
                out = Cast.apply(x, dtype)
    if device is not None:
        device = Device(device)
        if device != out.device:
            out = ToDevice.apply(out, device)
    if copy and out is x:
        out = Clone.apply(x)
    return out


def clone(x):
    return Clone.apply(x)


def contiguous(x):
    """A tensor whose storage is laid out contiguously (a copy only when needed)."""
    if x._backend.is_contiguous(x._data):
        return x
    return Clone.apply(x)


def _priority_dtype(operand):
    """(priority, dtype) of one `result_type` operand: 2 for a tensor with dims, 1 for a 0-d
    tensor, 0 for a Python number."""
    if isinstance(operand, Tensor):
        return (2 if operand.ndim else 1), operand.dtype
    return 0, dtypes.python_scalar_dtype(operand)


def result_type(tensor1, tensor2):
    """The dtype an arithmetic op on `tensor1` and `tensor2` (Tensors or Python numbers)
    gives, as PyTorch's `result_type`: tensors with dims, then 0-d tensors, then numbers; a
    lower-priority operand counts only where its category (bool, integer, float) is higher."""
    (p1, d1), (p2, d2) = _priority_dtype(tensor1), _priority_dtype(tensor2)
    if p1 == p2:
        return dtypes.promote(d1, d2)
    return dtypes.combine(d1, d2) if p1 > p2 else dtypes.combine(d2, d1)
