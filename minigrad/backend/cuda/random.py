"""Random numbers on the device: one xoroshiro128+ generator per thread of a fixed grid.

The generator states live on the device and advance across calls, so drawing never copies
anything between host and device. They are seeded from minigrad's seed (`minigrad.manual_seed`
reseeds them, as does `minigrad.cuda.manual_seed`), on the device: state i is made by
splitmix64 from (seed, i), the seeding its authors recommend for xoroshiro. A seed gives the same
numbers for the same launch configuration (the number of states); uniform and normal samples are
drawn in float64 and rounded to the requested dtype, so float32 and float64 agree.
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
def _draw_kernel(out, states, n, normal):
    """Thread t fills out[t], out[t + threads], ... from its own state t."""
    t = cuda.grid(1)
    for i in range(t, n, cuda.gridsize(1)):
        if normal:
            out[i] = xoroshiro128p_normal_float64(states, t)
        else:
            out[i] = xoroshiro128p_uniform_float64(states, t)


class _Generator:
    """The device's generator states, made on first use after each (re)seed."""

    def __init__(self):
        self.seed = initial_seed()
        self.states = None

    def manual_seed(self, seed):
        self.seed = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
        self.states = None

    def draw(self, shape, dtype, normal):
        config = get_config()
        if self.states is None or self.states.shape[0] != config.rng_states:
            self.states = empty((config.rng_states,), xoroshiro128p_dtype)
            launch(_seed_kernel, config.rng_blocks, config.threads_per_block, self.states,
                   np.uint64(self.seed))
        out = empty(shape, dtype)
        n = numel(out.shape)
        if n:
            launch(_draw_kernel, config.rng_blocks, config.threads_per_block,
                   buffer(out), self.states, n, normal)
        return out


generator = _Generator()
add_reseed_hook(generator.manual_seed)


def uniform(shape, dtype, rng):
    """Samples from U[0, 1) of `shape`. `rng` is the host generator the cpu backend draws from;
    the device draws from its own generator (seeded along with it), as in PyTorch."""
    return generator.draw(shape, dtype, normal=False)


def normal(shape, dtype, rng):
    """Samples from N(0, 1) of `shape` (see `uniform` about `rng`)."""
    return generator.draw(shape, dtype, normal=True)
