# Stands for: Dive into Deep Learning, "Residual Networks (ResNet)" (PyTorch edition): the
# Residual block with LazyConv2d/LazyBatchNorm2d, an optional 1x1 convolution on the
# shortcut and Y += X, the b1 stem (7x7 conv, BatchNorm, ReLU, 3x3 max pool), stages of
# blocks, AdaptiveAvgPool2d + Flatten + LazyLinear, the layer-by-layer shape summary, and a
# few SGD steps. Channel counts are small and the input is a random 1x32x32 image batch.
import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.nn import functional as F


class Residual(nn.Module):
    """The Residual block of ResNet models."""
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


class ResNet(nn.Module):
    def __init__(self, arch, num_classes=10):
        super(ResNet, self).__init__()
        self.net = nn.Sequential(self.b1())
        for i, b in enumerate(arch):
            self.net.add_module(f'b{i+2}', self.block(*b, first_block=(i == 0)))
        self.net.add_module('last', nn.Sequential(
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
            nn.LazyLinear(num_classes)))

    def b1(self):
        return nn.Sequential(
            nn.LazyConv2d(8, kernel_size=7, stride=2, padding=3),
            nn.LazyBatchNorm2d(), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

    def block(self, num_residuals, num_channels, first_block=False):
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.append(Residual(num_channels))
        return nn.Sequential(*blk)

    def forward(self, X):
        return self.net(X)

    def layer_summary(self, X_shape):
        X = torch.zeros(*X_shape)
        for layer in self.net:
            X = layer(X)
            print(layer.__class__.__name__, 'output shape:\t', X.shape)


def init_cnn(module):
    if type(module) == nn.Linear or type(module) == nn.Conv2d:
        nn.init.xavier_uniform_(module.weight)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    blk = Residual(3)
    X = torch.tensor(rng.standard_normal((4, 3, 6, 6)).astype(np.float32))
    print(blk(X).shape)
    blk = Residual(6, use_1x1conv=True, strides=2)
    print(blk(X).shape)

    model = ResNet(((1, 8), (1, 16)))
    model.layer_summary((1, 1, 32, 32))
    model.apply(init_cnn)
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}

    X = torch.tensor(rng.standard_normal((4, 1, 32, 32)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss = nn.CrossEntropyLoss()
    losses = []
    model.train()
    for _ in range(steps):
        l = loss(model(X), y)
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        losses.append(l.item())
    return {"losses": losses, "initial": initial}
