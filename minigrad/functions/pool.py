"""Pooling: max, average and adaptive average pooling in 1-d and 2-d, and max unpooling.

Inputs are (N, C, H, W) or unbatched (C, H, W) in 2-d, (N, C, L) or (C, L) in 1-d. Every op
runs on (N, C, H, W) kernels; 1-d pooling is 2-d pooling with H = 1. The gradients are Functions
too, so derivatives of any order exist:
- max pooling's gradient scatters into the input plane at the argmax indices (adding where
  windows overlap), and the scatter's gradient gathers at the same indices;
- average pooling is a linear map whose gradient is its adjoint, and the adjoint's gradient is
  the map again (likewise adaptive average pooling).
"""
import numpy as np

from .. import dtypes
from .._args import int_tuple, is_int
from ..autograd.function import KernelFunction, rename_grad_fn
from ..errors import DTypeNotImplementedError, InvalidArgumentError, ShapeError
from ..geometry import PoolGeometry, pooled_size
from ..tensor import Tensor

# ---- Functions on (N, C, H, W) tensors --------------------------------------------------------


class MaxPool2d(KernelFunction):
    """Returns (out, indices): window maxima and their flat positions in the input plane."""

    backward_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, kernels, x, geometry):
        ctx.save(outputs=(1,))
        ctx.mark_outputs_non_differentiable(1)
        ctx.set_materialize_grads(False)  # backward gets None, not zeros, for the indices
        ctx.input_hw = geometry.input_size
        return kernels.max_pool2d_forward(x, geometry)

    @staticmethod
    def backward(ctx, grad, grad_indices):
        (indices,) = ctx.saved_tensors
        return ScatterByIndices.apply(grad, indices, ctx.input_hw, True), None


class ScatterByIndices(KernelFunction):
    """Zeros of shape (N, C, *plane_hw) with `values` (N, C, h, w) written at the flat plane
    positions `indices` (same shape): added up where repeated if `accumulate` (max pooling's
    gradient), else the last write wins (max unpooling, as PyTorch). Its gradient gathers at the
    same positions, as PyTorch's max unpooling gradient does."""

    @staticmethod
    def forward(ctx, kernels, values, indices, plane_hw, accumulate):
        ctx.save(inputs=(1,))
        return kernels.scatter_by_plane_indices(values, indices, plane_hw, accumulate)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return GatherByIndices.apply(grad, indices), None, None, None


class GatherByIndices(KernelFunction):
    """out[n, c, ...] = source[n, c] at flat plane position indices[n, c, ...]; its gradient is
    the accumulating scatter."""

    @staticmethod
    def forward(ctx, kernels, source, indices):
        ctx.save(inputs=(1,))
        ctx.plane_hw = tuple(source.shape[2:])
        return kernels.gather_by_plane_indices(source, indices)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return ScatterByIndices.apply(grad, indices, ctx.plane_hw, True), None


def _adjoint_pair(name, map_kernel, adjoint_kernel):
    """Two Functions: a linear map between plane grids described by a `PoolGeometry`,
    `map_kernel(backend)(x, geometry)` on x (N, C, *input_size), and its adjoint
    `adjoint_kernel(backend)(g, geometry)` on g (N, C, *output_size).

    The gradient of a linear map is its adjoint applied to the incoming gradient, and the
    adjoint's adjoint is the map, so each Function's backward is the other one.
    """

    class Map(KernelFunction):
        @staticmethod
        def forward(ctx, kernels, x, geometry):
            ctx.geometry = geometry
            return map_kernel(kernels)(x, geometry)

        @staticmethod
        def backward(ctx, grad):
            return Adjoint.apply(grad, ctx.geometry), None

    class Adjoint(KernelFunction):
        @staticmethod
        def forward(ctx, kernels, grad, geometry):
            ctx.geometry = geometry
            return adjoint_kernel(kernels)(grad, geometry)

        @staticmethod
        def backward(ctx, grad):
            return Map.apply(grad, ctx.geometry), None

    Map.__name__ = Map.__qualname__ = name
    Adjoint.__name__ = Adjoint.__qualname__ = name + "Adjoint"
    return Map, Adjoint


AvgPool2d, AvgPool2dAdjoint = _adjoint_pair(
    "AvgPool2d", lambda backend: backend.avg_pool2d_forward,
    lambda backend: backend.avg_pool2d_backward)
AdaptiveAvgPool2d, AdaptiveAvgPool2dAdjoint = _adjoint_pair(
    "AdaptiveAvgPool2d", lambda backend: backend.adaptive_avg_pool2d_forward,
    lambda backend: backend.adaptive_avg_pool2d_backward)


# ---- argument checks --------------------------------------------------------------------------

_LAYOUTS = {1: ("(C, L)", "(N, C, L)"), 2: ("(C, H, W)", "(N, C, H, W)")}


def _check_input(x, dims, op, integers=False):
    """x must be a floating point tensor (or, with `integers`, an integer one) in one of the
    layouts of `dims`-d pooling. Other integer input raises DTypeNotImplementedError (a
    TypeError and NotImplementedError, PyTorch's class), bool input too."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected input to be a Tensor, got {type(x).__name__}")
    unbatched, batched = _LAYOUTS[dims]
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{op}: expected a {dims + 1}-D {unbatched} or {dims + 2}-D {batched} "
                         f"input, got shape {tuple(x.shape)}")
    if 0 in x.shape[-dims - 1:]:
        raise ShapeError(f"{op}: expected non-zero sizes in all dims except the batch dim, got "
                         f"shape {tuple(x.shape)}")
    if x.dtype.category == 1 and integers:
        return
    if not x.dtype.is_floating_point:
        kinds = "floating point or integer" if integers else "floating point"
        raise DTypeNotImplementedError(f"{op}: expected a {kinds} input, got dtype {x.dtype}")


def _as_nchw(x, dims):
    """x reshaped to (N, C, H, W), H = 1 in 1-d; and the leading dims to restore afterwards.
    An (N, C, H, W) input of a 2-d pool is returned as it is (no graph node for nothing)."""
    lead, nchw = _nchw_shape(tuple(x.shape), dims)
    return x if nchw is None else x.reshape(nchw), lead


def _nchw_shape(shape, dims):
    """(the leading dims, the (N, C, H, W) shape to reshape an input of `shape` to, or None
    for an (N, C, H, W) input of a 2-d pool, which is used as it is)."""
    lead = shape[:-dims]
    if dims == 2 and len(lead) == 2:
        return lead, None
    batched = lead if len(lead) == 2 else (1,) + lead
    return lead, batched + (1,) * (2 - dims) + shape[-dims:]


def _restore(y, lead, dims):
    if dims == 2 and len(lead) == 2:
        return y
    return y.reshape(lead + tuple(y.shape[-dims:]))


def _plane(values, fill):
    """A 1-d geometry (a 1-tuple) as the 2-d one over an H = 1 plane; a 2-d one unchanged."""
    return values if len(values) == 2 else (fill,) + values


def _plain(*values):
    """Whether arguments can key the plan cache: each None, an exact int, or a tuple of exact
    ints (a bool equals an int as a key, but is refused as a size: it must take the checks)."""
    for value in values:
        kind = type(value)
        if not (kind is int or value is None
                or (kind is tuple and all(type(v) is int for v in value))):
            return False
    return True


_PLANS = {}  # (op, input shape, dtype, plain arguments) -> the checked call's _PoolPlan
_MAX_PLANS = 1024  # a program that sees ever new shapes starts the cache afresh


def _cached_plan(make, op, dims, input, sizes, flags):
    """`make(op, dims, input, *sizes, *flags)`: the checks and PoolGeometry of a pooling call,
    a function of the input's type, shape and dtype and of the arguments, so computed once
    per distinct set of them when the size arguments are plain (`flags` are bools). Returns
    (geometry, lead, the (N, C, H, W) shape to reshape the input to or None)."""
    arguments = sizes + flags
    if not (isinstance(input, Tensor) and _plain(*sizes)):
        return make(op, dims, input, *arguments)
    key = (op, input._data.shape, input._dtype) + arguments
    plan = _PLANS.get(key)
    if plan is None:
        plan = make(op, dims, input, *arguments)
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def _checked_windows(op, sizes, dims, kernel_size, stride, padding, dilation, ceil_mode):
    """Checked (kernel, stride, padding, dilation, output size) tuples of `dims` ints each."""
    kernel = int_tuple(kernel_size, dims, "kernel_size", op, minimum=1, allow_one=True)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel
    stride = int_tuple(stride, dims, "stride", op, minimum=1, allow_one=True)
    padding = int_tuple(padding, dims, "padding", op, minimum=0, allow_one=True)
    dilation = int_tuple(dilation, dims, "dilation", op, minimum=1, allow_one=True)
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ShapeError(f"{op}: padding must be at most half of kernel_size, got padding "
                         f"{padding} with kernel_size {kernel}")
    out = tuple(pooled_size(*args, ceil_mode) for args in
                zip(sizes, kernel, stride, padding, dilation))
    if min(out) < 1:
        raise ShapeError(f"{op}: input of spatial size {sizes} is too small for kernel_size "
                         f"{kernel} with padding {padding} and dilation {dilation}: the output "
                         f"size would be {out}")
    return kernel, stride, padding, dilation, out


# ---- max pooling ------------------------------------------------------------------------------

def _max_pool_plan(op, dims, input, kernel_size, stride, padding, dilation, ceil_mode):
    _check_input(input, dims, op, integers=dims == 2)  # as PyTorch: not max_pool1d
    shape = tuple(input.shape)
    kernel, stride, padding, dilation, out_size = _checked_windows(
        op, shape[-dims:], dims, kernel_size, stride, padding, dilation, ceil_mode)
    lead, nchw = _nchw_shape(shape, dims)
    geometry = PoolGeometry((nchw or shape)[2:], _plane(out_size, 1), _plane(kernel, 1),
                            _plane(stride, 1), _plane(padding, 0), _plane(dilation, 1))
    return geometry, lead, nchw


def _max_pool(op, dims, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    geometry, lead, nchw = _cached_plan(_max_pool_plan, op, dims, input,
                                        (kernel_size, stride, padding, dilation),
                                        (bool(ceil_mode),))
    if nchw is None:  # (N, C, H, W) in 2-d: MaxPool2d's node is the result's, named as PyTorch
        out, indices = MaxPool2d.apply(input, geometry)
        return (out, indices) if return_indices else out
    out, indices = MaxPool2d.apply(input.reshape(nchw), geometry)
    out = rename_grad_fn(_restore(out, lead, dims),
                         "MaxPool2DWithIndicesBackward0" if dims == 2 else "SqueezeBackward1")
    return (out, _restore(indices, lead, dims)) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows along L of an (N, C, L) or (C, L) input, padded with -inf.

    stride defaults to kernel_size; padding must be at most kernel_size // 2. With
    `return_indices` also returns the argmax positions along L (int64; the first maximum in a
    window wins, a NaN always wins).
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over (dilated) windows of an (N, C, H, W) or (C, H, W) input, padded with -inf.

    kernel_size, stride, padding, dilation: an int or an (h, w) pair; stride defaults to
    kernel_size; padding must be at most kernel_size // 2. ceil_mode rounds the output size up
    (the last window must still start inside the input or the left padding). With
    `return_indices` also returns the argmax positions as flat indices h * W + w into each input
    plane (int64; the first maximum in a window wins, a NaN always wins), which max_unpool2d
    takes. Gradients go to the argmax positions, adding up where windows overlap.
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


# ---- average pooling --------------------------------------------------------------------------

def _avg_pool_plan(op, dims, input, kernel_size, stride, padding, divisor_override, ceil_mode,
                   count_include_pad):
    _check_input(input, dims, op)
    shape = tuple(input.shape)
    kernel, stride, padding, _, out_size = _checked_windows(
        op, shape[-dims:], dims, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if not is_int(divisor_override):
            raise TypeError(f"{op}: divisor_override must be an int or None, got "
                            f"{divisor_override!r}")
        if divisor_override == 0:
            raise ValueError(f"{op}: divisor_override must not be zero")
        divisor_override = int(divisor_override)
    lead, nchw = _nchw_shape(shape, dims)
    geometry = PoolGeometry((nchw or shape)[2:], _plane(out_size, 1), _plane(kernel, 1),
                            _plane(stride, 1), _plane(padding, 0), (1, 1),
                            count_include_pad, divisor_override or 0)
    return geometry, lead, nchw


def _avg_pool(op, dims, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    geometry, lead, nchw = _cached_plan(_avg_pool_plan, op, dims, input,
                                        (kernel_size, stride, padding, divisor_override),
                                        (bool(ceil_mode), bool(count_include_pad)))
    if nchw is None:
        return rename_grad_fn(AvgPool2d.apply(input, geometry), "AvgPool2DBackward0")
    out = _restore(AvgPool2d.apply(input.reshape(nchw), geometry), lead, dims)
    return rename_grad_fn(out, "AvgPool2DBackward0" if dims == 2 else "SqueezeBackward1")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over windows along L of an (N, C, L) or (C, L) input.

    stride defaults to kernel_size; padding (zeros) must be at most kernel_size // 2. Each window
    is divided by its size counting the padding it covers if `count_include_pad`, else by the
    number of input elements in it.
    """
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over windows of an (N, C, H, W) or (C, H, W) input.

    kernel_size, stride, padding: an int or an (h, w) pair; stride defaults to kernel_size;
    padding (zeros) must be at most kernel_size // 2. Each window sum is divided by
    `divisor_override` if given, else by the window's size counting the padding it covers
    (`count_include_pad`) or by the number of input elements in it. With ceil_mode a window
    hanging over the right/bottom padding counts only up to the padding's end, as in PyTorch.
    """
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


# ---- adaptive average pooling -----------------------------------------------------------------

def _adaptive_size(op, output_size, sizes):
    """The output size as ints; in 2-d an entry None keeps that input size."""
    dims = len(sizes)
    if is_int(output_size):
        size = (int(output_size),) * dims
    elif (isinstance(output_size, (tuple, list)) and len(output_size) == dims
          and all(is_int(s) or (s is None and dims == 2) for s in output_size)):
        size = tuple(n if s is None else int(s) for s, n in zip(output_size, sizes))
    else:
        allowed = "ints or None" if dims == 2 else "int"
        raise TypeError(f"{op}: output_size must be an int or a sequence of {dims} {allowed}, "
                        f"got {output_size!r}")
    if min(size) < 0:
        raise InvalidArgumentError(f"{op}: output_size must be non-negative, got "
                                   f"{output_size!r}")
    return size


def _adaptive_avg_pool(op, dims, input, output_size):
    _check_input(input, dims, op)
    out_size = _adaptive_size(op, output_size, tuple(input.shape[-dims:]))
    x, lead = _as_nchw(input, dims)
    geometry = PoolGeometry.adaptive_of(tuple(x.shape[2:]), _plane(out_size, 1))
    out = _restore(AdaptiveAvgPool2d.apply(x, geometry), lead, dims)
    # PyTorch: a mean for a 1x1 output, and 1-D pooling ends with a squeeze
    name = "SqueezeBackward1" if dims == 1 else \
        "MeanBackward1" if tuple(out_size) == (1, 1) else "AdaptiveAvgPool2DBackward0"
    return rename_grad_fn(out, name)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of an (N, C, L) or (C, L) input to length `output_size` (an int or a
    1-sequence): output i averages [floor(i * L / out), ceil((i + 1) * L / out))."""
    return _adaptive_avg_pool("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling of an (N, C, H, W) or (C, H, W) input to `output_size` (an int or an
    (oH, oW) pair, where None keeps that input size). Along each axis output i averages
    [floor(i * size / out), ceil((i + 1) * size / out)); windows may overlap."""
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


# ---- max unpooling ----------------------------------------------------------------------------

def _unpool_size(op, sizes, kernel, stride, padding, output_size):
    """PyTorch's unpooling output size: (in - 1) * stride + kernel - 2 * padding by default; a
    given output_size (its last len(sizes) entries) must be within one stride of that."""
    dims = len(sizes)
    default = tuple((n - 1) * s + k - 2 * p for n, s, k, p in zip(sizes, stride, kernel, padding))
    if output_size is None:
        size = default
    else:
        if not (isinstance(output_size, (tuple, list)) and all(map(is_int, output_size))):
            raise TypeError(f"{op}: output_size must be None or a sequence of ints, got "
                            f"{output_size!r}")
        if len(output_size) not in (dims, dims + 2):
            raise ValueError(f"{op}: output_size must have {dims} or {dims + 2} entries, got "
                             f"{output_size!r}")
        size = tuple(int(s) for s in output_size[-dims:])
        for d, (s, base, step) in enumerate(zip(size, default, stride)):
            if not base - step < s < base + step:
                raise ValueError(f"{op}: invalid output_size {output_size!r}: dim {d} must be "
                                 f"strictly between {base - step} and {base + step}")
    if min(size) < 0:
        raise ShapeError(f"{op}: output size must be non-negative, got {size} (from kernel_size "
                         f"{kernel}, stride {stride}, padding {padding})")
    return size


def _max_unpool(op, dims, input, indices, kernel_size, stride, padding, output_size):
    _check_input(input, dims, op)
    if not isinstance(indices, Tensor) or indices.dtype is not dtypes.int64:
        got = indices.dtype if isinstance(indices, Tensor) else type(indices).__name__
        raise TypeError(f"{op}: expected indices to be an int64 Tensor, got {got}")
    if tuple(indices.shape) != tuple(input.shape):
        raise ValueError(f"{op}: indices must have the input's shape {tuple(input.shape)}, got "
                         f"{tuple(indices.shape)}")
    kernel = int_tuple(kernel_size, dims, "kernel_size", op, allow_one=True)
    stride = kernel if stride is None else int_tuple(stride, dims, "stride", op, allow_one=True)
    padding = int_tuple(padding, dims, "padding", op, allow_one=True)
    if min(kernel) <= 0 or min(stride) <= 0 or min(padding) < 0:
        raise ValueError(f"{op}: expected kernel_size and stride > 0 and padding >= 0, got "
                         f"kernel_size {kernel}, stride {stride}, padding {padding}")
    out_size = _unpool_size(op, tuple(input.shape[-dims:]), kernel, stride, padding,
                            output_size)
    plane = int(np.prod(out_size))
    if indices.numel():
        low, high = int(indices.amin().item()), int(indices.amax().item())
        if low < 0 or high >= plane:
            bad = low if low < 0 else high
            raise InvalidArgumentError(f"{op}: index {bad} in indices is outside the output "
                                       f"plane of size {out_size} ({plane} positions)")
    x, lead = _as_nchw(input, dims)
    idx, _ = _as_nchw(indices, dims)
    out = ScatterByIndices.apply(x, idx, _plane(out_size, 1), False)
    return _restore(out, lead, dims)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: zeros of length output_size with input's values at
    `indices` (as max_pool1d returns them). output_size defaults to
    (L - 1) * stride + kernel_size - 2 * padding."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: zeros of shape (N, C, *output_size) with input's
    values placed at the flat plane positions `indices` (as max_pool2d returns them; where
    positions repeat, the last one wins). output_size defaults to
    (in - 1) * stride + kernel_size - 2 * padding per axis; a given one (2 or 4 entries) must be
    within one stride of that."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size)


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d",
           "max_pool1d", "max_pool2d", "max_unpool1d", "max_unpool2d"]
