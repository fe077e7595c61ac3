"""Helpers shared by the model files: argument checks and fitting small images to a network."""
import math

from ..nn import functional as F


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
