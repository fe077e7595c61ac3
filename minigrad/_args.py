"""Argument normalisation shared by every layer: ints and int tuples, dims, dtype checks.

One function per kind of argument, each with one wording of its errors, so that a wrong
argument reads the same wherever it is caught. Layers (`nn`) check only the structure they need
to build parameters; values are checked once, by the functional layer (`functions/`).
"""
import numbers

from .errors import DTypeError, InvalidArgumentError, ShapeError, SizeArgumentError


def is_int(value):
    """True for Python and numpy ints, False for bools (which PyTorch does not take as sizes)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def int_tuple(value, n, name, op, minimum=None, allow_one=False):
    """`value` (an int, or a sequence of `n` ints; of 1 int too if `allow_one`) as a tuple of
    `n` Python ints, each at least `minimum` when given.

    TypeError for a value of the wrong kind, SizeArgumentError (also a RuntimeError, as in
    PyTorch) for a sequence of the wrong length, ValueError for one below `minimum`.
    """
    if is_int(value):
        values = (int(value),) * n
    elif isinstance(value, (tuple, list)) and all(is_int(v) for v in value) and \
            (len(value) == n or (allow_one and len(value) == 1)):
        values = tuple(int(v) for v in value) * (n // len(value))
    elif isinstance(value, (tuple, list)) and all(is_int(v) for v in value):
        raise SizeArgumentError(f"{op}: {name} must be an int or a sequence of {n} ints, got "
                                f"{value!r}")
    else:
        raise TypeError(f"{op}: {name} must be an int or a sequence of {n} ints, got {value!r}")
    if minimum is not None and min(values, default=minimum) < minimum:
        raise ValueError(f"{op}: {name} must be {_bound(minimum)}, got {value!r}")
    return values


def sequence_length(value, n, name, op):
    """`value` as a tuple of `n` items if it is a sequence (an int or other scalar repeated `n`
    times): the structural check a layer makes before the functional layer checks values.
    ValueError when a sequence has another length (PyTorch's layers raise ValueError there)."""
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ShapeError(f"{op}: {name} must be an int or a sequence of {n} ints, got "
                             f"{tuple(value)}")
        return tuple(value)
    return (value,) * n


def positive_int(value, name, op):
    """`value` as a Python int > 0 (ValueError otherwise, naming what was given)."""
    if not is_int(value) or value < 1:
        raise ValueError(f"{op}: {name} must be a positive integer, got {value!r}")
    return int(value)


def check_groups(op, groups, counts):
    """`groups` as a positive int that divides every count in `counts`, ((name, count), ...)."""
    groups = positive_int(groups, "groups", op)
    for name, count in counts:
        if count % groups:
            raise ShapeError(f"{op}: {name} must be divisible by groups, got {name}={count} "
                             f"and groups={groups}")
    return groups


def _bound(minimum):
    return {0: "non-negative", 1: "greater than zero"}.get(minimum, f"at least {minimum}")


def normalize_dim(dim, ndim):
    """A possibly negative dim as an index in [0, ndim), or IndexError naming the range."""
    if not isinstance(dim, numbers.Integral):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(f"dimension out of range (expected to be in range of [{lo}, {hi}], "
                         f"but got {dim})")
    return int(dim) % max(ndim, 1)


def normalize_dims(dim, ndim):
    """`dim` (None, int, or sequence) -> sorted tuple of non-negative axes (None = all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, numbers.Integral):
        dim = (dim,)
    axes = tuple(normalize_dim(d, ndim) for d in dim)
    if len(set(axes)) != len(axes):
        raise InvalidArgumentError(f"dim {tuple(dim)} names a dimension more than once")
    if ndim == 0:  # dim 0 or -1 of a 0-d tensor is allowed (as PyTorch) and reduces nothing
        return ()
    return tuple(sorted(axes))


def check_floating(op, tensor, name="input"):
    """TypeError unless `tensor` has a floating point dtype."""
    if not tensor.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating point {name}, got dtype {tensor.dtype}")


def check_same_dtype(op, first, second, first_name="input", second_name="weight"):
    """TypeError unless two tensors share one dtype."""
    if second.dtype is not first.dtype:
        raise DTypeError(f"{op}: {first_name} dtype {first.dtype} and {second_name} dtype "
                         f"{second.dtype} must be the same")

