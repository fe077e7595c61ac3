"""Checks a backend runs on a compiled kernel's operands before launching it.

Compiled kernels (Numba njit, numba.cuda) index raw memory without bounds checks: an operand of
the wrong size, dtype or layout makes them read or write past a buffer, which corrupts memory
or kills the process. Each kernel family's public entry point therefore calls these checks once
on everything it is handed, so that any Python call gets a clean exception instead. They look
only at shapes, dtypes and flags, never at values, so they cost the same for any array size.
"""
import numpy as np


class KernelOperandError(RuntimeError, ValueError):
    """A kernel was handed operands it cannot safely run on (wrong shape, dtype, device or
    layout). A RuntimeError, as PyTorch raises for mismatched operands, and a ValueError."""


FLOATING_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def describe(array):
    """A short description of an operand for error messages: type, shape, dtype."""
    shape = getattr(array, "shape", None)
    dtype = getattr(array, "dtype", None)
    if shape is None or dtype is None:
        return f"a {type(array).__name__}"
    return f"an array of shape {tuple(shape)} and dtype {np.dtype(dtype)}"


def check_array(kernel, name, array, array_type):
    """`array` is an array of the backend (`array_type`: numpy.ndarray on cpu, the device array
    class on cuda)."""
    if not isinstance(array, array_type):
        raise KernelOperandError(f"{kernel}: {name} must be {array_type.__name__}, got "
                                 f"{describe(array)} (is it on another device?)")


def check_shape(kernel, name, array, shape):
    if tuple(array.shape) != tuple(shape):
        raise KernelOperandError(f"{kernel}: {name} has shape {tuple(array.shape)}, expected "
                                 f"{tuple(shape)}")


def check_dtype(kernel, name, array, dtypes):
    """`array`'s dtype is one of `dtypes` (numpy dtypes)."""
    if np.dtype(array.dtype) not in dtypes:
        expected = " or ".join(str(d) for d in dtypes)
        raise KernelOperandError(f"{kernel}: {name} has dtype {np.dtype(array.dtype)}, expected "
                                 f"{expected}")


def check_flat(kernel, name, array, size, is_contiguous):
    """`array` is what a flat kernel indexes: 1-D, contiguous, exactly `size` elements."""
    if len(array.shape) != 1 or array.shape[0] != size or not is_contiguous(array):
        raise KernelOperandError(f"{kernel}: {name} must be a contiguous 1-D array of {size} "
                                 f"elements, got {describe(array)}")


def check_elementwise_operands(kernel, operands, written, *, array_type, is_writable,
                               dtypes=FLOATING_DTYPES):
    """Operands of an elementwise kernel that updates some of them in place.

    `operands` maps names to arrays, the first being the reference (for example "param"): each
    must be a backend array with the reference's shape and dtype, one of `dtypes`. The operands
    named in `written` must be writable (`is_writable(array)`: not read-only, not a broadcast
    view whose elements share memory).
    """
    (reference_name, reference), = list(operands.items())[:1]
    check_array(kernel, reference_name, reference, array_type)
    check_dtype(kernel, reference_name, reference, dtypes)
    for name, array in operands.items():
        check_array(kernel, name, array, array_type)
        if tuple(array.shape) != tuple(reference.shape):
            raise KernelOperandError(
                f"{kernel}: {name} has shape {tuple(array.shape)}, but {reference_name} has "
                f"shape {tuple(reference.shape)}; they must match (was a tensor's .data replaced "
                "by one of another shape after its state or gradient was made?)")
        if np.dtype(array.dtype) != np.dtype(reference.dtype):
            raise KernelOperandError(f"{kernel}: {name} has dtype {np.dtype(array.dtype)}, but "
                                     f"{reference_name} has dtype {np.dtype(reference.dtype)}; "
                                     "they must match")
    for name in written:
        if not is_writable(operands[name]):
            raise KernelOperandError(f"{kernel}: {name} is read-only or a broadcast (expanded) "
                                     "view whose elements share memory; it cannot be updated "
                                     "in place")
