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


class Generator:
    """A random number generator of its own, as `torch.Generator` (cpu): seed it and hand it
    to what takes `generator=` (samplers, `DataLoader`, `random_split`, `randperm`, ...).

    It wraps a numpy Generator (`.numpy_generator`); state is a plain dict, as
    `get_rng_state`'s.
    """

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise ValueError(f"Generator: only cpu generators exist, got device {device!r}")
        self.device = "cpu"
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        """Reseed with `seed`; returns the generator (as PyTorch's)."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
        self._seed = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
        self.numpy_generator = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Reseed from fresh OS entropy; returns the new seed."""
        self.manual_seed(int(np.random.SeedSequence().generate_state(1, np.uint64)[0]))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self.numpy_generator.bit_generator.state

    def set_state(self, state):
        self.numpy_generator.bit_generator.state = state
        return self


def as_numpy_generator(generator, owner):
    """The numpy Generator behind `generator` (a `Generator`, a numpy Generator, or None for
    the global one); TypeError naming `owner` for anything else."""
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator.numpy_generator
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"{owner}: generator must be a minigrad.Generator, a numpy Generator or "
                    f"None, got {type(generator).__name__}")
