"""Random numbers on the CPU: samples drawn from a numpy Generator on the host.

`rng` is the generator to draw from, or None for minigrad's global generator (the one
`minigrad.manual_seed` reseeds). Samples are drawn in float64 and rounded to the requested
dtype, so a seed gives the same values in float32 and float64.
"""
import numpy as np

from ...random import default_generator


def _generator(rng):
    return default_generator() if rng is None else rng


def uniform(shape, dtype, rng):
    """Samples from U[0, 1) of `shape` and `dtype` (a numpy floating dtype)."""
    samples = _generator(rng).random(shape).astype(dtype, copy=False)
    if samples.dtype != np.float64:
        # a float64 just under 1 rounds to 1 in a narrower dtype: keep the interval half-open
        np.minimum(samples, np.nextafter(samples.dtype.type(1), samples.dtype.type(0)),
                   out=samples)
    return samples


def normal(shape, dtype, rng):
    """Samples from N(0, 1) of `shape` and `dtype` (a numpy floating dtype)."""
    return _generator(rng).standard_normal(shape).astype(dtype, copy=False)
