"""Helpers shared by the model files: argument checks and fitting small images to a network."""
import functools
import math
import os

from ..nn import functional as F
from ..serialization import load


def check_positive_ints(model_name, **values):
    """Raise ValueError naming the argument unless every value (num_classes=..., ...) is a
    positive int."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{model_name}: {name} must be a positive int, got {value!r}")


def upscale_to_min_size(x, min_size, model_name):
    """`x` (N, C, H, W) unchanged when H and W are both at least `min_size`; otherwise enlarged
    by a whole factor per axis (nearest neighbour: every pixel becomes a ky x kx block) until
    they are.

    Networks designed for 224x224 images shrink them with fixed strides (AlexNet's 11x11
    stride-4 stem and three stride-2 pools, VGG's five 2x2 pools), which leaves nothing of a
    28x28 image. Replicating pixels lets them run on small images without changing a single
    parameter, while inputs that are large enough go through the original architecture.
    """
    if x.ndim != 4 or 0 in tuple(x.shape[-2:]):
        raise ValueError(f"{model_name} expects a batch of images (N, C, H, W) with H, W > 0, "
                         f"got shape {tuple(x.shape)}")
    height, width = x.shape[-2:]
    factors = (max(1, math.ceil(min_size / height)), max(1, math.ceil(min_size / width)))
    if factors == (1, 1):
        return x
    return F.interpolate(x, scale_factor=factors, mode="nearest")


def builds_with_weights(builder):
    """Give the model builder `builder` torchvision's `weights=` / `pretrained=` / `progress=`
    arguments.

    `weights=None` and `pretrained=False` (the defaults) build a freshly initialised model.
    `weights` may be the path of a minigrad checkpoint holding the model's state_dict (as
    written by `minigrad.save(model.state_dict(), path)`), loaded after building. minigrad
    downloads nothing, so named pretrained weights ("DEFAULT", "IMAGENET1K_V1", a torchvision
    weights enum) and `pretrained=True` raise ValueError saying how to get them.
    """

    if getattr(builder, "takes_weights", False):
        return builder

    @functools.wraps(builder)
    def build(*args, weights=None, progress=True, pretrained=False, **kwargs):
        if pretrained:
            raise ValueError(f"{builder.__name__}: minigrad has no pretrained weights to "
                             "download; build it with weights=None and load converted "
                             "weights with load_state_dict, or pass weights=<path of a "
                             "minigrad checkpoint of its state_dict>")
        path = None
        if weights is not None:
            path = _checkpoint_path(weights, builder.__name__)
        model = builder(*args, **kwargs)
        if path is not None:
            model.load_state_dict(load(path))
        return model

    build.takes_weights = True
    return build


def _checkpoint_path(weights, model_name):
    """`weights` as the path of an existing checkpoint file, or ValueError explaining why not."""
    try:
        path = os.fspath(weights)
    except TypeError:
        path = None
    if path is None or not os.path.isfile(path):
        raise ValueError(f"{model_name}: weights={weights!r} is neither None nor the path of a "
                         "minigrad checkpoint file; minigrad downloads no pretrained weights "
                         "(convert them, save the state_dict with minigrad.save and pass its "
                         "path, or load it with load_state_dict)")
    return path
