"""Convolution layers: `Conv1d`, `Conv2d` and `ConvTranspose2d`.

Weights are (out_channels, in_channels / groups, *kernel_size) for a convolution and
(in_channels, out_channels / groups, *kernel_size) for a transposed one, initialised as in
PyTorch: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias
U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in computed from the weight's shape.
"""
import math

from ..._args import check_groups, sequence_length
from ...errors import ShapeError, SizeArgumentError
from ...functions.conv import check_padding_string
from ...functions.fused import conv2d_relu
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import check_tensor, empty_tensor

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: argument checks, parameters, repr."""

    _spatial_dims = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 output_padding, groups, bias, padding_mode, device, dtype):
        super().__init__()
        # Structure only (what the parameters' shapes need); the functional layer checks values.
        n, name = self._spatial_dims, type(self).__name__
        groups = check_groups(name, groups, (("in_channels", in_channels),
                                             ("out_channels", out_channels)))
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = sequence_length(kernel_size, n, "kernel_size", name)
        self.stride = sequence_length(stride, n, "stride", name)
        self.padding = self._check_padding(padding)
        self.dilation = sequence_length(dilation, n, "dilation", name)
        self.transposed = self._transposed
        self.output_padding = sequence_length(output_padding, n, "output_padding", name)
        self.groups = groups
        self.padding_mode = self._check_padding_mode(padding_mode)
        if self._transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty_tensor(shape, device, dtype))
        if bias:
            self.bias = Parameter(empty_tensor((out_channels,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _check_padding(self, padding):
        name = type(self).__name__
        if not isinstance(padding, str):
            return sequence_length(padding, self._spatial_dims, "padding", name)
        if self._transposed:
            raise SizeArgumentError(f"{name}: padding must be an int or a tuple of ints, got "
                                    f"{padding!r} (padding strings are not supported for "
                                    f"transposed convolutions)")
        check_padding_string(name, padding, self.stride)
        return padding

    def _check_padding_mode(self, padding_mode):
        name = type(self).__name__
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        if padding_mode != "zeros" and self._transposed:
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got "
                             f"padding_mode={padding_mode!r}")
        return padding_mode

    def _explicit_padding(self):
        """F.pad's amounts for a padding_mode other than 'zeros': (left, right) per spatial dim,
        last dim first; 'same' puts the odd one of a dim's total on the right, as torch."""
        amounts = []
        for d in reversed(range(self._spatial_dims)):
            if self.padding == "valid":
                left = right = 0
            elif self.padding == "same":
                total = self.dilation[d] * (self.kernel_size[d] - 1)
                left = total // 2
                right = total - left
            else:
                left = right = self.padding[d]
            amounts += [left, right]
        return tuple(amounts)

    def _padded(self, input):
        """(input, padding) for the convolution: a padding_mode other than 'zeros' pads the
        input here (reflect / replicate / circular) and convolves it with no padding."""
        if self.padding_mode == "zeros":
            return input, self.padding
        padded = F.pad(input, self._explicit_padding(), mode=self.padding_mode)
        return padded, (0,) * self._spatial_dims

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input):
        """(N, C_in, *spatial) or unbatched (C_in, *spatial), with C_in = in_channels."""
        n = self._spatial_dims
        spatial = ("L",) if n == 1 else ("H", "W")
        check_tensor(input, self)
        if input.ndim not in (n + 1, n + 2) or input.shape[-n - 1] != self.in_channels:
            batched = ", ".join(("N", str(self.in_channels)) + spatial)
            unbatched = ", ".join((str(self.in_channels),) + spatial)
            raise ShapeError(f"{type(self).__name__} expected input of shape ({batched}) or "
                             f"({unbatched}), got shape {tuple(input.shape)}")

    def extra_repr(self):
        parts = [f"{self.in_channels}, {self.out_channels}",
                 f"kernel_size={self.kernel_size}", f"stride={self.stride}"]
        n = self._spatial_dims
        if self.padding != (0,) * n:
            parts.append(f"padding={self.padding}")
        if self.dilation != (1,) * n:
            parts.append(f"dilation={self.dilation}")
        if self.output_padding != (0,) * n:
            parts.append(f"output_padding={self.output_padding}")
        if self.groups != 1:
            parts.append(f"groups={self.groups}")
        if self.bias is None:
            parts.append("bias=False")
        if self.padding_mode != "zeros":
            parts.append(f"padding_mode={self.padding_mode}")
        return ", ".join(parts)


class Conv1d(_ConvNd):
    """`Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')` over (N, C_in, L) or (C_in, L) input.
    padding may be an int or 'valid' / 'same'."""

    _spatial_dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        self._check_input(input)
        input, padding = self._padded(input)
        return F.conv1d(input, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class Conv2d(_ConvNd):
    """`Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')` over (N, C_in, H, W) or (C_in, H, W) input.
    kernel_size, stride, padding and dilation are ints or (h, w) pairs; padding may also be
    'valid' or 'same'."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        self._check_input(input)
        input, padding = self._padded(input)
        return F.conv2d(input, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)

    def _forward_relu(self, input):
        """relu(self.forward(input)) as one op: what `Sequential` runs for this layer and a
        `ReLU` after it when no hook can see the output in between."""
        self._check_input(input)
        input, padding = self._padded(input)
        return conv2d_relu(input, self.weight, self.bias, self.stride, padding, self.dilation,
                           self.groups)


class ConvTranspose2d(_ConvNd):
    """`ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')`, the gradient of
    Conv2d with respect to its input, over (N, C_in, H, W) or (C_in, H, W) input.

    `forward(input, output_size=None)`: output_size (H_out, W_out), optionally with the leading
    dims, picks the output_padding that yields it.
    """

    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        n = self._spatial_dims
        output_size = tuple(output_size)
        if len(output_size) == input.ndim:
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(f"{type(self).__name__}: output_size must have {n} or "
                             f"{input.ndim} elements (got {len(output_size)})")
        padding = []
        for d in range(n):
            size_in = input.shape[input.ndim - n + d]
            smallest = ((size_in - 1) * self.stride[d] - 2 * self.padding[d]
                        + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            largest = smallest + self.stride[d] - 1
            if not smallest <= output_size[d] <= largest:
                raise ValueError(f"{type(self).__name__}: requested an output size of "
                                 f"{output_size}, but valid sizes range from {smallest} to "
                                 f"{largest} in "
                                 f"spatial dim {d} for an input of shape {tuple(input.shape)}")
            padding.append(output_size[d] - smallest)
        return tuple(padding)

    def forward(self, input, output_size=None):
        self._check_input(input)
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)


class ConvTranspose1d(ConvTranspose2d):
    """`ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')`, the gradient of
    Conv1d with respect to its input, over (N, C_in, L) or (C_in, L) input;
    `forward(input, output_size=None)` as ConvTranspose2d's."""

    _spatial_dims = 1

    def forward(self, input, output_size=None):
        self._check_input(input)
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)
