"""Xception (Chollet, 2017): Inception taken to the extreme, built from depthwise-separable
convolutions with residual connections. Module names follow the widely used PyTorch port of
the Keras weights (timm's legacy "xception": conv1, block1.rep.0.conv1, block1.skip, ...), so
converted weights load."""
from .. import nn
from ._common import builds_with_weights, check_positive_ints, upscale_to_min_size


class SeparableConv2d(nn.Module):
    """A depthwise convolution (`conv1`: one kernel_size filter per input channel, i.e.
    groups=in_channels) followed by a pointwise 1x1 convolution mixing channels.

    Weights: in_channels * k * k + in_channels * out_channels, against
    in_channels * out_channels * k * k for a full convolution: for 728 -> 728 channels and
    3x3 kernels that is 536,536 instead of 4,769,856 (8.9x fewer).
    """

    def __init__(self, in_channels, out_channels, kernel_size=1, stride=1, padding=0,
                 dilation=1, bias=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, in_channels, kernel_size, stride, padding, dilation,
                               groups=in_channels, bias=bias)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.conv1(x))


class Block(nn.Module):
    """`reps` x (ReLU -> SeparableConv2d 3x3 -> BatchNorm2d) in `rep`, then a 3x3 stride-2 max
    pool when `stride` is 2; added to a shortcut (`skip` 1x1 conv + `skipbn` when the shape
    changes, else the identity).

    `grow_first`: the first separable conv changes the width (else the last does);
    `start_with_relu=False` drops the leading ReLU (the first block follows a ReLU already).
    """

    def __init__(self, in_channels, out_channels, reps, stride=1, start_with_relu=True,
                 grow_first=True):
        super().__init__()
        if out_channels != in_channels or stride != 1:
            self.skip = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
            self.skipbn = nn.BatchNorm2d(out_channels)
        else:
            self.skip = None
        widths = [in_channels] + [out_channels if grow_first else in_channels] * (reps - 1) \
            + [out_channels]
        layers = []
        for i in range(reps):
            layers += [nn.ReLU(), SeparableConv2d(widths[i], widths[i + 1], 3, padding=1),
                       nn.BatchNorm2d(widths[i + 1])]
        if not start_with_relu:
            layers = layers[1:]
        if stride != 1:
            layers.append(nn.MaxPool2d(3, stride, 1))
        self.rep = nn.Sequential(*layers)

    def forward(self, x):
        shortcut = x if self.skip is None else self.skipbn(self.skip(x))
        return self.rep(x) + shortcut


class Xception(nn.Module):
    """Entry flow (two 3x3 convolutions, blocks 1-3 to 728 channels at 1/16 resolution),
    middle flow (blocks 4-11: eight residual blocks of three 728-channel separable
    convolutions), exit flow (block 12 to 1024 channels, separable convolutions to 1536 and
    2048, global average pooling) and `fc`, as in the paper.

    36 convolutional layers and 22,855,952 parameters for 1000 classes and 3 input channels
    (the count of the paper's Keras model: its 22,910,480 "total" adds the BatchNorm running
    means and variances, which are buffers here).

    Input (N, in_channels, H, W) -> logits (N, num_classes); designed for 299x299. The two
    unpadded stem convolutions need H, W >= 7; smaller images are first enlarged by a whole
    factor with nearest-neighbour sampling (see `min_input_size`).
    """

    min_input_size = 7

    def __init__(self, num_classes=1000, in_channels=3):
        super().__init__()
        check_positive_ints("Xception", num_classes=num_classes, in_channels=in_channels)
        self.conv1 = nn.Conv2d(in_channels, 32, 3, stride=2, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.act2 = nn.ReLU()

        self.block1 = Block(64, 128, 2, 2, start_with_relu=False)
        self.block2 = Block(128, 256, 2, 2)
        self.block3 = Block(256, 728, 2, 2)
        for i in range(4, 12):
            setattr(self, f"block{i}", Block(728, 728, 3, 1))
        self.block12 = Block(728, 1024, 2, 2, grow_first=False)

        self.conv3 = SeparableConv2d(1024, 1536, 3, 1, 1)
        self.bn3 = nn.BatchNorm2d(1536)
        self.act3 = nn.ReLU()
        self.conv4 = SeparableConv2d(1536, 2048, 3, 1, 1)
        self.bn4 = nn.BatchNorm2d(2048)
        self.act4 = nn.ReLU()
        self.global_pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2048, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = upscale_to_min_size(x, self.min_input_size, "Xception")
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.act2(self.bn2(self.conv2(x)))
        for i in range(1, 13):
            x = getattr(self, f"block{i}")(x)
        x = self.act3(self.bn3(self.conv3(x)))
        x = self.act4(self.bn4(self.conv4(x)))
        return self.fc(self.global_pool(x).flatten(1))


@builds_with_weights
def xception(num_classes=1000, in_channels=3):
    """Xception for `num_classes` classes on `in_channels`-channel images."""
    return Xception(num_classes=num_classes, in_channels=in_channels)
