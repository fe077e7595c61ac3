"""`XO`: the classic CNN teaching toy, an X or an O drawn in a -1/+1 pixel grid.

Every image is generated locally from a seed: background -1, strokes +1. Each shape gets a
random centre, size, stroke width and stroke jitter (the X's four ends and the O's two radii
vary independently), and then a fraction `noise` of the pixels flip sign. Because the shapes
move around the grid, no single pixel separates the classes, but a small CNN reaches 100%.
"""
import numpy as np

from ._base import ImageArrayDataset

_SPLIT_STREAMS = {True: 0, False: 1}  # train and test draw from different streams of a seed


def _segment_distance(px, py, a, b):
    """Distance from the points (px, py) to the segment from a to b."""
    d = b - a
    t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / (d @ d), 0.0, 1.0)
    return np.hypot(px - (a[0] + t * d[0]), py - (a[1] + t * d[1]))


def _draw(rng, label, size, px, py):
    """A boolean (size, size) stroke mask of an X (label 0) or an O (label 1)."""
    radius = rng.uniform(0.22, 0.38) * size
    centre = rng.uniform(radius + 1, size - 2 - radius, size=2)
    half_width = rng.uniform(0.6, 1.3)
    if label == 0:
        corners = centre + radius * np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]])
        corners = corners + rng.uniform(-0.15, 0.15, size=(4, 2)) * radius
        distance = np.minimum(_segment_distance(px, py, corners[0], corners[1]),
                              _segment_distance(px, py, corners[2], corners[3]))
    else:
        rx, ry = radius * rng.uniform(0.8, 1.0, size=2)
        rho = np.hypot((px - centre[0]) / rx, (py - centre[1]) / ry)
        distance = np.abs(rho - 1) * min(rx, ry)
    return distance <= half_width


class XO(ImageArrayDataset):
    """X versus O: samples are (image float32 (1, size, size) of -1/+1 values, label).

    Args:
        num_samples: number of images, half of each class (default 2000 for train, 500 test).
        size: image height and width in pixels (at least 12).
        train: which split; train and test images come from different random streams.
        seed: makes the images reproducible: the same (seed, train) gives the same dataset.
        noise: fraction of pixels whose sign is flipped, in [0, 0.5).
        transform: applied to each image Tensor (or to whole batches, if it supports them).

    Classes: 0 = "X", 1 = "O".
    """

    classes = ("X", "O")

    def __init__(self, num_samples=None, size=28, train=True, seed=0, noise=0.05,
                 transform=None):
        if num_samples is None:
            num_samples = 2000 if train else 500
        if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) \
                or num_samples < 1:
            raise ValueError(f"XO: num_samples must be a positive int, got {num_samples!r}")
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 12:
            raise ValueError(f"XO: size must be an int of at least 12, got {size!r}")
        if not 0 <= noise < 0.5:
            raise ValueError(f"XO: noise must be in [0, 0.5), got {noise!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"XO: seed must be a non-negative int, got {seed!r}")
        rng = np.random.default_rng([int(seed), _SPLIT_STREAMS[bool(train)]])
        labels = rng.permutation(np.arange(num_samples) % 2)
        py, px = np.mgrid[0:size, 0:size].astype(np.float64)
        images = np.empty((num_samples, 1, size, size), dtype=np.int8)
        for i, label in enumerate(labels):
            strokes = _draw(rng, label, size, px, py)
            flips = rng.random((size, size)) < noise
            images[i, 0] = np.where(strokes != flips, 1, -1)
        super().__init__(images, labels, transform=transform)
        self.noise = float(noise)
