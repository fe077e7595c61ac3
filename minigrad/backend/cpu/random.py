"""Random numbers on the CPU: samples drawn from a numpy Generator on the host.

`rng` is the generator to draw from, or None for minigrad's global generator (the one
`minigrad.manual_seed` reseeds).

Two streams, by design:
- `uniform` and `normal` (rand, randn, dropout masks, ...) draw float64 and round to the
  requested dtype, so a seed gives the same values in float32 and float64.
- `init_uniform` and `init_normal` (nn.init, hence every layer's initial weights) draw in the
  parameter's dtype directly (numpy's float32 uniform: half the random bits, no float64
  buffer) and transform in place, as PyTorch initialises in the parameter's dtype. Normal
  samples come from those uniforms by the Box-Muller transform (as PyTorch's CPU `normal_`
  does) in numpy's SIMD ufuncs: numpy's ziggurat is serial and took most of the time of
  building a VGG. A seed still gives the same weights every time for one dtype, whatever the
  thread count; a float32 and a float64 model built from one seed differ (as in PyTorch).
"""
import math

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


_BOX_MULLER_PAIRS = 8192  # pairs per block: the block's three work rows stay in L1/L2


def _scaled_radius(u, std, out):
    """out = std * sqrt(-2 log(1 - u)), the Box-Muller radius of uniforms u (out may be u)."""
    dtype = out.dtype.type
    np.subtract(dtype(1), u, out=out)
    np.log(out, out=out)
    np.multiply(out, dtype(-2), out=out)
    np.sqrt(out, out=out)
    np.multiply(out, std, out=out)


def _box_muller_inplace(samples, mean, std):
    """Turn U[0, 1) `samples` (1-D, float32 or float64) into N(mean, std^2) in place, pair by
    pair: u, v -> r cos(t), r sin(t) with r = sqrt(-2 log(1 - u)) (1 - u is in (0, 1], so
    the log is finite) and t = 2 pi v. An odd last sample pairs with v = 0.

    numpy's ufuncs, block by block: its float32 and float64 log, sqrt, sin and cos run in SIMD
    registers, 3x faster on one thread than a parallel Numba loop on two (which calls the
    scalar libm functions per sample). Each pair depends only on its own two samples, so the
    result does not depend on the blocking."""
    two_pi = samples.dtype.type(2 * math.pi)
    pairs = samples.size // 2
    block = max(1, min(_BOX_MULLER_PAIRS, pairs))
    radius, angle, work = (np.empty(block, samples.dtype) for _ in range(3))
    for p0 in range(0, pairs, block):
        size = min(block, pairs - p0)
        chunk = samples[2 * p0:2 * (p0 + size)]
        r, t, w = radius[:size], angle[:size], work[:size]
        _scaled_radius(chunk[0::2], std, r)
        np.multiply(chunk[1::2], two_pi, out=t)
        np.cos(t, out=w)
        np.multiply(w, r, out=w)
        np.add(w, mean, out=chunk[0::2])
        np.sin(t, out=w)
        np.multiply(w, r, out=w)
        np.add(w, mean, out=chunk[1::2])
    if samples.size % 2:
        last = samples[-1:]  # r cos(0) = r
        _scaled_radius(last, std, last)
        np.add(last, mean, out=last)


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
            _box_muller_inplace(flat, samples.dtype.type(mean), samples.dtype.type(std))
        return samples
    samples = _draw_in_dtype(shape, dtype, rng, gaussian=True, out=out)
    if std != 1:
        np.multiply(samples, samples.dtype.type(std), out=samples)
    if mean != 0:
        np.add(samples, samples.dtype.type(mean), out=samples)
    return samples
