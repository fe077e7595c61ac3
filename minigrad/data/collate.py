"""`default_collate`: join a list of samples into one batch, field by field, as PyTorch's."""
import collections.abc

import numpy as np

from ..functions import stack
from ..tensor import Tensor


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(value, "_fields")


def default_collate(samples):
    """Join a list of samples into a batch, field by field (PyTorch's rules).

    Tensors are stacked along a new dim 0, numpy arrays and numpy scalars likewise (keeping
    their dtype where minigrad has it); Python ints become an int64 tensor, floats a float64
    tensor and bools a bool tensor; strings stay as they are batched (a list, or a tuple for a
    field of tuple/list samples, as in PyTorch); dicts are collated per key; a
    namedtuple stays that namedtuple; other tuples and lists become a list of per-field
    batches (so a dataset of `(image, label)` pairs yields `[images, labels]`).
    """
    elem = samples[0]
    if isinstance(elem, Tensor):
        return stack(samples)
    if isinstance(elem, (np.ndarray, np.generic)) and elem.dtype.kind in "biuf":
        return Tensor._from_data(np.stack([np.asarray(s) for s in samples]))
    if isinstance(elem, (bool, np.bool_)):
        return Tensor._from_data(np.asarray(samples, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._from_data(np.asarray(samples, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._from_data(np.asarray(samples, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return samples  # as given: a list at the top and per key, a tuple per field
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([s[key] for s in samples]) for key in elem}
    if isinstance(elem, collections.abc.Sequence):
        if any(len(s) != len(elem) for s in samples):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               f"equal size, got sizes {sorted({len(s) for s in samples})}")
        fields = [default_collate(field) for field in zip(*samples)]
        return type(elem)(*fields) if _is_namedtuple(elem) else fields
    raise TypeError(f"default_collate: cannot batch samples of type {type(elem).__name__}; "
                    "expected Tensors, numpy arrays, numbers, strings, or tuples/lists/dicts "
                    "of them (or pass collate_fn)")


def default_convert(sample):
    """One sample as PyTorch's `default_convert` leaves it (the collate_fn when batch_size is
    None): numpy arrays and numpy numbers become Tensors, containers are converted element by
    element (keeping their type), anything else is returned unchanged."""
    if isinstance(sample, (np.ndarray, np.generic)) and sample.dtype.kind in "biuf":
        return Tensor._from_data(np.asarray(sample))
    if isinstance(sample, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in sample.items()}
    if _is_namedtuple(sample):
        return type(sample)(*(default_convert(v) for v in sample))
    if isinstance(sample, (tuple, list)):
        return type(sample)(default_convert(v) for v in sample)
    return sample
