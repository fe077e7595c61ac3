"""`minigrad.utils`, as `torch.utils`: `minigrad.utils.data` (datasets and loading)."""
from . import data

__all__ = ["data"]
