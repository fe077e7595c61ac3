"""Users'-way benchmark: each library in its own process with its own defaults.

    python bench/bench_users.py                          # every workload, markdown table
    python bench/bench_users.py --workloads 'lenet5-*'   # a subset (--list shows the keys)
    python bench/bench_users.py --minigrad-tree ../old   # another checkout as an extra column
    python bench/bench_users.py --quick                  # a few steps: checks the script only
    python bench/bench_users.py --write                  # record bench/results/users.md

Every (library, workload) pair runs in a process of its own (bench/_users_worker.py) that
imports only that library: minigrad as a user gets it (`import minigrad`, threads limited
through NUMBA_NUM_THREADS / OMP_NUM_THREADS), PyTorch with its defaults and
torch.set_num_threads. float32, SGD with momentum on both sides, the same architecture
written once (bench/_users_workloads.py). The processes of a workload take turns, round after
round, and the median step of each is reported. See bench/README.md.
"""
import argparse
import fnmatch
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from _common import HERE, _cpu_model, write_results
from _users_workloads import LEARNING_RATE, MOMENTUM, WORKLOADS

WORKER = os.path.join(HERE, "_users_worker.py")
TORCH = "torch"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="*",
                        help="comma-separated shell patterns of workload keys (default: all)")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--threads", type=int, default=2, help="threads of every library")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of alternating turns per workload (default 5)")
    parser.add_argument("--steps", type=int, default=None,
                        help="timed steps per process and round (default: per workload)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="untimed steps of each process before the rounds (default 2)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: time per step (default); cpu: process CPU time per step, "
                        "for comparing minigrad checkouts on a busy machine with --threads 1")
    parser.add_argument("--minigrad-tree", action="append", default=[], metavar="PATH",
                        help="another minigrad checkout (its root) timed as an extra column; "
                        "repeatable")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--settle", type=float, default=0.2,
                        help="seconds of sleep before each turn (default 0.2): OpenMP workers "
                        "of the previous process may still spin")
    parser.add_argument("--quick", action="store_true",
                        help="1 warm-up step, 2 rounds of 1 step: checks the script, the "
                        "numbers mean nothing; never written")
    parser.add_argument("--write", action="store_true",
                        help="record the table in bench/results/users.md")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.steps, args.warmup = 2, 1, 1
        if args.write:
            parser.error("--quick runs are never written")
    for name in ("threads", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    for tree in args.minigrad_tree:
        if not os.path.isfile(os.path.join(tree, "minigrad", "__init__.py")):
            parser.error(f"--minigrad-tree {tree}: no minigrad/__init__.py there")
    return args


def select(patterns):
    patterns = [p.strip() for p in patterns.split(",") if p.strip()]
    chosen = [w for w in WORKLOADS if any(fnmatch.fnmatch(w.key, p) for p in patterns)]
    if not chosen:
        raise SystemExit(f"no workload matches {patterns}; the keys are: "
                         + ", ".join(w.key for w in WORKLOADS))
    return chosen


def _commit(path):
    """The checkout's short commit, with "+" when its tracked files have uncommitted changes."""
    try:
        head = subprocess.run(["git", "-C", path, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", path, "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def columns(args):
    """(name, worker arguments) per column: torch, this checkout's minigrad, the trees."""
    here = os.path.dirname(HERE)
    cols = [] if args.no_torch else [(TORCH, ["--lib", "torch"])]
    cols.append((f"minigrad {_commit(here) or 'this checkout'}",
                 ["--lib", "minigrad", "--tree", here]))
    for tree in args.minigrad_tree:
        label = _commit(tree) or os.path.basename(os.path.abspath(tree))
        cols.append((f"minigrad {label}", ["--lib", "minigrad", "--tree", os.path.abspath(tree)]))
    names = [name for name, _ in cols]
    if len(set(names)) != len(names):
        raise SystemExit(f"two columns have one name ({names}): pass distinct checkouts")
    return cols


class Worker:
    """One running worker process; `answer()` reads its next JSON line."""

    def __init__(self, argv):
        self.process = subprocess.Popen([sys.executable, WORKER, *argv], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)

    def answer(self):
        line = self.process.stdout.readline()
        if not line:
            return {"error": f"the worker exited with status {self.process.wait()}"}
        return json.loads(line)

    def run(self, steps):
        self.process.stdin.write(f"STEPS {steps}\n")
        return self.answer()

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("QUIT\n")
                self.process.stdin.close()
            except BrokenPipeError:
                pass
        self.process.wait()


def time_workload(workload, cols, args):
    """{column: {"samples": [...], "round_medians": [...]}} or {"error": ...} per column, and
    {column: ready message}. Workers start one at a time (their warm-up alone on the cores),
    then take turns; the first turn of each round rotates, so no column always follows the
    same one."""
    common = ["--workload", workload.key, "--threads", str(args.threads),
              "--warmup", str(args.warmup)]
    workers, ready, results = {}, {}, {}
    try:
        for name, argv in cols:
            worker = Worker(argv + common)
            ready[name] = worker.answer()
            if "error" in ready[name]:
                results[name] = {"error": ready[name]["error"]}
                worker.close()
            else:
                workers[name] = worker
                results[name] = {"samples": [], "round_medians": []}
        steps = args.steps or workload.steps
        order = list(workers)
        for r in range(args.rounds):
            for name in order[r % len(order):] + order[:r % len(order)] if order else []:
                if "error" in results[name]:
                    continue
                time.sleep(args.settle)
                reply = workers[name].run(steps)
                if "error" in reply:
                    results[name] = {"error": reply["error"]}
                    continue
                times = [1e3 * t for t in reply[args.clock]]
                results[name]["samples"] += times
                results[name]["round_medians"].append(statistics.median(times))
    finally:
        for worker in workers.values():
            worker.close()
    return results, ready


def _cell(result):
    if "error" in result:
        return "failed"
    return f"{statistics.median(result['samples']):.1f}"


def _spread(result):
    if "error" in result or len(result["round_medians"]) < 2:
        return ""
    return f"{min(result['round_medians']):.1f}-{max(result['round_medians']):.1f}"


def results_table(rows, names):
    has_torch = TORCH in names
    minigrads = [n for n in names if n != TORCH]
    head = ["workload"] + [f"{n} ms" for n in names]
    if has_torch:
        head += [f"{n} / torch" for n in minigrads]
    head += [f"{n} round medians" for n in names]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for workload, results in rows:
        cells = [workload.title] + [_cell(results[n]) for n in names]
        if has_torch:
            for n in minigrads:
                ok = all("error" not in results[k] for k in (n, TORCH))
                cells.append(f"{statistics.median(results[n]['samples']) / statistics.median(results[TORCH]['samples']):.2f}"  # noqa: E501
                             if ok else "")
        cells += [_spread(results[n]) for n in names]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failures(rows):
    lines = []
    for workload, results in rows:
        for name, result in results.items():
            if "error" in result:
                last = result["error"].strip().splitlines()[-1]
                lines.append(f"- {workload.key}, {name}: {last}")
    return "\n".join(lines)


def machine(args, load_before, readies):
    lines = [f"CPU: {_cpu_model()} ({os.cpu_count()} logical cores)",
             f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
             f"Threads of every library: {args.threads}; clock: {args.clock} "
             f"({'wall time' if args.clock == 'wall' else 'process CPU time'} per step)",
             f"Load average (1 min) at start and end: {load_before[0]:.2f}, "
             f"{os.getloadavg()[0]:.2f}"]
    for name, ready in readies.items():
        if "versions" in ready:
            lines.append(f"{name}: {ready['versions']}; " + "; ".join(ready["pools"]))
    return "\n".join(f"- {line}" for line in lines)


def main():
    args = parse_args()
    if args.list:
        for w in WORKLOADS:
            print(f"{w.key:18} {w.title}")
        return
    workloads = select(args.workloads)
    cols = columns(args)
    load_before = os.getloadavg()
    rows, readies = [], {}
    for workload in workloads:
        print(f"timing {workload.key} ...", file=sys.stderr, flush=True)
        results, ready = time_workload(workload, cols, args)
        rows.append((workload, results))
        for name, message in ready.items():
            readies.setdefault(name, message)
    names = [name for name, _ in cols]
    note = (f"float32, SGD lr {LEARNING_RATE:g} momentum {MOMENTUM:g}, training mode; each "
            f"process ran {args.warmup} untimed steps, then {args.rounds} rounds of "
            f"alternating turns; ms are medians of every timed step, one step being zero_grad, "
            f"forward, loss, backward, optimizer step and reading the loss (building the model "
            f"for the build-* rows).")
    body = "\n\n".join(filter(None, [machine(args, load_before, readies), note,
                                     results_table(rows, names), failures(rows)]))
    print(f"\n{body}")
    if args.write:
        name = "users" if (args.threads, args.clock) == (2, "wall") else \
            f"users-{args.threads}t-{args.clock}"
        path = write_results(name, "Users'-way benchmark: each library in its own process",
                             body)
        print(f"\nwrote the results into {path}")


if __name__ == "__main__":
    main()
