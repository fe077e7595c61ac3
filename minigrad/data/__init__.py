"""Data loading: datasets, batching and image transforms.

    from minigrad.data import DataLoader
    from minigrad.data.datasets import XO
    loader = DataLoader(XO(), batch_size=32, shuffle=True, seed=0)
    for images, labels in loader:  # float32 (32, 1, 28, 28), int64 (32,)
        ...
"""
from . import datasets, transforms
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
