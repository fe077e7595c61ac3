"""Per-op dispatch benchmark: the cost of calling small ops, minigrad against PyTorch.

    python bench/bench_dispatch.py                # markdown table of microseconds per op
    python bench/bench_dispatch.py --rounds 7     # more alternating turns per library
    python bench/bench_dispatch.py --clock cpu    # process CPU time (a busy machine, 1 thread)
    python bench/bench_dispatch.py --write        # also record bench/results/dispatch.md

Each library runs in a process of its own (this script, started again with `--child`), which
imports only that library with its own defaults, limited to `--threads` threads; the two take
turns, round after round, and the median of each case is reported. float32 throughout. The
cases are so small (2,000 elements, a 32x32 layer at batch 4) that the time is the library's
Python and dispatch path, not its kernels:

- `add`: 100 chained `y = y + b`, no autograd; microseconds per add.
- `add+backward`: the same chain from a tensor that requires grad, then `y.sum().backward()`;
  microseconds per add (its share of the backward included).
- `linear+relu`: `Linear(32, 32)` and relu at batch 4, `.sum().backward()` and zeroed
  gradients; microseconds per step.
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

from _common import HERE, machine_description, write_results

CASES = (("add", "add (2,000 elements), forward", 100),
         ("add+backward", "add in a 100-op chain, forward + backward", 100),
         ("linear+relu", "Linear(32, 32) + relu, batch 4, forward + backward", 1))
LIBRARIES = ("minigrad", "torch")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="threads of every library")
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternating turns per library (default 5)")
    parser.add_argument("--repeats", type=int, default=200,
                        help="timed calls of each case per turn (default 200)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time (default); cpu: the process's CPU time, for "
                        "comparisons on a busy machine (use --threads 1 then)")
    parser.add_argument("--write", action="store_true",
                        help="record the table in bench/results/dispatch.md")
    parser.add_argument("--child", choices=LIBRARIES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    for name in ("threads", "rounds", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    return args


# ---- one library, in its own process ------------------------------------------------------------

def load(library, threads):
    """The library's module, limited to `threads` threads the way its users limit it."""
    if library == "torch":
        import torch
        torch.set_num_threads(threads)
        return torch
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    sys.path.insert(0, os.path.dirname(HERE))  # the checkout this script belongs to
    import minigrad
    return minigrad


def build_cases(lib):
    """{case key: a callable running the case once}, the same code for both libraries."""
    import numpy as np
    rng = np.random.default_rng(0)

    def vector(requires_grad=False):
        return lib.tensor(rng.standard_normal(2000).astype(np.float32),
                          requires_grad=requires_grad)

    a, b, leaf = vector(), vector(), vector(requires_grad=True)
    layer = lib.nn.Linear(32, 32)
    batch = lib.tensor(rng.standard_normal((4, 32)).astype(np.float32))

    def add():
        y = a
        for _ in range(100):
            y = y + b

    def add_backward():
        y = leaf
        for _ in range(100):
            y = y + b
        y.sum().backward()
        leaf.grad = None

    def linear_relu():
        layer(batch).relu().sum().backward()
        layer.weight.grad = layer.bias.grad = None

    return {"add": add, "add+backward": add_backward, "linear+relu": linear_relu}


def child(library, threads, rounds, repeats, clock):
    """Answer each "RUN" line on stdin with one JSON line {case: [seconds per call, ...]}."""
    lib = load(library, threads)
    cases = build_cases(lib)
    for fn in cases.values():  # warm-up: Numba compiles, allocators settle
        for _ in range(20):
            fn()
    now = time.process_time if clock == "cpu" else time.perf_counter
    print(json.dumps({"ready": f"{library} {lib.__version__}"}), flush=True)
    for line in sys.stdin:
        if line.strip() != "RUN":
            break
        gc.collect()
        gc.disable()
        times = {}
        for key, fn in cases.items():
            fn()
            start = now()
            for _ in range(repeats):
                fn()
            times[key] = (now() - start) / repeats
        gc.enable()
        print(json.dumps(times), flush=True)


# ---- the driver --------------------------------------------------------------------------------

def start(library, args):
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", library,
                             "--threads", str(args.threads), "--repeats", str(args.repeats),
                             "--clock", args.clock],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = json.loads(proc.stdout.readline() or '{"ready": null}')["ready"]
    if ready is None:
        raise SystemExit(f"the {library} process did not start (see its error above)")
    return proc, ready


def run_rounds(args):
    """{library: {case: [seconds per call, one per round]}} and the libraries' versions."""
    procs = {lib: start(lib, args) for lib in LIBRARIES}
    samples = {lib: {key: [] for key, _, _ in CASES} for lib in LIBRARIES}
    try:
        for _ in range(args.rounds):
            for lib, (proc, _) in procs.items():  # turns alternate: one process runs at a time
                time.sleep(0.2)  # the other process's OpenMP workers may still spin
                proc.stdin.write("RUN\n")
                proc.stdin.flush()
                for key, seconds in json.loads(proc.stdout.readline()).items():
                    samples[lib][key].append(seconds)
    finally:
        for proc, _ in procs.values():
            proc.stdin.close()
            proc.wait()
    return samples, {lib: ready for lib, (_, ready) in procs.items()}


def table(samples):
    lines = ["| case | minigrad us | torch us | minigrad / torch |", "|---|---:|---:|---:|"]
    for key, title, ops in CASES:
        mine, theirs = (1e6 * statistics.median(samples[lib][key]) / ops for lib in LIBRARIES)
        lines.append(f"| {title} (per {'add' if ops > 1 else 'step'}) | {mine:.2f} | "
                     f"{theirs:.2f} | {mine / theirs:.2f}x |")
    return "\n".join(lines)


def main():
    args = parse_args()
    if args.child:
        child(args.child, args.threads, args.rounds, args.repeats, args.clock)
        return
    load_before = os.getloadavg()
    samples, versions = run_rounds(args)
    machine = machine_description(args.threads, load_before, "passive").splitlines()
    machine = [line for line in machine if "wait policy" not in line]
    machine.append("- OpenMP wait policy: each library's own default (minigrad sets PASSIVE "
                   "at import, PyTorch leaves it to the runtime)")
    note = (f"Each library in its own process ({', '.join(versions.values())}), "
            f"{args.threads} threads, float32; {args.clock} clock, median of {args.rounds} "
            f"alternating turns of {args.repeats} calls per case.")
    body = "\n\n".join(["\n".join(machine), note, table(samples)])
    print(body)
    if args.write:
        path = write_results("dispatch", "Per-op dispatch benchmark", body)
        print(f"\nwrote the results into {path}")


if __name__ == "__main__":
    main()
