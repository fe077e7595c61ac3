"""Comparing minigrad results with reference values: numpy arrays, PyTorch tensors, numbers."""
import numpy as np

from ..tensor import Tensor

# (rtol, atol) by the less precise dtype of the two sides, as torch.testing.assert_close
_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7)}


def to_numpy(value):
    """A numpy array from a minigrad Tensor, a PyTorch tensor, an array, or a (nested) number.
    bfloat16 tensors (numpy has no bfloat16) give their values as float32."""
    if isinstance(value, Tensor):
        return value.float().numpy() if value.dtype.name == "bfloat16" else value.numpy()
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu()
        return (value.float() if str(value.dtype) == "torch.bfloat16" else value).numpy()
    return np.asarray(value)


def _default_tolerances(*arrays):
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    if not floats:
        return 0.0, 0.0
    rtols, atols = zip(*(_TOLERANCES.get(d, _TOLERANCES[np.dtype(np.float32)]) for d in floats))
    return max(rtols), max(atols)


def assert_close(actual, expected, rtol=None, atol=None, check_dtype=False, msg=""):
    """Assert that `actual` and `expected` (Tensors, torch tensors, arrays or numbers) have the
    same shape and |actual - expected| <= atol + rtol * |expected| elementwise (NaNs must match).

    Tolerances default to those of the less precise float dtype of the two (float16: rtol 1e-3,
    atol 1e-5; float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7 and 1e-7; bfloat16 compares as
    float32, so give it tolerances); integer and bool values must be equal. With
    `check_dtype=True` the numpy dtypes must be equal too.
    """
    a, e = to_numpy(actual), to_numpy(expected)
    prefix = f"{msg}: " if msg else ""
    if a.shape != e.shape:
        raise AssertionError(f"{prefix}shape {a.shape} does not match the expected {e.shape}")
    if check_dtype and a.dtype != e.dtype:
        raise AssertionError(f"{prefix}dtype {a.dtype} does not match the expected {e.dtype}")
    default_rtol, default_atol = _default_tolerances(a, e)
    np.testing.assert_allclose(a, e, rtol=default_rtol if rtol is None else rtol,
                               atol=default_atol if atol is None else atol, equal_nan=True,
                               err_msg=msg)


def _dims_indexed(item):
    if item is None:
        return 0
    if isinstance(item, np.ndarray) and item.dtype == np.bool_:
        return item.ndim
    return 1


def index_by_pytorch_rule(array, index):
    """`array[index]` with PyTorch's order of dims, computed with numpy: the ints of the index
    are applied first (each removes its dim), then the rest by numpy's rule. For index tuples of
    ints, slices, None, Ellipsis and numpy integer/bool arrays (numpy, unlike PyTorch, counts
    an int as an index array once arrays are present, which moves the index dims first)."""
    items = list(index) if isinstance(index, tuple) else [index]
    ellipsis = [k for k, x in enumerate(items) if x is Ellipsis]
    if ellipsis:
        used = sum(_dims_indexed(x) for x in items if x is not Ellipsis)
        items[ellipsis[0]:ellipsis[0] + 1] = [slice(None)] * (array.ndim - used)
    ints_first, rest = [], []
    for x in items:
        if isinstance(x, (int, np.integer)):
            ints_first.append(x)
        else:
            ints_first.extend([slice(None)] * _dims_indexed(x))
            rest.append(x)
    return array[tuple(ints_first)][tuple(rest)]
