"""Random numbers on the CPU: samples drawn from a numpy Generator on the host.

`rng` is the generator to draw from, or None for minigrad's global generator (the one
`minigrad.manual_seed` reseeds). Samples are drawn in float64 and rounded to the requested
dtype, so a seed gives the same values in float32 and float64.
"""
from ...random import default_generator


def _generator(rng):
    return default_generator() if rng is None else rng


def uniform(shape, dtype, rng):
    """Samples from U[0, 1) of `shape` and `dtype` (a numpy floating dtype)."""
    return _generator(rng).random(shape).astype(dtype, copy=False)


def normal(shape, dtype, rng):
    """Samples from N(0, 1) of `shape` and `dtype` (a numpy floating dtype)."""
    return _generator(rng).standard_normal(shape).astype(dtype, copy=False)
