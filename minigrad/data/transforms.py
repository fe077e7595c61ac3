"""Image transforms: `Compose`, `ToTensor`, `Normalize`, `RandomCrop`, `RandomHorizontalFlip`.

Images are float Tensors laid out (C, H, W). Every transform here except `ToTensor` also takes a
batch (N, C, H, W), in which each image draws its own crop or flip; such transforms set
`batched = True`, which lets in-memory datasets transform a whole batch at once. Random
transforms draw from the numpy Generator they were given or, by default, from minigrad's global
generator, so `minigrad.manual_seed` makes them reproducible.
"""
import numpy as np

from .._args import int_tuple
from ..random import default_generator
from ..tensor import Tensor


def _check_image(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} expects a Tensor image (C, H, W) or batch (N, C, H, W), got "
                        f"{type(x).__name__}")
    if x.ndim not in (3, 4):
        raise ValueError(f"{name} expects an image (C, H, W) or a batch (N, C, H, W), got "
                         f"shape {tuple(x.shape)}")


def _check_generator(generator, name):
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"{name}: generator must be a numpy Generator or None, got "
                        f"{type(generator).__name__}")
    return generator


class Compose:
    """Apply `transforms` one after another."""

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got "
                                f"{type(t).__name__}")

    @property
    def batched(self):
        return all(getattr(t, "batched", False) for t in self.transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self):
        return "Compose([" + ", ".join(repr(t) for t in self.transforms) + "])"


class ToTensor:
    """A numpy image (H, W) or (H, W, C) -> a Tensor (C, H, W).

    uint8 pixels are scaled to float32 in [0, 1]; float32/float64 arrays keep their values and
    dtype (as torchvision's ToTensor does).
    """

    batched = False

    def __call__(self, image):
        arr = np.asarray(image)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise ValueError(f"ToTensor expects an image of shape (H, W) or (H, W, C), got "
                             f"shape {arr.shape}")
        if arr.dtype == np.uint8:
            arr = arr.astype(np.float32) / np.float32(255)
        elif arr.dtype not in (np.float32, np.float64):
            raise TypeError(f"ToTensor expects uint8 or float32/float64 pixels, got {arr.dtype}")
        return Tensor._from_data(np.ascontiguousarray(arr.transpose(2, 0, 1)))

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """`(x - mean[c]) / std[c]` for every channel c; one value applies to all channels."""

    batched = True

    def __init__(self, mean, std):
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        lengths = (len(self.mean), len(self.std))
        if self.mean.ndim != 1 or self.std.ndim != 1 or (lengths[0] != lengths[1]
                                                         and 1 not in lengths):
            raise ValueError(f"Normalize: mean and std must be numbers or equal-length "
                             f"sequences, got mean={mean!r}, std={std!r}")
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {std!r}")

    def __call__(self, x):
        _check_image(x, "Normalize")
        if not x.is_floating_point():
            raise TypeError(f"Normalize expects a float image, got dtype {x.dtype}")
        channels = x.shape[-3]
        if max(len(self.mean), len(self.std)) not in (1, channels):
            raise ValueError(f"Normalize has {len(self.mean)} mean(s) and {len(self.std)} "
                             f"std(s), but the image has {channels} channels")
        mean = Tensor._from_data(self.mean.reshape(-1, 1, 1), dtype=x.dtype, device=x.device)
        std = Tensor._from_data(self.std.reshape(-1, 1, 1), dtype=x.dtype, device=x.device)
        return (x - mean) / std

    def __repr__(self):
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


def _padding(padding):
    """(left, top, right, bottom) from an int, (left/right, top/bottom) or a 4-sequence."""
    values = (padding,) if isinstance(padding, (int, np.integer)) else tuple(padding)
    if len(values) not in (1, 2, 4) or not all(isinstance(v, (int, np.integer)) and v >= 0
                                               for v in values):
        raise ValueError(f"RandomCrop: padding must be a non-negative int or a sequence of 2 "
                         f"or 4 of them, got {padding!r}")
    values = tuple(int(v) for v in values)
    return values * 4 if len(values) == 1 else values * 2 if len(values) == 2 else values


class RandomCrop:
    """Zero-pad by `padding`, then cut out a random `size` window (int or (height, width)).

    `padding` is an int (all sides), (left/right, top/bottom) or (left, top, right, bottom).
    """

    batched = True

    def __init__(self, size, padding=0, generator=None):
        self.size = int_tuple(size, 2, "size", "RandomCrop", minimum=1)
        self.padding = _padding(padding)
        self.generator = _check_generator(generator, "RandomCrop")

    def __call__(self, x):
        _check_image(x, "RandomCrop")
        left, top, right, bottom = self.padding
        arr = x.numpy()
        arr = np.pad(arr, [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)])
        (h, w), (height, width) = self.size, arr.shape[-2:]
        if h > height or w > width:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the padded "
                             f"image size {(height, width)}")
        rng = default_generator() if self.generator is None else self.generator
        count = arr.shape[0] if arr.ndim == 4 else 1
        tops = rng.integers(0, height - h + 1, size=count)
        lefts = rng.integers(0, width - w + 1, size=count)
        if arr.ndim == 3:
            out = arr[:, tops[0]:tops[0] + h, lefts[0]:lefts[0] + w]
        else:  # one gather: image n takes rows tops[n] + (0..h-1), columns lefts[n] + (0..w-1)
            rows = (tops[:, None] + np.arange(h))[:, None, :, None]
            cols = (lefts[:, None] + np.arange(w))[:, None, None, :]
            images = np.arange(count)[:, None, None, None]
            channels = np.arange(arr.shape[1])[:, None, None]
            out = arr[images, channels, rows, cols]
        return Tensor._from_data(np.ascontiguousarray(out), device=x.device)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror the image left-right with probability `p`."""

    batched = True

    def __init__(self, p=0.5, generator=None):
        if not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p!r}")
        self.p = float(p)
        self.generator = _check_generator(generator, "RandomHorizontalFlip")

    def __call__(self, x):
        _check_image(x, "RandomHorizontalFlip")
        rng = default_generator() if self.generator is None else self.generator
        arr = x.numpy()
        flip = rng.random(arr.shape[0] if arr.ndim == 4 else 1) < self.p
        if arr.ndim == 3:
            out = arr[..., ::-1] if flip[0] else arr
        else:
            out = np.where(flip[:, None, None, None], arr[..., ::-1], arr)
        return Tensor._from_data(np.ascontiguousarray(out), device=x.device)

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"
