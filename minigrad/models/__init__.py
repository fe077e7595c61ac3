"""The classic CNNs, built from `minigrad.nn` with torchvision's layouts and names.

    from minigrad.models import get_model, summary
    model = get_model("resnet18", num_classes=10, in_channels=1)
    summary(model, (1, 1, 28, 28))

Every constructor takes `num_classes` and `in_channels`; the ImageNet models (AlexNet, VGG,
ResNet, GoogLeNet, Xception) default to 1000 classes of RGB images and have torchvision's
state_dict keys and parameter counts (Xception: those of the common PyTorch port of the Keras
model), so converted pretrained weights load with `load_state_dict`.

`cnn1d` is a 1-D network for signals (N, C, L) such as MNIST-1D.

The image models also run on small images such as 28x28 MNIST or 8x8 Digits. ResNet and the
small CNN take any size; the others enlarge an image smaller than their `min_input_size` (AlexNet
63, VGG 32, LeNet-5 28, GoogLeNet 15, Xception 7) by a whole factor per axis, replicating each
pixel, before their first layer, so the architecture itself is never altered.
"""
from ._common import builds_with_weights
from .alexnet import AlexNet, alexnet
from .cnn1d import CNN1d, cnn1d
from .googlenet import BasicConv2d, GoogLeNet, Inception, googlenet
from .lenet import LeNet5, lenet5
from .resnet import BasicBlock, Bottleneck, ResNet, resnet18, resnet34, resnet50, resnet101, \
    resnet152
from .small_cnn import SmallCNN, small_cnn
from .summary import SummaryRow, summary
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn
from .xception import SeparableConv2d, Xception, xception

_MODELS = {
    "small_cnn": small_cnn,
    "lenet5": lenet5,
    "cnn1d": cnn1d,
    "alexnet": alexnet,
    "vgg11": vgg11, "vgg11_bn": vgg11_bn, "vgg13": vgg13, "vgg13_bn": vgg13_bn,
    "vgg16": vgg16, "vgg16_bn": vgg16_bn, "vgg19": vgg19, "vgg19_bn": vgg19_bn,
    "resnet18": resnet18, "resnet34": resnet34, "resnet50": resnet50, "resnet101": resnet101,
    "resnet152": resnet152,
    "googlenet": googlenet,
    "xception": xception,
}

# Every builder takes torchvision's weights= / pretrained= / progress= (also any added later
# without the decorator in its own file).
for _name, _builder in _MODELS.items():
    _MODELS[_name] = globals()[_name] = builds_with_weights(_builder)


def list_models():
    """The names `get_model` knows, sorted."""
    return sorted(_MODELS)


def get_model(name, num_classes=None, in_channels=None, **kwargs):
    """Build the model called `name` (case-insensitive; "-" and "_" are interchangeable, so
    "small-cnn" works). `num_classes` / `in_channels` left as None take the model's defaults
    (1000 and 3 for the ImageNet models, 10 and 1 for lenet5, 2 and 1 for small_cnn); other
    keyword arguments go to the constructor. An unknown name raises ValueError listing the
    known ones."""
    if not isinstance(name, str):
        raise TypeError(f"get_model: name must be a string, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_")
    if key not in _MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(list_models())}")
    if num_classes is not None:
        kwargs["num_classes"] = num_classes
    if in_channels is not None:
        kwargs["in_channels"] = in_channels
    return _MODELS[key](**kwargs)


__all__ = ["AlexNet", "BasicBlock", "BasicConv2d", "Bottleneck", "CNN1d", "GoogLeNet",
           "Inception", "LeNet5", "ResNet", "SeparableConv2d", "SmallCNN", "SummaryRow", "VGG",
           "Xception", "alexnet", "cnn1d", "get_model", "googlenet", "lenet5", "list_models",
           "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "small_cnn", "summary",
           "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
           "xception"]
