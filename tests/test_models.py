"""The model zoo: torchvision's parameter counts and state_dict names, forward shapes on small
images, a training step, `get_model` and `summary`.

The ImageNet models are large (VGG-19 has 144M parameters), so the tests that only count or
name parameters build them with random initialisation switched off, and no test runs one at
224x224.
"""
import doctest
import io
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.models import VGG, BasicBlock, ResNet, get_model, list_models, summary
from minigrad.models.vgg import make_layers
from minigrad.nn import functional as F

# torchvision's published parameter counts for 1000 classes (Keras's trainable count for
# Xception).
PUBLISHED = {
    "alexnet": 61_100_840,
    "vgg11": 132_863_336, "vgg11_bn": 132_868_840, "vgg13": 133_047_848,
    "vgg13_bn": 133_053_736, "vgg16": 138_357_544, "vgg16_bn": 138_365_992,
    "vgg19": 143_667_240, "vgg19_bn": 143_678_248,
    "resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
    "resnet101": 44_549_160, "resnet152": 60_192_808,
    "googlenet": 6_624_904,
    "xception": 22_855_952,
}


@pytest.fixture
def no_random_init(monkeypatch):
    """Build models with their (zero-filled) storage only: drawing 140M random numbers would
    dominate these tests, and counting or naming parameters does not need values."""
    for name in ("uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_"):
        monkeypatch.setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)


def num_params(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_counts_match_torchvision(name, no_random_init):
    assert num_params(get_model(name)) == PUBLISHED[name]


def test_num_classes_and_in_channels_change_only_the_ends(no_random_init):
    base = get_model("resnet18")
    small = get_model("resnet18", num_classes=10, in_channels=1)
    # conv1 loses 2 of 3 input planes (64 * 2 * 7 * 7), fc loses 990 outputs (990 * 513)
    assert num_params(base) - num_params(small) == 64 * 2 * 49 + 990 * 513


RESNET18_KEYS = [
    "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
    "bn1.num_batches_tracked", "layer1.0.conv1.weight", "layer1.0.bn1.weight",
    "layer1.0.conv2.weight", "layer1.1.bn2.running_var", "layer2.0.conv1.weight",
    "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight",
    "layer2.0.downsample.1.running_mean", "layer3.1.conv2.weight",
    "layer4.0.downsample.1.num_batches_tracked", "layer4.1.bn2.bias", "fc.weight", "fc.bias",
]
VGG11_KEYS = [  # every key: 8 convolutions and 3 linear layers
    "features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
    "features.6.weight", "features.6.bias", "features.8.weight", "features.8.bias",
    "features.11.weight", "features.11.bias", "features.13.weight", "features.13.bias",
    "features.16.weight", "features.16.bias", "features.18.weight", "features.18.bias",
    "classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias",
    "classifier.6.weight", "classifier.6.bias",
]


def test_resnet18_state_dict_keys_follow_torchvision(no_random_init):
    state = get_model("resnet18").state_dict()
    assert set(RESNET18_KEYS) <= set(state)
    # 62 parameters plus 3 buffers for each of the 20 BatchNorms
    assert len(state) == 122
    assert not any("downsample" in key for key in state if key.startswith("layer1."))
    assert tuple(state["layer2.0.downsample.0.weight"].shape) == (128, 64, 1, 1)
    assert tuple(state["fc.weight"].shape) == (1000, 512)


def test_resnet50_uses_bottlenecks_with_the_stride_on_the_3x3_conv(no_random_init):
    model = get_model("resnet50")
    block = model.layer2[0]
    assert block.conv1.stride == (1, 1) and block.conv2.stride == (2, 2)
    assert tuple(model.state_dict()["layer1.0.conv3.weight"].shape) == (256, 64, 1, 1)
    assert tuple(model.fc.weight.shape) == (1000, 2048)


def test_vgg11_state_dict_keys_follow_torchvision(no_random_init):
    state = get_model("vgg11").state_dict()
    assert list(state) == VGG11_KEYS
    assert tuple(state["classifier.0.weight"].shape) == (4096, 512 * 7 * 7)


def test_vgg11_bn_puts_batchnorm_between_conv_and_relu(no_random_init):
    state = get_model("vgg11_bn").state_dict()
    for key in ("features.0.weight", "features.1.running_var", "features.4.weight",
                "features.5.num_batches_tracked", "features.25.weight", "classifier.6.bias"):
        assert key in state


def test_googlenet_and_xception_state_dict_names(no_random_init):
    googlenet = get_model("googlenet").state_dict()
    for key in ("conv1.conv.weight", "conv1.bn.running_mean", "conv3.bn.weight",
                "inception3a.branch1.conv.weight", "inception3a.branch2.1.conv.weight",
                "inception4e.branch3.1.bn.bias", "inception5b.branch4.1.conv.weight",
                "fc.weight"):
        assert key in googlenet
    assert not any(key.startswith("aux") for key in googlenet)
    # torchvision's "5x5" branch uses 3x3 kernels
    assert tuple(googlenet["inception3a.branch3.1.conv.weight"].shape) == (32, 16, 3, 3)
    xception = get_model("xception").state_dict()
    for key in ("conv1.weight", "bn2.running_var", "block1.rep.0.conv1.weight",
                "block1.rep.0.pointwise.weight", "block1.rep.1.weight", "block1.skip.weight",
                "block1.skipbn.running_mean", "block2.rep.1.conv1.weight",
                "block4.rep.7.pointwise.weight", "block12.rep.4.pointwise.weight",
                "conv3.conv1.weight", "conv4.pointwise.weight", "bn4.bias", "fc.weight"):
        assert key in xception
    assert "block4.skip.weight" not in xception  # same shape in and out: identity shortcut
    # depthwise: one 3x3 filter per channel
    assert tuple(xception["block4.rep.1.conv1.weight"].shape) == (728, 1, 3, 3)
    assert tuple(xception["block12.rep.4.pointwise.weight"].shape) == (1024, 728, 1, 1)


@pytest.mark.parametrize("name, shape, num_classes", [
    ("lenet5", (2, 1, 28, 28), 10),
    ("lenet5", (2, 1, 32, 32), 10),
    ("lenet5", (2, 1, 8, 8), 10),
    ("small_cnn", (3, 1, 28, 28), 2),
    ("resnet18", (2, 1, 8, 8), 7),
    ("googlenet", (2, 1, 8, 8), 5),
    ("xception", (1, 3, 8, 8), 4),
])
def test_forward_shapes_on_small_images(name, shape, num_classes):
    model = get_model(name, num_classes=num_classes, in_channels=shape[1]).eval()
    with minigrad.no_grad():
        out = model(minigrad.randn(*shape))
    assert tuple(out.shape) == (shape[0], num_classes)
    assert np.isfinite(out.numpy()).all()


def test_alexnet_and_vgg_run_on_28x28_images(no_random_init):
    for name in ("alexnet", "vgg11"):
        model = get_model(name, num_classes=3, in_channels=1).eval()
        with minigrad.no_grad():
            out = model(minigrad.randn(1, 1, 28, 28))
        assert tuple(out.shape) == (1, 3)


def test_small_images_are_enlarged_by_whole_factors(no_random_init):
    model = VGG(make_layers((4, "M", 512, "M"), in_channels=1), num_classes=3)
    seen = []
    model.features[0].register_forward_hook(lambda m, args, out: seen.append(args[0].shape))
    with minigrad.no_grad():
        model(minigrad.randn(1, 1, 12, 20))  # VGG needs 32: factors 3 and 2
        model(minigrad.randn(1, 1, 40, 33))  # large enough: unchanged
    assert [tuple(s) for s in seen] == [(1, 1, 36, 40), (1, 1, 40, 33)]


def test_a_model_learns_a_batch():
    minigrad.manual_seed(1)
    model = get_model("lenet5", num_classes=4, in_channels=1)
    images, labels = minigrad.randn(16, 1, 8, 8), minigrad.randint(0, 4, (16,))
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(20):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]


def test_resnet_training_step_reaches_every_parameter():
    model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=3, in_channels=2)
    before = {name: p.numpy().copy() for name, p in model.named_parameters()}
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    loss = F.cross_entropy(model(minigrad.randn(4, 2, 8, 8)), minigrad.tensor([0, 1, 2, 0]))
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and np.isfinite(p.grad.numpy()).all(), name
    optimizer.step()
    assert all(not np.array_equal(before[name], p.numpy())
               for name, p in model.named_parameters())
    # training mode updated the BatchNorm running statistics
    assert model.bn1.num_batches_tracked.item() == 1


def test_resnet18_matches_a_pytorch_reference():
    torch = pytest.importorskip("torch")
    ours = get_model("resnet18", num_classes=5, in_channels=2).eval()
    reference = torch_resnet18(torch, num_classes=5, in_channels=2).eval()
    # strict: every key and shape must match torchvision's layout
    reference.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                               for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 2, 16, 16)).astype(np.float32)
    with minigrad.no_grad():
        got = ours(minigrad.tensor(x)).numpy()
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def torch_resnet18(torch, num_classes, in_channels):
    """ResNet-18 written directly in PyTorch with torchvision's module names."""
    tnn = torch.nn

    class Block(tnn.Module):
        def __init__(self, inplanes, planes, stride):
            super().__init__()
            self.conv1 = tnn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(planes)
            self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = tnn.Sequential(
                    tnn.Conv2d(inplanes, planes, 1, stride, bias=False), tnn.BatchNorm2d(planes))

        def forward(self, x):
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(out + (x if self.downsample is None else self.downsample(x)))

    layers = OrderedDict([
        ("conv1", tnn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)),
        ("bn1", tnn.BatchNorm2d(64)), ("relu", tnn.ReLU()), ("maxpool", tnn.MaxPool2d(3, 2, 1))])
    inplanes = 64
    for i, planes in enumerate((64, 128, 256, 512)):
        stride = 1 if i == 0 else 2
        layers[f"layer{i + 1}"] = tnn.Sequential(Block(inplanes, planes, stride),
                                                 Block(planes, planes, 1))
        inplanes = planes
    layers["avgpool"] = tnn.AdaptiveAvgPool2d(1)
    layers["flatten"] = tnn.Flatten()
    layers["fc"] = tnn.Linear(512, num_classes)
    return tnn.Sequential(layers)


def test_get_model_names_and_errors():
    assert {"lenet5", "small_cnn", "alexnet", "vgg16_bn", "resnet152", "googlenet",
            "xception"} <= set(list_models())
    assert type(get_model("Small-CNN")).__name__ == "SmallCNN"
    lenet = get_model("lenet5")
    assert lenet.classifier[-1].out_features == 10 and lenet.features[0].in_channels == 1
    with pytest.raises(ValueError, match="unknown model 'resnet19'.*resnet18"):
        get_model("resnet19")
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        get_model("lenet5", num_classes=0)
    with pytest.raises(ValueError, match="in_channels must be a positive int"):
        get_model("resnet18", in_channels=2.0)
    with pytest.raises(ValueError, match=r"expects a batch of images \(N, C, H, W\)"):
        get_model("lenet5")(minigrad.randn(1, 28, 28))


def test_summary_rows_and_totals():
    model = get_model("lenet5")
    out = io.StringIO()
    rows = summary(model, (1, 1, 28, 28), file=out)
    assert [(r.name, r.type, r.output_shape) for r in rows[:3]] == [
        ("features.0", "Conv2d", (1, 6, 28, 28)), ("features.1", "ReLU", (1, 6, 28, 28)),
        ("features.2", "MaxPool2d", (1, 6, 14, 14))]
    assert rows[3].num_params == 16 * 6 * 25 + 16
    assert ("avgpool", "AdaptiveAvgPool2d", (1, 16, 5, 5), 0) in rows
    assert rows[-1] == ("classifier.4", "Linear", (1, 10), 850)
    assert sum(r.num_params for r in rows) == num_params(model) == 61_706
    text = out.getvalue()
    assert "Total params: 61,706" in text and "Non-trainable params: 0" in text


def test_summary_counts_a_shared_layer_once_and_leaves_the_model_as_it_was():
    model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=3, in_channels=1)
    model.layer1[0].conv1.weight.requires_grad_(False)
    rng_state = minigrad.get_rng_state()
    rows = summary(model, (2, 1, 8, 8), file=io.StringIO())
    relu_rows = [r for r in rows if r.name == "layer1.0.relu"]
    assert len(relu_rows) == 2  # one block's ReLU runs twice
    assert sum(r.num_params for r in rows) == num_params(model)
    assert model.training and all(m.training for m in model.modules())
    assert model.bn1.num_batches_tracked.item() == 0
    assert np.all(model.bn1.running_mean.numpy() == 0)
    assert minigrad.get_rng_state() == rng_state
    text = io.StringIO()
    summary(model, (1, 1, 8, 8), file=text)
    assert f"Non-trainable params: {64 * 64 * 9:,}" in text.getvalue()


def test_summary_docstring_example_and_argument_errors():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(summary, "summary"):
        runner.run(test)
    assert runner.summarize(verbose=False) == (0, 4)
    conv = nn.Conv2d(3, 4, kernel_size=3)
    with pytest.raises(ValueError, match="input_shape"):
        summary(conv, (3, 0, 4))
    with pytest.raises(TypeError, match="expects a Module"):
        summary(lambda x: x, (1, 3, 8, 8))
