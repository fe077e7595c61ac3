"""PyTorch's `torch.utils.hooks` path: `RemovableHandle`, what every `register_*hook` returns."""
from ..autograd.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
