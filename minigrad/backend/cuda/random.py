"""Random numbers on the device: one xoroshiro128+ generator per thread of a fixed grid.

The generator states live on the device and advance across calls, so drawing never copies
anything between host and device. They are seeded from minigrad's seed (`minigrad.manual_seed`
reseeds them, as does `minigrad.cuda.manual_seed`), on the device: state i is made by
splitmix64 from (seed, i), the seeding its authors recommend for xoroshiro. A seed gives the same
numbers for the same launch configuration (the number of states); uniform and normal samples are
drawn in float64 and rounded to the requested dtype, so float32 and float64 agree. A host
generator passed as `rng` (`init.uniform_(t, generator=g)`) seeds the states of that one draw.
"""
import warnings

import numpy as np
from numba import cuda, uint64

with warnings.catch_warnings():  # the simulator's build of this module warns about its own jit
    warnings.simplefilter("ignore")
    from numba.cuda.random import (xoroshiro128p_dtype, xoroshiro128p_normal_float64,
                                   xoroshiro128p_uniform_float64)

from ...random import add_reseed_hook, initial_seed
from ._array import buffer, empty, numel
from ._launch import get_config, launch
from ._copy import copy_into
from .elementwise import add, mul

_GOLDEN_GAMMA = 0x9E3779B97F4A7C15  # splitmix64's increment


@cuda.jit(device=True)
def _splitmix64(z):
    z = (z ^ (z >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> uint64(27))) * uint64(0x94D049BB133111EB)
    return z ^ (z >> uint64(31))


@cuda.jit(cache=True)
def _seed_kernel(states, seed):
    i = cuda.grid(1)
    if i < states.shape[0]:
        z = seed + uint64(2 * i + 1) * uint64(_GOLDEN_GAMMA)
        states[i]["s0"] = _splitmix64(z)
        states[i]["s1"] = _splitmix64(z + uint64(_GOLDEN_GAMMA))


@cuda.jit(cache=True)
def _draw_kernel(out, states, n, normal, below_one):
    """Thread t fills out[t], out[t + threads], ... from its own state t. `below_one` is the
    largest value of out's dtype under 1."""
    t = cuda.grid(1)
    for i in range(t, n, cuda.gridsize(1)):
        if normal:
            out[i] = xoroshiro128p_normal_float64(states, t)
        else:
            out[i] = xoroshiro128p_uniform_float64(states, t)
            if out[i] >= 1:  # a float64 just under 1 rounds to 1 in float32: keep [0, 1)
                out[i] = below_one


def _seeded_states(seed):
    """Fresh generator states for the current launch configuration, seeded from `seed`."""
    config = get_config()
    states = empty((config.rng_states,), xoroshiro128p_dtype)
    launch(_seed_kernel, config.rng_blocks, config.threads_per_block, states, np.uint64(seed))
    return states


def _draw(states, shape, dtype, normal):
    config = get_config()
    out = empty(shape, dtype)
    n = numel(out.shape)
    if n:
        below_one = np.nextafter(np.ones((), out.dtype), np.zeros((), out.dtype))
        launch(_draw_kernel, config.rng_blocks, config.threads_per_block,
               buffer(out), states, n, normal, below_one)
    return out


class _Generator:
    """The device's generator states, made on first use after each (re)seed."""

    def __init__(self):
        self.seed = initial_seed()
        self.states = None

    def manual_seed(self, seed):
        self.seed = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
        self.states = None

    def get_state(self):
        """A host copy of the seed and the states (for `set_state`: activation checkpointing
        replays a segment's dropout masks with it)."""
        return self.seed, None if self.states is None else self.states.copy_to_host()

    def set_state(self, state):
        seed, states = state
        self.seed = seed
        self.states = None if states is None else cuda.to_device(states)

    def draw(self, shape, dtype, normal):
        if self.states is None or self.states.shape[0] != get_config().rng_states:
            self.states = _seeded_states(self.seed)
        return _draw(self.states, shape, dtype, normal)


generator = _Generator()
add_reseed_hook(generator.manual_seed)


def _sample(shape, dtype, rng, normal):
    if rng is None:
        return generator.draw(shape, dtype, normal)
    # A host generator given explicitly: one 64-bit draw from it seeds states made for this
    # call, so the same generator state gives the same samples and the generator advances,
    # with no sample data copied from the host.
    seed = int(rng.integers(0, 2 ** 64, dtype=np.uint64))
    return _draw(_seeded_states(seed), shape, dtype, normal)


def uniform(shape, dtype, rng):
    """Samples from U[0, 1) of `shape` and `dtype`. `rng` None draws from the device's own
    generator (seeded along with minigrad's, as in PyTorch); a numpy Generator seeds the draw
    from it instead."""
    return _sample(shape, dtype, rng, normal=False)


def normal(shape, dtype, rng):
    """Samples from N(0, 1) of `shape` and `dtype` (see `uniform` about `rng`)."""
    return _sample(shape, dtype, rng, normal=True)


def init_uniform(shape, dtype, rng, low, high, out=None):
    """Samples from U(low, high): u * (high - low) + low in `dtype` (u as `uniform` draws it:
    the device generator has one stream for every dtype); copied into `out` when given."""
    return _into(out, _scaled(uniform(shape, dtype, rng), high - low, low))


def init_normal(shape, dtype, rng, mean, std, out=None):
    """Samples from N(mean, std^2): z * std + mean in `dtype` (z as `normal` draws it); copied
    into `out` when given."""
    return _into(out, _scaled(normal(shape, dtype, rng), std, mean))


def _into(out, samples):
    if out is None:
        return samples
    copy_into(out, samples)
    return out


def _scaled(samples, scale, shift):
    if scale != 1:
        samples = mul(samples, float(scale))
    if shift != 0:
        samples = add(samples, float(shift))
    return samples
