"""GoogLeNet / Inception v1 (Szegedy et al., 2014) in torchvision's layout: every convolution
is followed by BatchNorm, and the auxiliary classifiers are left out."""
from .. import nn
from ..functions import cat
from ._common import builds_with_weights, check_positive_ints, upscale_to_min_size


class BasicConv2d(nn.Module):
    """Conv2d (no bias) -> BatchNorm2d(eps=0.001) -> ReLU; `kwargs` go to the Conv2d."""

    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """Four parallel branches concatenated along channels: 1x1; 1x1 -> 3x3; 1x1 -> "5x5";
    3x3 max pool -> 1x1. Output channels: ch1x1 + ch3x3 + ch5x5 + pool_proj.

    The "5x5" branch uses a 3x3 kernel, as torchvision's GoogLeNet does (its pretrained
    weights were trained that way), which is what the published parameter count assumes.
    """

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, kernel_size=1),
                                     BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, kernel_size=1),
                                     BasicConv2d(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1))

    def forward(self, x):
        return cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class GoogLeNet(nn.Module):
    """Stem (conv1 7x7/2, pool, conv2 1x1, conv3 3x3, pool), Inception blocks 3a-3b, 4a-4e and
    5a-5b with pools between the stages, global average pooling, dropout 0.2 and `fc`.

    Module names match torchvision ("inception4a.branch2.1.conv.weight", "fc.bias"), so
    state_dict keys and the parameter count (6,624,904 for 1000 classes) match torchvision's
    googlenet with aux_logits=False, and converted weights load.

    Input (N, in_channels, H, W) -> logits (N, num_classes). The stride-2 pools need
    H, W >= 15; smaller images (8x8) are first enlarged by a whole factor with
    nearest-neighbour sampling (see `min_input_size`).
    """

    min_input_size = 15

    def __init__(self, num_classes=1000, in_channels=3, dropout=0.2, init_weights=True):
        super().__init__()
        check_positive_ints("GoogLeNet", num_classes=num_classes, in_channels=in_channels)
        self.conv1 = BasicConv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)

        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128)

        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)
        if init_weights:
            self._init_weights()

    def _init_weights(self):
        # torchvision draws a normal with std 0.01 truncated at +-2, i.e. at 200 standard
        # deviations: the truncation never happens in practice, so a plain normal is the same.
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(module.weight, 0.0, 0.01)

    def forward(self, x):
        x = upscale_to_min_size(x, self.min_input_size, "GoogLeNet")
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        for block in (self.inception4a, self.inception4b, self.inception4c, self.inception4d,
                      self.inception4e):
            x = block(x)
        x = self.maxpool4(x)
        x = self.inception5b(self.inception5a(x))
        x = self.avgpool(x).flatten(1)
        return self.fc(self.dropout(x))


@builds_with_weights
def googlenet(num_classes=1000, in_channels=3, **kwargs):
    """GoogLeNet without auxiliary heads; keyword arguments (`dropout`, `init_weights`) go to
    `GoogLeNet`."""
    return GoogLeNet(num_classes=num_classes, in_channels=in_channels, **kwargs)
