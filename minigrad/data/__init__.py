"""Data loading: datasets, samplers, batching and image transforms (also reachable as
`minigrad.utils.data`, PyTorch's `torch.utils.data`).

    from minigrad.data import DataLoader
    from minigrad.data.datasets import XO
    loader = DataLoader(XO(), batch_size=32, shuffle=True, seed=0)
    for images, labels in loader:  # float32 (32, 1, 28, 28), int64 (32,)
        ...
"""
from . import datasets, transforms
from ._worker import WorkerInfo, get_worker_info
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset,
                      TensorDataset, random_split)
from .distributed import DistributedSampler
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
