"""`DataLoader`: iterate a dataset in (optionally shuffled) batches, reproducibly and resumably.

The order of epoch k is a permutation drawn from `numpy.random.default_rng([seed, k])`, so it
depends only on the loader's seed and the epoch number, never on what else drew random numbers.
`state_dict()` records the seed, the epoch and how many batches of it were handed out;
`load_state_dict` on a fresh loader continues with exactly the batches that would have come next.
"""
import numpy as np

from ..random import default_generator
from .collate import default_collate


class DataLoader:
    """Batches of `dataset`, in order or shuffled afresh (but reproducibly) every epoch.

    Args:
        dataset: a map-style dataset (`__getitem__` and `__len__`).
        batch_size: samples per batch; the last batch may be smaller unless `drop_last`.
        shuffle: draw a new order every epoch.
        drop_last: drop the final incomplete batch.
        seed: seeds the shuffling; when None, one is drawn from minigrad's global generator
            at construction (so `minigrad.manual_seed` before building the loader fixes it).
        collate_fn: joins a list of samples into a batch (default: `default_collate`). When
            omitted and the dataset offers `get_batch`, batches are gathered in one go.

    `len(loader)` is the number of batches per epoch. Each `iter(loader)` runs one epoch and
    then advances the epoch counter (also when the loop is left early).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, *, drop_last=False, seed=None,
                 collate_fn=None):
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must define __getitem__ and __len__, got "
                            f"{type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")
        if seed is None:
            seed = int(default_generator().integers(2 ** 63)) if shuffle else 0
        elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"DataLoader: seed must be a non-negative int or None, got {seed!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = int(seed)
        self.collate_fn = collate_fn
        self._next_epoch = 0  # the epoch the next iter() runs
        self._skip = 0        # batches of it already consumed (set by load_state_dict)
        self._progress = None  # [epoch, batches handed out] of the iteration under way

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    @property
    def epoch(self):
        """The epoch the next `iter(loader)` will run."""
        return self._next_epoch

    def set_epoch(self, epoch):
        """Make the next `iter(loader)` run epoch `epoch` from its first batch."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"set_epoch: epoch must be a non-negative int, got {epoch!r}")
        self._next_epoch, self._skip, self._progress = int(epoch), 0, None

    def order(self, epoch):
        """The sample indices of epoch `epoch`, in the order they are batched."""
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n, dtype=np.int64)
        return np.random.default_rng([self.seed, int(epoch)]).permutation(n)

    def state_dict(self):
        """Where the loader stands: {"seed", "epoch", "batch"} (batches of `epoch` consumed).

        Taken inside the loop, it counts the batch just handed out as consumed; after the last
        batch of an epoch it points at the start of the next one.
        """
        epoch, batch = self._progress if self._progress is not None else \
            (self._next_epoch, self._skip)
        if batch and batch >= len(self):
            epoch, batch = epoch + 1, 0
        return {"seed": self.seed, "epoch": epoch, "batch": batch}

    def load_state_dict(self, state):
        """Continue from `state` (from `state_dict`): the next iter() yields the batches that
        followed it."""
        missing = {"seed", "epoch", "batch"} - set(state)
        if missing:
            raise KeyError(f"load_state_dict: state is missing {sorted(missing)}")
        if not 0 <= state["batch"] <= len(self) or state["epoch"] < 0 or state["seed"] < 0:
            raise ValueError(f"load_state_dict: invalid state {state} for a loader with "
                             f"{len(self)} batches per epoch")
        self.seed = int(state["seed"])
        self._next_epoch, self._skip, self._progress = int(state["epoch"]), \
            int(state["batch"]), None

    def __iter__(self):
        epoch, skip = self._next_epoch, self._skip
        self._next_epoch, self._skip = epoch + 1, 0
        progress = [epoch, skip]
        self._progress = progress
        return self._batches(self.order(epoch), progress)

    def _batches(self, order, progress):
        stop = len(self) * self.batch_size
        try:
            for start in range(progress[1] * self.batch_size, stop, self.batch_size):
                batch = self._fetch(order[start:start + self.batch_size])
                progress[1] += 1
                yield batch
        finally:  # finished, or abandoned (closed): the next iter() starts a new epoch
            if self._progress is progress:
                self._progress = None

    def _fetch(self, indices):
        if self.collate_fn is None:
            get_batch = getattr(self.dataset, "get_batch", None)
            batch = None if get_batch is None else get_batch(indices)
            if batch is not None:
                return batch
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or default_collate)(samples)

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)} samples, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, seed={self.seed})")
