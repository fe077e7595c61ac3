"""scatter_reduce with a maximum, minimum or product: one thread per output element, which
walks the index entries that could land on it (those agreeing with it outside `dim`). No
atomics, so the result does not depend on the order threads run in; the cost is
numel(a) * index.shape[dim] reads."""
from numba import cuda

from ._array import buffer, coalesce, element_strides, empty, numel
from ._copy import contiguous, copy
from ._launch import launch_1d
from ._strided import offset

AMAX, AMIN, PROD = range(3)
_OPS = {"amax": AMAX, "amin": AMIN, "prod": PROD}


@cuda.jit(device=True)
def _combine(op, value, v):
    if op == AMAX:
        if v > value or v != v:  # NaN wins, as numpy's maximum
            return v
        return value
    if op == AMIN:
        if v < value or v != v:
            return v
        return value
    return value * v


@cuda.jit(cache=True)
def _scatter_reduce_kernel(op, out, a, a_shape, a_strides, index, src, out_shape, index_shape,
                           dim, include_self, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        value = a[offset(i, a_shape, a_strides)]
        rem = i
        base = 0
        stride = 1
        dim_stride = 1
        target = 0
        inside = True
        for d in range(len(out_shape) - 1, -1, -1):
            c = rem % out_shape[d]
            rem //= out_shape[d]
            if d == dim:
                target = c
                dim_stride = stride
            elif c >= index_shape[d]:
                inside = False
            else:
                base += c * stride
            stride *= index_shape[d]
        started = include_self
        if inside:
            for j in range(index_shape[dim]):
                k = base + j * dim_stride
                if index[k] == target:
                    if started:
                        value = _combine(op, value, src[k])
                    else:
                        value = src[k]
                        started = True
        out[i] = value


def scatter_reduce(a, dim, index, src, reduce, include_self):
    """See the cpu backend: `a` with src combined in at index along dim."""
    out = empty(a.shape, a.dtype)
    n = numel(out.shape)
    if n:
        idx = contiguous(index)
        values = contiguous(src if src.dtype == a.dtype else copy(src, a.dtype))
        a_shape, (a_strides,) = coalesce(a.shape, element_strides(a))
        launch_1d(_scatter_reduce_kernel, n, _OPS[reduce], buffer(out), buffer(a), a_shape, a_strides,
                  buffer(idx), buffer(values), tuple(int(s) for s in a.shape),
                  tuple(int(s) for s in index.shape), int(dim), bool(include_self), n)
    return out
