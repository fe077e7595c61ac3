"""3-d layers: `Conv3d`, `ConvTranspose3d`, `MaxPool3d`, `AvgPool3d` and
`AdaptiveAvgPool3d`, over (N, C, D, H, W) or unbatched (C, D, H, W) input, with PyTorch's
arguments, parameter shapes, initialisation and reprs."""
from ...functions import conv3d as C
from ...functions import pool3d as P
from .conv import ConvTranspose2d, _ConvNd
from .pooling import AdaptiveAvgPool2d, AvgPool2d, _MaxPoolNd


class Conv3d(_ConvNd):
    """`Conv3d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')`; weight (out_channels, in_channels / groups,
    kd, kh, kw). padding may be an int, a triple, 'valid' or 'same'."""

    _spatial_dims = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        self._check_input(input)
        input, padding = self._padded(input)
        return C.conv3d(input, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class ConvTranspose3d(ConvTranspose2d):
    """`ConvTranspose3d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')`; weight
    (in_channels, out_channels / groups, kd, kh, kw). `forward(input, output_size=None)`."""

    _spatial_dims = 3

    def forward(self, input, output_size=None):
        self._check_input(input)
        output_padding = self._output_padding(input, output_size)
        return C.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)


class MaxPool3d(_MaxPoolNd):
    """`MaxPool3d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
    ceil_mode=False)`; stride defaults to kernel_size."""

    def forward(self, input):
        return P.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class AvgPool3d(AvgPool2d):
    """`AvgPool3d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
    divisor_override=None)`; stride defaults to kernel_size."""

    def forward(self, input):
        return P.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """`AdaptiveAvgPool3d(output_size)`: average pooling to output_size (an int or a triple;
    None keeps that input size)."""

    def forward(self, input):
        return P.adaptive_avg_pool3d(input, self.output_size)
