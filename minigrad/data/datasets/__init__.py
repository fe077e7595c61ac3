"""Ready-made datasets: `XO` (generated), `MNIST`/`FashionMNIST` (IDX files), `Digits` (sklearn).

Each sample is (image float32 Tensor (1, H, W), int label); each dataset has a `classes` tuple.
"""
from ._base import ImageArrayDataset
from .digits import Digits
from .mnist import MNIST, FashionMNIST, read_idx
from .xo import XO
