"""Backend switches PyTorch programs set or query (`torch.backends`): `cudnn` and `mps`."""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
