"""Loss kernels."""
import numpy as np


def clamped_log(a, floor):
    """max(log(a), floor): log(0) gives `floor` instead of -inf (binary cross entropy)."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(a), a.dtype.type(floor))
