"""The workloads of the users'-way benchmark (bench/bench_users.py): each net written once
against a torch.nn-like namespace, so minigrad.nn and torch.nn build the same architecture
from the same lines, and one training step per workload.

Imports no numeric library itself: a worker process imports exactly one library, and it is
handed in (`lib` below: a small record of that library's nn, functional, optim and tensor
constructors) after the worker has set up its environment.
"""
from dataclasses import dataclass

LEARNING_RATE = 0.01
MOMENTUM = 0.9


@dataclass(frozen=True)
class Workload:
    """`kind` "train": a training step on random (batch, *input_shape) images;
    "build": constructing the model (`batch` and `input_shape` unused).
    `steps` and `rounds` are the full run's timed steps per process and round."""

    key: str
    title: str
    net: str
    kind: str
    batch: int = 0
    input_shape: tuple = ()
    num_classes: int = 10
    steps: int = 5


def _lenet(batch, steps):
    return Workload(f"lenet5-b{batch}", f"LeNet-5, batch {batch}, 1x28x28", "lenet5",
                    "train", batch, (1, 28, 28), 10, steps)


WORKLOADS = [
    *[_lenet(b, s) for b, s in ((1, 40), (4, 40), (16, 30), (64, 15), (128, 10), (256, 6))],
    Workload("mnist-net-b64", "PyTorch MNIST example net, batch 64, 1x28x28", "mnist_net",
             "train", 64, (1, 28, 28), 10, 8),
    Workload("vgg-cifar-b32", "VGG-11-BN (CIFAR), batch 32, 3x32x32", "vgg_cifar", "train",
             32, (3, 32, 32), 10, 4),
    Workload("resnet18-224-b4", "ResNet-18, batch 4, 3x224x224", "resnet18", "train",
             4, (3, 224, 224), 1000, 3),
    Workload("resnet18-32-b32", "ResNet-18, batch 32, 3x32x32", "resnet18", "train",
             32, (3, 32, 32), 10, 4),
    Workload("dcgan-64-b8", "DCGAN step (D and G updates), batch 8, 3x64x64", "dcgan", "train",
             8, (3, 64, 64), 1, 4),
    Workload("build-alexnet", "build AlexNet (1000 classes)", "alexnet", "build", steps=3),
    Workload("build-vgg16", "build VGG-16 (1000 classes)", "vgg16", "build", steps=2),
]


# ---- the nets, written against `nn` (minigrad.nn or torch.nn) ------------------------------

def lenet5(nn, num_classes):
    """LeNet-5 as minigrad.models.lenet5 builds it for 28x28 inputs."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, num_classes))


def mnist_net(nn, num_classes):
    """The network of PyTorch's official MNIST example (its log_softmax is in the loss)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(128, num_classes))


def _vgg_features(nn, config, in_channels, batch_norm):
    layers = []
    for entry in config:
        if entry == "M":
            layers.append(nn.MaxPool2d(2, 2))
            continue
        layers.append(nn.Conv2d(in_channels, entry, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(entry))
        layers.append(nn.ReLU())
        in_channels = entry
    return layers


def vgg_cifar(nn, num_classes):
    """VGG-11 with batch norm for 32x32 images: conv-BN-ReLU stacks, one linear layer."""
    config = (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M")
    return nn.Sequential(*_vgg_features(nn, config, 3, True), nn.Flatten(),
                         nn.Linear(512, num_classes))


def vgg16(nn, num_classes):
    """torchvision's VGG-16 (no batch norm) with its initialisation."""
    config = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M")
    model = nn.Sequential(
        nn.Sequential(*_vgg_features(nn, config, 3, False)), nn.AdaptiveAvgPool2d((7, 7)),
        nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, num_classes))
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, 0.0, 0.01)
            nn.init.zeros_(module.bias)
    return model


def alexnet(nn, num_classes):
    """torchvision's AlexNet (default initialisation of every layer)."""
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d((6, 6)), nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes))


def resnet18(nn, num_classes):
    """torchvision's ResNet-18 (BasicBlock, [2, 2, 2, 2]) with its initialisation."""
    class BasicBlock(nn.Module):
        def __init__(self, inplanes, planes, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(out + identity)

    stages = []
    for cin, cout, stride in ((64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)):
        stages += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
    model = nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(3, 2, 1), *stages, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.Linear(512, num_classes))
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
    return model


def dcgan(nn, _num_classes, latent=100, width=64):
    """The DCGAN of PyTorch's example for 64x64 RGB images: (generator, discriminator)."""
    g = nn.Sequential(
        nn.ConvTranspose2d(latent, width * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(width * 8),
        nn.ReLU(),
        nn.ConvTranspose2d(width * 8, width * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(width * 4), nn.ReLU(),
        nn.ConvTranspose2d(width * 4, width * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(width * 2), nn.ReLU(),
        nn.ConvTranspose2d(width * 2, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width),
        nn.ReLU(),
        nn.ConvTranspose2d(width, 3, 4, 2, 1, bias=False), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(3, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2),
        nn.LeakyReLU(0.2),
        nn.Conv2d(width * 2, width * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 4),
        nn.LeakyReLU(0.2),
        nn.Conv2d(width * 4, width * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 8),
        nn.LeakyReLU(0.2),
        nn.Conv2d(width * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(), nn.Flatten())
    return g, d


NETS = {"lenet5": lenet5, "mnist_net": mnist_net, "vgg_cifar": vgg_cifar, "vgg16": vgg16,
        "alexnet": alexnet, "resnet18": resnet18, "dcgan": dcgan}
DCGAN_LATENT = 100


# ---- one step ----------------------------------------------------------------------------

def _sgd(lib, params):
    return lib.optim.SGD(params, lr=LEARNING_RATE, momentum=MOMENTUM)


def make_step(lib, workload, rng):
    """A function running one step of `workload` with library `lib` (see the module
    docstring), returning a float (the loss, read as a user logging it would; 0 for a build).
    Data are drawn once from the numpy Generator `rng` and reused every step."""
    build = NETS[workload.net]
    if workload.kind == "build":
        return lambda: (build(lib.nn, workload.num_classes), 0.0)[1]
    images = rng.standard_normal((workload.batch, *workload.input_shape), dtype="float32")
    x = lib.tensor(images)
    if workload.net == "dcgan":
        return _dcgan_step(lib, workload, rng, x)
    y = lib.tensor(rng.integers(0, workload.num_classes, size=workload.batch))
    model = build(lib.nn, workload.num_classes)
    model.train()
    optimizer = _sgd(lib, model.parameters())
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def _dcgan_step(lib, workload, rng, real):
    """The DCGAN example's step: the discriminator on a real and a generated batch, then the
    generator through the updated discriminator, each with its own optimizer."""
    g, d = dcgan(lib.nn, 1, DCGAN_LATENT)
    g.train()
    d.train()
    opt_g, opt_d = _sgd(lib, g.parameters()), _sgd(lib, d.parameters())
    batch = workload.batch
    noise = lib.tensor(rng.standard_normal((batch, DCGAN_LATENT, 1, 1), dtype="float32"))
    ones = lib.tensor(rng.uniform(1.0, 1.0, (batch, 1)).astype("float32"))
    zeros = lib.tensor(rng.uniform(0.0, 0.0, (batch, 1)).astype("float32"))
    bce = lib.nn.BCELoss()

    def step():
        opt_d.zero_grad()
        fake = g(noise)
        loss_d = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(d(fake), ones)
        loss_g.backward()
        opt_g.step()
        return loss_d.item() + loss_g.item()
    return step
