"""Device arrays: allocation, strided views, and the flat buffers that kernels index.

Storage is a numba `DeviceNDArray` (under NUMBA_ENABLE_CUDASIM=1, the simulator's stand-in).
Views (permute, expand, basic slicing, reshape of contiguous data) are DeviceNDArrays with their
own shape and strides over the same memory. Every array here keeps its element 0 at the start of
its memory and has non-negative strides (slices with a negative step are copied instead), so an
array's memory is described by its element strides alone.

Kernels never index N-d arrays. Each operand is passed as `buffer(a)` (a 1-D contiguous array
over the memory `a` spans, starting at its element 0) together with its element strides as a
tuple; the kernel turns the flat index of an output element into each operand's offset. One
compiled kernel per rank then serves every layout: contiguous, transposed, sliced or broadcast.

An array's shape and strides never change, so what is derived from them alone (element strides,
contiguity, the flat buffer) is worked out once and remembered on the array itself: every launch
asks for them, and building a device-array view costs tens of microseconds of host time.
"""
import math
from typing import NamedTuple

import numpy as np
from numba import cuda
from numba.core import config

from . import allocator

SIMULATOR = bool(config.ENABLE_CUDASIM)

if SIMULATOR:
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray
else:
    from numba.cuda.cudadrv.devicearray import DeviceNDArray


def empty(shape, dtype):
    """An uninitialised C-contiguous device array (from the caching allocator's pool). An array
    of two or more dims is made as a view of its flat buffer, which it remembers (see `buffer`):
    nearly every new array is a kernel's output, passed to it as that buffer. Its element
    strides and contiguity are known from its shape, and remembered too."""
    try:
        plan = _empty_plans[(shape, dtype)]
    except (KeyError, TypeError):  # a new shape and dtype, or a list for a shape
        plan = _empty_plan(shape, dtype)
    shape, n, dtype, strides, nbytes = plan
    if SIMULATOR:
        flat = allocator.simulator_buffer(nbytes).view(dtype)
        if len(shape) == 1:
            a = FakeCUDAArray(flat)
            a._minigrad_buffer = None  # (its own buffer, see `buffer`)
        else:
            a = FakeCUDAArray(flat.reshape(shape))
            if n:
                a._minigrad_buffer = FakeCUDAArray(flat)
    elif len(shape) < 2 or not n:
        a = cuda.device_array(shape, dtype=dtype)
        if len(shape) == 1:
            a._minigrad_buffer = None  # (its own buffer, see `buffer`)
    else:
        flat = cuda.device_array((n,), dtype=dtype)
        a = flat.reshape(shape)
        a._minigrad_buffer = flat
    if n:  # (an empty array's strides are numpy's business)
        a._minigrad_element_strides = strides
        a._minigrad_contiguous = True
    return a


_empty_plans = {}


def _empty_plan(shape, dtype):
    """(shape as a tuple of ints, elements, numpy dtype, contiguous element strides, bytes) of
    `empty(shape, dtype)`, remembered by (shape, dtype) when they can key a dict."""
    ints = tuple(int(s) for s in shape)
    n = math.prod(ints)
    np_dtype = np.dtype(dtype)
    plan = (ints, n, np_dtype, contiguous_strides(ints) if n else None, n * np_dtype.itemsize)
    if isinstance(shape, tuple) and all(type(s) is int for s in shape):
        remember_plan(_empty_plans, (shape, dtype), plan)
    return plan


def numel(shape):
    return math.prod(shape)


def _remember(a, name, value):
    """Keep `value` on the array `a` (a host array handed in by mistake refuses: the kernel
    launch then rejects it with a clear error)."""
    try:
        setattr(a, name, value)
    except AttributeError:
        pass


def element_strides(a):
    """The strides of `a` counted in elements."""
    try:
        return a._minigrad_element_strides
    except AttributeError:
        pass
    itemsize = a.dtype.itemsize
    strides = tuple(int(s) // itemsize for s in a.strides)
    _remember(a, "_minigrad_element_strides", strides)
    return strides


def contiguous_strides(shape):
    """Element strides of a C-contiguous array of `shape`."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(int(n), 1)
    return tuple(reversed(strides))


def extent(shape, strides):
    """How many elements, from element 0, an array of this shape and strides spans."""
    if numel(shape) == 0:
        return 0
    return 1 + sum((n - 1) * s for n, s in zip(shape, strides))


def view(a, shape, strides, offset=0):
    """An array over `a`'s memory: its element 0 is `a`'s element `offset`, with `shape` and
    element `strides` (all >= 0). The caller keeps it inside the memory `a` spans."""
    shape = tuple(int(n) for n in shape)
    strides = tuple(int(s) for s in strides)
    if numel(shape) == 0:
        return empty(shape, a.dtype)
    itemsize = a.dtype.itemsize
    span = extent(shape, strides)
    byte_strides = tuple(s * itemsize for s in strides)
    if SIMULATOR:
        # the simulator's arrays wrap numpy arrays: the same view, made with numpy (from a's
        # element 0 directly when it is the view's)
        if offset:
            flat = np.lib.stride_tricks.as_strided(a._ary, (offset + span,), (itemsize,))
            source = flat[offset:]
        else:
            source = a._ary
        out = FakeCUDAArray(np.lib.stride_tricks.as_strided(source, shape, byte_strides))
    else:
        memory = a.gpu_data.view(offset * itemsize, (offset + span) * itemsize)
        out = DeviceNDArray(shape, byte_strides, a.dtype, gpu_data=memory)
    if offset == 0 and len(shape) > 1:
        # a view over all of a's memory (a reshape, a permutation) shares a's flat buffer
        flat = getattr(a, "_minigrad_buffer", None)
        if flat is not None and flat.shape[0] == span:
            _remember(out, "_minigrad_buffer", flat)
    return out


_VIEWS_PER_ARRAY = 4


def operand_view(a, shape, strides):
    """view(a, shape, strides) for a kernel operand, remembered on `a` (a few per array): a
    layer's weight is shown as the same matrix on every call, and building a device-array view
    costs tens of microseconds. Only for operands the backend passes to its own kernels: the
    view is shared between calls."""
    key = (tuple(shape), tuple(strides))
    views = getattr(a, "_minigrad_views", None)
    if views is not None:
        hit = views.get(key)
        if hit is not None:
            return hit
    else:
        views = {}
        _remember(a, "_minigrad_views", views)
    if len(views) >= _VIEWS_PER_ARRAY:
        views.clear()
    out = views[key] = view(a, shape, strides)
    return out


def storage_offset(a):
    """Elements of a's dtype between the start of the allocation `a` views and its element 0."""
    if a.size == 0:
        return 0
    if SIMULATOR:
        from ..cpu.shape import storage_offset as host_offset
        return host_offset(a._ary)
    # a's memory starts at its element 0 (see above); its owner is the whole allocation
    memory = a.gpu_data
    return (memory.device_pointer_value - memory.owner.device_pointer_value) // a.dtype.itemsize


def view_dtype(a, dtype):
    """a's memory read as `dtype`: a's shape and strides, except that with another element
    size the last dim is rescaled and its stride is one new element (the caller checked that
    a's last stride is 1 and that the sizes and strides divide)."""
    dtype = np.dtype(dtype)
    shape, byte_strides = tuple(a.shape), tuple(int(s) for s in a.strides)
    if shape and dtype.itemsize != a.dtype.itemsize:
        shape = shape[:-1] + (shape[-1] * a.dtype.itemsize // dtype.itemsize,)
        byte_strides = byte_strides[:-1] + (dtype.itemsize,)
    if numel(shape) == 0:
        return empty(shape, dtype)
    if SIMULATOR:
        return FakeCUDAArray(a._ary.view(dtype))
    return DeviceNDArray(shape, byte_strides, dtype, gpu_data=a.gpu_data)


def reshaped(a, shape):
    """A C-contiguous array `a` shown with another shape of the same size (a view)."""
    return view(a, shape, contiguous_strides(shape))


def buffer(a):
    """The 1-D contiguous array over the memory `a` spans, from its element 0: what kernels
    index, with `element_strides(a)`."""
    try:
        flat = a._minigrad_buffer
    except AttributeError:
        return _find_buffer(a)
    return a if flat is None else flat


def _find_buffer(a):
    if len(a.shape) == 1 and (a.shape[0] <= 1 or a.strides[0] == a.dtype.itemsize):
        # its own buffer: remembered as None (an array holding itself would live until a gc
        # pass), so that the next call finds it without a failed attribute lookup
        _remember(a, "_minigrad_buffer", None)
        return a
    flat = view(a, (extent(a.shape, element_strides(a)),), (1,))
    _remember(a, "_minigrad_buffer", flat)  # a view of a's memory, not of a: no cycle
    return flat


class Strided(NamedTuple):
    """Elements of `shape` read from `buffer` at `base + sum(index[d] * strides[d])`.

    The general operand of the copy and indexing kernels: unlike an array view, its strides may
    be negative (a slice with a negative step), with `buffer` starting at the lowest element.
    """

    buffer: object
    base: int
    shape: tuple
    strides: tuple


def strided(a, shape=None, strides=None, offset=0):
    """A `Strided` over `a`'s memory: element 0 at `a`'s element `offset`, with `shape` and
    element `strides` of any sign (default: `a` itself)."""
    shape = tuple(a.shape) if shape is None else tuple(int(n) for n in shape)
    strides = element_strides(a) if strides is None else tuple(int(s) for s in strides)
    if numel(shape) == 0:
        return Strided(None, 0, shape, strides)
    low = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
    high = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
    if low == 0 and high == extent(a.shape, element_strides(a)) - 1:
        return Strided(buffer(a), offset, shape, strides)
    return Strided(view(a, (high - low + 1,), (1,), low), offset - low, shape, strides)


def is_contiguous(a):
    """C-contiguous, ignoring the strides of dims of size 1 (numpy's rule)."""
    try:
        return a._minigrad_contiguous
    except AttributeError:
        pass
    contiguous = _is_contiguous(a.shape, element_strides(a))
    _remember(a, "_minigrad_contiguous", contiguous)
    return contiguous


def _is_contiguous(shape, strides):
    if 0 in shape:
        return True
    step = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1:
            if s != step:
                return False
            step *= n
    return True


def reinterpret(a, dtype):
    """The same memory read as another dtype of the same item size (bool as uint8)."""
    return a.view(np.dtype(dtype))


def broadcast_strides(shape, strides, target):
    """Element strides that read an array of `shape`/`strides` broadcast to `target` (0 along
    new and stretched dims). The shapes must be broadcast-compatible."""
    lead = len(target) - len(shape)
    if lead < 0:
        raise ValueError(f"cannot broadcast shape {tuple(shape)} to {tuple(target)}")
    out = [0] * lead
    for n, s, t in zip(shape, strides, target[lead:]):
        if n == t:
            out.append(s if n != 1 else 0)
        elif n == 1:
            out.append(0)
        else:
            raise ValueError(f"cannot broadcast shape {tuple(shape)} to {tuple(target)}")
    return tuple(out)


# Launch plans worked out from shapes and strides alone, remembered by their arguments (a
# training loop asks for the same few again and again); emptied when it grows past the limit.
_PLAN_LIMIT = 4096
_coalesced = {}


def remember_plan(plans, key, value):
    """Store `value` under `key` in the dict `plans`, emptying it first when it is full."""
    if len(plans) >= _PLAN_LIMIT:
        plans.clear()
    plans[key] = value
    return value


def coalesce(shape, *strides):
    """Drop dims of size 1 and merge neighbouring dims that every operand walks as one, so a
    kernel does the least index arithmetic: (shape, (strides per operand)), rank >= 1."""
    try:
        return _coalesced[(shape, strides)]
    except KeyError:
        return remember_plan(_coalesced, (shape, strides), _coalesce(shape, strides))
    except TypeError:  # lists given: not a dict key
        return _coalesce(shape, strides)


def _coalesce(shape, strides):
    dims = []
    for d, n in enumerate(shape):
        if n == 1:
            continue
        own = [s[d] for s in strides]
        if dims:
            prev_n, prev = dims[-1]
            if all(p == s * n for p, s in zip(prev, own)):
                dims[-1] = (prev_n * n, own)
                continue
        dims.append((n, own))
    if not dims:
        return (1,), tuple((0,) for _ in strides)
    return tuple(n for n, _ in dims), tuple(tuple(own[i] for _, own in dims)
                                            for i in range(len(strides)))


def _address(a):
    if SIMULATOR:
        return a._ary.__array_interface__["data"][0]
    return a.__cuda_array_interface__["data"][0]


def may_overlap(a, b):
    """Whether the memory spans of two arrays intersect (a conservative test)."""
    if a.size == 0 or b.size == 0:
        return False
    lo_a, lo_b = _address(a), _address(b)
    hi_a = lo_a + extent(a.shape, element_strides(a)) * a.dtype.itemsize
    hi_b = lo_b + extent(b.shape, element_strides(b)) * b.dtype.itemsize
    return lo_a < hi_b and lo_b < hi_a


def has_repeats(a):
    """Whether two elements of `a` share memory through a stride-0 (broadcast) dim.

    An empty array has no elements to share (its strides may all be 0)."""
    if 0 in a.shape:
        return False
    return any(s == 0 and n > 1 for n, s in zip(a.shape, element_strides(a)))
