"""Strided fills and copies (with casts): the kernels behind full, copy, astype, copy_into,
setitem, concatenate and pad."""
import numpy as np
from numba import cuda

from ._array import (broadcast_strides, coalesce, element_strides, empty, has_repeats,
                     is_contiguous, may_overlap, numel, strided)
from ._device import count_transfer
from ._launch import blocks_for, get_config, launch, launch_1d
from ._strided import offset, offsets2


@cuda.jit(cache=True)
def _fill_kernel(dst, dst_base, dst_strides, value, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        dst[dst_base + offset(i, shape, dst_strides)] = value


@cuda.jit(cache=True)
def _copy_kernel(dst, dst_base, dst_strides, src, src_base, src_strides, shape, n):
    """dst[i] = src[i], cast to dst's dtype by the store."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        d, s = offsets2(i, shape, dst_strides, src_strides)
        dst[dst_base + d] = src[src_base + s]


def fill_strided(dst, value):
    """Write `value` (cast to the buffer's dtype) into every element of `dst` (a `Strided`)."""
    n = numel(dst.shape)
    shape, (strides,) = coalesce(dst.shape, dst.strides)
    if n:
        launch_1d(_fill_kernel, n, dst.buffer, dst.base, strides,
                  dst.buffer.dtype.type(value), shape, n)


def copy_strided(dst, src):
    """dst = src for two `Strided` of one shape (src's strides already broadcast). They must not
    overlap: a parallel copy between overlapping memory would race."""
    n = numel(dst.shape)
    shape, (d_strides, s_strides) = coalesce(dst.shape, dst.strides, src.strides)
    if n:
        launch_1d(_copy_kernel, n, dst.buffer, dst.base, d_strides, src.buffer, src.base,
                  s_strides, shape, n)


def copy_launcher(shape, dst_strides, src_strides):
    """`copy_strided` between operands of `shape` read at these element strides, as a function
    of (dst buffer, dst base, src buffer, src base) with the layout worked out now (under the
    current launch configuration): for a caller that repeats it with the same layouts."""
    n = numel(shape)
    shape, (d_strides, s_strides) = coalesce(tuple(shape), tuple(dst_strides),
                                             tuple(src_strides))
    threads = get_config().threads_per_block
    blocks = blocks_for(n, threads)

    def launch_copy(dst, dst_base, src, src_base):
        launch(_copy_kernel, blocks, threads, dst, dst_base, d_strides, src, src_base,
               s_strides, shape, n)
    return launch_copy


def check_writable(dst):
    if has_repeats(dst):
        raise ValueError(f"cannot write into a broadcast (expanded) array of shape "
                         f"{tuple(dst.shape)}: several of its elements share memory; clone it "
                         "first")


def fill(dst, value):
    """Write `value` (cast to dst's dtype) into every element of `dst`, whatever its strides."""
    check_writable(dst)
    fill_strided(strided(dst), value)


def copy_into(dst, src):
    """dst[...] = src: `src` broadcast to dst's shape and cast to dst's dtype; either may be any
    strided view, and they may overlap (src is then copied first)."""
    check_writable(dst)
    if may_overlap(dst, src):
        src = copy(src)
    src_strides = broadcast_strides(src.shape, element_strides(src), dst.shape)
    copy_strided(strided(dst), strided(src, dst.shape, src_strides))


def copy(a, dtype=None):
    """A new C-contiguous array with `a`'s values, cast to `dtype` if given."""
    out = empty(a.shape, a.dtype if dtype is None else dtype)
    copy_strided(strided(out), strided(a))
    return out


def contiguous(a):
    """`a` itself when it is C-contiguous, else a contiguous copy."""
    return a if is_contiguous(a) else copy(a)


def to_host(a):
    """A C-contiguous numpy copy of `a` (one counted device-to-host copy)."""
    a = contiguous(a)
    if a.size == 0:
        return np.empty(a.shape, a.dtype)
    count_transfer()
    return a.copy_to_host()
