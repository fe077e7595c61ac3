"""Dtype limits shared by the cpu and cuda kernels."""
import numpy as np


def lowest_value(dtype):
    """The value below every other of `dtype` (a numpy dtype): -inf for a floating dtype, the
    minimum of an integer one (what max-style kernels start their search from)."""
    dtype = np.dtype(dtype)
    return dtype.type(-np.inf) if dtype.kind == "f" else np.iinfo(dtype).min
