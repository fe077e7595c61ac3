"""`make_grid` and `save_image`, with torchvision's (`torchvision.utils`) names, arguments and
results: programs that show or save batches of images run with only the import renamed.

Pillow (the `viz` extra: `pip install minigrad[viz]`) is needed by `save_image` only and is
imported when it runs.
"""
import math
import os

from ..autograd.grad_mode import no_grad
from ..functions import cat, stack
from ..tensor import Tensor


def _as_batch(tensor):
    """(B, C, H, W) from a batch, one (C, H, W) or (H, W) image, or a list of images; one
    channel becomes three (as torchvision, so a grid is always RGB)."""
    if isinstance(tensor, list):
        if not tensor or not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError("make_grid: expected a tensor or a non-empty list of tensors, got "
                            f"a list of {sorted({type(t).__name__ for t in tensor})}")
        tensor = stack(tensor, 0)
    elif not isinstance(tensor, Tensor):
        raise TypeError(f"make_grid: tensor or list of tensors expected, got "
                        f"{type(tensor).__name__}")
    if tensor.ndim == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 3:
        if tensor.shape[0] == 1:
            tensor = cat([tensor, tensor, tensor], 0)
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 4:
        raise ValueError(f"make_grid: expected images of shape (B, C, H, W), (C, H, W) or "
                         f"(H, W), got shape {tuple(tensor.shape)}")
    if tensor.shape[1] == 1:
        tensor = cat([tensor, tensor, tensor], 1)
    return tensor


def _rescaled(images, value_range):
    """`images` clamped to value_range (default: their own min and max), then mapped to [0, 1]."""
    low, high = value_range if value_range is not None else \
        (float(images.min().item()), float(images.max().item()))
    return (images.clamp(low, high) - low) / max(high - low, 1e-5)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Tile a batch of images into one (C, H', W') image, as torchvision's `make_grid`.

    `tensor` is (B, C, H, W), one (C, H, W) or (H, W) image, or a list of (C, H, W) images;
    single-channel images are repeated to 3 channels. Images go `nrow` per row, with
    `padding` pixels of `pad_value` around each. `normalize` maps values to [0, 1]: clamped to
    `value_range` (a (min, max) tuple) or by the min and max of the whole batch, or of each
    image with `scale_each`. A batch of one image returns that image (C, H, W), unpadded.
    """
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("make_grid: value_range has to be a tuple (min, max) if specified; "
                        f"min and max are numbers, got {value_range!r}")
    with no_grad():
        images = _as_batch(tensor)
        if normalize:
            if scale_each:
                images = stack([_rescaled(image, value_range) for image in images], 0)
            else:
                images = _rescaled(images, value_range)
        if images.shape[0] == 1:
            return images.squeeze(0)
        count, channels, height, width = images.shape
        columns = min(nrow, count)
        rows = int(math.ceil(count / columns))
        cell_h, cell_w = height + padding, width + padding
        grid = images.new_full((channels, cell_h * rows + padding, cell_w * columns + padding),
                               pad_value)
        for k in range(count):
            top, left = (k // columns) * cell_h + padding, (k % columns) * cell_w + padding
            grid[:, top:top + height, left:left + width] = images[k]
        return grid


def save_image(tensor, fp, format=None, **kwargs):
    """Save `tensor` as an image file, as torchvision's `save_image`: the images are tiled by
    `make_grid(tensor, **kwargs)`, values in [0, 1] scaled to 0..255 (rounded, clamped), and
    written with Pillow to the path or file object `fp` (`format` as Pillow's, else from the
    file name)."""
    try:
        from PIL import Image  # optional: the viz extra
    except ImportError:
        raise ImportError("save_image needs Pillow; install it with `pip install "
                          "minigrad[viz]`") from None
    grid = make_grid(tensor, **kwargs)
    # in the grid's dtype and truncated to uint8, as torchvision does
    pixels = (grid.detach().cpu() * 255 + 0.5).clamp(0, 255).numpy()
    array = pixels.astype("uint8").transpose(1, 2, 0)
    if isinstance(fp, (str, os.PathLike)):
        fp = os.fspath(fp)
    Image.fromarray(array).save(fp, format=format)
