"""`minigrad.utils`, as `torch.utils`: `minigrad.utils.data` (datasets and loading),
`minigrad.utils.hooks` (RemovableHandle), `minigrad.utils.checkpoint` (activation
checkpointing), and
torchvision's `make_grid` / `save_image` (images out), and `release_cpu_memory` (minigrad's
own: hand the freed memory minigrad keeps for reuse back to the operating system)."""
from . import checkpoint, data, hooks
from .._malloc import release_cpu_memory
from .image import make_grid, save_image

__all__ = ["checkpoint", "data", "hooks", "make_grid", "release_cpu_memory", "save_image"]
