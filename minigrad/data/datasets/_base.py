"""`ImageArrayDataset`: labelled images held in memory, served one at a time or a batch at once."""
import operator

import numpy as np

from ..dataset import Dataset
from ...tensor import Tensor


class ImageArrayDataset(Dataset):
    """Images stored as a numpy array (N, C, H, W) of any numeric dtype, labels as (N,) ints.

    A sample is `(image, label)`: image a float32 Tensor (C, H, W) equal to the stored values
    times `scale` (1/255 for uint8 pixels), then passed through `transform`; label an int.
    `get_batch` returns [images (B, C, H, W), labels int64 (B,)] in one gather, applying the
    transform to the whole batch when it supports batches (`transform.batched`).

    Attributes: `data` (the stored array), `targets` (int64 labels), `classes` (class names).
    """

    classes = ()

    def __init__(self, data, targets, scale=1.0, transform=None):
        if transform is not None and not callable(transform):
            raise TypeError(f"{type(self).__name__}: transform must be callable, got "
                            f"{type(transform).__name__}")
        self.data = data
        self.targets = np.asarray(targets, dtype=np.int64)
        self.scale = np.float32(scale)
        self.transform = transform

    def __len__(self):
        return len(self.targets)

    def _images(self, index):
        return Tensor._from_data(self.data[index].astype(np.float32) * self.scale)

    def __getitem__(self, index):
        try:
            index = operator.index(index)
        except TypeError:
            raise TypeError(f"{type(self).__name__} indices must be integers, got "
                            f"{type(index).__name__}") from None
        image = self._images(index)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def get_batch(self, indices):
        if self.transform is not None and not getattr(self.transform, "batched", False):
            return None
        images = self._images(indices)
        if self.transform is not None:
            images = self.transform(images)
        return [images, Tensor._from_data(self.targets[indices])]

    def __repr__(self):
        shape = tuple(self.data.shape[1:])
        return f"{type(self).__name__}({len(self)} images of shape {shape}, " \
               f"{len(self.classes)} classes)"
