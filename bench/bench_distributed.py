"""Data-parallel training on MPI: per-step compute and all-reduce time, and the all-reduce
bandwidth curve, at 1, 2 and 4 processes on this machine.

    python bench/bench_distributed.py            # prints the tables
    python bench/bench_distributed.py --write    # also writes bench/results/distributed.md

The script starts `mpiexec -n N python -m mpi4py bench/bench_distributed.py --worker ...` for
each N; every process gets cores / N threads. Each process trains on its own batch of the
stated size (weak scaling, as DistributedDataParallel is used), so the work per step grows
with N. For each model, steps alternate in blocks between synchronised steps and steps under
`no_sync()` (the same compute without communication); the difference is the communication
that backward did not hide. "all-reduce alone" is one all-reduce of all the gradients' bytes.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results", "distributed.md")
MODELS = {  # name: (model, in_channels, image size, per-process batch)
    "LeNet-5": ("lenet5", 1, 28, 64),
    "ResNet-18": ("resnet18", 3, 32, 16),
}
SIZES = [4 * 4 ** k for k in range(13)]  # 4 B to 64 MiB


def worker(steps):
    import numpy as np
    from mpi4py import MPI

    import minigrad
    import minigrad.distributed as dist
    from minigrad import nn, optim
    from minigrad.models import get_model
    from minigrad.nn.parallel import DistributedDataParallel

    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    comm = MPI.COMM_WORLD
    report = {"size": size, "models": {}, "allreduce": {}}
    for label, (name, channels, image, batch) in MODELS.items():
        minigrad.manual_seed(rank)
        model = DistributedDataParallel(get_model(name, num_classes=10, in_channels=channels))
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = minigrad.randn(batch, channels, image, image)
        y = minigrad.randint(0, 10, (batch,))

        def step():
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

        def local_step():
            with model.no_sync():
                step()

        times = {"step": [], "compute": []}
        for _ in range(2):  # warm-up: compile and allocate
            step(), local_step()
        for _ in range(steps):
            for key, fn in (("step", step), ("compute", local_step)):
                comm.Barrier()
                t0 = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - t0)
        grads = sum(p.numel() for p in model.parameters())
        buffer = np.zeros(grads, dtype=np.float32)
        alone = []
        for _ in range(max(3, steps)):
            comm.Barrier()
            t0 = time.perf_counter()
            comm.Allreduce(MPI.IN_PLACE, buffer, MPI.SUM)
            alone.append(time.perf_counter() - t0)
        # the slowest process decides a step: take each sample's maximum over the processes
        medians = {}
        for key, samples in {**times, "allreduce": alone}.items():
            slowest = np.array(samples)
            comm.Allreduce(MPI.IN_PLACE, slowest, MPI.MAX)
            medians[key] = float(np.median(slowest))
        report["models"][label] = {"batch": batch, "image": image, "params": grads,
                                   **{k: 1e3 * v for k, v in medians.items()}}
    for nbytes in SIZES:
        buffer = np.zeros(nbytes // 4, dtype=np.float32)
        reps = 30 if nbytes < 2 ** 20 else 8
        samples = []
        for _ in range(reps):
            comm.Barrier()
            t0 = time.perf_counter()
            comm.Allreduce(MPI.IN_PLACE, buffer, MPI.SUM)
            samples.append(time.perf_counter() - t0)
        report["allreduce"][nbytes] = statistics.median(samples)
    if rank == 0:
        print("RESULT " + json.dumps(report), flush=True)
    dist.destroy_process_group()


def run_world(n, steps):
    cores = os.cpu_count() or 1
    threads = str(max(1, cores // n))
    env = dict(os.environ, OMP_NUM_THREADS=threads, NUMBA_NUM_THREADS=threads,
               OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
               PYTHONPATH=os.path.dirname(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if not os.path.exists(mpiexec):
        mpiexec = "mpiexec"
    out = subprocess.run([mpiexec, "-n", str(n), sys.executable, "-m", "mpi4py",
                          os.path.abspath(__file__), "--worker", "--steps", str(steps)],
                         env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def tables(reports):
    lines = ["| model | processes | batch per process | step (ms) | compute (ms) | "
             "exposed communication (ms) | all-reduce alone (ms) | images/s in all |",
             "|---|---|---|---|---|---|---|---|"]
    for label in MODELS:
        for r in reports:
            m = r["models"][label]
            images_per_s = r["size"] * m["batch"] / m["step"] * 1e3
            lines.append(f"| {label} | {r['size']} | {m['batch']} | {m['step']:.1f} | "
                         f"{m['compute']:.1f} | {max(m['step'] - m['compute'], 0):.1f} | "
                         f"{m['allreduce']:.2f} | {images_per_s:,.0f} |")
    lines += ["", "| bytes | " + " | ".join(f"{r['size']} processes: time (us), bus GB/s"
                                          for r in reports if r["size"] > 1) + " |",
              "|---|" + "---|" * sum(r["size"] > 1 for r in reports)]
    for nbytes in SIZES:
        cells = []
        for r in reports:
            if r["size"] == 1:
                continue
            t = r["allreduce"][str(nbytes)]
            bus = 2 * (r["size"] - 1) / r["size"] * nbytes / t / 1e9
            cells.append(f"{t * 1e6:,.1f} us, {bus:.2f}")
        lines.append(f"| {nbytes:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


BACKWARD_SHARE = 2 / 3  # of a step's compute: backward, which the all-reduce can overlap
LINK_LATENCY = 20e-6  # seconds per message on a network link (each ring step sends one)


def scaling_model(reports, bandwidths_gbs, sizes=(2, 4, 8, 16, 64)):
    """Predicted speed-up on N machines (one process each, the same per-process batch) from
    the measured one-process compute time and the gradient bytes: a ring all-reduce moves
    2 (N - 1) / N x bytes over each link in 2 (N - 1) messages, and what backward cannot hide
    is exposed."""
    single = next(r for r in reports if r["size"] == 1)
    lines = ["| model | link | " + " | ".join(f"N = {n}" for n in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    for label in MODELS:
        m = single["models"][label]
        compute = m["compute"] / 1e3
        nbytes = 4 * m["params"]
        for gbs in bandwidths_gbs:
            cells = []
            for n in sizes:
                ring = 2 * (n - 1) * (LINK_LATENCY + nbytes / n / (gbs * 1e9))
                exposed = max(ring - BACKWARD_SHARE * compute, 0.0)
                cells.append(f"{n * compute / (compute + exposed):.1f}x")
            lines.append(f"| {label} ({nbytes / 1e6:.1f} MB of gradients, {compute * 1e3:.0f} ms"
                         f" compute) | {gbs:g} GB/s | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.steps)
        return
    load = os.getloadavg()[0]
    reports = [run_world(n, args.steps) for n in args.procs]
    text = tables(reports)
    if any(r["size"] == 1 for r in reports):
        text += ("\n\nPredicted speed-up on N machines, each process training on its own batch "
                 "as measured here, for a network link of the given bandwidth (ring all-reduce, "
                 "overlapped with backward, 20 us per message):\n\n"
                 + scaling_model(reports, [1.25, 12.5]))
    print(text)
    if args.write:
        sys.path.insert(0, HERE)
        from _common import _cpu_model
        header = (f"# Data-parallel training on MPI\n\nMeasured with `python "
                  f"bench/bench_distributed.py --write` on {_cpu_model()} "
                  f"({os.cpu_count()} cores); load average {load:.2f} at the start, "
                  f"{os.getloadavg()[0]:.2f} at the end. Medians of {args.steps} steps per "
                  "mode after two warm-up steps; each sample is the slowest process's.\n\n")
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "w") as f:
            f.write(header + text + "\n")


if __name__ == "__main__":
    main()
