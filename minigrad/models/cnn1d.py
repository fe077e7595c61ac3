"""`CNN1d`: a small 1-D convolutional network for signals such as MNIST-1D."""
from .. import nn
from ._common import builds_with_weights, check_positive_ints


def _block(in_channels, out_channels, kernel_size):
    """conv (same length) -> batch norm -> ReLU; the conv has no bias, batch norm supplies it."""
    return [nn.Conv1d(in_channels, out_channels, kernel_size, padding=kernel_size // 2,
                      bias=False),
            nn.BatchNorm1d(out_channels), nn.ReLU()]


class CNN1d(nn.Module):
    """Four conv-BN-ReLU blocks with two 2x max pools between them, then global average
    pooling and one fully connected layer:

        (N, in_channels, L) -> 32 @ L -> 64 @ L -> pool -> 64 @ L/2 -> pool -> 128 @ L/4
        -> mean over the length -> (N, num_classes) logits

    `width` scales every layer's channels (32 by default). Any length L >= 4 works; global
    average pooling makes the features' positions irrelevant to the classifier, as the digits
    of MNIST-1D sit at random offsets. With the defaults it has 45,034 parameters.
    """

    def __init__(self, num_classes=10, in_channels=1, width=32):
        super().__init__()
        check_positive_ints("CNN1d", num_classes=num_classes, in_channels=in_channels,
                            width=width)
        self.features = nn.Sequential(
            *_block(in_channels, width, 5),
            *_block(width, 2 * width, 3),
            nn.MaxPool1d(2),
            *_block(2 * width, 2 * width, 3),
            nn.MaxPool1d(2),
            *_block(2 * width, 4 * width, 3),
        )
        self.fc = nn.Linear(4 * width, num_classes)

    def forward(self, x):
        if x.ndim != 3 or x.shape[-1] < 4:
            raise ValueError(f"CNN1d expects signals (N, C, L) with L >= 4, got shape "
                             f"{tuple(x.shape)}")
        return self.fc(self.features(x).mean(-1))


@builds_with_weights
def cnn1d(num_classes=10, in_channels=1, **kwargs):
    """CNN1d; keyword arguments (`width`) go to `CNN1d`; `weights=PATH` loads a checkpoint."""
    return CNN1d(num_classes=num_classes, in_channels=in_channels, **kwargs)
