"""ResNet (He et al., 2015): deep networks made trainable by identity shortcuts, in
torchvision's layout (the stride of a bottleneck block sits on its 3x3 convolution, "v1.5")."""
from .. import nn
from ._common import builds_with_weights, check_positive_ints


def conv3x3(in_planes, out_planes, stride=1):
    """3x3 convolution with padding 1 and no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut: relu(bn2(conv2(relu(bn1(conv1(x))))) + s(x)),
    where s is the identity or `downsample` (1x1 conv + BN) when the shape changes."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 (carries the stride) -> 1x1 (expand x4) convolutions, each with a
    BatchNorm, plus a shortcut as in `BasicBlock`."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU()
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """Stem (7x7/2 conv, BN, ReLU, 3x3/2 max pool), four stages of residual blocks
    (`layer1`..`layer4`, 64..512 base channels, stages 2-4 halve the resolution), global
    average pooling and `fc`. Module names match torchvision ("layer1.0.conv1",
    "layer2.0.downsample.0", "fc"), so state_dict keys and parameter counts match (ResNet-18:
    11,689,512 for 1000 classes) and converted weights load.

    Input (N, in_channels, H, W) with any H, W >= 1 (the total stride is 32, and a 1x1 map
    stays 1x1) -> logits (N, num_classes). Weights are initialised as torchvision does;
    `zero_init_residual` zeroes the last BN of each block so every block starts as the
    identity.
    """

    def __init__(self, block, layers, num_classes=1000, in_channels=3,
                 zero_init_residual=False):
        super().__init__()
        check_positive_ints("ResNet", num_classes=num_classes, in_channels=in_channels)
        if len(layers) != 4:
            raise ValueError(f"ResNet: layers must give the number of blocks of each of the 4 "
                             f"stages, got {layers!r}")
        self.inplanes = 64
        self.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights(zero_init_residual)

    def _make_layer(self, block, planes, blocks, stride=1):
        """A stage of `blocks` blocks; the first changes stride / width (with a projection
        shortcut when the shape changes)."""
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def _init_weights(self, zero_init_residual):
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        if zero_init_residual:
            for module in self.modules():
                if isinstance(module, Bottleneck):
                    nn.init.zeros_(module.bn3.weight)
                elif isinstance(module, BasicBlock):
                    nn.init.zeros_(module.bn2.weight)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def _resnet(block, layers, num_classes, in_channels, kwargs):
    return ResNet(block, layers, num_classes=num_classes, in_channels=in_channels, **kwargs)


@builds_with_weights
def resnet18(num_classes=1000, in_channels=3, **kwargs):
    """ResNet-18: BasicBlocks [2, 2, 2, 2]; keyword arguments go to `ResNet`."""
    return _resnet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels, kwargs)


@builds_with_weights
def resnet34(num_classes=1000, in_channels=3, **kwargs):
    """ResNet-34: BasicBlocks [3, 4, 6, 3]."""
    return _resnet(BasicBlock, [3, 4, 6, 3], num_classes, in_channels, kwargs)


@builds_with_weights
def resnet50(num_classes=1000, in_channels=3, **kwargs):
    """ResNet-50: Bottlenecks [3, 4, 6, 3]."""
    return _resnet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels, kwargs)


@builds_with_weights
def resnet101(num_classes=1000, in_channels=3, **kwargs):
    """ResNet-101: Bottlenecks [3, 4, 23, 3]."""
    return _resnet(Bottleneck, [3, 4, 23, 3], num_classes, in_channels, kwargs)


@builds_with_weights
def resnet152(num_classes=1000, in_channels=3, **kwargs):
    """ResNet-152: Bottlenecks [3, 8, 36, 3]."""
    return _resnet(Bottleneck, [3, 8, 36, 3], num_classes, in_channels, kwargs)
