"""Convolutions: conv1d, conv2d and their transposes, with PyTorch's semantics.

Everything runs on three (N, C, H, W) Functions, each bilinear in its two tensor inputs:

    Conv2d(x, w)              y = x correlated with w              (the forward op)
    Conv2dInputGrad(g, w)     x-shaped: the adjoint of x -> Conv2d(x, w), applied to g
    Conv2dWeightGrad(x, g)    w-shaped: the adjoint of w -> Conv2d(x, w), applied to g

The derivative of a bilinear map in one argument is the map itself with that argument swapped
for the incoming gradient, so each Function's backward is written with the other two, and
derivatives of any order exist. Conv2dInputGrad is also the transposed convolution. All three
share the `ConvGeometry` built once per call (kept on ctx), which is all the kernels are told
about sizes and padding. A 1-d convolution is a 2-d one with H = 1; "same" padding that is odd
in total pads the input's end by the extra element first, as PyTorch does.
"""
from .._args import check_floating, check_groups, check_same_dtype, int_tuple
from ..autograd.function import KernelFunction, rename_grad_fn
from ..autograd.grad_mode import is_grad_enabled
from ..errors import ShapeError
from ..geometry import ConvGeometry
from ..tensor import Tensor
from .shape import pad


def _zeros(kernels, like, shape):
    """zeros(shape) of `like`'s dtype: a convolution summing over nothing."""
    return kernels.full(tuple(shape), like.dtype, 0)


def has_empty(*arrays):
    """Whether an operand holds no elements: the kernels assume none does."""
    return any(a.size == 0 for a in arrays)


def empty_conv2d(kernels, x, weight, bias, geometry):
    """Conv2d's result when x or weight holds no elements (no output channels, or an empty
    input): a sum of nothing, plus the bias."""
    out = _zeros(kernels, x, (x.shape[0], weight.shape[0], *geometry.output_size))
    return out if bias is None else kernels.add(out, kernels.reshape(bias, (bias.shape[0], 1, 1)))


class Conv2d(KernelFunction):
    """x (N, C, H, W), weight (O, C // groups, kh, kw), bias (O,) or None ->
    (N, O, *geometry.output_size), for the `ConvGeometry` the caller built and checked."""

    backward_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, kernels, x, weight, bias, geometry):
        ctx.save(inputs=(0, 1))
        ctx.geometry = geometry
        if has_empty(x, weight):
            return empty_conv2d(kernels, x, weight, bias, geometry)
        return kernels.conv2d_forward(x, weight, bias, geometry)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        return conv2d_backward(ctx.needs_input_grad, grad, x, weight, ctx.geometry)


def conv2d_backward(needs, grad, x, weight, geometry):
    """(grad_x, grad_weight, grad_bias, None) of Conv2d(x, weight, bias, geometry) for the
    gradient `grad` of its result, None where `needs` (needs_input_grad) says so."""
    grad_x = Conv2dInputGrad.apply(grad, weight, geometry) if needs[0] else None
    grad_weight = Conv2dWeightGrad.apply(x, grad, geometry) if needs[1] else None
    grad_bias = None
    if needs[2]:  # a recorded backward sums with Tensor ops, so that it is differentiable
        grad_bias = grad.sum(dim=(0, 2, 3)) if is_grad_enabled() else \
            grad._new(grad._backend.sum(grad._data, (0, 2, 3), False))
    return grad_x, grad_weight, grad_bias, None


class Conv2dInputGrad(KernelFunction):
    """grad (N, O, *geometry.output_size), weight (O, C // groups, kh, kw) ->
    (N, C, *geometry.input_size): the gradient of Conv2d with respect to its input, which is
    also the transposed convolution."""

    @staticmethod
    def forward(ctx, kernels, grad, weight, geometry):
        ctx.save(inputs=(0, 1))
        ctx.geometry = geometry
        if has_empty(grad, weight):
            channels = weight.shape[1] * geometry.groups
            return _zeros(kernels, grad, (grad.shape[0], channels, *geometry.input_size))
        return kernels.conv2d_backward_input(grad, weight, geometry)

    @staticmethod
    def backward(ctx, grad_x):
        grad, weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_grad = Conv2d.apply(grad_x, weight, None, ctx.geometry) if need[0] else None
        grad_weight = Conv2dWeightGrad.apply(grad_x, grad, ctx.geometry) if need[1] else None
        return grad_grad, grad_weight, None


class Conv2dWeightGrad(KernelFunction):
    """x (N, C, *geometry.input_size), grad (N, O, *geometry.output_size) ->
    (O, C // groups, *geometry.kernel_size): the gradient of Conv2d with respect to its
    weight."""

    @staticmethod
    def forward(ctx, kernels, x, grad, geometry):
        ctx.save(inputs=(0, 1))
        ctx.geometry = geometry
        if has_empty(x, grad):
            return _zeros(kernels, x, (grad.shape[1], x.shape[1] // geometry.groups,
                                       *geometry.kernel_size))
        return kernels.conv2d_backward_weight(x, grad, geometry)

    @staticmethod
    def backward(ctx, grad_weight):
        x, grad = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_x = Conv2dInputGrad.apply(grad, grad_weight, ctx.geometry) if need[0] else None
        grad_grad = Conv2d.apply(x, grad_weight, None, ctx.geometry) if need[1] else None
        return grad_x, grad_grad, None


# ---- argument checking ------------------------------------------------------------------------

def _check_tensor(op, name, value, ndims):
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(value).__name__}")
    if value.ndim not in ndims:
        expected = " or ".join(f"{d}-D" for d in ndims)
        raise ShapeError(f"{op}: expected a {expected} {name}, got shape {tuple(value.shape)}")


def _check_operands(op, nd, input, weight, bias):
    """Types, ranks and dtypes; returns True when `input` has a batch dim."""
    _check_tensor(op, "input", input, (nd + 2, nd + 1))
    _check_tensor(op, "weight", weight, (nd + 2,))
    check_floating(op, input)
    check_same_dtype(op, input, weight)
    if bias is not None:
        _check_tensor(op, "bias", bias, (1,))
        check_same_dtype(op, input, bias, second_name="bias")
    if any(k == 0 for k in weight.shape[2:]):
        raise ValueError(f"{op}: the kernel size must be positive, got weight of shape "
                         f"{tuple(weight.shape)}")
    return input.ndim == nd + 2


def _check_bias(op, bias, channels_out):
    if bias is not None and tuple(bias.shape) != (channels_out,):
        raise ShapeError(f"{op}: expected bias of shape ({channels_out},) (one per output "
                         f"channel), got {tuple(bias.shape)}")


def check_padding_string(op, padding, stride):
    """Raise unless `padding` (a string) is "valid", or "same" with unit strides. Layers call
    this too, so a bad padding string reads the same at construction and at call time."""
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: Invalid padding string {padding!r}: padding must be 'valid', "
                         f"'same', an int or a sequence of ints")
    if padding == "same" and any(s != 1 for s in stride):
        raise ValueError(f"{op}: padding='same' is not supported for strided convolutions, "
                         f"got stride {tuple(stride)}")


def _string_padding(op, padding, kernel, stride, dilation):
    """(symmetric padding, extra padding at the end) per dim for "valid" or "same"."""
    check_padding_string(op, padding, stride)
    if padding == "valid":
        return (0,) * len(kernel), (0,) * len(kernel)
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple(t // 2 for t in totals), tuple(t % 2 for t in totals)


def _as_batched(x, batched):
    return x if batched else x.unsqueeze(0)


def _as_2d(nd, x):
    """A 1-d operand (N, C, L) as its 2-d form (N, C, 1, L) (a no-op for 2-d)."""
    return x.unsqueeze(2) if nd == 1 else x


def _geometry_2d(nd, input_size, kernel, stride, padding, dilation, groups, output_size=None):
    """The ConvGeometry of the (N, C, H, W) convolution that runs an `nd`-d one (H = 1 in 1-d).
    `output_size` defaults to the convolution's; a transposed convolution gives its input's."""
    if nd == 1:
        input_size, kernel = (1,) + tuple(input_size), (1,) + tuple(kernel)
        stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
        output_size = None if output_size is None else (1,) + tuple(output_size)
    return ConvGeometry.of(input_size, kernel, stride, padding, dilation, groups, output_size)


def _node_name(nd, batched):
    """PyTorch's grad_fn name for the result: 1-D and unbatched convolutions end with a
    squeeze there too."""
    return "ConvolutionBackward0" if nd == 2 and batched else "SqueezeBackward1"


def _finish(nd, y, batched):
    if nd == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


# ---- convolution --------------------------------------------------------------------------------

def _plain(value):
    """Whether an argument can key the plan cache: an exact int or str, or a tuple of exact
    ints (a bool equals an int as a key, but is refused as a size: it must take the checks)."""
    kind = type(value)
    return kind is int or kind is str or (kind is tuple and all(type(v) is int for v in value))


_PLANS = {}  # the arguments of _conv_plan -> its result, for plain arguments
_MAX_PLANS = 1024  # a program that sees ever new shapes starts the cache afresh


def _conv_plan(op, nd, input_shape, weight_shape, bias_shape, stride, padding, dilation,
               groups):
    """The shape side of a convolution's arguments, checked (PyTorch's rules): (extra, the
    ConvGeometry), `extra` the padding "same" adds at the end of each spatial dim before the
    symmetric padding (None if none). A pure function of its arguments, so it is cached."""
    x_shape = input_shape if len(input_shape) == nd + 2 else (1,) + input_shape
    stride = int_tuple(stride, nd, "stride", op, minimum=1)
    dilation = int_tuple(dilation, nd, "dilation", op, minimum=1)
    channels_out, kernel = weight_shape[0], weight_shape[2:]
    groups = check_groups(op, groups, (("in_channels", x_shape[1]),
                                       ("out_channels", channels_out)))
    if x_shape[1] != weight_shape[1] * groups:
        raise ShapeError(f"{op}: weight of shape {weight_shape} with groups={groups} "
                         f"expects input with {weight_shape[1] * groups} channels, got input of "
                         f"shape {input_shape} with {x_shape[1]} channels")
    if bias_shape is not None and bias_shape != (channels_out,):
        raise ShapeError(f"{op}: expected bias of shape ({channels_out},) (one per output "
                         f"channel), got {bias_shape}")
    size = x_shape[2:]
    extra = None
    if isinstance(padding, str):
        padding, extra = _string_padding(op, padding, kernel, stride, dilation)
        if any(extra):
            size = tuple(s + e for s, e in zip(size, extra))
        else:
            extra = None
    else:
        padding = int_tuple(padding, nd, "padding", op, minimum=0)
    padded = tuple(s + 2 * p for s, p in zip(size, padding))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(s > p for s, p in zip(span, padded)):
        raise ShapeError(f"{op}: the kernel of size {kernel} with dilation {dilation} spans "
                         f"{span}, larger than the padded input size {padded} (input spatial "
                         f"size {size}, padding {padding})")
    return extra, _geometry_2d(nd, size, kernel, stride, padding, dilation, groups)


def conv_operands(op, nd, input, weight, bias, stride, padding, dilation, groups):
    """Check an `nd`-d convolution's arguments (PyTorch's rules) and return what the
    (N, C, H, W) Functions take: (input, weight) in their 2-d batched forms, the
    ConvGeometry, and whether `input` had a batch dim.

    Every check depends only on the arguments' types, shapes and dtypes and the int
    arguments, so the checks and the geometry are computed once per distinct set of them
    (one ConvGeometry object then serves every call, with what it caches)."""
    if (isinstance(input, Tensor) and isinstance(weight, Tensor)
            and (bias is None or isinstance(bias, Tensor)) and _plain(stride)
            and _plain(padding) and _plain(dilation) and type(groups) is int):
        key = (op, nd, input._data.shape, input._dtype, weight._data.shape, weight._dtype,
               None if bias is None else (bias._data.shape, bias._dtype), stride, padding,
               dilation, groups)
        found = _CHECKED.get(key)
        if found is None:
            found = _checked_operands(op, nd, input, weight, bias, stride, padding, dilation,
                                      groups)
            if len(_CHECKED) >= _MAX_PLANS:
                _CHECKED.clear()
            _CHECKED[key] = found
    else:
        found = _checked_operands(op, nd, input, weight, bias, stride, padding, dilation,
                                  groups)
    batched, extra, geometry = found
    x = _as_batched(input, batched)
    if extra is not None:
        x = pad(x, [amount for e in reversed(extra) for amount in (0, e)])
    return _as_2d(nd, x), _as_2d(nd, weight), geometry, batched


_CHECKED = {}  # conv_operands' arguments' types, shapes, dtypes and ints -> its checks' result


def _checked_operands(op, nd, input, weight, bias, stride, padding, dilation, groups):
    """(whether input has a batch dim, extra "same" padding or None, ConvGeometry) of a
    convolution's arguments, which are checked (raising PyTorch's errors)."""
    batched = _check_operands(op, nd, input, weight, bias)
    args = (op, nd, tuple(input.shape), tuple(weight.shape),
            None if bias is None else tuple(bias.shape), stride, padding, dilation, groups)
    cacheable = _plain(stride) and _plain(padding) and _plain(dilation) and \
        type(groups) is int
    plan = _PLANS.get(args) if cacheable else None
    if plan is None:
        plan = _conv_plan(*args)
        if cacheable:
            if len(_PLANS) >= _MAX_PLANS:
                _PLANS.clear()
            _PLANS[args] = plan
    return (batched,) + plan


def _conv(op, nd, input, weight, bias, stride, padding, dilation, groups):
    x, weight, geometry, batched = conv_operands(op, nd, input, weight, bias, stride, padding,
                                                 dilation, groups)
    y = Conv2d.apply(x, weight, bias, geometry)
    return rename_grad_fn(_finish(nd, y, batched), _node_name(nd, batched))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation, PyTorch's `torch.nn.functional.conv1d`.

    input (N, C, L) or unbatched (C, L); weight (O, C // groups, k); bias (O,) or None.
    padding: an int, "valid" or "same" (stride 1 only). Returns (N, O, L_out) with
    L_out = (L + 2 * padding - dilation * (k - 1) - 1) // stride + 1.
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation, PyTorch's `torch.nn.functional.conv2d`.

    input (N, C, H, W) or unbatched (C, H, W); weight (O, C // groups, kh, kw); bias (O,) or
    None. stride, padding and dilation are ints or (height, width) pairs; padding may also be
    "valid" or "same" (stride 1 only). Returns (N, O, H_out, W_out), per dim
    out = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1.
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


# ---- transposed convolution ---------------------------------------------------------------------

def _conv_transpose(op, nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    batched = _check_operands(op, nd, input, weight, bias)
    x = _as_batched(input, batched)
    if isinstance(padding, str):
        raise TypeError(f"{op}: padding must be an int or a tuple of {nd} ints, got "
                        f"{padding!r}")
    stride = int_tuple(stride, nd, "stride", op, minimum=1)
    dilation = int_tuple(dilation, nd, "dilation", op, minimum=1)
    padding = int_tuple(padding, nd, "padding", op, minimum=0)
    output_padding = int_tuple(output_padding, nd, "output_padding", op, minimum=0)
    if any(e >= s and e >= d for e, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op}: output_padding must be smaller than either stride or dilation "
                         f"in each dim, got output_padding {output_padding}, stride {stride}, "
                         f"dilation {dilation}")
    channels_in, kernel = weight.shape[0], tuple(weight.shape[2:])
    groups = check_groups(op, groups, (("in_channels", channels_in),))
    if x.shape[1] != channels_in:
        raise ShapeError(f"{op}: weight of shape {tuple(weight.shape)} expects input with "
                         f"{channels_in} channels, got input of shape {tuple(input.shape)} with "
                         f"{x.shape[1]} channels")
    _check_bias(op, bias, weight.shape[1] * groups)
    out_size = tuple((s - 1) * st - 2 * p + d * (k - 1) + e + 1 for s, st, p, d, k, e in
                     zip(x.shape[2:], stride, padding, dilation, kernel, output_padding))
    if any(s < 1 for s in out_size):
        raise ShapeError(f"{op}: the output size {out_size} is not positive (input spatial "
                         f"size {tuple(x.shape[2:])}, kernel {kernel}, stride {stride}, padding "
                         f"{padding}, dilation {dilation}, output_padding {output_padding})")
    geometry = _geometry_2d(nd, out_size, kernel, stride, padding, dilation, groups,
                            output_size=tuple(x.shape[2:]))
    y = Conv2dInputGrad.apply(_as_2d(nd, x), _as_2d(nd, weight), geometry)
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return rename_grad_fn(_finish(nd, y, batched), _node_name(nd, batched))


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution, PyTorch's `torch.nn.functional.conv_transpose1d`.

    input (N, C_in, L) or unbatched (C_in, L); weight (C_in, C_out // groups, k); bias (C_out,)
    or None. Returns (N, C_out, L_out) with
    L_out = (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1.
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution (the gradient of conv2d with respect to its input),
    PyTorch's `torch.nn.functional.conv_transpose2d`.

    input (N, C_in, H, W) or unbatched (C_in, H, W); weight (C_in, C_out // groups, kh, kw);
    bias (C_out,) or None. output_padding (< stride or < dilation per dim) adds rows/columns
    at the end to pick one of the input sizes a strided conv2d maps to the same output size.
    Returns (N, C_out, H_out, W_out) with, per dim,
    out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1.
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]
