"""Datasets: the map-style `Dataset` protocol, `TensorDataset`, `Subset`, `ConcatDataset` and
`random_split`; iterable-style `IterableDataset` and `ChainDataset`.

A dataset maps an index in [0, len(dataset)) to one sample. A dataset that holds its samples in
memory may also return a whole collated batch at once from `get_batch(indices)`; the `DataLoader`
uses that instead of indexing item by item and collating (one gather per array instead of a
Python loop over the batch). `get_batch` returning None means "no batched path".
"""
import abc
import bisect
import math
import operator

import numpy as np

from ..random import as_numpy_generator
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

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of iterable-style datasets (streams): subclasses define `__iter__`, which
    yields samples, and may define `__len__`. With DataLoader workers, each worker iterates
    its own copy: shard the stream with `get_worker_info()` (id, num_workers), or every worker
    yields every sample, as in PyTorch. `a + b` chains two of them."""

    @abc.abstractmethod
    def __iter__(self):
        """The samples, one by one."""

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an iterable dataset: iterate over it "
                        "instead of indexing it")

    def __len__(self):
        raise TypeError(f"{type(self).__name__} is an iterable dataset without a length "
                        "(define __len__ to give it one)")

    def __add__(self, other):
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of several iterable datasets, one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)

    def __iter__(self):
        for dataset in self.datasets:
            yield from dataset

    def __len__(self):
        return sum(len(d) for d in self.datasets)


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
        return [t[Tensor._from_data(indices, device=t.device)] for t in self.tensors]


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


class ConcatDataset(Dataset):
    """The samples of several datasets one after another (`ds_a + ds_b` builds one).

    `cumulative_sizes[i]` is the number of samples in datasets 0..i together.
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for i, ds in enumerate(self.datasets):
            if not hasattr(ds, "__len__") or not hasattr(ds, "__getitem__"):
                raise TypeError(f"ConcatDataset: dataset {i} ({type(ds).__name__}) is not a "
                                "map-style dataset (it needs __getitem__ and __len__)")
        self.cumulative_sizes = np.cumsum([len(ds) for ds in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        index = _as_index(index, len(self), "ConcatDataset")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


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
    drawn from `generator` (a `minigrad.Generator` or numpy Generator) or, by default,
    minigrad's global generator.
    """
    generator = as_numpy_generator(generator, "random_split")
    counts = _split_lengths(lengths, len(dataset))
    order = generator.permutation(len(dataset))
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
