"""Helpers shared by the cuda backend tests: moving numpy arrays to and from the device and
comparing results."""
import numpy as np

from minigrad.backend import get_backend


def dev(array, dtype=None):
    """A device copy of a numpy array."""
    array = np.asarray(array)
    return get_backend("cuda").from_numpy(array, array.dtype if dtype is None else dtype)


def host(a):
    return get_backend("cuda").to_numpy(a)


def check(actual, expected, rtol=1e-5, atol=1e-6):
    """A device array equals a numpy result: values, dtype and shape."""
    got = host(actual)
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


def strided_copy(array, kind):
    """A device array with `array`'s values laid out as `kind`: "contiguous", "transposed" (a
    permuted view of the reversed-dims array), or "sliced" (every other element of a larger
    array, along the last dim)."""
    cu = get_backend("cuda")
    if kind == "contiguous":
        return dev(array)
    if kind == "transposed":
        axes = tuple(reversed(range(array.ndim)))
        return cu.permute(dev(np.ascontiguousarray(np.transpose(array, axes))), axes)
    wide = np.repeat(array, 2, axis=-1) if array.ndim else array
    return cu.getitem(dev(wide), (Ellipsis, slice(None, None, 2))) if array.ndim else dev(wide)
