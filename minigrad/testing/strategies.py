"""Hypothesis strategies for testing ops: shapes, broadcastable shapes, float arrays, tensors.

Every strategy shrinks towards the simplest failing example: fewer and smaller dims, no
broadcasting, values near `min_value`, contiguous layouts.
"""
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

from .. import dtypes
from ..autograd.grad_mode import no_grad
from ..creation import tensor


def shapes(min_dims=0, max_dims=4, min_side=1, max_side=5):
    """Shapes (tuples of ints) with `min_dims`..`max_dims` dims, each of size
    `min_side`..`max_side`; `()` (a 0-d tensor) is included when `min_dims` is 0."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


@st.composite
def broadcastable_shapes(draw, shape, max_extra_dims=1, max_side=5):
    """Shapes that broadcast with `shape` under numpy's rules.

    A drawn shape keeps a trailing part of `shape` (its leading dims may be missing, or up to
    `max_extra_dims` new leading dims of size 1..`max_side` may be added); each kept dim is either
    the same size or 1, and each size-1 dim of `shape` may become any size up to `max_side`
    (so either side can stretch).
    """
    shape = tuple(shape)
    dropped = draw(st.integers(0, len(shape)))
    result = []
    for n in shape[dropped:]:
        if n == 1:
            result.append(draw(st.integers(1, max_side)))
        else:
            result.append(draw(st.sampled_from((n, 1))))
    if dropped == 0:
        extra = draw(st.lists(st.integers(1, max_side), max_size=max_extra_dims))
        result = extra + result
    return tuple(result)


@st.composite
def broadcastable_shape_pairs(draw, min_dims=0, max_dims=4, min_side=1, max_side=5,
                              num_shapes=2):
    """Tuples of `num_shapes` shapes that broadcast together under numpy's rules.

    A result shape of `min_dims`..`max_dims` dims of size `min_side`..`max_side` is drawn, and
    each operand drops any number of its leading dims and sets any of its dims to 1, so the
    tuples cover equal shapes, size-1 stretching on either side, and missing leading dims
    (down to 0-d). The broadcast shape is `np.broadcast_shapes(*shapes)`.
    """
    # each dim is drawn together with the operands' size-1 flags for it, so that shrinking
    # removes a dim from the result and from every operand at once; a flag is set 1 time in 3
    flag = st.integers(0, 2).map(lambda v: v == 2)
    dims = draw(st.lists(st.tuples(st.integers(min_side, max_side),
                                   st.tuples(*[flag] * num_shapes)),
                         min_size=min_dims, max_size=max_dims))
    result = []
    for k in range(num_shapes):
        dropped = draw(st.just(0) | st.integers(0, len(dims)))  # no drop half of the time
        result.append(tuple(1 if ones[k] else n for n, ones in dims[dropped:]))
    return tuple(result)


def _float_bounds(min_value, max_value, np_dtype):
    """The bounds as floats exactly representable in `np_dtype`, rounded inwards."""
    lo, hi = np_dtype.type(min_value), np_dtype.type(max_value)
    if lo < min_value:
        lo = np.nextafter(lo, np_dtype.type(np.inf))
    if hi > max_value:
        hi = np.nextafter(hi, np_dtype.type(-np.inf))
    return float(lo), float(hi)


def _points(away_from):
    if away_from is None:
        return ()
    if isinstance(away_from, (int, float, np.number)):
        return (float(away_from),)
    return tuple(float(p) for p in away_from)


def _far_from(points, margin):
    return lambda v: all(abs(v - p) >= margin for p in points)


def _pushed_away(points, margin, lo, hi, np_dtype):
    """A map moving a value that lies within `margin` of a point to just outside that margin
    (on the same side unless that leaves [lo, hi]); far values are left alone."""
    def push(v):
        for p in points:
            if abs(v - p) < margin:
                side = 1 if v >= p else -1
                v = p + side * margin * (1 + 1e-6)
                if not lo <= v <= hi:
                    v = p - side * margin * (1 + 1e-6)
        return float(np_dtype.type(v))
    return push


@st.composite
def _distinct_values(draw, count, lo, hi, points, margin):
    """`count` values in [lo, hi], pairwise at least `margin` apart, drawn from a grid."""
    grid = [v for v in (lo + k * margin for k in range(int(math.floor((hi - lo) / margin)) + 1))
            if _far_from(points, margin)(v)]
    if count > len(grid):
        raise InvalidArgument(f"cannot draw {count} values at least {margin} apart in "
                              f"[{lo}, {hi}] (away from {points}): at most {len(grid)} fit; "
                              "use a smaller shape, a smaller margin or a wider range")
    # ascending slots with random gaps (capped so that they spread over the whole grid), then
    # shuffled; shrinks towards consecutive slots from `lo`, in order
    free, cap = len(grid) - count, 2 * (len(grid) - count) // max(count, 1) + 1
    slots, slot = [], -1
    for _ in range(count):
        gap = draw(st.integers(0, min(free, cap)))
        free -= gap
        slot += 1 + gap
        slots.append(slot)
    order = draw(st.permutations(range(count)))
    return [grid[slots[i]] for i in order]


def float_arrays(shape, dtype=np.float64, min_value=-2, max_value=2, away_from=None,
                 margin=0.01, distinct=False):
    """Numpy arrays of `shape` (a tuple or a strategy of tuples) and float `dtype` whose values
    are well conditioned for gradient checks: finite, not subnormal, in [min_value, max_value].

    `away_from` (a number or a sequence of numbers) keeps every value at least `margin` from
    those points, e.g. `away_from=0` for abs/relu/sign, whose derivative jumps at 0.
    `distinct=True` keeps all values pairwise at least `margin` apart (no ties for max/min,
    argmax, sort); the values then come from a grid of spacing `margin`, so the array can hold
    at most (max_value - min_value) / margin + 1 elements.
    """
    np_dtype = dtypes.as_dtype(dtype).numpy
    if np_dtype.kind != "f":
        raise InvalidArgument(f"float_arrays: dtype must be a floating point dtype, got {dtype}")
    if isinstance(shape, st.SearchStrategy):
        return shape.flatmap(lambda s: float_arrays(s, dtype, min_value, max_value, away_from,
                                                    margin, distinct))
    shape = tuple(shape)
    lo, hi = _float_bounds(min_value, max_value, np_dtype)
    points = _points(away_from)
    if distinct:
        count = int(np.prod(shape, dtype=np.int64))
        return _distinct_values(count, lo, hi, points, margin).map(
            lambda values: np.array(values, dtype=np_dtype).reshape(shape))
    elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False,
                         width=8 * np_dtype.itemsize)
    if points:
        # moving close values out (rather than only filtering) keeps rejections rare; the
        # filter catches values moved out of [lo, hi] or next to another point
        elements = elements.map(_pushed_away(points, margin, lo, hi, np_dtype)).filter(
            lambda v: lo <= v <= hi and _far_from(points, margin)(v))
    # fill=nothing() draws every element on its own, so arrays are not mostly one repeated value
    return hnp.arrays(np_dtype, shape, elements=elements, fill=st.nothing())


@st.composite
def _strided_layout(draw, shape):
    """How to view a bigger array so that the view has `shape` and is not contiguous:
    ("permute", dims) or ("step", steps); None when no such view exists (no dim above size 1).
    """
    big = [i for i, n in enumerate(shape) if n > 1]
    if not big:
        return None
    if len(big) >= 2 and draw(st.booleans()):
        dims = draw(st.permutations(range(len(shape))))
        if [dims[i] for i in big] == sorted(dims[i] for i in big):
            # the dims above size 1 kept their order, so the view would be contiguous: swap two
            dims[big[0]], dims[big[1]] = dims[big[1]], dims[big[0]]
        return "permute", tuple(dims)
    strided = draw(st.sampled_from(big))
    steps = tuple(draw(st.sampled_from((2, -1, -2) if i == strided else (1, 2, -1, -2)))
                  for i in range(len(shape)))
    return "step", steps


def _strided_view(values, layout, dtype, device):
    """A leaf tensor equal to `values` that is a non-contiguous view of a bigger tensor."""
    kind, arg = layout
    if kind == "permute":
        inverse = np.argsort(arg)
        base = tensor(np.ascontiguousarray(values.transpose(inverse)), dtype=dtype, device=device)
        with no_grad():
            return base.permute(arg)
    # elements the view skips are NaN, so a kernel that reads outside the view shows up at once
    big = np.full(tuple(abs(s) * n for s, n in zip(arg, values.shape)), np.nan, values.dtype)
    index = tuple(slice(None, None, s) for s in arg)
    big[index] = values
    base = tensor(big, dtype=dtype, device=device)
    with no_grad():
        return base[index]


@st.composite
def tensors(draw, shape=None, dtype=dtypes.float64, requires_grad=True, contiguous=None,
            device="cpu", **array_kwargs):
    """Leaf minigrad Tensors of `shape` (a tuple or a strategy of tuples; default `shapes()`)
    and float `dtype`, with values from `float_arrays(shape, dtype, **array_kwargs)`.

    `contiguous=False` makes every tensor a non-contiguous view (a transposed or step-sliced,
    possibly reversed, part of a bigger tensor) whenever the shape allows it, i.e. has a dim of
    size > 1; `contiguous=True` makes plain contiguous tensors; `None` draws either.
    `requires_grad` is set on the returned leaf.
    """
    dtype = dtypes.as_dtype(dtype)
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    values = draw(float_arrays(tuple(shape), dtype.numpy, **array_kwargs))
    strided = (not contiguous) if contiguous is not None else draw(st.booleans())
    layout = draw(_strided_layout(values.shape)) if strided else None
    if layout is None:
        out = tensor(values, dtype=dtype, device=device)
    else:
        out = _strided_view(values, layout, dtype, device)
    return out.requires_grad_(requires_grad)
