"""Scalar rules of the reflect, replicate and circular pads shared by the cpu and cuda kernels:
plain Python on integers, compiled by each backend (`numba.njit` on the cpu,
`cuda.jit(device=True)` on the gpu).

Along one dim of `size` padded by (before, after), output position o reads input position
`pad_source(o, ...)`; negative amounts crop, as PyTorch's. The backward kernels go the other
way: the output positions that read input position i form at most two arithmetic progressions
(`pad_preimages`), so each input element gathers its gradient without atomics.
"""

REFLECT, REPLICATE, CIRCULAR = 0, 1, 2
MODE_CODES = {"reflect": REFLECT, "replicate": REPLICATE, "circular": CIRCULAR}


def pad_source(o, size, before, after, mode):
    """The input position output position o reads along one dim."""
    if mode == CIRCULAR:
        lo = -before if before < 0 else 0  # what negative amounts leave: [lo, lo + kept)
        kept = (size + after if after < 0 else size) - lo
        shift = before if before > 0 else 0
        r = (o - shift) % kept
        return lo + (r + kept if r < 0 else r)  # a floor mod whatever the language's % does
    p = o - before
    if mode == REPLICATE:
        if p < 0:
            return 0
        if p > size - 1:
            return size - 1
        return p
    period = 2 * (size - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
    if period == 0:
        return 0
    folded = (p if p >= 0 else -p) % period
    return folded if folded < size else period - folded


def pad_preimages(i, size, before, after, out_size, mode):
    """The output positions that read input position i along one dim, as two progressions
    (start0, stop0, step0, start1, stop1, step1), each range(start, stop, step); an empty one
    has start >= stop."""
    if mode == REPLICATE:
        start = 0 if i == 0 else i + before
        stop = out_size if i == size - 1 else i + before + 1
        return max(start, 0), min(stop, out_size), 1, 0, 0, 1
    if mode == CIRCULAR:
        lo = -before if before < 0 else 0
        kept = (size + after if after < 0 else size) - lo
        if i < lo or i >= lo + kept:
            return 0, 0, 1, 0, 0, 1
        shift = before if before > 0 else 0
        first = (i - lo + shift) % kept
        return first + kept if first < 0 else first, out_size, kept, 0, 0, 1
    period = 2 * (size - 1)
    if period == 0:
        return 0, out_size, 1, 0, 0, 1
    first = (i + before) % period
    first = first + period if first < 0 else first
    if i == 0 or i == size - 1:  # the edges are not repeated: one progression
        return first, out_size, period, 0, 0, 1
    mirrored = (before - i) % period
    mirrored = mirrored + period if mirrored < 0 else mirrored
    return first, out_size, period, mirrored, out_size, period
