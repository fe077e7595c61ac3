"""Random numbers on the CPU: samples drawn from a numpy Generator on the host.

`rng` is the generator to draw from, or None for minigrad's global generator (the one
`minigrad.manual_seed` reseeds).

Two streams, by design:
- `uniform` and `normal` (rand, randn, dropout masks, ...) draw float64 and round to the
  requested dtype, so a seed gives the same values in float32 and float64.
- `init_uniform` and `init_normal` (nn.init, hence every layer's initial weights) draw float32
  directly with numpy's float32 algorithms (half the random bits, no float64 buffer) and scale
  in place, as PyTorch initialises in the parameter's dtype: building a large model costs about
  a third of the float64 way. A seed still gives the same weights every time for one dtype; a
  float32 and a float64 model built from one seed differ (as in PyTorch).
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


def _draw_in_dtype(shape, dtype, rng, gaussian):
    """Samples of U[0, 1) or (`gaussian`) N(0, 1) drawn in `dtype` itself when numpy can
    (float32, float64), else in float64 and rounded."""
    gen, dtype = _generator(rng), np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        return normal(shape, dtype, rng) if gaussian else uniform(shape, dtype, rng)
    if gaussian:
        return gen.standard_normal(shape, dtype=dtype)
    return gen.random(shape, dtype=dtype)  # numpy's float32 draw stays below 1


def init_uniform(shape, dtype, rng, low, high):
    """Samples from U(low, high): u * (high - low) + low in `dtype`, u drawn in `dtype`."""
    samples = _draw_in_dtype(shape, dtype, rng, gaussian=False)
    scale, shift = samples.dtype.type(high - low), samples.dtype.type(low)
    if scale != 1:
        np.multiply(samples, scale, out=samples)
    if shift != 0:
        np.add(samples, shift, out=samples)
    return samples


def init_normal(shape, dtype, rng, mean, std):
    """Samples from N(mean, std^2): z * std + mean in `dtype`, z drawn in `dtype`."""
    samples = _draw_in_dtype(shape, dtype, rng, gaussian=True)
    if std != 1:
        np.multiply(samples, samples.dtype.type(std), out=samples)
    if mean != 0:
        np.add(samples, samples.dtype.type(mean), out=samples)
    return samples
