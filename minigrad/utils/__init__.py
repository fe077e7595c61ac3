"""`minigrad.utils`, as `torch.utils`: `minigrad.utils.data` (datasets and loading),
`minigrad.utils.hooks` (RemovableHandle), and
torchvision's `make_grid` / `save_image` (images out)."""
from . import data, hooks
from .image import make_grid, save_image

__all__ = ["data", "hooks", "make_grid", "save_image"]
