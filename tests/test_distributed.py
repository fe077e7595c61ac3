"""Data-parallel training on MPI: each test starts an `mpiexec` job running
tests/distributed/worker.py (one thread per rank, a time limit) and checks its exit status.
Skipped where mpi4py or mpiexec is missing."""
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from minigrad.data import DistributedSampler

WORKER = os.path.join(os.path.dirname(__file__), "distributed", "worker.py")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _mpiexec():
    pytest.importorskip("mpi4py")
    found = shutil.which("mpiexec") or shutil.which(
        "mpiexec", path=os.path.dirname(sys.executable))
    if found is None:
        pytest.skip("mpiexec is not installed")
    return found


def run_job(n, *scenarios, timeout=240):
    """(exit status, stdout + stderr, seconds) of `mpiexec -n n` running the scenarios."""
    env = dict(os.environ, OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", EXPECTED_WORLD=str(n),
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.monotonic()
    proc = subprocess.run([_mpiexec(), "-n", str(n), sys.executable, "-m", "mpi4py", WORKER,
                           *scenarios], env=env, capture_output=True, text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started


ALL = ("world", "collectives", "construction", "equivalence", "no_sync", "unused",
       "sync_batchnorm", "sampler", "checkpoint")


def test_two_processes():
    code, out, _ = run_job(2, *ALL)
    assert code == 0, out
    for name in ALL:
        assert f"ok {name}" in out, out


def test_four_processes():
    code, out, _ = run_job(4, "world", "collectives", "construction", "equivalence",
                           "sync_batchnorm", "sampler")
    assert code == 0, out


def test_one_process_world_without_mpiexec():
    pytest.importorskip("mpi4py")
    env = dict(os.environ, OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1", EXPECTED_WORLD="1",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, WORKER, "world", "collectives", "equivalence",
                           "sampler"], env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_an_exception_on_one_rank_ends_the_job_quickly():
    code, out, seconds = run_job(2, "fail", timeout=60)
    assert code != 0
    assert "deliberate failure on rank 1" in out
    assert seconds < 30, f"the job took {seconds:.0f} s to end"


def test_a_collective_timeout_turns_a_hang_into_an_error():
    code, out, seconds = run_job(2, "timeout", timeout=60)
    assert code != 0
    assert "timed out as expected" in out and "DistributedTimeoutError" in out, out
    assert seconds < 30


class TestDistributedSampler:
    """PyTorch's shard rule, checked without MPI (explicit num_replicas and rank)."""

    @pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True),
                                                         (9, 3, False), (2, 4, False),
                                                         (0, 2, False), (7, 2, True)])
    def test_unshuffled_shards_match_torch(self, n, replicas, drop_last):
        torch_data = pytest.importorskip("torch.utils.data")
        for rank in range(replicas):
            ours = DistributedSampler(range(n), replicas, rank, shuffle=False,
                                      drop_last=drop_last)
            theirs = torch_data.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                                   drop_last=drop_last)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)

    def test_shuffled_shards_are_disjoint_covering_and_reshuffled(self):
        shards = [DistributedSampler(range(20), 4, r, seed=1) for r in range(4)]
        first = [list(s) for s in shards]
        assert sorted(i for s in first for i in s) == list(range(20))
        for s in shards:
            s.set_epoch(1)
        assert [list(s) for s in shards] != first
        assert np.all([len(s) == 5 for s in shards])

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Invalid rank"):
            DistributedSampler(range(4), num_replicas=2, rank=2)
        with pytest.raises(ValueError, match="num_replicas"):
            DistributedSampler(range(4), num_replicas=0, rank=0)
        with pytest.raises(TypeError, match="rank"):
            DistributedSampler(range(4), num_replicas=2, rank="0")


def test_process_group_functions_need_a_group():
    import minigrad.distributed as dist
    assert not dist.is_initialized()
    for fn in (dist.get_rank, dist.get_world_size, dist.barrier):
        with pytest.raises(ValueError, match="init_process_group"):
            fn()
    with pytest.raises(ValueError, match="backend"):
        dist.init_process_group("nccl")


TRAIN = os.path.join(ROOT, "examples", "train.py")


def run_train(n, *args):
    env = dict(os.environ, OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([_mpiexec(), "-n", str(n), sys.executable, "-m", "mpi4py", TRAIN,
                           "--dataset", "xo", "--train-size", "96", "--test-size", "32",
                           "--quiet", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_train_example_on_two_processes_resumes_exactly(tmp_path):
    import minigrad
    straight, first = str(tmp_path / "straight.mg"), str(tmp_path / "resumed.mg")
    code, out = run_train(2, "--epochs", "2", "--checkpoint", straight)
    assert code == 0, out
    assert "x 2 processes" in out and out.count("epoch   2/2") == 1  # rank 0 alone prints
    code, out = run_train(2, "--epochs", "1", "--checkpoint", first)
    assert code == 0, out
    code, out = run_train(2, "--epochs", "2", "--checkpoint", first, "--resume")
    assert code == 0, out
    a, b = minigrad.load(straight), minigrad.load(first)
    assert a["settings"]["processes"] == 2
    for key, value in a["model"].items():
        assert np.array_equal(value.numpy(), b["model"][key].numpy()), key
    assert a["history"][-1]["train_loss"] == b["history"][-1]["train_loss"]
    code, out = run_train(1, "--epochs", "3", "--checkpoint", first, "--resume")
    assert code == 2 and "2 processes" in out
