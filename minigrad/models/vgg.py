"""VGG (Simonyan & Zisserman, 2014): stacks of 3x3 convolutions, configurations A, B, D, E
(VGG-11, -13, -16, -19), each with or without batch normalisation, as in torchvision."""
from .. import nn
from ._common import builds_with_weights, check_positive_ints, upscale_to_min_size

# Output channels of each 3x3 convolution; "M" is a 2x2 stride-2 max pool.
CONFIGS = {
    11: (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    13: (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    16: (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
         512, 512, 512, "M"),
    19: (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
         512, 512, 512, 512, "M"),
}


def make_layers(config, in_channels=3, batch_norm=False):
    """The `features` Sequential for `config`: conv (+ BatchNorm2d) + ReLU per number, a max
    pool per "M", numbered as in torchvision ("features.0" is the first convolution)."""
    layers = []
    for entry in config:
        if entry == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, entry, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(entry))
        layers.append(nn.ReLU())
        in_channels = entry
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """`features` (from `make_layers`), a 7x7 adaptive average pool and three fully connected
    layers (`classifier`), named as torchvision's VGG so state_dict keys and parameter counts
    match (VGG-16: 138,357,544 for 1000 classes) and converted weights load.

    Input (N, in_channels, H, W) -> logits (N, num_classes). Five 2x2 pools need H, W >= 32;
    smaller images (28x28) are first enlarged by a whole factor with nearest-neighbour
    sampling (see `min_input_size`). Weights are initialised as torchvision does: convolutions
    He-normal (fan_out), linear layers N(0, 0.01), biases 0.
    """

    min_input_size = 32

    def __init__(self, features, num_classes=1000, dropout=0.5, init_weights=True):
        super().__init__()
        if not isinstance(features, nn.Module):
            raise TypeError(f"VGG: features must be a Module (see make_layers), got "
                            f"{type(features).__name__}")
        check_positive_ints("VGG", num_classes=num_classes)
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            self._init_weights()

    def _init_weights(self):
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, 0.01)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        x = upscale_to_min_size(x, self.min_input_size, "VGG")
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def _vgg(depth, batch_norm, num_classes, in_channels, kwargs):
    check_positive_ints(f"vgg{depth}", in_channels=in_channels)
    features = make_layers(CONFIGS[depth], in_channels, batch_norm)
    return VGG(features, num_classes=num_classes, **kwargs)


@builds_with_weights
def vgg11(num_classes=1000, in_channels=3, **kwargs):
    """VGG-11 (configuration A); keyword arguments (`dropout`, `init_weights`) go to VGG."""
    return _vgg(11, False, num_classes, in_channels, kwargs)


@builds_with_weights
def vgg11_bn(num_classes=1000, in_channels=3, **kwargs):
    """VGG-11 with batch normalisation after every convolution."""
    return _vgg(11, True, num_classes, in_channels, kwargs)


@builds_with_weights
def vgg13(num_classes=1000, in_channels=3, **kwargs):
    """VGG-13 (configuration B)."""
    return _vgg(13, False, num_classes, in_channels, kwargs)


@builds_with_weights
def vgg13_bn(num_classes=1000, in_channels=3, **kwargs):
    """VGG-13 with batch normalisation after every convolution."""
    return _vgg(13, True, num_classes, in_channels, kwargs)


@builds_with_weights
def vgg16(num_classes=1000, in_channels=3, **kwargs):
    """VGG-16 (configuration D)."""
    return _vgg(16, False, num_classes, in_channels, kwargs)


@builds_with_weights
def vgg16_bn(num_classes=1000, in_channels=3, **kwargs):
    """VGG-16 with batch normalisation after every convolution."""
    return _vgg(16, True, num_classes, in_channels, kwargs)


@builds_with_weights
def vgg19(num_classes=1000, in_channels=3, **kwargs):
    """VGG-19 (configuration E)."""
    return _vgg(19, False, num_classes, in_channels, kwargs)


@builds_with_weights
def vgg19_bn(num_classes=1000, in_channels=3, **kwargs):
    """VGG-19 with batch normalisation after every convolution."""
    return _vgg(19, True, num_classes, in_channels, kwargs)
