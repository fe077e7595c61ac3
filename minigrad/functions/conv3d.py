"""3-d convolution and transposed convolution, PyTorch's conv3d and conv_transpose3d.

A 3-d kernel is a stack of kd 2-d kernels along depth: the output at depth o sums, over the
depth taps i, the 2-d convolution of input slice o * stride + i * dilation with kernel slice i.
So each is kd calls of the 2-d convolution (or its transpose) with the depth positions folded
into the batch: the existing kernels on every device do the work, with the same FLOPs as a
direct 3-d kernel, and every derivative the 2-d ops have carries over.
"""
from .._args import check_groups, int_tuple
from ..creation import tensor, zeros
from ..errors import ShapeError
from ..tensor import Tensor
from .conv import _string_padding, conv2d, conv_transpose2d
from .indexing import index_put
from .shape import cat, pad


def _check(op, input, weight, bias):
    for t, name in ((input, "input"), (weight, "weight")):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(t).__name__}")
    if input.ndim not in (4, 5) or weight.ndim != 5:
        raise ShapeError(f"{op}: expected a 5-D (N, C, D, H, W) or 4-D input and a 5-D weight, "
                         f"got input {tuple(input.shape)} and weight {tuple(weight.shape)}")
    if bias is not None and (not isinstance(bias, Tensor) or bias.ndim != 1):
        raise ShapeError(f"{op}: bias must be a 1-D Tensor or None, got "
                         f"{getattr(bias, 'shape', type(bias).__name__)}")
    return input.ndim == 5


def _depth_taps(x, start, step, count):
    """x[:, :, start : start + step * (count - 1) + 1 : step] as (N * count, C, H, W)."""
    n, c = x.shape[0], x.shape[1]
    picked = x[:, :, start:start + step * (count - 1) + 1:step]
    return picked.transpose(1, 2).reshape((n * count, c) + tuple(x.shape[3:]))


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d cross-correlation: input (N, C, D, H, W) or (C, D, H, W), weight
    (O, C // groups, kd, kh, kw), bias (O,) or None -> (N, O, D_out, H_out, W_out), per dim
    out = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1. padding may be an
    int, a triple, "valid" or "same" (stride 1)."""
    op = "conv3d"
    batched = _check(op, input, weight, bias)
    x = input if batched else input.unsqueeze(0)
    stride = int_tuple(stride, 3, "stride", op, minimum=1)
    dilation = int_tuple(dilation, 3, "dilation", op, minimum=1)
    kernel = tuple(weight.shape[2:])
    groups = check_groups(op, groups, (("in_channels", x.shape[1]),
                                       ("out_channels", weight.shape[0])))
    if x.shape[1] != weight.shape[1] * groups:
        raise ShapeError(f"{op}: weight of shape {tuple(weight.shape)} with groups={groups} "
                         f"expects input with {weight.shape[1] * groups} channels, got input of "
                         f"shape {tuple(input.shape)}")
    if isinstance(padding, str):
        padding, extra = _string_padding(op, padding, kernel, stride, dilation)
        if any(extra):
            x = pad(x, [amount for e in reversed(extra) for amount in (0, e)])
    else:
        padding = int_tuple(padding, 3, "padding", op, minimum=0)
    if padding[0]:
        x = pad(x, (0, 0, 0, 0, padding[0], padding[0]))
    depth_out = (x.shape[2] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    if depth_out < 1:
        raise ShapeError(f"{op}: the kernel of depth {kernel[0]} (dilation {dilation[0]}) is "
                         f"deeper than the padded input ({x.shape[2]})")
    n = x.shape[0]
    out = None
    for i in range(kernel[0]):
        term = conv2d(_depth_taps(x, i * dilation[0], stride[0], depth_out), weight[:, :, i],
                      None, stride[1:], padding[1:], dilation[1:], groups)
        out = term if out is None else out + term
    out = out.reshape((n, depth_out) + tuple(out.shape[1:])).transpose(1, 2)
    if bias is not None:
        out = out + bias.reshape((1, -1, 1, 1, 1))
    return out if batched else out.squeeze(0)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-d transposed convolution (the gradient of conv3d with respect to its input): input
    (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_in, C_out // groups, kd, kh, kw), bias
    (C_out,) or None -> (N, C_out, D_out, H_out, W_out), per dim
    out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1."""
    op = "conv_transpose3d"
    batched = _check(op, input, weight, bias)
    x = input if batched else input.unsqueeze(0)
    if isinstance(padding, str):
        raise TypeError(f"{op}: padding must be an int or a tuple of 3 ints, got {padding!r}")
    stride = int_tuple(stride, 3, "stride", op, minimum=1)
    dilation = int_tuple(dilation, 3, "dilation", op, minimum=1)
    padding = int_tuple(padding, 3, "padding", op, minimum=0)
    output_padding = int_tuple(output_padding, 3, "output_padding", op, minimum=0)
    if any(e >= s and e >= d for e, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op}: output_padding must be smaller than either stride or dilation "
                         f"in each dim, got output_padding {output_padding}, stride {stride}, "
                         f"dilation {dilation}")
    if x.shape[1] != weight.shape[0]:
        raise ShapeError(f"{op}: weight of shape {tuple(weight.shape)} expects input with "
                         f"{weight.shape[0]} channels, got input of shape {tuple(input.shape)}")
    n, depth_in, kd = x.shape[0], x.shape[2], weight.shape[2]
    depth_out = (depth_in - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kd - 1) + \
        output_padding[0] + 1
    if depth_out < 1:
        raise ShapeError(f"{op}: the output depth {depth_out} is not positive")
    slices = x.transpose(1, 2).reshape((n * depth_in, x.shape[1]) + tuple(x.shape[3:]))
    terms, positions = [], []
    for i in range(kd):
        term = conv_transpose2d(slices, weight[:, :, i], None, stride[1:], padding[1:],
                                output_padding[1:], groups, dilation[1:])
        terms.append(term.reshape((n, depth_in) + tuple(term.shape[1:])))
        positions += [d * stride[0] + i * dilation[0] - padding[0] for d in range(depth_in)]
    stacked = cat(terms, 1)
    # keep the depth positions that land inside the output (padding crops the rest)
    keep = [k for k, p in enumerate(positions) if 0 <= p < depth_out]
    canvas = zeros((n, depth_out) + tuple(stacked.shape[2:]), dtype=stacked.dtype,
                   device=stacked.device)
    if keep:
        kept = stacked[:, tensor(keep, device=x.device)]
        where_to = tensor([positions[k] for k in keep], device=x.device)
        canvas = index_put(canvas, (slice(None), where_to), kept, accumulate=True)
    else:  # padding crops every position: zero gradients still reach input and weight
        canvas = canvas + stacked[:, :0].sum()
    out = canvas.transpose(1, 2)
    if bias is not None:
        out = out + bias.reshape((1, -1, 1, 1, 1))
    return out if batched else out.squeeze(0)


__all__ = ["conv3d", "conv_transpose3d"]
