"""Numpy image helpers shared by the visualisations: scaling to [0, 1], tiling, resizing, PNGs.

Everything here works on host numpy arrays; Pillow (and matplotlib, for colour maps) are
imported only when a PNG is written, so `minigrad.viz` imports without them.
"""
import math
import os

import numpy as np

VIZ_EXTRA_HINT = "install them with `pip install minigrad[viz]`"


def as_numpy(value):
    """A float64 host copy of a Tensor, Parameter or array-like."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def normalize(array, axes=None):
    """`array` linearly mapped to [0, 1] over `axes` (all of them by default): the minimum goes
    to 0 and the maximum to 1; a constant slice becomes 0.5 (there is no contrast to show)."""
    array = np.asarray(array, dtype=np.float64)
    low = array.min(axis=axes, keepdims=True)
    high = array.max(axis=axes, keepdims=True)
    span = high - low
    flat = span == 0
    scaled = (array - low) / np.where(flat, 1.0, span)
    return np.where(flat, 0.5, scaled)


def tile(images, nrow=None, padding=1, pad_value=1.0):
    """Tile (B, H, W) or (B, H, W, 3) images into one image, `nrow` tiles per row (default:
    about square), with `padding` pixels of `pad_value` between and around the tiles.

    Returns (rows * (H + padding) + padding, nrow * (W + padding) + padding[, 3]).
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError(f"tile expects images (B, H, W) or (B, H, W, 3), got shape "
                         f"{images.shape}")
    count, height, width = images.shape[:3]
    if count == 0:
        raise ValueError("tile needs at least one image, got none")
    if nrow is None:
        nrow = math.ceil(math.sqrt(count))
    if isinstance(nrow, bool) or not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"nrow must be a positive int, got {nrow!r}")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    ncol = min(nrow, count)
    rows = math.ceil(count / ncol)
    shape = (rows * (height + padding) + padding, ncol * (width + padding) + padding)
    grid = np.full(shape + images.shape[3:], pad_value, dtype=np.float64)
    for i, image in enumerate(images):
        top = padding + (i // ncol) * (height + padding)
        left = padding + (i % ncol) * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def resize_bilinear(maps, size):
    """(N, h, w) maps resized to `size` (H, W) by bilinear interpolation with half-pixel
    centres (PyTorch's `interpolate(mode="bilinear", align_corners=False)`)."""
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3:
        raise ValueError(f"resize_bilinear expects maps (N, h, w), got shape {maps.shape}")
    out_h, out_w = size

    def weights(in_size, out_size):
        source = (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5
        source = np.clip(source, 0, None)
        low = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
        high = np.minimum(low + 1, in_size - 1)
        return low, high, source - low

    y0, y1, fy = weights(maps.shape[1], out_h)
    x0, x1, fx = weights(maps.shape[2], out_w)
    top = maps[:, y0][:, :, x0] * (1 - fx) + maps[:, y0][:, :, x1] * fx
    bottom = maps[:, y1][:, :, x0] * (1 - fx) + maps[:, y1][:, :, x1] * fx
    return top * (1 - fy[:, None]) + bottom * fy[:, None]


def colorize(image, cmap):
    """(H, W) values in [0, 1] -> (H, W, 3) colours of the matplotlib colour map `cmap`."""
    try:
        from matplotlib import colormaps
    except ImportError:
        raise ImportError(f"colour maps need matplotlib, which is not installed; "
                          f"{VIZ_EXTRA_HINT}") from None
    return colormaps[cmap](np.clip(image, 0, 1))[..., :3]


def heatmap_grid(maps, cmap, nrow=None):
    """(B, H, W) maps, each scaled to [0, 1] on its own and coloured with `cmap`, tiled with
    white padding: (rows, cols, 3)."""
    return tile(colorize(normalize(maps, axes=(1, 2)), cmap), nrow=nrow)


def write_png(path, image, cmap=None, scale=1):
    """Write `image` ((H, W) or (H, W, 3), values in [0, 1]) to the PNG file `path`; a 2-D
    image goes through the colour map `cmap` when one is named, else stays grey. `scale`
    enlarges every pixel to a scale x scale block, so tiny images stay visible."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"writing PNG files needs Pillow, which is not installed; "
                          f"{VIZ_EXTRA_HINT}") from None
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2 and cmap is not None:
        image = colorize(image, cmap)
    if image.ndim not in (2, 3):
        raise ValueError(f"write_png expects an image (H, W) or (H, W, 3), got shape "
                         f"{image.shape}")
    if scale != 1:
        image = image.repeat(scale, axis=0).repeat(scale, axis=1)
    pixels = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    directory = os.path.dirname(os.fspath(path))
    if directory:
        os.makedirs(directory, exist_ok=True)
    Image.fromarray(pixels).save(path, format="PNG")
