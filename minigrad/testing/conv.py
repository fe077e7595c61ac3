"""Testing convolutions: hypothesis strategies for valid arguments, and slow numpy references.

`conv_params` draws a `ConvCase`: input and weight shapes, whether there is a bias, and the
keyword arguments of the convolution, named as in PyTorch, so the same case runs
`conv2d(x, w, b, **case.kwargs)` in minigrad and in `torch.nn.functional`. Every drawn case is
valid (the kernel fits the padded input, groups divide the channels, ...). `conv_axis` draws
the geometry along one axis alone, for other windowed ops.

The references loop over output (or input) positions on explicitly padded arrays: slow, but
each follows the definition directly. They take (N, C, *spatial) float arrays with one or two
spatial dims and compute in float64.
"""
import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .._args import int_tuple


@dataclass(frozen=True)
class ConvCase:
    """Shapes and keyword arguments of one convolution call.

    input_shape is (N, C, *spatial) or unbatched (C, *spatial); weight_shape is
    (C_out, C_in // groups, *kernel) for a convolution and (C_in, C_out // groups, *kernel)
    for a transposed one; bias_shape is None when there is no bias.
    """

    input_shape: tuple
    weight_shape: tuple
    bias_shape: tuple
    kwargs: dict


@st.composite
def _int_or_tuple(draw, values):
    """The values as a tuple, or (sometimes, when all agree) as the single int they share."""
    values = tuple(values)
    return values[0] if len(set(values)) == 1 and draw(st.booleans()) else values


@st.composite
def conv_axis(draw, max_side=6, max_kernel=3, max_stride=3, max_dilation=2, max_padding=2,
              transposed=False):
    """(size, kernel, stride, padding, dilation, output_padding) along one axis, valid for a
    convolution (the dilated kernel fits the padded input) or, with `transposed=True`, for a
    transposed convolution (output_padding < stride or dilation, positive output size).
    output_padding is 0 unless transposed."""
    kernel = draw(st.integers(1, max_kernel))
    dilation = draw(st.integers(1, max_dilation))
    stride = draw(st.integers(1, max_stride))
    span = dilation * (kernel - 1) + 1
    if not transposed:
        padding = draw(st.integers(0, max_padding))
        size = draw(st.integers(max(1, span - 2 * padding), max(max_side, span - 2 * padding)))
        return size, kernel, stride, padding, dilation, 0
    size = draw(st.integers(1, max_side))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))
    full = (size - 1) * stride + span + output_padding
    padding = draw(st.integers(0, min(max_padding, (full - 1) // 2)))
    return size, kernel, stride, padding, dilation, output_padding


@st.composite
def conv_params(draw, dims=2, transposed=False, max_batch=2, max_channels=3, max_side=6,
               max_kernel=3, max_stride=3, max_dilation=2, max_groups=3, unbatched=True):
    """Valid arguments for `conv{dims}d` (or `conv_transpose{dims}d` with `transposed=True`).

    Draws groups (including depthwise: one input channel per group, any channel multiplier),
    stride, padding ("same" and "valid" too for a convolution), dilation, output_padding for a
    transposed convolution, with or without bias, batched or (if `unbatched`) not. Channel
    counts per group are at most `max_channels`, spatial sizes at most about `max_side`.
    """
    groups = draw(st.integers(1, max_groups))
    per_group_in = draw(st.integers(1, max_channels))
    per_group_out = draw(st.integers(1, max_channels))
    axes = [draw(conv_axis(max_side, max_kernel, max_stride, max_dilation,
                           transposed=transposed)) for _ in range(dims)]
    sizes, kernel, stride, padding, dilation, output_padding = (list(v) for v in zip(*axes))
    kwargs = {"stride": draw(_int_or_tuple(stride)), "dilation": draw(_int_or_tuple(dilation)),
              "groups": groups}
    if transposed:
        kwargs["padding"] = draw(_int_or_tuple(padding))
        kwargs["output_padding"] = draw(_int_or_tuple(output_padding))
        weight_shape = (groups * per_group_in, per_group_out, *kernel)
    else:
        choice = draw(st.sampled_from(("numbers", "numbers", "same", "valid")))
        if choice == "same":
            kwargs["stride"] = 1
            kwargs["padding"] = "same"
            sizes = [max(s, 1) for s in sizes]
        elif choice == "valid":
            kwargs["padding"] = "valid"
            sizes = [max(s, d * (k - 1) + 1) for s, k, d in zip(sizes, kernel, dilation)]
        else:
            kwargs["padding"] = draw(_int_or_tuple(padding))
        weight_shape = (groups * per_group_out, per_group_in, *kernel)
    channels_out = groups * per_group_out
    lead = (groups * per_group_in,)
    if not (unbatched and draw(st.booleans())):
        lead = (draw(st.integers(1, max_batch)),) + lead
    bias_shape = (channels_out,) if draw(st.booleans()) else None
    return ConvCase(lead + tuple(sizes), weight_shape, bias_shape, kwargs)


# ---- numpy references -------------------------------------------------------------------------

def _padding_amounts(padding, kernel, dilation):
    """(before, after) per spatial dim for an int/tuple padding, "valid" or "same"."""
    if padding == "valid":
        return [(0, 0)] * len(kernel)
    if padding == "same":
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in totals]
    return [(p, p) for p in int_tuple(padding, len(kernel), "padding", "conv reference")]


def conv_reference(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlation by its definition: every output element is the sum of a window of the
    zero-padded input (the group's channels, taps `dilation` apart) times the weight.

    x (N, C, *spatial), weight (O, C // groups, *kernel), bias (O,) or None; padding may be
    an int, a tuple, "valid" or "same" (odd totals put the extra element at the end).
    """
    x, weight = np.asarray(x, np.float64), np.asarray(weight, np.float64)
    dims = x.ndim - 2
    kernel = weight.shape[2:]
    stride = int_tuple(stride, dims, "stride", "conv reference")
    dilation = int_tuple(dilation, dims, "dilation", "conv reference")
    widths = [(0, 0), (0, 0)] + _padding_amounts(padding, kernel, dilation)
    padded = np.pad(x, widths)
    out_size = [(padded.shape[2 + d] - dilation[d] * (kernel[d] - 1) - 1) // stride[d] + 1
                for d in range(dims)]
    channels_out = weight.shape[0]
    in_per_group, out_per_group = weight.shape[1], channels_out // groups
    out = np.zeros((x.shape[0], channels_out, *out_size))
    for n, o in itertools.product(range(x.shape[0]), range(channels_out)):
        first = (o // out_per_group) * in_per_group
        for position in itertools.product(*(range(s) for s in out_size)):
            window = tuple(slice(p * s, p * s + d * (k - 1) + 1, d) for p, s, d, k in
                           zip(position, stride, dilation, kernel))
            patch = padded[(n, slice(first, first + in_per_group)) + window]
            out[(n, o) + position] = np.sum(patch * weight[o])
    if bias is not None:
        out += np.asarray(bias, np.float64).reshape((1, -1) + (1,) * dims)
    return out


def conv_transpose_reference(x, weight, bias=None, stride=1, padding=0, output_padding=0,
                             groups=1, dilation=1):
    """Transposed convolution by its definition: every input element adds itself times the
    weight into a window of a zero output (taps `dilation` apart, windows `stride` apart), and
    `padding` elements are then cut from each side (output_padding extends the end).

    x (N, C_in, *spatial), weight (C_in, C_out // groups, *kernel), bias (C_out,) or None.
    """
    x, weight = np.asarray(x, np.float64), np.asarray(weight, np.float64)
    dims = x.ndim - 2
    kernel = weight.shape[2:]
    stride = int_tuple(stride, dims, "stride", "conv reference")
    dilation = int_tuple(dilation, dims, "dilation", "conv reference")
    padding = int_tuple(padding, dims, "padding", "conv reference")
    output_padding = int_tuple(output_padding, dims, "output_padding", "conv reference")
    in_per_group, out_per_group = x.shape[1] // groups, weight.shape[1]
    full_size = [(x.shape[2 + d] - 1) * stride[d] + dilation[d] * (kernel[d] - 1) + 1
                 + output_padding[d] for d in range(dims)]
    full = np.zeros((x.shape[0], out_per_group * groups, *full_size))
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        first = (c // in_per_group) * out_per_group
        for position in itertools.product(*(range(s) for s in x.shape[2:])):
            window = tuple(slice(p * s, p * s + d * (k - 1) + 1, d) for p, s, d, k in
                           zip(position, stride, dilation, kernel))
            full[(n, slice(first, first + out_per_group)) + window] += \
                x[(n, c) + position] * weight[c]
    crop = tuple(slice(p, size - p) for p, size in zip(padding, full_size))
    out = full[(slice(None), slice(None)) + crop]
    if bias is not None:
        out = out + np.asarray(bias, np.float64).reshape((1, -1) + (1,) * dims)
    return out


def conv_input_grad_reference(grad, weight, input_size, stride=1, padding=0, dilation=1,
                              groups=1):
    """The gradient of a convolution with respect to its input (N, C, *input_size): the
    transposed convolution of grad (N, O, *out) with weight (O, C // groups, *kernel), extended
    at the end to `input_size` (positions no window reads get zeros)."""
    grad = np.asarray(grad, np.float64)
    dims = grad.ndim - 2
    kernel = np.asarray(weight).shape[2:]
    stride = int_tuple(stride, dims, "stride", "conv reference")
    padding = int_tuple(padding, dims, "padding", "conv reference")
    dilation = int_tuple(dilation, dims, "dilation", "conv reference")
    natural = [(grad.shape[2 + d] - 1) * stride[d] - 2 * padding[d]
               + dilation[d] * (kernel[d] - 1) + 1 for d in range(dims)]
    extra = tuple(size - n for size, n in zip(input_size, natural))
    # output_padding past stride and dilation is fine here: the definition still holds
    return conv_transpose_reference(grad, weight, None, stride, padding, extra, groups, dilation)


def conv_weight_grad_reference(x, grad, kernel_size, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of a convolution with respect to its weight (O, C // groups, *kernel_size)
    by the definition of the adjoint: entry e is <grad, conv(x, unit weight e)>, the output
    positions being grad's (the first ones of the convolution's)."""
    x, grad = np.asarray(x, np.float64), np.asarray(grad, np.float64)
    shape = (grad.shape[1], x.shape[1] // groups) + tuple(kernel_size)
    out = np.zeros(shape)
    window = tuple(slice(0, s) for s in grad.shape[2:])
    for e in np.ndindex(*shape):
        unit = np.zeros(shape)
        unit[e] = 1.0
        y = conv_reference(x, unit, None, stride, padding, dilation, groups)
        out[e] = np.sum(grad * y[(slice(None), slice(None)) + window])
    return out


__all__ = ["ConvCase", "conv_axis", "conv_input_grad_reference", "conv_params", "conv_reference",
           "conv_transpose_reference", "conv_weight_grad_reference"]
