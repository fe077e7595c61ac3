"""Random numbers on the CPU: samples drawn from a numpy Generator on the host.

`rng` is the generator to draw from, or None for minigrad's global generator (the one
`minigrad.manual_seed` reseeds).

Two streams, by design:
- `uniform` and `normal` (rand, randn, dropout masks, ...) draw float64 and round to the
  requested dtype, so a seed gives the same values in float32 and float64.
- `init_uniform` and `init_normal` (nn.init, hence every layer's initial weights) draw in the
  parameter's dtype directly (numpy's float32 uniform: half the random bits, no float64
  buffer) and transform in place, as PyTorch initialises in the parameter's dtype. Normal
  samples come from those uniforms by the Box-Muller transform in a parallel kernel (as
  PyTorch's CPU `normal_` does): numpy's ziggurat is serial and took most of the time of
  building a VGG. A seed still gives the same weights every time for one dtype, whatever the
  thread count; a float32 and a float64 model built from one seed differ (as in PyTorch).
"""
import math

import numba
import numpy as np

from ...random import default_generator
from ._config import get_config
from ._parallel import call


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


@numba.njit(cache=True, parallel=True)
def _box_muller_inplace(samples, mean, std):
    """Turn U[0, 1) `samples` (1-D) into N(mean, std^2) in place, pair by pair: u, v ->
    r cos(t), r sin(t) with r = sqrt(-2 log(1 - u)) (1 - u is in (0, 1], so the log is finite)
    and t = 2 pi v. Each pair reads and writes only its own two slots, so the result does not
    depend on how the pairs are split between threads. An odd last sample pairs with v = 0."""
    n = samples.size
    one, minus_two = samples.dtype.type(1), samples.dtype.type(-2)
    two_pi = samples.dtype.type(2 * math.pi)
    for p in numba.prange((n + 1) // 2):
        i = 2 * p
        radius = math.sqrt(minus_two * math.log(one - samples[i]))
        if i + 1 < n:
            angle = two_pi * samples[i + 1]
            samples[i + 1] = radius * math.sin(angle) * std + mean
        else:
            angle = samples.dtype.type(0)
        samples[i] = radius * math.cos(angle) * std + mean


def _draw_in_dtype(shape, dtype, rng, gaussian, out=None):
    """Samples of U[0, 1) or (`gaussian`) N(0, 1) drawn in `dtype` itself when numpy can
    (float32, float64), else in float64 and rounded; into `out` when given (drawing straight
    into a parameter's memory spares a buffer of its size and the copy)."""
    gen, dtype = _generator(rng), np.dtype(dtype)
    if out is not None and (out.dtype != dtype or out.shape != tuple(shape)
                            or not out.flags.c_contiguous or not out.flags.writeable):
        raise ValueError(f"random draw: out must be a writeable C-contiguous {dtype} array of "
                         f"shape {tuple(shape)}, got {out.dtype} {out.shape}")
    if dtype not in (np.float32, np.float64):
        samples = normal(shape, dtype, rng) if gaussian else uniform(shape, dtype, rng)
        if out is None:
            return samples
        np.copyto(out, samples)
        return out
    draw = gen.standard_normal if gaussian else gen.random  # numpy's float32 uniform stays < 1
    if out is None:
        return draw(shape, dtype=dtype)
    draw(dtype=dtype, out=out)
    return out


def init_uniform(shape, dtype, rng, low, high, out=None):
    """Samples from U(low, high): u * (high - low) + low in `dtype`, u drawn in `dtype`;
    written into `out` (a C-contiguous array of that shape and dtype) when given."""
    samples = _draw_in_dtype(shape, dtype, rng, gaussian=False, out=out)
    scale, shift = samples.dtype.type(high - low), samples.dtype.type(low)
    if scale != 1:
        np.multiply(samples, scale, out=samples)
    if shift != 0:
        np.add(samples, shift, out=samples)
    return samples


def init_normal(shape, dtype, rng, mean, std, out=None):
    """Samples from N(mean, std^2) in `dtype`: Box-Muller on uniforms drawn in `dtype` for
    float32 and float64, numpy's normal rounded to `dtype` otherwise; written into `out` (a
    C-contiguous array of that shape and dtype) when given."""
    if np.dtype(dtype) in (np.float32, np.float64):
        samples = _draw_in_dtype(shape, dtype, rng, gaussian=False, out=out)
        flat = samples.reshape(-1)
        if flat.size:
            call(_box_muller_inplace, flat.size >= get_config().elementwise_parallel_min_elements,
                 flat, samples.dtype.type(mean), samples.dtype.type(std))
        return samples
    samples = _draw_in_dtype(shape, dtype, rng, gaussian=True, out=out)
    if std != 1:
        np.multiply(samples, samples.dtype.type(std), out=samples)
    if mean != 0:
        np.add(samples, samples.dtype.type(mean), out=samples)
    return samples
