"""`WorkerPool`: the DataLoader's worker processes, fed with batches of indices and read back
in order.

Each worker has its own index queue; all share one result queue. The pool keeps up to
`prefetch_factor` tasks per worker in flight, hands tasks out round-robin, and yields results
in task order (holding early arrivals). Every epoch gets a fresh token, so results of an epoch
that was abandoned (a `break` out of the loop with persistent workers) are recognised and
dropped.
"""
import contextlib
import itertools
import multiprocessing
import os
import queue
import signal

from ._worker import Exhausted, WorkerFailure, worker_loop

# While waiting for a batch, how often the main process checks that its workers are alive (s).
STATUS_CHECK_INTERVAL = 0.5
# How long shutdown waits for a worker to exit by itself before terminating it (s).
JOIN_TIMEOUT = 5.0


def _context(multiprocessing_context):
    if multiprocessing_context is None:
        return multiprocessing.get_context()
    if isinstance(multiprocessing_context, str):
        return multiprocessing.get_context(multiprocessing_context)
    return multiprocessing_context


class WorkerPool:
    """`num_workers` processes running `worker_loop` with `fetch` (see data/_worker.py)."""

    def __init__(self, fetch, num_workers, base_seed, worker_init_fn=None, prefetch_factor=2,
                 timeout=0, multiprocessing_context=None):
        context = _context(multiprocessing_context)
        self.start_method = context.get_start_method()
        self.prefetch_factor = prefetch_factor
        self.timeout = timeout
        self.result_queue = context.Queue()
        self.index_queues = []
        self.workers = []
        self._tokens = itertools.count()
        self._closed = False
        try:
            for worker_id in range(num_workers):
                index_queue = context.Queue()
                worker = context.Process(
                    target=worker_loop, daemon=True,
                    args=(fetch, index_queue, self.result_queue, worker_id, num_workers,
                          base_seed, worker_init_fn, os.getpid()))
                worker.start()
                self.index_queues.append(index_queue)
                self.workers.append(worker)
        except BaseException:
            self.shutdown()
            raise

    def batches(self, index_batches):
        """The batches for `index_batches` (an iterable of index lists), in order."""
        token = next(self._tokens)
        tasks = enumerate(index_batches)
        in_flight, ready, next_number = 0, {}, 0
        worker_cycle = itertools.cycle(range(len(self.workers)))

        def send_one():
            task = next(tasks, None)
            if task is None:
                return False
            self.index_queues[next(worker_cycle)].put((token, task[0], task[1]))
            return True
        for _ in range(self.prefetch_factor * len(self.workers)):
            if not send_one():
                break
            in_flight += 1
        while in_flight or next_number in ready:
            if next_number in ready:
                batch = ready.pop(next_number)
                next_number += 1
                if send_one():
                    in_flight += 1
                yield batch
                continue
            result_token, number, batch = self._get()
            if isinstance(batch, WorkerFailure):
                batch.reraise()
            if result_token != token:
                continue  # a result of an abandoned epoch
            in_flight -= 1
            ready[number] = batch

    def iterable_batches(self):
        """The batches of an iterable dataset: each worker runs through its own iterator of
        it (shard it with `get_worker_info()`); batches come round-robin over the workers, a
        worker dropping out once it reports its iterator exhausted."""
        token = next(self._tokens)
        numbers = itertools.count()
        owner, ready, in_flight, next_number = {}, {}, 0, 0
        active = set(range(len(self.workers)))

        def request(worker):
            number = next(numbers)
            owner[number] = worker
            self.index_queues[worker].put((token, number, None))
        for _ in range(self.prefetch_factor):
            for worker in sorted(active):
                request(worker)
                in_flight += 1
        while in_flight or next_number in ready:
            if next_number in ready:
                batch = ready.pop(next_number)
                worker = owner.pop(next_number)
                next_number += 1
                if isinstance(batch, Exhausted):
                    active.discard(worker)
                    continue
                if worker in active:
                    request(worker)
                    in_flight += 1
                yield batch
                continue
            result_token, number, batch = self._get()
            if isinstance(batch, WorkerFailure):
                batch.reraise()
            if result_token != token:
                continue
            in_flight -= 1
            ready[number] = batch

    def _get(self):
        """The next result from any worker; raises if it takes longer than `timeout` or a
        worker died."""
        waited = 0.0
        while True:
            interval = STATUS_CHECK_INTERVAL if not self.timeout else \
                min(STATUS_CHECK_INTERVAL, self.timeout - waited)
            try:
                return self.result_queue.get(timeout=interval)
            except queue.Empty:
                waited += interval
            dead = [w for w in self.workers if not w.is_alive()]
            if dead:
                codes = ", ".join(f"pid {w.pid} exit code {w.exitcode}" for w in dead)
                hint = ""
                if self.start_method == "fork" and any(w.exitcode == -signal.SIGTERM
                                                       for w in dead):
                    hint = ("; a forked worker that runs minigrad's multi-threaded (OpenMP) "
                            "kernels after the main process did is stopped this way, since "
                            "GNU OpenMP cannot continue after fork(): make samples with numpy "
                            "or small tensor ops, or pass multiprocessing_context='spawn' "
                            "(with the program's entry under `if __name__ == '__main__':`)")
                raise RuntimeError(f"DataLoader worker ({codes}) exited unexpectedly{hint}")
            if self.timeout and waited >= self.timeout:
                raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting "
                                   "for a batch from its workers")

    def shutdown(self, graceful=True):
        """Stop the workers: ask them to exit and wait a little (`graceful`), then terminate
        any still running (at once when not graceful: after an error or Ctrl-C their
        half-made batches are of no use)."""
        if self._closed:
            return
        self._closed = True
        for index_queue in self.index_queues:
            with contextlib.suppress(OSError, ValueError):  # a queue already closed
                index_queue.put(None)
        for worker in self.workers:
            if graceful:
                worker.join(timeout=JOIN_TIMEOUT)
            if worker.is_alive():
                worker.terminate()
            worker.join()
        for q in [*self.index_queues, self.result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        self.shutdown()
