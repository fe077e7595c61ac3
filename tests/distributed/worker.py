"""Checks run inside every process of an MPI job (started by tests/test_distributed.py).

    mpiexec -n N python -m mpi4py tests/distributed/worker.py SCENARIO [SCENARIO ...]

Each scenario asserts on every rank; a failing assertion ends the whole job with a non-zero
status (`python -m mpi4py` aborts the job on an unhandled exception). Rank 0 prints one
"ok SCENARIO" line per scenario that passed.
"""
import os
import sys
import tempfile

import numpy as np

import minigrad
import minigrad.distributed as dist
from minigrad import nn, optim
from minigrad.data import DistributedSampler
from minigrad.nn.parallel import DistributedDataParallel as DDP

RANK = SIZE = None


def small_cnn(dtype, seed, batch_norm=False):
    minigrad.manual_seed(seed)
    layers = [nn.Conv2d(1, 4, 3, padding=1)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(4))
    layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)]
    return nn.Sequential(*layers).to(dtype=dtype)


def global_batch(step, dtype, per_rank=4):
    """The whole batch of one step (the same on every rank); rank r trains on its r-th
    shard."""
    rng = np.random.default_rng(1000 + step)
    x = rng.standard_normal((per_rank * SIZE, 1, 8, 8))
    y = rng.integers(0, 3, per_rank * SIZE)
    return minigrad.tensor(x, dtype=dtype), minigrad.tensor(y)


def shard(t):
    n = t.shape[0] // SIZE
    return t[RANK * n:(RANK + 1) * n]


def state_arrays(module):
    return {k: v.numpy() for k, v in module.state_dict().items()}


def assert_replicas_equal(module, what):
    """Every rank holds bitwise the same parameters and buffers as rank 0."""
    mine = state_arrays(module)
    theirs = [mine if RANK == 0 else None]
    dist.broadcast_object_list(theirs, src=0)
    for key, value in mine.items():
        assert np.array_equal(value, theirs[0][key]), f"{what}: {key} differs from rank 0"


def scenario_world():
    assert dist.is_initialized() and dist.get_world_size() == SIZE
    assert int(os.environ.get("EXPECTED_WORLD", SIZE)) == SIZE
    ranks = [None] * SIZE
    dist.all_gather_object(ranks, dist.get_rank())
    assert ranks == list(range(SIZE))


def scenario_collectives():
    t = minigrad.tensor([RANK + 1.0, 2.0 * RANK], dtype=minigrad.float64)
    dist.all_reduce(t)
    total = SIZE * (SIZE + 1) / 2
    assert t.tolist() == [total, float(SIZE * (SIZE - 1))]
    t = minigrad.tensor([float(RANK)])
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    assert t.tolist() == [(SIZE - 1) / 2]
    for op, expected in ((dist.ReduceOp.MAX, SIZE - 1), (dist.ReduceOp.MIN, 0)):
        t = minigrad.tensor([RANK])
        dist.all_reduce(t, op=op)
        assert t.item() == expected
    t = minigrad.tensor([RANK * 10 + 1])
    work = dist.broadcast(t, src=SIZE - 1, async_op=True)
    work.wait()
    assert t.item() == (SIZE - 1) * 10 + 1
    out = [minigrad.zeros(2) for _ in range(SIZE)]
    dist.all_gather(out, minigrad.full((2,), float(RANK)))
    assert [o.tolist() for o in out] == [[float(r)] * 2 for r in range(SIZE)]
    o = minigrad.zeros(2)
    dist.reduce_scatter(o, [minigrad.full((2,), float(RANK + k)) for k in range(SIZE)])
    assert o.tolist() == [float(sum(r + RANK for r in range(SIZE)))] * 2
    objs = [{"rank": RANK}, "x"] if RANK == 0 else [None, None]
    dist.broadcast_object_list(objs, src=0)
    assert objs == [{"rank": 0}, "x"]
    dist.barrier()


def scenario_construction():
    """Different seeds per rank: DDP's construction makes the replicas equal to rank 0's."""
    model = small_cnn(minigrad.float32, seed=RANK, batch_norm=True)
    reference = small_cnn(minigrad.float32, seed=0, batch_norm=True)
    ddp = DDP(model)
    assert_replicas_equal(ddp.module, "after construction")
    for key, value in state_arrays(reference).items():
        assert np.array_equal(state_arrays(ddp.module)[key], value), key


def train_ddp_and_single(dtype, make_optimizer, steps=3, batch_norm=False, tolerance=0.0):
    """DDP on shards against one process on the whole batch: the same parameters after
    `steps` steps, within `tolerance`; and the replicas bitwise equal."""
    ddp = DDP(small_cnn(dtype, seed=RANK, batch_norm=batch_norm))
    single = small_cnn(dtype, seed=0, batch_norm=batch_norm)
    opt_ddp, opt_single = make_optimizer(ddp.parameters()), make_optimizer(single.parameters())
    for step in range(steps):
        x, y = global_batch(step, dtype)
        for model, opt, (inp, target) in ((ddp, opt_ddp, (shard(x), shard(y))),
                                          (single, opt_single, (x, y))):
            opt.zero_grad()
            nn.functional.cross_entropy(model(inp), target).backward()
            opt.step()
    assert_replicas_equal(ddp.module, "after training")
    got, want = state_arrays(ddp.module), state_arrays(single)
    for key in want:
        if key.endswith("num_batches_tracked") or "running" in key:
            continue  # DDP keeps rank 0's batch statistics of its shard, as PyTorch does
        err = np.max(np.abs(got[key] - want[key]))
        assert err <= tolerance, f"{key}: DDP differs from one process by {err}"


def scenario_equivalence():
    sgd = lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9)  # noqa: E731
    adam = lambda ps: optim.Adam(ps, lr=0.01)  # noqa: E731
    train_ddp_and_single(minigrad.float64, sgd, tolerance=1e-12)
    train_ddp_and_single(minigrad.float64, adam, tolerance=1e-12)
    train_ddp_and_single(minigrad.float32, sgd, tolerance=1e-5)
    train_ddp_and_single(minigrad.float32, adam, tolerance=1e-5)


def scenario_no_sync():
    """Two micro-batches, the first under no_sync, equal one step on both together."""
    dtype = minigrad.float64
    ddp = DDP(small_cnn(dtype, seed=RANK), bucket_cap_mb=0.0005)  # several small buckets
    single = small_cnn(dtype, seed=0)
    assert len(ddp._reducer.buckets) > 1
    x, y = global_batch(0, dtype, per_rank=4)
    xs, ys = shard(x), shard(y)
    with ddp.no_sync():
        (nn.functional.cross_entropy(ddp(xs[:2]), ys[:2]) / 2).backward()
    (nn.functional.cross_entropy(ddp(xs[2:]), ys[2:]) / 2).backward()
    nn.functional.cross_entropy(single(x), y).backward()
    for (name, p), q in zip(ddp.module.named_parameters(), single.parameters()):
        err = np.max(np.abs(p.grad.numpy() - q.grad.numpy()))
        assert err < 1e-12, f"no_sync: {name} gradient differs by {err}"


def scenario_unused():
    """find_unused_parameters: a branch no process uses keeps .grad None and nothing hangs."""
    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.used, self.unused = nn.Linear(3, 3), nn.Linear(3, 1), nn.Linear(3, 1)

        def forward(self, x):
            return self.used(self.body(x))

    minigrad.manual_seed(0)
    ddp = DDP(TwoHeads(), find_unused_parameters=True)
    for _ in range(2):
        ddp.zero_grad()
        ddp(minigrad.randn(2, 3)).sum().backward()
    assert ddp.module.unused.weight.grad is None
    assert ddp.module.used.weight.grad is not None
    assert_replicas_equal(ddp.module, "unused")


def scenario_sync_batchnorm():
    """SyncBatchNorm on shards equals BatchNorm on the whole batch: output, gradients, stats."""
    dtype = minigrad.float64
    minigrad.manual_seed(0)
    bn = nn.BatchNorm2d(3).to(dtype=dtype)
    sync = nn.SyncBatchNorm.convert_sync_batchnorm(
        nn.Sequential(nn.BatchNorm2d(3).to(dtype=dtype)))[0]
    assert isinstance(sync, nn.SyncBatchNorm)
    rng = np.random.default_rng(5)
    x = minigrad.tensor(rng.standard_normal((2 * SIZE, 3, 4, 4)), dtype=dtype,
                        requires_grad=True)
    w = minigrad.tensor(rng.standard_normal((2 * SIZE, 3, 4, 4)), dtype=dtype)
    whole = bn(x)
    (whole * w).sum().backward()
    xs = shard(x.detach()).clone().requires_grad_()
    out = sync(xs)
    assert np.allclose(out.detach().numpy(), shard(whole.detach()).numpy(), atol=1e-12)
    (out * shard(w)).sum().backward()
    assert np.allclose(xs.grad.numpy(), shard(x.grad).numpy(), atol=1e-10)
    total = minigrad.tensor(sync.weight.grad.numpy())
    dist.all_reduce(total)
    assert np.allclose(total.numpy(), bn.weight.grad.numpy(), atol=1e-10)
    assert np.allclose(sync.running_mean.numpy(), bn.running_mean.numpy(), atol=1e-12)
    assert np.allclose(sync.running_var.numpy(), bn.running_var.numpy(), atol=1e-12)


def scenario_sampler():
    dataset = list(range(23))
    for drop_last in (False, True):
        sampler = DistributedSampler(dataset, shuffle=True, seed=3, drop_last=drop_last)
        orders = []
        for epoch in range(2):
            sampler.set_epoch(epoch)
            mine = list(sampler)
            everyone = [None] * SIZE
            dist.all_gather_object(everyone, mine)
            assert len({len(s) for s in everyone}) == 1, "shards of unequal length"
            flat = [i for s in everyone for i in s]
            if drop_last:
                assert len(set(flat)) == len(flat), "shards overlap"
            else:
                assert set(flat) == set(dataset), "shards do not cover the dataset"
            orders.append(mine)
        assert orders[0] != orders[1], "the order did not change between epochs"


def scenario_checkpoint():
    """Saved on rank 0, loaded by all: training resumes exactly as if never stopped."""
    dtype = minigrad.float32
    path = [os.path.join(tempfile.mkdtemp(), "ddp.mg") if RANK == 0 else None]
    dist.broadcast_object_list(path, src=0)
    path = path[0]

    def run(steps, start=0, resume=False):
        ddp = DDP(small_cnn(dtype, seed=7))
        opt = optim.Adam(ddp.parameters(), lr=0.01)
        if resume:
            state = minigrad.load(path)
            ddp.module.load_state_dict(state["model"])
            opt.load_state_dict(state["optimizer"])
        for step in range(start, start + steps):
            x, y = global_batch(step, dtype)
            opt.zero_grad()
            nn.functional.cross_entropy(ddp(shard(x)), shard(y)).backward()
            opt.step()
        return ddp, opt

    straight, _ = run(4)
    first, opt = run(2)
    if RANK == 0:
        minigrad.save({"model": first.module.state_dict(), "optimizer": opt.state_dict()}, path)
    dist.barrier()
    resumed, _ = run(2, start=2, resume=True)
    for key, value in state_arrays(straight.module).items():
        assert np.array_equal(state_arrays(resumed.module)[key], value), key


def scenario_fail():
    """Rank 1 raises: `python -m mpi4py` must end the whole job (rank 0 waits forever)."""
    if RANK == 1:
        raise RuntimeError("deliberate failure on rank 1")
    dist.barrier()


def scenario_timeout():
    """Rank 1 never joins the collective: rank 0's timeout turns the hang into an error."""
    if RANK == 0:
        try:
            dist.all_reduce(minigrad.ones(1))
        except dist.DistributedTimeoutError:
            print("timed out as expected", flush=True)
            raise
    else:
        import time
        time.sleep(60)


def main(names):
    global RANK, SIZE
    timeout = 3 if "timeout" in names else None
    dist.init_process_group("mpi", timeout=timeout)
    RANK, SIZE = dist.get_rank(), dist.get_world_size()
    for name in names:
        globals()[f"scenario_{name}"]()
        if name not in ("fail", "timeout"):
            dist.barrier()
        if RANK == 0:
            print(f"ok {name}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1:])
