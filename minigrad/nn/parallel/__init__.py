"""Parallel wrappers of a module, PyTorch's `torch.nn.parallel`."""
from .data_parallel import DataParallel

__all__ = ["DataParallel"]
