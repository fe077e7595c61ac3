"""`minigrad.backends.mps`, as `torch.backends.mps`: minigrad has no Apple-GPU (MPS) device."""


def is_available():
    """False: there is no "mps" device in minigrad."""
    return False


def is_built():
    """False: minigrad has no MPS backend."""
    return False
