"""The training workloads the CPU and GPU training benchmarks share: the models (minigrad's, and
the same module trees in torch.nn), the optimizer settings and one training step.

Imports no numeric library itself (the benchmarks settle the BLAS environment first).
"""
from dataclasses import dataclass

LOSS_RTOL = 1e-4         # first-step losses of the two libraries must agree this closely
LEARNING_RATE = 0.01
MOMENTUM = 0.9


@dataclass(frozen=True)
class Workload:
    """One model trained on random images: `input_shape` is (C, H, W) of one image;
    `default_steps` is this benchmark's number of timed steps (others time by budget)."""

    key: str
    title: str
    batch: int
    input_shape: tuple
    num_classes: int
    default_steps: int = 0


WORKLOADS = [
    Workload("lenet5", "LeNet-5", 128, (1, 28, 28), 10, default_steps=30),
    Workload("resnet18", "ResNet-18", 32, (3, 32, 32), 10, default_steps=6),
]


def torch_lenet5(nn, num_classes, in_channels):
    """minigrad.models.LeNet5 in torch.nn, same module names (its upscaling of inputs below
    28x28 is left out: the benchmark feeds 28x28)."""
    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2),
                nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2))
            self.avgpool = nn.AdaptiveAvgPool2d((5, 5))
            self.classifier = nn.Sequential(
                nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                nn.Linear(84, num_classes))

        def forward(self, x):
            return self.classifier(self.avgpool(self.features(x)).flatten(1))

    return LeNet5()


def torch_resnet18(nn, num_classes, in_channels):
    """minigrad.models.resnet18 in torch.nn, same module names (so the state_dicts match)."""
    def conv(cin, cout, kernel, stride=1):
        return nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)

    class BasicBlock(nn.Module):
        def __init__(self, inplanes, planes, stride):
            super().__init__()
            self.conv1 = conv(inplanes, planes, 3, stride)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU()
            self.conv2 = conv(planes, planes, 3)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(conv(inplanes, planes, 1, stride),
                                                nn.BatchNorm2d(planes))

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(out + identity)

    class ResNet18(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU()
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            widths = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]
            for i, (cin, cout, stride) in enumerate(widths, start=1):
                stage = nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1))
                setattr(self, f"layer{i}", stage)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(self.avgpool(x).flatten(1))

    return ResNet18()


TORCH_BUILDERS = {"lenet5": torch_lenet5, "resnet18": torch_resnet18}


def training_step(model, optimizer, x, y, cross_entropy):
    """`model` in training mode and a function that runs one step on the batch (x, y):
    zero_grad, forward, loss, backward, optimizer step. It returns the loss tensor, not its
    value: reading that would wait for a GPU."""
    model.train()

    def step():
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step
