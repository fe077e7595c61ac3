"""LeNet-5 (LeCun et al., 1998), the first convolutional network to read handwritten digits."""
from .. import nn
from ._common import builds_with_weights, check_positive_ints, upscale_to_min_size


class LeNet5(nn.Module):
    """conv 6@5x5 -> pool -> conv 16@5x5 -> pool -> fc 120 -> fc 84 -> fc num_classes.

    Input (N, in_channels, H, W) -> logits (N, num_classes). The first convolution pads by 2,
    so a 28x28 MNIST digit plays the part of the paper's 32x32 input: 28 -> 28 -> 14 -> 10 -> 5,
    and the classifier sees 16 maps of 5x5, as in the paper. Two documented modernisations:
    ReLU instead of the scaled tanh, and max pooling instead of trainable subsampling.

    Other sizes: an adaptive average pool brings larger maps to 5x5 (a 32x32 image gives 6x6
    maps), and images smaller than 28x28 (such as the 8x8 Digits) are first enlarged by a whole
    factor with nearest-neighbour sampling (8x8 -> 32x32), see `min_input_size`.

    With 10 classes and 1 input channel it has 61,706 parameters.
    """

    min_input_size = 28

    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        check_positive_ints("LeNet5", num_classes=num_classes, in_channels=in_channels)
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((5, 5))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        x = upscale_to_min_size(x, self.min_input_size, "LeNet5")
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


@builds_with_weights
def lenet5(num_classes=10, in_channels=1):
    """LeNet-5 for `num_classes` classes on `in_channels`-channel images (default: MNIST)."""
    return LeNet5(num_classes=num_classes, in_channels=in_channels)
