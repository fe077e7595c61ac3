"""scatter_reduce with a maximum, minimum or product: numpy's unbuffered ufunc.at."""
import numpy as np

_UFUNCS = {"amax": np.maximum, "amin": np.minimum, "prod": np.multiply}


def scatter_reduce(a, dim, index, src, reduce, include_self):
    """A copy of `a` where each element src[p] is combined into a[p with p[dim] = index[p]]
    by `reduce` ("amax", "amin" or "prod"); without include_self, a's own value at a position
    that receives any src element is left out. index and src have one shape."""
    out = np.array(a, copy=True)
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    target = tuple(grid)
    src = np.broadcast_to(src, index.shape)
    if not include_self:
        # each receiving position starts from the identity of the product, or (max and min
        # being idempotent) from one of its own sources
        out[target] = 1 if reduce == "prod" else src
    _UFUNCS[reduce].at(out, target, src)
    return out
