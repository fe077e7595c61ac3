"""examples/convert_torchvision.py on state_dicts saved by torch.

torchvision cannot be installed next to the pinned torch here, so the test builds, in torch,
the module tree torchvision's resnet18 has (same submodule names, so the same state_dict keys
and shapes), initialises it randomly, saves its state_dict with torch.save, converts it and
compares the two networks' outputs."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import models

torch = pytest.importorskip("torch")
tnn = torch.nn

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
spec = importlib.util.spec_from_file_location("example_convert",
                                              EXAMPLES / "convert_torchvision.py")
convert_example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(convert_example)


class TorchBasicBlock(tnn.Module):
    """torchvision.models.resnet.BasicBlock's layout."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = tnn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = tnn.Sequential(tnn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                             tnn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class TorchResNet18(tnn.Module):
    """torchvision.models.resnet18's module tree: conv1, bn1, relu, maxpool, layer1-4 of two
    BasicBlocks each, avgpool, fc."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for index, planes in enumerate((64, 128, 256, 512)):
            stride = 1 if index == 0 else 2
            setattr(self, f"layer{index + 1}", tnn.Sequential(
                TorchBasicBlock(inplanes, planes, stride), TorchBasicBlock(planes, planes)))
            inplanes = planes
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def randomised(model):
    """Random weights and batch-norm statistics, so eval mode uses every converted tensor."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, tnn.BatchNorm2d):
                module.running_mean.normal_(0, 0.1, generator=generator)
                module.running_var.uniform_(0.5, 1.5, generator=generator)
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.normal_(0, 0.1, generator=generator)
                module.num_batches_tracked.fill_(7)
    return model.eval()


def test_resnet18_outputs_equal_after_conversion(tmp_path, capsys):
    torch.manual_seed(0)
    reference = randomised(TorchResNet18())
    source, destination = tmp_path / "resnet18.pth", tmp_path / "resnet18.mg"
    torch.save(reference.state_dict(), source)
    convert_example.main([str(source), str(destination), "--model", "resnet18"])
    assert "weights='" in capsys.readouterr().out
    converted = models.resnet18(weights=destination).eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        expected = reference(torch.tensor(x)).numpy()
    with minigrad.no_grad():
        got = converted(minigrad.tensor(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert converted.bn1.num_batches_tracked.item() == 7


def test_googlenet_auxiliary_classifiers_are_dropped_with_a_note():
    template = models.googlenet().state_dict()
    arrays = {k: v.numpy() for k, v in template.items()}
    arrays["aux1.fc2.weight"] = np.zeros((1000, 1024), dtype=np.float32)
    model, notes = convert_example.convert(arrays, "googlenet")
    assert len(notes) == 1 and "aux1" in notes[0]
    assert set(model.state_dict()) == set(template)


def test_weights_that_do_not_fit_are_refused_with_the_keys(tmp_path, capsys):
    arrays = {k: v.numpy() for k, v in models.lenet5().state_dict().items()}
    del arrays["features.3.bias"]
    arrays["extra.weight"] = np.zeros(3, dtype=np.float32)
    with pytest.raises(ValueError, match=r"missing \['features.3.bias'\], unexpected "
                                         r"\['extra.weight'\]"):
        convert_example.convert(arrays, "lenet5")
    arrays = {k: v.numpy() for k, v in models.lenet5(num_classes=4).state_dict().items()}
    arrays["classifier.2.weight"] = arrays["classifier.2.weight"][:, :5]
    with pytest.raises(ValueError, match=r"classifier.2.weight: \(84, 5\) for \(84, 120\)"):
        convert_example.convert(arrays, "lenet5")
    source = tmp_path / "list.pth"
    torch.save([1, 2], source)
    with pytest.raises(SystemExit):
        convert_example.main([str(source), str(tmp_path / "x.mg"), "--model", "resnet18"])
    assert "does not hold a state_dict" in capsys.readouterr().err
    assert not (tmp_path / "x.mg").exists()
