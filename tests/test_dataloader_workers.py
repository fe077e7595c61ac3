"""DataLoader with PyTorch's arguments: samplers, batch samplers, collate_fn, batch_size=None,
real worker processes (seeding, worker_init_fn, persistent workers, prefetching, timeouts,
errors, Ctrl-C), compared with torch.utils.data.DataLoader where both are defined."""
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import (BatchSampler, DataLoader, Dataset, SequentialSampler,
                                 SubsetRandomSampler, TensorDataset, get_worker_info)

torch_data = pytest.importorskip("torch.utils.data")


class Pairs(Dataset):
    """Sample i: (numpy float32 row [i, 2i], int label i % 3) - no get_batch."""

    def __init__(self, n=10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, 2 * i], dtype=np.float32), int(i) % 3


class WhoMadeMe(Dataset):
    """Sample i: [i, worker id, worker seed, pid, a draw from minigrad's generator]."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return [int(i), info.id if info else -1, info.seed if info else -1, os.getpid(),
                float(minigrad.rand(1).item())]


def _as_lists(batch):
    return [field.tolist() if hasattr(field, "tolist") else field for field in batch]


def _same_batches(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert type(a) is type(b) is list
        assert _as_lists(a) == _as_lists(b)


@pytest.mark.parametrize("kwargs", [
    {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
    {"batch_size": 4, "sampler": SequentialSampler(range(10))},
    {"batch_size": 2, "sampler": [9, 0, 4, 4, 1]},
    {"batch_sampler": BatchSampler(range(10), 4, False)},
    {"batch_sampler": [[3, 1], [0], [9, 8, 7]]},
    {"batch_size": 3, "collate_fn": lambda samples: [s[1] for s in samples]},
])
@pytest.mark.parametrize("num_workers", [0, 2])
def test_batches_match_torch(kwargs, num_workers):
    ours = DataLoader(Pairs(), num_workers=num_workers, **kwargs)
    theirs = torch_data.DataLoader(Pairs(), **kwargs)
    assert len(ours) == len(theirs)
    if "collate_fn" in kwargs:
        assert list(ours) == list(theirs)
    else:
        _same_batches(ours, theirs)


@pytest.mark.parametrize("num_workers", [0, 2])
def test_batch_size_none_yields_single_samples_like_torch(num_workers):
    ours = list(DataLoader(Pairs(4), batch_size=None, num_workers=num_workers))
    theirs = list(torch_data.DataLoader(Pairs(4), batch_size=None))
    assert len(ours) == len(theirs) == 4
    for (x, y), (tx, ty) in zip(ours, theirs):
        assert isinstance(x, minigrad.Tensor) and x.tolist() == tx.tolist() and y == ty


def test_tensor_dataset_batches_are_lists():
    ds = TensorDataset(minigrad.arange(6).float(), minigrad.arange(6))
    batch = next(iter(DataLoader(ds, batch_size=4)))
    assert isinstance(batch, list) and batch[1].tolist() == [0, 1, 2, 3]


def test_argument_errors_match_torch():
    cases = [({"sampler": [0, 1], "shuffle": True}, "mutually exclusive"),
             ({"batch_sampler": [[0]], "batch_size": 2}, "mutually exclusive"),
             ({"batch_sampler": [[0]], "drop_last": True}, "mutually exclusive"),
             ({"batch_size": None, "drop_last": True}, "mutually exclusive"),
             ({"num_workers": -1}, "num_workers"),
             ({"timeout": -1}, "timeout"),
             ({"prefetch_factor": 2}, "prefetch_factor"),
             ({"persistent_workers": True}, "persistent_workers")]
    for kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            torch_data.DataLoader(Pairs(), **kwargs)
        with pytest.raises(ValueError, match=match):
            DataLoader(Pairs(), **kwargs)
    DataLoader(Pairs(), pin_memory=True, pin_memory_device="")  # accepted, no effect


def test_workers_give_the_same_batches_as_the_main_process():
    main = DataLoader(Pairs(23), batch_size=4, shuffle=True, seed=5)
    workers = DataLoader(Pairs(23), batch_size=4, shuffle=True, seed=5, num_workers=3,
                         prefetch_factor=1)
    for _ in range(2):  # two epochs: a new order each, the same in both loaders
        _same_batches(workers, main)


def test_each_worker_is_seeded_with_base_seed_plus_its_id():
    loader = DataLoader(WhoMadeMe(), batch_size=2, num_workers=2, seed=11)
    rows = [row for batch in loader for row in zip(*_as_lists(batch))]
    base = loader.worker_base_seed(0)
    assert {(worker, seed) for _, worker, seed, _, _ in rows} == {(0, base), (1, base + 1)}
    assert len({pid for *_, pid, _ in rows} - {os.getpid()}) == 2  # two other processes
    # batches go round-robin: 0, 1, 0, 1
    assert [worker for _, worker, *_ in rows] == [0, 0, 1, 1, 0, 0, 1, 1]
    again = [row for batch in DataLoader(WhoMadeMe(), batch_size=2, num_workers=2, seed=11)
             for row in zip(*_as_lists(batch))]
    assert [r[4] for r in again] == [r[4] for r in rows]  # the same draws run to run
    minigrad.manual_seed(int(base))
    first = float(minigrad.rand(1).item())
    assert rows[0][4] == pytest.approx(first)  # worker 0 drew from seed base + 0


def test_worker_init_fn_runs_in_each_worker_after_seeding():
    ds = WhoMadeMe()

    def init(worker_id):
        info = get_worker_info()
        assert info.id == worker_id and info.num_workers == 2 and info.dataset is not None
        minigrad.manual_seed(1000 + worker_id)
    rows = [row for batch in DataLoader(ds, batch_size=4, num_workers=2, worker_init_fn=init)
            for row in zip(*_as_lists(batch))]
    minigrad.manual_seed(1001)
    assert rows[4][4] == pytest.approx(float(minigrad.rand(1).item()))
    assert get_worker_info() is None  # in the main process


def test_persistent_workers_survive_epochs_and_others_do_not():
    def pids(loader):
        return {row[3] for batch in loader for row in zip(*_as_lists(batch))}
    persistent = DataLoader(WhoMadeMe(), batch_size=2, num_workers=2, persistent_workers=True)
    first = pids(persistent)
    for batch in persistent:
        break  # an abandoned epoch leaves the workers running
    assert pids(persistent) == first
    processes = persistent._pool.workers
    del persistent
    for process in processes:
        process.join(timeout=10)
        assert not process.is_alive()
    plain = DataLoader(WhoMadeMe(), batch_size=2, num_workers=2)
    assert pids(plain).isdisjoint(pids(plain))


class Broken(Pairs):
    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"sample {i} is missing")
        return super().__getitem__(i)


def test_a_worker_error_is_raised_with_its_traceback():
    loader = DataLoader(Broken(), batch_size=2, num_workers=2)
    with pytest.raises(KeyError) as info:
        list(loader)
    text = str(info.value)
    assert "in DataLoader worker process 0" in text and "sample 5 is missing" in text
    assert "__getitem__" in text  # the worker's traceback
    assert list(DataLoader(Pairs(3), batch_size=2, num_workers=2))  # the next loader works


def test_a_failing_worker_init_fn_is_reported():
    def init(worker_id):
        raise ValueError("cannot open the shard")
    with pytest.raises(ValueError, match="(?s)worker_init_fn.*cannot open the shard"):
        list(DataLoader(Pairs(), num_workers=1, worker_init_fn=init))


class Slow(Pairs):
    def __getitem__(self, i):
        time.sleep(1)
        return super().__getitem__(i)


def test_timeout_bounds_the_wait_for_a_batch():
    with pytest.raises(RuntimeError, match="timed out after 0.2 seconds"):
        list(DataLoader(Slow(2), num_workers=1, timeout=0.2))


def test_ctrl_c_while_waiting_for_a_batch_stops_the_workers():
    loader = DataLoader(Slow(8), batch_size=2, num_workers=2, persistent_workers=True)
    iterator = iter(loader)
    processes = list(loader._pool.workers)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))  # what Ctrl-C sends
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        list(iterator)
    timer.join()
    assert loader._pool is None
    for process in processes:
        process.join(timeout=10)
        assert not process.is_alive()


CTRL_C_PROGRAM = """
import os, sys, time
import numpy as np
from minigrad.utils.data import DataLoader, Dataset

class Rows(Dataset):
    def __len__(self):
        return 1000
    def __getitem__(self, i):
        time.sleep(0.01)
        return np.float32(i)

if __name__ == "__main__":
    loader = DataLoader(Rows(), batch_size=4, num_workers=2, persistent_workers=True)
    for i, batch in enumerate(loader):
        if i == 0:
            print(" ".join(str(w.pid) for w in loader._pool.workers), flush=True)
        time.sleep(0.05)
"""


def test_ctrl_c_in_a_training_program_leaves_no_workers_and_one_traceback(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(CTRL_C_PROGRAM)
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    program = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    worker_pids = [int(pid) for pid in program.stdout.readline().split()]
    assert len(worker_pids) == 2
    program.send_signal(signal.SIGINT)
    _, errors = program.communicate(timeout=60)
    assert program.returncode != 0
    assert errors.count("Traceback") == 1 and "KeyboardInterrupt" in errors
    deadline = time.time() + 10
    alive = set(worker_pids)
    while alive and time.time() < deadline:
        for pid in list(alive):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                alive.discard(pid)
        time.sleep(0.1)
    assert not alive


def test_resuming_mid_epoch_with_workers():
    loader = DataLoader(Pairs(20), batch_size=3, shuffle=True, seed=4, num_workers=2)
    iterator = iter(loader)
    seen = [next(iterator) for _ in range(3)]
    state = loader.state_dict()
    rest = [_as_lists(b) for b in iterator]
    fresh = DataLoader(Pairs(20), batch_size=3, shuffle=True, num_workers=2)
    fresh.load_state_dict(state)
    assert [_as_lists(b) for b in fresh] == rest
    assert len(seen) + len(rest) == len(loader)


def test_custom_sampler_resumes_by_skipping_its_batches():
    loader = DataLoader(Pairs(10), batch_size=2, sampler=list(range(9, -1, -1)))
    iterator = iter(loader)
    next(iterator)
    fresh = DataLoader(Pairs(10), batch_size=2, sampler=list(range(9, -1, -1)))
    fresh.load_state_dict(loader.state_dict())
    assert [b[0].tolist() for b in fresh] == [b[0].tolist() for b in iterator]


def test_generator_fixes_the_shuffle():
    def order(seed):
        g = minigrad.Generator().manual_seed(seed)
        return [b[1].tolist() for b in DataLoader(Pairs(12), batch_size=12, shuffle=True,
                                                   generator=g)]
    assert order(1) == order(1) != order(2)
    g = minigrad.Generator().manual_seed(3)
    sampled = [b[0][:, 0].tolist() for b in DataLoader(
        Pairs(12), batch_size=3, sampler=SubsetRandomSampler([1, 5, 7], generator=g))]
    assert sorted(v for batch in sampled for v in batch) == [1.0, 5.0, 7.0]


def test_spawned_workers_get_a_pickled_dataset():
    ds = TensorDataset(minigrad.arange(6).float(), minigrad.arange(6))
    loader = DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn",
                        timeout=120)
    assert [b[1].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5]]


# ---- iterable-style datasets -----------------------------------------------------------------

class Stream(minigrad.utils.data.IterableDataset):
    """Yields [i, i * 10] for i in range(start, stop), split between the loader's workers."""

    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        info = get_worker_info()
        step = 1 if info is None else info.num_workers
        first = self.start if info is None else self.start + info.id
        for i in range(first, self.stop, step):
            yield np.array([i, i * 10], dtype=np.int64)


class TorchStream(torch_data.IterableDataset):
    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        info = torch_data.get_worker_info()
        step = 1 if info is None else info.num_workers
        first = self.start if info is None else self.start + info.id
        for i in range(first, self.stop, step):
            yield np.array([i, i * 10], dtype=np.int64)


@pytest.mark.parametrize("num_workers", [0, 1, 2])
@pytest.mark.parametrize("kwargs", [{"batch_size": 4}, {"batch_size": 4, "drop_last": True},
                                    {"batch_size": None}, {"batch_size": 3}])
def test_iterable_dataset_batches_match_torch(num_workers, kwargs):
    ours = [b.tolist() for b in DataLoader(Stream(0, 11), num_workers=num_workers, **kwargs)]
    theirs = [b.tolist() for b in torch_data.DataLoader(TorchStream(0, 11),
                                                        num_workers=num_workers, **kwargs)]
    assert ours == theirs


def test_iterable_dataset_rules_match_torch():
    with pytest.raises(ValueError, match="shuffle"):
        torch_data.DataLoader(TorchStream(0, 3), shuffle=True)
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(0, 3), shuffle=True)
    with pytest.raises(ValueError, match="sampler"):
        DataLoader(Stream(0, 3), sampler=[0, 1])
    with pytest.raises(TypeError):
        len(DataLoader(Stream(0, 3)))
    with pytest.raises(TypeError, match="iterate"):
        Stream(0, 3)[0]
    chained = Stream(0, 2) + Stream(5, 7)
    assert [int(x[0]) for x in chained] == [0, 1, 5, 6]


def test_iterable_dataset_resumes_and_stops_workers():
    loader = DataLoader(Stream(0, 20), batch_size=3, num_workers=2, persistent_workers=True)
    iterator = iter(loader)
    next(iterator)
    state = loader.state_dict()
    rest = [b.tolist() for b in iterator]
    fresh = DataLoader(Stream(0, 20), batch_size=3, num_workers=2)
    fresh.load_state_dict(state)
    assert [b.tolist() for b in fresh] == rest
    processes = loader._pool.workers
    del loader, iterator
    for process in processes:
        process.join(timeout=10)
        assert not process.is_alive()


class PooledMaps(Dataset):
    """Samples made with a multi-threaded kernel (max pooling of a large batch)."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        with minigrad.no_grad():
            return minigrad.nn.functional.max_pool2d(minigrad.randn(32, 8, 64, 64), 2)[0, 0]


def test_forked_workers_running_openmp_kernels_fail_with_a_hint():
    numba = pytest.importorskip("numba")
    PooledMaps()[0]  # the main process starts its thread pool
    loader = DataLoader(PooledMaps(), batch_size=2, num_workers=1, timeout=60,
                        multiprocessing_context="fork")
    if numba.threading_layer() != "omp":
        assert tuple(next(iter(loader)).shape) == (2, 32, 32)
        return
    with pytest.raises(RuntimeError, match="(?s)exited unexpectedly.*OpenMP.*spawn"):
        list(loader)


def test_loader_sampler_is_always_there_like_torch():
    ours = DataLoader(Pairs(7), batch_size=3)
    theirs = torch_data.DataLoader(Pairs(7), batch_size=3)
    assert len(ours.sampler) == len(theirs.sampler) == 7
    assert list(ours.sampler) == list(theirs.sampler)
    shuffled = DataLoader(Pairs(7), batch_size=7, shuffle=True, seed=2)
    upcoming = list(shuffled.sampler)
    assert sorted(upcoming) == list(range(7))
    assert next(iter(shuffled))[1].tolist() == [i % 3 for i in upcoming]
    custom = SubsetRandomSampler([1, 2])
    assert DataLoader(Pairs(7), sampler=custom).sampler is custom
