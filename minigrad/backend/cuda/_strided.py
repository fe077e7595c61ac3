"""Device functions the kernels share: grid-stride loop bounds and strided offsets.

Indices are int64 throughout, so arrays with more than 2**31 elements are addressed correctly.
`shape` and `strides` are tuples of element counts (see `_array.coalesce`); a flat index is the
C-order position of an element in `shape`, below the product of `shape`. The outermost dim then
needs no division, so a coalesced contiguous operand (rank 1) costs none.
"""
from numba import cuda, int64


@cuda.jit(device=True)
def grid_start():
    """This thread's first index in a grid-stride loop."""
    return int64(cuda.blockIdx.x) * cuda.blockDim.x + cuda.threadIdx.x


@cuda.jit(device=True)
def grid_step():
    """The stride of a grid-stride loop: the number of threads in the grid."""
    return int64(cuda.gridDim.x) * cuda.blockDim.x


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
