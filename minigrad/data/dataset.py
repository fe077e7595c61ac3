"""Map-style datasets: the `Dataset` protocol, `TensorDataset`, `Subset` and `random_split`.

A dataset maps an index in [0, len(dataset)) to one sample. A dataset that holds its samples in
memory may also return a whole collated batch at once from `get_batch(indices)`; the `DataLoader`
uses that instead of indexing item by item and collating (one gather per array instead of a
Python loop over the batch). `get_batch` returning None means "no batched path".
"""
import abc
import math
import operator

import numpy as np

from ..random import default_generator
from ..tensor import Tensor


class Dataset(abc.ABC):
    """Base class of map-style datasets: subclasses define `__getitem__` and `__len__`."""

    @abc.abstractmethod
    def __getitem__(self, index):
        """The sample at integer `index`."""

    @abc.abstractmethod
    def __len__(self):
        """The number of samples."""

    def get_batch(self, indices):
        """The collated batch of the samples at `indices` (an int64 numpy array), or None.

        None (the default) makes the DataLoader fetch the samples one by one and collate them.
        """
        return None


def _as_index(index, length, name):
    """`index` as a non-negative int below `length` (negative ints count from the end)."""
    try:
        index = operator.index(index)
    except TypeError:
        raise TypeError(f"{name} indices must be integers, got {type(index).__name__}") from None
    if not -length <= index < length:
        raise IndexError(f"{name} index {index} is out of range for {length} samples")
    return index % length


class TensorDataset(Dataset):
    """Samples are tuples `(t[i] for t in tensors)`; all tensors share their first dim.

    `TensorDataset(images, labels)` with images (N, C, H, W) and labels (N,) yields
    `(images[i], labels[i])`; the DataLoader batches it by indexing each tensor once per batch.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is {type(t).__name__}, expected "
                                "a Tensor (convert arrays with minigrad.tensor)")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is a 0-d tensor; every tensor "
                                 "needs a first dim that indexes the samples")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) > 1:
            raise ValueError(f"TensorDataset: all tensors must have the same size in dim 0 "
                             f"(the number of samples), got sizes {sizes}")
        self.tensors = tuple(tensors)

    def __getitem__(self, index):
        index = _as_index(index, len(self), "TensorDataset")
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def get_batch(self, indices):
        return tuple(t[Tensor(indices, device=t.device)] for t in self.tensors)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        if self.indices.size and not (self.indices.min() >= -n and self.indices.max() < n):
            raise IndexError(f"Subset: indices must lie in [{-n}, {n}) for a dataset of {n} "
                             "samples")
        self.indices %= max(n, 1)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[_as_index(index, len(self), "Subset")])]

    def __len__(self):
        return len(self.indices)

    def get_batch(self, indices):
        get_batch = getattr(self.dataset, "get_batch", None)
        return None if get_batch is None else get_batch(self.indices[indices])


def _split_lengths(lengths, n):
    """Integer lengths from ints (summing to n) or fractions (summing to 1)."""
    lengths = list(lengths)
    if lengths and all(isinstance(v, float) for v in lengths) and math.isclose(sum(lengths), 1):
        if any(v < 0 for v in lengths):
            raise ValueError(f"random_split: fractions must be non-negative, got {lengths}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # the remainder goes round-robin, as in PyTorch
            counts[i % len(counts)] += 1
        return counts
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0
               for v in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints summing to the "
                         f"dataset size or fractions summing to 1, got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but the "
                         f"dataset has {n} samples")
    return [int(v) for v in lengths]


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random `Subset`s of the given lengths.

    `lengths` are ints summing to len(dataset) or fractions summing to 1. The permutation is
    drawn from `generator` (a numpy Generator) or, by default, minigrad's global generator.
    """
    if generator is None:
        generator = default_generator()
    elif not isinstance(generator, np.random.Generator):
        raise TypeError(f"random_split: generator must be a numpy Generator or None, got "
                        f"{type(generator).__name__}")
    counts = _split_lengths(lengths, len(dataset))
    order = generator.permutation(len(dataset))
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
