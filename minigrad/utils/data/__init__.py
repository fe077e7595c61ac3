"""`minigrad.utils.data`: PyTorch's `torch.utils.data` path to `minigrad.data`.

    from minigrad.utils.data import DataLoader, TensorDataset
    from minigrad.utils.data.dataloader import default_collate

Every name is `minigrad.data`'s own object (one DataLoader class, not a copy), and the
submodules programs import by PyTorch's names (`dataloader`, `dataset`, `sampler`) are
`minigrad.data`'s modules under this path too.
"""
import sys

from ...data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset,
                     DistributedSampler, IterableDataset, RandomSampler, Sampler,
                     SequentialSampler, Subset, SubsetRandomSampler, TensorDataset,
                     WeightedRandomSampler, WorkerInfo, dataloader, dataset, default_collate,
                     default_convert, distributed, get_worker_info, random_split, sampler)

for _module in (dataloader, dataset, distributed, sampler):
    sys.modules[f"{__name__}.{_module.__name__.rsplit('.', 1)[1]}"] = _module

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "DistributedSampler", "IterableDataset", "RandomSampler", "Sampler",
           "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "WorkerInfo", "dataloader", "dataset", "default_collate",
           "default_convert", "distributed", "get_worker_info", "random_split", "sampler"]
