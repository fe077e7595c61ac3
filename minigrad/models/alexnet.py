"""AlexNet (Krizhevsky et al., 2012) in torchvision's single-GPU layout ("One weird trick")."""
from .. import nn
from ._common import builds_with_weights, check_positive_ints, upscale_to_min_size


class AlexNet(nn.Module):
    """Five convolutions (`features`), a 6x6 adaptive average pool and three fully connected
    layers (`classifier`), laid out and named exactly as torchvision's AlexNet, so its
    state_dict keys ("features.0.weight", ..., "classifier.6.bias") and its parameter count
    (61,100,840 for 1000 classes and 3 channels) match and converted weights load.

    Input (N, in_channels, H, W) -> logits (N, num_classes). The 11x11 stride-4 stem and three
    stride-2 pools need H, W >= 63; smaller images (28x28, 32x32) are first enlarged by a
    whole factor with nearest-neighbour sampling (see `min_input_size`).
    """

    min_input_size = 63

    def __init__(self, num_classes=1000, in_channels=3, dropout=0.5):
        super().__init__()
        check_positive_ints("AlexNet", num_classes=num_classes, in_channels=in_channels)
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = upscale_to_min_size(x, self.min_input_size, "AlexNet")
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


@builds_with_weights
def alexnet(num_classes=1000, in_channels=3, **kwargs):
    """AlexNet; keyword arguments (`dropout`) go to `AlexNet`."""
    return AlexNet(num_classes=num_classes, in_channels=in_channels, **kwargs)
