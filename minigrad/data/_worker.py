"""What runs inside a DataLoader worker process: its loop, its seeding, `get_worker_info`.

A worker receives (epoch token, task number, indices) on its own index queue, fetches and
collates that batch, and puts (epoch token, task number, batch or failure) on the result
queue it shares with the other workers. None on the index queue tells it to exit.
"""
import itertools
import os
import queue
import random
import signal
import sys
import traceback
from dataclasses import dataclass

import numba
import numpy as np

from .. import random as minigrad_random

# How often a waiting worker checks that the process that started it is still alive (s).
PARENT_CHECK_INTERVAL = 1.0

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """About the current DataLoader worker: `id` (0 .. num_workers - 1), `num_workers`,
    `seed` (what minigrad's generator was seeded with: base seed + id), and its own copy of
    the `dataset`."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """The `WorkerInfo` of the DataLoader worker this runs in, or None in the main process
    (as PyTorch's `torch.utils.data.get_worker_info`)."""
    return _worker_info


class Fetcher:
    """Turns a list of indices into a batch: through `dataset.get_batch` when it has one and
    no collate_fn is given, else sample by sample and `collate`. With `batched=False` an index
    is one sample, passed through `collate` on its own (PyTorch's batch_size=None).

    `fetch(token, indices)` is what a worker calls; the token (the epoch's) matters only to
    iterable datasets."""

    def __init__(self, dataset, collate_fn, default_collate, batched=True):
        self.dataset = dataset
        self.collate_fn = collate_fn
        self.default_collate = default_collate
        self.batched = batched

    def __call__(self, indices):
        if not self.batched:
            return (self.collate_fn or self.default_collate)(self.dataset[indices])
        if self.collate_fn is None:
            get_batch = getattr(self.dataset, "get_batch", None)
            batch = None if get_batch is None else get_batch(np.asarray(indices, np.int64))
            if batch is not None:
                return batch
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or self.default_collate)(samples)

    def fetch(self, token, indices):
        return self(indices)


class Exhausted:
    """What an iterable dataset's fetcher returns once its iterator has no batch left."""


class IterableFetcher:
    """Batches from an iterable dataset: `batch_size` samples at a time from one iterator per
    epoch (`token`), collated; `Exhausted` when no (full, with drop_last) batch is left. With
    batch_size None each sample is a batch, passed through `collate` on its own."""

    def __init__(self, dataset, collate_fn, default_collate, batch_size, drop_last):
        self.dataset = dataset
        self.collate = collate_fn or default_collate
        self.batch_size = batch_size
        self.drop_last = drop_last
        self._token = None
        self._iterator = None

    def fetch(self, token, indices=None):
        if token != self._token:  # a new epoch: start the dataset's iteration afresh
            self._token, self._iterator = token, iter(self.dataset)
        if self.batch_size is None:
            sample = next(self._iterator, Exhausted)
            return Exhausted() if sample is Exhausted else self.collate(sample)
        samples = list(itertools.islice(self._iterator, self.batch_size))
        if not samples or (self.drop_last and len(samples) < self.batch_size):
            return Exhausted()
        return self.collate(samples)


class WorkerFailure:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, worker_id, where):
        exc_type, exc, _ = sys.exc_info()
        self.exc_type = exc_type
        self.message = (f"Caught {exc_type.__name__}{where} in DataLoader worker process "
                        f"{worker_id}.\nOriginal Traceback (most recent call last):\n"
                        + "".join(traceback.format_exception(exc_type, exc,
                                                             exc.__traceback__)[1:]))

    def reraise(self):
        """Raise the worker's exception type with the worker's traceback in its message (or
        RuntimeError if that type cannot be built from a message)."""
        try:
            error = self.exc_type(self.message)
        except Exception:  # noqa: BLE001  (an exception class with another signature)
            error = RuntimeError(self.message)
        raise error


def seed_worker(base_seed, worker_id):
    """Seed minigrad's generator and Python's `random` with base_seed + worker_id (PyTorch's
    rule), and numpy's legacy global generator from both; returns the seed."""
    seed = (base_seed + worker_id) & 0xFFFF_FFFF_FFFF_FFFF
    minigrad_random.manual_seed(seed)
    random.seed(seed)
    np.random.seed(np.random.SeedSequence([base_seed, worker_id]).generate_state(4))
    return seed


def worker_loop(fetch, index_queue, result_queue, worker_id, num_workers, base_seed,
                worker_init_fn, parent_pid):
    """The body of a worker process (see the module docstring)."""
    global _worker_info
    # Ctrl-C reaches every process of the terminal's group: the main process handles it and
    # shuts the workers down, so they must not die with their own KeyboardInterrupt traces.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One compute thread per worker, as PyTorch's workers: the workers already run in
    # parallel, and a forked child must not start the OpenMP pool its parent used (GNU
    # OpenMP is not fork-safe: Numba would terminate the worker).
    numba.set_num_threads(1)
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, fetch.dataset)
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception:  # noqa: BLE001  (reported to the main process, which raises it)
        result_queue.put((None, None, WorkerFailure(worker_id, " in worker_init_fn")))
        return
    while True:
        try:
            task = index_queue.get(timeout=PARENT_CHECK_INTERVAL)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process is gone: stop
                return
            continue
        if task is None:
            return
        token, number, indices = task
        try:
            batch = fetch.fetch(token, indices)
        except Exception:  # noqa: BLE001  (reported to the main process, which raises it)
            batch = WorkerFailure(worker_id, "")
        result_queue.put((token, number, batch))
        del batch
