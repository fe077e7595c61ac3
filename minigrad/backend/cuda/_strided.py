"""Device functions the kernels share: strided offsets.

Indices are int64 throughout (as are `cuda.grid(1)` and `cuda.gridsize(1)`, which the kernels'
grid-stride loops use), so arrays with more than 2**31 elements are addressed correctly.
`shape` and `strides` are tuples of element counts (see `_array.coalesce`); a flat index is the
C-order position of an element in `shape`, below the product of `shape`. The outermost dim then
needs no division, so a coalesced contiguous operand (rank 1) costs none.

Device functions (here and elsewhere) never read `cuda.*` (threadIdx, blockDim, ...): kernels
do, and pass what is needed. The CUDA simulator swaps the `cuda` name of a device function's
module on every call, which races between its simulated threads when the module is not the
kernel's own.
"""
from numba import cuda, int64


@cuda.jit(device=True)
def offset(i, shape, strides):
    """Element offset of flat index `i` in an array of `shape` with `strides`."""
    out = int64(0)
    for d in range(len(shape) - 1, 0, -1):
        out += (i % shape[d]) * strides[d]
        i //= shape[d]
    return out + i * strides[0]


@cuda.jit(device=True)
def offsets2(i, shape, strides_a, strides_b):
    """Offsets of flat index `i` in two arrays of one shape (one pass over the dims)."""
    a = int64(0)
    b = int64(0)
    for d in range(len(shape) - 1, 0, -1):
        k = i % shape[d]
        a += k * strides_a[d]
        b += k * strides_b[d]
        i //= shape[d]
    return a + i * strides_a[0], b + i * strides_b[0]


@cuda.jit(device=True)
def offsets3(i, shape, strides_a, strides_b, strides_c):
    """Offsets of flat index `i` in three arrays of one shape."""
    a = int64(0)
    b = int64(0)
    c = int64(0)
    for d in range(len(shape) - 1, 0, -1):
        k = i % shape[d]
        a += k * strides_a[d]
        b += k * strides_b[d]
        c += k * strides_c[d]
        i //= shape[d]
    return a + i * strides_a[0], b + i * strides_b[0], c + i * strides_c[0]
