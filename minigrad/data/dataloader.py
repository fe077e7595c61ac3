"""`DataLoader`: iterate a dataset in batches, in worker processes if asked, reproducibly and
resumably, with `torch.utils.data.DataLoader`'s arguments.

Without a sampler, the order of epoch k is a permutation drawn from
`numpy.random.default_rng([seed, k])`, so it depends only on the loader's seed and the epoch
number, never on what else drew random numbers. `state_dict()` records the seed, the epoch and
how many batches of it were handed out; `load_state_dict` on a fresh loader continues with
exactly the batches that would have come next (with a custom sampler, the skipped batches'
indices are drawn from it again, so a random sampler must be seeded to resume exactly).

With `num_workers > 0`, batches are made in that many processes; worker i of epoch k seeds
minigrad's generator (and Python's and numpy's) with base_seed + i, base_seed derived from the
loader's seed and k, so augmentation randomness repeats run to run too.
"""
import itertools
import weakref

import numpy as np

from ..random import as_numpy_generator
from ._worker import Exhausted, Fetcher, IterableFetcher
from ._worker_pool import WorkerPool
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, Sampler


class LoaderOrder(Sampler):
    """A DataLoader's built-in order as a sampler (`loader.sampler` when none was given):
    iterating it gives the indices of the loader's next epoch, in order or shuffled."""

    def __init__(self, loader):
        # weak: a cycle would keep a dropped loader (and its persistent workers) alive
        self._loader = weakref.ref(loader)
        self.data_source = loader.dataset

    def __iter__(self):
        loader = self._loader()
        return iter(loader.order(loader.epoch).tolist())

    def __len__(self):
        return len(self.data_source)


def _non_negative_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"DataLoader: {name} must be a non-negative int, got {value!r}")
    return int(value)


class DataLoader:
    """`DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *,
    prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True,
    seed=None)`, PyTorch's arguments and meanings:

    - `batch_size` samples per batch (None: no batching, one sample at a time); the last
      batch may be smaller unless `drop_last`.
    - `shuffle`: a new random order every epoch. `sampler` (indices) or `batch_sampler`
      (lists of indices) replace the built-in order; they exclude shuffle (and batch_sampler
      excludes batch_size, drop_last and sampler), as in PyTorch.
    - `collate_fn` joins a list of samples into a batch (default `default_collate`: a dataset
      of `(x, y)` samples yields `[xs, ys]`). When omitted and the dataset has `get_batch`,
      batches are gathered in one go.
    - `num_workers` processes make the batches (`multiprocessing_context`: "fork", "spawn",
      ...); each holds `prefetch_factor` (default 2) batches in flight, is seeded as described
      above and then calls `worker_init_fn(worker_id)`. `persistent_workers` keeps them
      between epochs. `timeout` > 0 bounds the wait for one batch (seconds). An exception in a
      worker is raised in the main process with the worker's traceback; Ctrl-C (or leaving the
      loop) stops the workers.
    - `pin_memory` / `pin_memory_device` are accepted and do nothing (no pinned host memory
      here); batches always come in sampler order (`in_order=False` permits PyTorch to hand
      them out as they are ready, which keeping the order also satisfies).
    - `generator` (a `minigrad.Generator` or numpy Generator) or `seed` fix the shuffling and
      worker seeds; when both are None, a seed is drawn from minigrad's global generator
      at construction (so `minigrad.manual_seed` before building the loader fixes it).

    `len(loader)` is the number of batches per epoch. Each `iter(loader)` runs one epoch and
    then advances the epoch counter (also when the loop is left early).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True, seed=None):
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for value, name in ((shuffle, "shuffle"), (sampler, "sampler"),
                                (batch_sampler, "batch_sampler")):
                if value:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value!r}")
        elif not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must define __getitem__ and __len__ (or be "
                            f"an IterableDataset), got {type(dataset).__name__}")
        self._check_order_arguments(batch_size, shuffle, sampler, batch_sampler, drop_last)
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"DataLoader: worker_init_fn must be callable, got "
                            f"{type(worker_init_fn).__name__}")
        num_workers = _non_negative_int(num_workers, "num_workers")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got "
                             f"{timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                             "multiprocessing; let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None")
        if prefetch_factor is not None and _non_negative_int(prefetch_factor,
                                                             "prefetch_factor") == 0:
            raise ValueError("DataLoader: prefetch_factor must be at least 1")
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        if not isinstance(in_order, bool):
            raise TypeError(f"DataLoader: in_order must be a bool, got {in_order!r}")
        if seed is None:
            draw = shuffle or num_workers > 0 or generator is not None
            seed = int(as_numpy_generator(generator, "DataLoader").integers(2 ** 63)) \
                if draw else 0
        elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"DataLoader: seed must be a non-negative int or None, got {seed!r}")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self._custom_sampler = sampler is not None
        # as in PyTorch, `loader.sampler` is always there: without one given, the built-in order
        self.sampler = sampler if sampler is not None or self._iterable else LoaderOrder(self)
        self.batch_sampler = batch_sampler
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.pin_memory = bool(pin_memory)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers else prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.seed = int(seed)
        self._pool = None
        self._next_epoch = 0  # the epoch the next iter() runs
        self._skip = 0        # batches of it already consumed (set by load_state_dict)
        self._progress = None  # [epoch, batches handed out] of the iteration under way

    @staticmethod
    def _check_order_arguments(batch_size, shuffle, sampler, batch_sampler, drop_last):
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
                batch_size, (int, np.integer)) or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None, got "
                             f"{batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last")
        if batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and "
                             "is mutually exclusive with drop_last")
        for value, name in ((sampler, "sampler"), (batch_sampler, "batch_sampler")):
            if value is not None and not hasattr(value, "__iter__"):
                raise TypeError(f"DataLoader: {name} must be iterable, got "
                                f"{type(value).__name__}")

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self._custom_sampler else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _length_if_known(self):
        """len(self), or None for an IterableDataset without a length."""
        try:
            return len(self)
        except TypeError:
            if self._iterable:
                return None
            raise

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
        """The sample indices of epoch `epoch` in the built-in order (no sampler given)."""
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n, dtype=np.int64)
        return np.random.default_rng([self.seed, int(epoch)]).permutation(n)

    def _index_batches(self, epoch):
        """Epoch `epoch`'s batches as lists of indices (single indices without batching)."""
        if self.batch_sampler is not None:
            return iter(self.batch_sampler)
        if self._custom_sampler:
            if self.batch_size is None:
                return iter(self.sampler)
            return iter(BatchSampler(self.sampler, self.batch_size, self.drop_last))
        order = self.order(epoch)
        if self.batch_size is None:
            return iter(order.tolist())
        stop = len(self) * self.batch_size
        return (order[start:start + self.batch_size]
                for start in range(0, stop, self.batch_size))

    def worker_base_seed(self, epoch):
        """The base seed of epoch `epoch`'s workers (worker i uses base + i)."""
        return int(np.random.default_rng([self.seed, int(epoch), 1]).integers(2 ** 62))

    def state_dict(self):
        """Where the loader stands: {"seed", "epoch", "batch"} (batches of `epoch` consumed).

        Taken inside the loop, it counts the batch just handed out as consumed; after the last
        batch of an epoch it points at the start of the next one (for an IterableDataset
        without a length: once the loop has ended).
        """
        epoch, batch = self._progress if self._progress is not None else \
            (self._next_epoch, self._skip)
        length = self._length_if_known()
        if batch and length is not None and batch >= length:
            epoch, batch = epoch + 1, 0
        return {"seed": self.seed, "epoch": epoch, "batch": batch}

    def load_state_dict(self, state):
        """Continue from `state` (from `state_dict`): the next iter() yields the batches that
        followed it."""
        missing = {"seed", "epoch", "batch"} - set(state)
        if missing:
            raise KeyError(f"load_state_dict: state is missing {sorted(missing)}")
        length = self._length_if_known()
        if state["batch"] < 0 or (length is not None and state["batch"] > length) \
                or state["epoch"] < 0 or state["seed"] < 0:
            raise ValueError(f"load_state_dict: invalid state {state} for a loader with "
                             f"{length} batches per epoch")
        self.seed = int(state["seed"])
        self._next_epoch, self._skip, self._progress = int(state["epoch"]), \
            int(state["batch"]), None

    def _fetcher(self):
        if self._iterable:
            return IterableFetcher(self.dataset, self.collate_fn, default_collate
                                   if self.batch_size is not None else default_convert,
                                   self.batch_size, self.drop_last)
        return Fetcher(self.dataset, self.collate_fn,
                       default_collate if self.batch_size is not None else default_convert,
                       batched=self.batch_size is not None)

    def __iter__(self):
        epoch, skip = self._next_epoch, self._skip
        self._next_epoch, self._skip = epoch + 1, 0
        progress = [epoch, skip]
        self._progress = progress
        if self._iterable:
            return self._iterable_batches(epoch, skip, progress)
        index_batches = self._index_batches(epoch)
        for _ in range(skip):  # resuming: pass over the batches already consumed
            next(index_batches, None)
        if self.num_workers == 0:
            batches = map(self._fetcher(), index_batches)
            return self._track(batches, progress, None)
        pool = self._pool
        if pool is None:
            pool = WorkerPool(self._fetcher(), self.num_workers, self.worker_base_seed(epoch),
                              self.worker_init_fn, self.prefetch_factor, self.timeout,
                              self.multiprocessing_context)
            if self.persistent_workers:
                self._pool = pool
        return self._track(pool.batches(index_batches), progress, pool)

    def _iterable_batches(self, epoch, skip, progress):
        """An epoch of an IterableDataset; the first `skip` batches are made and dropped."""
        if self.num_workers == 0:
            batches, pool = self._iterate_here(epoch), None
        else:
            pool = self._pool or WorkerPool(
                self._fetcher(), self.num_workers, self.worker_base_seed(epoch),
                self.worker_init_fn, self.prefetch_factor, self.timeout,
                self.multiprocessing_context)
            if self.persistent_workers:
                self._pool = pool
            batches = pool.iterable_batches()
        return self._track(itertools.islice(batches, skip, None), progress, pool)

    def _iterate_here(self, epoch):
        """The batches of an IterableDataset, made in this process."""
        fetcher = self._fetcher()
        while not isinstance(batch := fetcher.fetch(epoch), Exhausted):
            yield batch

    def _track(self, batches, progress, pool):
        """Yield `batches`, counting them in `progress`; stop workers that are not kept (and
        kept ones too after an error or Ctrl-C, since batches of theirs are lost)."""
        keep_pool = True
        try:
            for batch in batches:
                progress[1] += 1
                yield batch
        except GeneratorExit:  # the loop was left early: persistent workers stay
            raise
        except BaseException:
            keep_pool = False
            raise
        finally:
            if self._progress is progress:
                self._progress = None
            if pool is not None and (pool is not self._pool or not keep_pool):
                pool.shutdown(graceful=keep_pool)
                if pool is self._pool:
                    self._pool = None

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)} samples, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, num_workers={self.num_workers}, "
                f"seed={self.seed})")
