"""Layers of classic published networks: `LocalResponseNorm` (AlexNet, GoogLeNet v1),
`ChannelShuffle` (ShuffleNet), `Bilinear`, `Softmax2d`, `AdaptiveAvgPool1d`, and channel
dropout for 1-d and 3-d feature maps (`Dropout1d`, `Dropout3d`)."""
import math

from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import empty_tensor
from .dropout import _DropoutNd


class LocalResponseNorm(Module):
    """`LocalResponseNorm(size, alpha=0.0001, beta=0.75, k=1.0)`: each channel divided by
    (k + alpha * mean of the squares of `size` neighbouring channels)^beta."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class ChannelShuffle(Module):
    """`ChannelShuffle(groups)`: interleave the channels of (N, C, *) input across groups."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"


class Bilinear(Module):
    """`Bilinear(in1_features, in2_features, out_features, bias=True)`: y = x1^T A x2 + b with
    weight A (out, in1, in2) and bias (out,), both U(-1/sqrt(in1), 1/sqrt(in1))."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty_tensor((out_features, in1_features, in2_features),
                                             device, dtype))
        if bias:
            self.bias = Parameter(empty_tensor((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             f"instead")
        return F.softmax(input, -3)


class AdaptiveAvgPool1d(Module):
    """`AdaptiveAvgPool1d(output_size)`: average pooling of (N, C, L) or (C, L) input to
    output_size positions."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class Dropout1d(_DropoutNd):
    """`Dropout1d(p=0.5, inplace=False)`: in training, zero whole channels of (N, C, L) or
    (C, L) input with probability p and scale the others by 1 / (1 - p)."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """`Dropout3d(p=0.5, inplace=False)`: in training, zero whole channels of (N, C, D, H, W)
    or (C, D, H, W) input with probability p and scale the others by 1 / (1 - p)."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


__all__ = ["AdaptiveAvgPool1d", "Bilinear", "ChannelShuffle", "Dropout1d", "Dropout3d",
           "LocalResponseNorm", "Softmax2d"]
