"""`SmallCNN`: a two-convolution network that learns the XO toy problem in seconds."""
from .. import nn
from ._common import builds_with_weights, check_positive_ints


class SmallCNN(nn.Module):
    """conv 5x5 -> ReLU -> 2x2 max pool -> conv 5x5 -> ReLU -> 2x2 max pool -> global average
    pool -> fc.

    Input (N, in_channels, H, W) with H, W >= 4 -> logits (N, num_classes). `width` is the
    number of filters of the first convolution (the second has twice as many). Each feature of
    the second convolution sees a 16x16 window, most of an X or O of a 28x28 XO image, and
    global average pooling makes the decision depend on which strokes appear, not where: the
    shapes may sit anywhere in the image. With the defaults it has 7,586 parameters.
    """

    def __init__(self, num_classes=2, in_channels=1, width=12):
        super().__init__()
        check_positive_ints("SmallCNN", num_classes=num_classes, in_channels=in_channels,
                            width=width)
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, width, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        return self.fc(self.avgpool(self.features(x)).flatten(1))


@builds_with_weights
def small_cnn(num_classes=2, in_channels=1, **kwargs):
    """SmallCNN; keyword arguments (`width`) go to `SmallCNN`."""
    return SmallCNN(num_classes=num_classes, in_channels=in_channels, **kwargs)
