"""Autograd errors. They derive from both RuntimeError (what PyTorch raises) and ValueError."""


class AutogradError(RuntimeError, ValueError):
    """Misuse of the autograd engine: a freed graph, a bad gradient, a non-scalar backward."""


class InplaceModificationError(AutogradError):
    """A tensor saved for backward was modified in place after it was saved."""
