"""The one seeded generator every random op draws from, so runs are reproducible."""
import numpy as np

DEFAULT_SEED = 67280421310721  # PyTorch's default CPU seed: runs are reproducible unseeded too

_generator = np.random.default_rng(DEFAULT_SEED)
_seed = DEFAULT_SEED
_reseed_hooks = []  # device generators (cuda) that manual_seed reseeds too


def manual_seed(seed):
    """Reseed the global generator (and every device's generator) with `seed`."""
    global _seed
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    _seed = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
    # Reseed the same Generator object, so a reference anyone kept stays the global one.
    _generator.bit_generator.state = np.random.PCG64(_seed).state
    for hook in _reseed_hooks:
        hook(_seed)
    return _generator


def add_reseed_hook(hook):
    """Have `manual_seed(seed)` also call `hook(seed)` (how a device reseeds its generator)."""
    _reseed_hooks.append(hook)


def initial_seed():
    return _seed


def default_generator():
    """The global numpy Generator behind rand/randn/randint/randperm/dropout/shuffling."""
    return _generator


def get_rng_state():
    """The generator state as a plain dict (save it to resume a run exactly)."""
    return _generator.bit_generator.state


def set_rng_state(state):
    _generator.bit_generator.state = state
