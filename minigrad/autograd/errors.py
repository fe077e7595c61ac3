"""Autograd errors. They derive from both RuntimeError (what PyTorch raises) and ValueError."""
from ..errors import AutogradError

__all__ = ["AutogradError", "InplaceModificationError"]


class InplaceModificationError(AutogradError):
    """A tensor saved for backward was modified in place after it was saved."""
