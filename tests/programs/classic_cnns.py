# Stands for: the from-scratch versions of classic networks that course notebooks and blog
# posts train: the original AlexNet with nn.LocalResponseNorm after its first two convolutions,
# GoogLeNet v1's stem with LocalResponseNorm, a ShuffleNet unit (grouped 1x1 convolutions,
# channel shuffle written with view/transpose and as nn.ChannelShuffle, a depthwise 3x3
# convolution, the strided unit concatenating an AvgPool2d shortcut), a 1-d CNN for signals
# with Dropout1d and AdaptiveAvgPool1d, and a bilinear-pooling head with nn.Bilinear. Each is
# trained for a couple of SGD steps on random data at small widths.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class AlexNetLRN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 12, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(12, 16, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(16, 16, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16, 32), nn.ReLU(inplace=True),
                                        nn.Linear(32, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class GoogLeNetStem(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.lrn1 = nn.LocalResponseNorm(5)
        self.conv2 = nn.Conv2d(8, 8, kernel_size=1)
        self.conv3 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.lrn2 = nn.LocalResponseNorm(5)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.lrn1(self.maxpool1(F.relu(self.conv1(x))))
        x = self.lrn2(F.relu(self.conv3(F.relu(self.conv2(x)))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def channel_shuffle(x, groups):
    batchsize, num_channels, height, width = x.data.size()
    channels_per_group = num_channels // groups
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    x = x.view(batchsize, -1, height, width)
    return x


class ShuffleUnit(nn.Module):
    def __init__(self, in_channels, out_channels, groups=2, stride=1):
        super().__init__()
        self.stride = stride
        self.groups = groups
        mid = out_channels // 4
        if stride == 2:
            out_channels -= in_channels
        self.gconv1 = nn.Conv2d(in_channels, mid, 1, groups=groups, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.dwconv = nn.Conv2d(mid, mid, 3, stride=stride, padding=1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.gconv2 = nn.Conv2d(mid, out_channels, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shuffle = nn.ChannelShuffle(groups)

    def forward(self, x):
        out = F.relu(self.bn1(self.gconv1(x)))
        out = channel_shuffle(out, self.groups) if self.stride == 1 else self.shuffle(out)
        out = self.bn2(self.dwconv(out))
        out = self.bn3(self.gconv2(out))
        if self.stride == 2:
            return F.relu(torch.cat([out, F.avg_pool2d(x, 3, stride=2, padding=1)], 1))
        return F.relu(out + x)


class ShuffleNetTiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.units = nn.Sequential(ShuffleUnit(8, 16, stride=2), ShuffleUnit(16, 16))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.units(F.relu(self.stem(x)))
        return self.fc(x.mean([2, 3]))


class SignalCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(2, 8, 5, padding=2), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout1d(0.0),
            nn.Conv1d(8, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool1d(4), nn.Flatten(),
            nn.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


class BilinearPooling(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, padding=1)
        self.b = nn.Conv2d(3, 5, 3, padding=1)
        self.head = nn.Bilinear(4, 5, 10)

    def forward(self, x):
        fa = F.adaptive_avg_pool2d(F.relu(self.a(x)), 1).flatten(1)
        fb = F.adaptive_avg_pool2d(F.relu(self.b(x)), 1).flatten(1)
        return self.head(fa, fb)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    nets = {"alexnet": (AlexNetLRN(), (4, 3, 67, 67)),
            "googlenet": (GoogLeNetStem(), (4, 3, 32, 32)),
            "shufflenet": (ShuffleNetTiny(), (4, 3, 16, 16)), "signal": (SignalCNN(), (4, 2, 32)),
            "bilinear": (BilinearPooling(), (4, 3, 8, 8))}
    initial, losses = {}, []
    for name, (net, shape) in nets.items():
        if state is not None:
            net.load_state_dict({k.split('.', 1)[1]: torch.tensor(v) for k, v in state.items()
                                 if k.startswith(name + '.')})
        initial.update({f"{name}.{k}": v.detach().numpy().copy()
                        for k, v in net.state_dict().items()})
        X = torch.tensor(rng.standard_normal(shape).astype(np.float32))
        y = torch.tensor(rng.integers(0, 10, shape[0]))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        net.train()
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.cross_entropy(net(X), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return {"losses": losses, "initial": initial}
