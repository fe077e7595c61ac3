"""Where a step of the users'-way workloads goes in minigrad: per-kernel timers and cProfile.

    python bench/profile_users.py                        # every workload, markdown
    python bench/profile_users.py --workloads 'lenet5-b128,vgg*' --steps 3
    python bench/profile_users.py --write                # record bench/results/profiles.md

Each workload runs in a fresh process on one thread (NUMBA_NUM_THREADS=1, OMP_NUM_THREADS=1)
and every time is process CPU time (`time.process_time`), so the shares hold on a busy machine
too. Two passes over the same warmed-up step: first every function of the cpu backend (the
kernels) wrapped in a timer, then the step under cProfile with the same clock, its own time
(tottime) summed per source file. Shares, not milliseconds, are the result.
"""
import argparse
import cProfile
import fnmatch
import json
import os
import pstats
import subprocess
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOP_KERNELS = 10
TOP_FILES = 8


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="*", help="comma-separated key patterns")
    parser.add_argument("--steps", type=int, default=3, help="profiled steps (default 3)")
    parser.add_argument("--write", action="store_true",
                        help="record the profiles in bench/results/<--name>.md")
    parser.add_argument("--name", default="profiles",
                        help="results file name for --write (default: profiles)")
    parser.add_argument("--minigrad-tree", default=ROOT, metavar="PATH",
                        help="the minigrad checkout to profile (default: this one)")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the child's workload
    return parser.parse_args()


def _timed_backend(backend, totals):
    """Wrap every public function of the `backend` module in a process-time accumulator."""
    for name, fn in list(vars(backend).items()):
        if name.startswith("_") or not isinstance(fn, types.FunctionType):
            continue

        def timed(*args, _fn=fn, _name=name, **kwargs):
            t0 = time.process_time()
            try:
                return _fn(*args, **kwargs)
            finally:
                entry = totals.setdefault(_name, [0.0, 0])
                entry[0] += time.process_time() - t0
                entry[1] += 1
        setattr(backend, name, timed)


def profile_one(key, steps, tree):
    """The child: one workload, one thread, minigrad from `tree`; prints one JSON object."""
    sys.path.insert(0, os.path.abspath(tree))
    sys.path.insert(0, HERE)
    import numpy as np
    import minigrad
    import minigrad.backend.cpu as cpu
    from _users_workloads import WORKLOADS, make_step
    workload = {w.key: w for w in WORKLOADS}[key]
    lib = types.SimpleNamespace(nn=minigrad.nn, optim=minigrad.optim, tensor=minigrad.tensor)
    minigrad.manual_seed(0)
    step = make_step(lib, workload, np.random.default_rng(0))
    step()
    step()
    totals = {}
    originals = dict(vars(cpu))
    _timed_backend(cpu, totals)
    t0 = time.process_time()
    for _ in range(steps):
        step()
    total = time.process_time() - t0
    for name, fn in originals.items():
        setattr(cpu, name, fn)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    per_file, profiled = {}, 0.0
    for (filename, _line, _func), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        where = os.path.relpath(filename, tree) if filename.startswith(tree) else \
            os.path.relpath(filename, ROOT) if filename.startswith(ROOT) else \
            _library_of(filename)
        per_file[where] = per_file.get(where, 0.0) + tottime
        profiled += tottime
    print(json.dumps({"total": total, "kernels": totals, "files": per_file,
                      "profiled": profiled}))


def _library_of(filename):
    """A short label for code outside the checkout: the package it belongs to, or the
    built-in functions (numpy's C functions, Numba's compiled kernels show up as those)."""
    if filename.startswith("~") or filename.startswith("<"):
        return "built-in (C functions: numpy, Numba kernels, BLAS)"
    parts = filename.split(os.sep)
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1] + " (Python)"
    return "Python standard library"


def report(key, data):
    from _users_workloads import WORKLOADS
    title = {w.key: w.title for w in WORKLOADS}[key]
    total = data["total"]
    kernel_total = sum(t for t, _ in data["kernels"].values())
    lines = [f"### {title} (`{key}`)", "",
             f"Kernels (the cpu backend's functions, inclusive): {kernel_total / total:.0%} "
             f"of the step; the rest ({1 - kernel_total / total:.0%}) is Python around them "
             "(modules, dispatch, autograd, optimizer loop).", "",
             "| kernel | calls per step | share of step |", "|---|---:|---:|"]
    ranked = sorted(data["kernels"].items(), key=lambda kv: -kv[1][0])
    steps = max(1, data["steps"])
    for name, (seconds, calls) in ranked[:TOP_KERNELS]:
        lines.append(f"| {name} | {calls / steps:.0f} | {seconds / total:.1%} |")
    lines += ["", "cProfile, own time per file (shares of the profiled steps; a Numba kernel "
              "counts in the file that calls it):", "",
              "| file | share |", "|---|---:|"]
    for where, seconds in sorted(data["files"].items(), key=lambda kv: -kv[1])[:TOP_FILES]:
        lines.append(f"| {where} | {seconds / data['profiled']:.1%} |")
    return "\n".join(lines)


def main():
    args = parse_args()
    if args.one:
        profile_one(args.one, args.steps, args.minigrad_tree)
        return
    sys.path.insert(0, HERE)
    from _users_workloads import WORKLOADS
    patterns = [p.strip() for p in args.workloads.split(",") if p.strip()]
    keys = [w.key for w in WORKLOADS if any(fnmatch.fnmatch(w.key, p) for p in patterns)]
    if not keys:
        raise SystemExit(f"no workload matches {patterns}")
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    sections = []
    for key in keys:
        print(f"profiling {key} ...", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, __file__, "--one", key, "--steps",
                              str(args.steps), "--minigrad-tree", args.minigrad_tree],
                             env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sections.append(f"### `{key}`\n\nfailed: {out.stderr.strip().splitlines()[-1]}")
            continue
        data = json.loads(out.stdout.strip().splitlines()[-1])
        data["steps"] = args.steps
        sections.append(report(key, data))
    commit = subprocess.run(["git", "-C", args.minigrad_tree, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    head = (f"minigrad at commit {commit}; {args.steps} profiled steps per workload after 2 "
            "warm-up steps; one thread (NUMBA_NUM_THREADS=1, OMP_NUM_THREADS=1); process CPU "
            "time. Taken with `python bench/profile_users.py --write`.")
    body = "\n\n".join([head, *sections])
    print(body)
    if args.write:
        from _common import write_results
        print(write_results(args.name, "Where minigrad's step goes (one thread, CPU time)",
                            body))


if __name__ == "__main__":
    main()
