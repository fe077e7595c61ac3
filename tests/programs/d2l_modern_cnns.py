# Stands for: Dive into Deep Learning (PyTorch edition), chapters on convolutional networks:
# LeNet with sigmoid and AvgPool2d, AlexNet and VGG blocks with dropout, NiN blocks ending in
# AdaptiveAvgPool2d, GoogLeNet's Inception block (four branches joined with torch.cat on the
# channels), DenseNet's conv_block/DenseBlock/transition_block, all with Lazy layers, the
# layer_summary shape walk and the d2l init_cnn (xavier_uniform_). Each net is trained for a
# couple of SGD steps on random images (smaller widths and inputs than the book's).
import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.nn import functional as F


def init_cnn(module):
    if type(module) == nn.Linear or type(module) == nn.Conv2d:
        nn.init.xavier_uniform_(module.weight)


def lenet():
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(120), nn.Sigmoid(),
        nn.LazyLinear(84), nn.Sigmoid(),
        nn.LazyLinear(10))


def alexnet(dropout):
    return nn.Sequential(
        nn.LazyConv2d(8, kernel_size=11, stride=4, padding=1),
        nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(16, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(24, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(24, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(16, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.LazyLinear(32), nn.ReLU(), nn.Dropout(p=dropout),
        nn.LazyLinear(32), nn.ReLU(), nn.Dropout(p=dropout),
        nn.LazyLinear(10))


def vgg_block(num_convs, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(arch, dropout):
    conv_blks = []
    for (num_convs, out_channels) in arch:
        conv_blks.append(vgg_block(num_convs, out_channels))
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.LazyLinear(32), nn.ReLU(), nn.Dropout(dropout),
        nn.LazyLinear(32), nn.ReLU(), nn.Dropout(dropout),
        nn.LazyLinear(10))


def nin_block(out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU())


def nin(dropout):
    return nn.Sequential(
        nin_block(8, kernel_size=5, strides=2, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(16, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(dropout),
        nin_block(10, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())


class Inception(nn.Module):
    # c1--c4 are the number of output channels for each branch
    def __init__(self, c1, c2, c3, c4, **kwargs):
        super(Inception, self).__init__(**kwargs)
        # Branch 1
        self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
        # Branch 2
        self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        # Branch 3
        self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        # Branch 4
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.b1_1(x))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
        b4 = F.relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


def googlenet():
    b1 = nn.Sequential(
        nn.LazyConv2d(8, kernel_size=7, stride=2, padding=3),
        nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(
        nn.LazyConv2d(8, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(16, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(4, (4, 8), (2, 4), 4),
                       Inception(8, (8, 12), (4, 6), 6),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(12, (6, 12), (2, 4), 4),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, nn.LazyLinear(10))


def conv_block(num_channels):
    return nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.LazyConv2d(num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, num_channels):
        super(DenseBlock, self).__init__()
        layer = []
        for i in range(num_convs):
            layer.append(conv_block(num_channels))
        self.net = nn.Sequential(*layer)

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            # Concatenate input and output of each block along the channels
            X = torch.cat((X, Y), dim=1)
        return X


def transition_block(num_channels):
    return nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.LazyConv2d(num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(num_channels=8, growth_rate=4, arch=(2, 2)):
    net = nn.Sequential(
        nn.LazyConv2d(num_channels, kernel_size=7, stride=2, padding=3),
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    for i, num_convs in enumerate(arch):
        net.add_module(f'dense_blk{i+1}', DenseBlock(num_convs, growth_rate))
        num_channels += num_convs * growth_rate
        if i != len(arch) - 1:
            num_channels //= 2
            net.add_module(f'tran_blk{i+1}', transition_block(num_channels))
    net.add_module('last', nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.LazyLinear(10)))
    return net


def layer_summary(net, X_shape):
    X = torch.randn(*X_shape)
    for layer in net:
        X = layer(X)
        print(layer.__class__.__name__, 'output shape:\t', X.shape)


def main(steps=2, state=None, dropout=0.0):
    rng = np.random.default_rng(0)
    nets = {
        "lenet": (lenet(), 28),
        "alexnet": (alexnet(dropout), 67),
        "vgg": (vgg(((1, 4), (1, 8), (2, 8)), dropout), 16),
        "nin": (nin(dropout), 32),
        "googlenet": (googlenet(), 32),
        "densenet": (densenet(), 32),
    }
    initial = {}
    losses = []
    for name, (net, size) in nets.items():
        layer_summary(net, (1, 1, size, size))
        net.apply(init_cnn)
        if state is not None:
            net.load_state_dict({k.split('.', 1)[1]: torch.tensor(v) for k, v in state.items()
                                 if k.startswith(name + '.')})
        initial.update({f"{name}.{k}": v.detach().numpy().copy()
                        for k, v in net.state_dict().items()})
        X = torch.tensor(rng.standard_normal((4, 1, size, size)).astype(np.float32))
        y = torch.tensor(rng.integers(0, 10, 4))
        trainer = torch.optim.SGD(net.parameters(), lr=0.1)
        loss = nn.CrossEntropyLoss()
        net.train()
        for _ in range(steps):
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
            losses.append(l.item())
        net.eval()
        with torch.no_grad():
            losses.append(loss(net(X), y).item())
    return {"losses": losses, "initial": initial}
