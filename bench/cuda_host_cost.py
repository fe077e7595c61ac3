"""Host cost of the cuda backend: Python time per op with every kernel launch stubbed out.

Runs anywhere (no GPU needed): numba's CUDA simulator provides the device arrays (numpy arrays
under the hood, from minigrad's caching allocator), and every kernel launch
`kernel[grid, block](*args)` is replaced by a stub that only counts the launch, so what is
timed is minigrad's own Python around the launches: argument checks, dtype promotion, autograd
bookkeeping, strides and launch sizes, allocations. numba-cuda's own launch cost on a real GPU
(typing the arguments, packing them, the driver call) comes on top and is not measured here.
The values the stubbed kernels would compute are never computed; nothing reads them.

Times are CPU time of this process (`time.process_time`), the least of several rounds, so
that other processes on a loaded machine change them little; compare figures within one run.

    python bench/cuda_host_cost.py                 # per-op host cost and launches per step
    python bench/cuda_host_cost.py --profile lenet5  # cProfile of one LeNet-5 step
    python bench/cuda_host_cost.py --write         # ... recorded in bench/results/
"""
import argparse
import cProfile
import collections
import io
import os
import pstats
import sys
import time

os.environ["NUMBA_ENABLE_CUDASIM"] = "1"  # before numba is first imported

from numba.cuda.simulator.kernel import FakeCUDAKernel  # noqa: E402

import minigrad  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import models, nn, optim  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import write_results  # noqa: E402
from _training import LEARNING_RATE, MOMENTUM  # noqa: E402


class LaunchStub:
    """Replaces the simulator's kernel launch with a counter while installed (everything this
    script runs, model set-up and random inputs included, is run with it installed: the
    simulator would take minutes per random draw)."""

    def __init__(self):
        self.counts = collections.Counter()
        self._original = FakeCUDAKernel.__getitem__

    def __enter__(self):
        counts = self.counts

        def configure(kernel, configuration):
            name = f"{kernel.fn.__module__.rsplit('.', 1)[-1]}.{kernel.fn.__name__}"
            return lambda *args: counts.update((name,))

        FakeCUDAKernel.__getitem__ = configure
        return self

    def __exit__(self, *exc):
        FakeCUDAKernel.__getitem__ = self._original

    def total(self):
        return sum(self.counts.values())


STUB = LaunchStub()


def cpu_time_per_call(fn, calls, rounds=5):
    """The least, over `rounds`, process CPU time of one call of fn, in microseconds (the least
    is the least disturbed by other processes)."""
    fn()  # warm: caches, allocator pool
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            fn()
        samples.append((time.process_time() - start) / calls * 1e6)
    return min(samples)


def _lenet5_step(batch=128):
    model = models.lenet5().to("cuda")
    return _training_step(model, batch, (1, 28, 28))


def _resnet18_step(batch=32):
    model = models.resnet18(num_classes=10).to("cuda")
    return _training_step(model, batch, (3, 32, 32))


def _training_step(model, batch, image_shape, phase=lambda name: None):
    """One training step as a function of no arguments; it calls `phase(name)` after each of
    its phases (forward, loss, backward, optimizer)."""
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    x = minigrad.randn(batch, *image_shape, device="cuda")
    y = minigrad.randint(0, 10, (batch,), device="cuda")
    model.train()

    def step():
        optimizer.zero_grad()
        out = model(x)
        phase("forward")
        loss = F.cross_entropy(out, y)
        phase("loss")
        loss.backward()
        phase("backward")
        optimizer.step()
        phase("optimizer step")
    return step


def op_cases():
    """(name, function of no arguments) for the single ops, at LeNet-5's sizes."""
    a = minigrad.randn(128, 256, device="cuda")
    b = minigrad.randn(128, 256, device="cuda")
    image = minigrad.randn(128, 6, 28, 28, device="cuda")
    maps = minigrad.randn(128, 6, 14, 14, device="cuda")
    conv = nn.Conv2d(6, 16, 5).to("cuda")
    x = minigrad.randn(128, 400, device="cuda")
    fc = nn.Linear(400, 120).to("cuda")
    with minigrad.no_grad():
        yield "add (128x256)", lambda: a + b
        yield "relu (128x256)", lambda: F.relu(a)
        yield "conv2d forward (N128 6->16 14x14 k5)", lambda: conv(maps)
        yield "linear (128x400 -> 120)", lambda: fc(x)
        yield "max_pool2d (N128 C6 28x28 k2)", lambda: F.max_pool2d(image, 2)
    yield "LeNet-5 step (batch 128, SGD momentum)", _lenet5_step()


def measure_ops(calls):
    rows = []
    for name, fn in op_cases():
        fn()
        STUB.counts.clear()
        fn()
        launches = STUB.total()
        micros = cpu_time_per_call(fn, calls if "step" not in name else max(calls // 20, 3))
        rows.append((name, micros, launches))
    return rows


def launches_per_step():
    """{workload: Counter of kernel names} for one training step (after a first step, which
    creates the optimizer state)."""
    result = {}
    for key, build in (("LeNet-5 (batch 128)", _lenet5_step),
                       ("ResNet-18 (batch 32)", _resnet18_step)):
        step = build()
        step()
        STUB.counts.clear()
        step()
        result[key] = collections.Counter(STUB.counts)
    return result


def lenet5_launches_per_phase():
    """{phase: launches} of one LeNet-5 training step (after a first step)."""
    phases = {}

    def phase(name):
        phases[name] = STUB.total()
        STUB.counts.clear()

    step = _training_step(models.lenet5().to("cuda"), 128, (1, 28, 28), phase)
    step()
    STUB.counts.clear()
    step()
    return phases


def profile_lenet5(steps, top):
    step = _lenet5_step()
    step()
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def report(rows, steps, phases):
    lines = ["| op | host us per call | launches per call | host us per launch |",
             "|---|---:|---:|---:|"]
    for name, micros, launches in rows:
        per_launch = f"{micros / launches:.0f}" if launches else "-"
        lines.append(f"| {name} | {micros:.0f} | {launches} | {per_launch} |")
    lines += ["", "| training step | kernel launches | most launched kernels |", "|---|---:|---|"]
    for key, counts in steps.items():
        common = ", ".join(f"{name} {n}" for name, n in counts.most_common(6))
        lines.append(f"| {key} | {sum(counts.values())} | {common} |")
    lines += ["", "| LeNet-5 step phase | kernel launches |", "|---|---:|"]
    lines += [f"| {name} | {n} |" for name, n in phases.items()]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per timed round")
    parser.add_argument("--profile", action="store_true", help="cProfile one LeNet-5 step")
    parser.add_argument("--top", type=int, default=30, help="profile lines to print")
    parser.add_argument("--write", action="store_true",
                        help="record the tables in bench/results/cuda-host-cost-table.md")
    args = parser.parse_args()
    with STUB:
        run(args)


def run(args):
    if args.profile:
        print(profile_lenet5(steps=5, top=args.top))
        return
    table = report(measure_ops(args.calls), launches_per_step(), lenet5_launches_per_phase())
    print(table)
    if args.write:
        path = write_results("cuda-host-cost-table", "cuda host cost per op (launches stubbed)",
                             table)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
