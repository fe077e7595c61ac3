"""`minigrad.utils`, as `torch.utils`: `minigrad.utils.data` (datasets and loading), and
torchvision's `make_grid` / `save_image` (images out)."""
from . import data
from .image import make_grid, save_image

__all__ = ["data", "make_grid", "save_image"]
