"""dtype casts, device transfers and copies, each differentiable."""
from .. import dtypes
from ..autograd.function import Function
from ..backend import get_backend
from ..device import Device
from ..tensor import Tensor


class Cast(Function):
    backward_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.input_dtype = x.dtype
        return x._new(x._backend.astype(x._data, dtype.numpy))

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
                out = Tensor._wrap(x._backend.astype(x._data, dtype.numpy), x.device, x._backend)
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
