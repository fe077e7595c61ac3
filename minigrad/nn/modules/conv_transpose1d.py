"""`ConvTranspose1d`: the gradient of Conv1d with respect to its input, as a layer."""
from .. import functional as F
from .conv import ConvTranspose2d


class ConvTranspose1d(ConvTranspose2d):
    """`ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')` over (N, C_in, L)
    or (C_in, L) input; weight (in_channels, out_channels / groups, kernel_size).

    `forward(input, output_size=None)`: output_size (L_out,), optionally with the leading dims,
    picks the output_padding that yields it.
    """

    _spatial_dims = 1

    def forward(self, input, output_size=None):
        self._check_input(input)
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)
