"""One process of the users'-way benchmark: one library, one workload.

    python bench/_users_worker.py --lib torch --workload lenet5-b128 --threads 2
    python bench/_users_worker.py --lib minigrad --tree PATH --workload ... --threads 2

Started by bench/bench_users.py, never by hand. It imports only its own library, with that
library's defaults (minigrad from `--tree`, a checkout's root, when given), builds the workload,
runs `--warmup` untimed steps and answers on stdout, one JSON object per line:

- first {"ready": ..., "versions": ..., "pools": [...]}, or {"error": "..."} if it cannot run;
- then, for each line "STEPS n" read on stdin, {"wall": [...], "cpu": [...]}: n steps' wall
  times and process CPU times in seconds; "QUIT" (or end of input) ends the process.

Library output printed to stdout goes to stderr, so the answers stay one JSON object a line.
"""
import argparse
import json
import os
import sys
import time
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", choices=("minigrad", "torch"), required=True)
    parser.add_argument("--tree", default=None, help="the minigrad checkout to import")
    parser.add_argument("--workload", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def load_library(name, tree, threads):
    """The library as the workloads use it. minigrad is limited the way its users limit a
    numpy + Numba program (NUMBA_NUM_THREADS, OMP_NUM_THREADS for OpenBLAS, set before the
    import); torch by torch.set_num_threads."""
    if name == "torch":
        import torch
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        return types.SimpleNamespace(nn=torch.nn, optim=torch.optim, tensor=torch.tensor,
                                     version=f"torch {torch.__version__}")
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    sys.path.insert(0, os.path.abspath(tree or os.path.dirname(HERE)))
    import minigrad
    minigrad.manual_seed(0)
    where = os.path.dirname(os.path.dirname(os.path.abspath(minigrad.__file__)))
    return types.SimpleNamespace(nn=minigrad.nn, optim=minigrad.optim, tensor=minigrad.tensor,
                                 version=f"minigrad from {os.path.basename(where)}")


def thread_pools():
    try:
        import threadpoolctl
    except ImportError:
        return ["thread pools unknown (pip install threadpoolctl)"]
    return [" ".join(filter(None, (p.get("internal_api"), p.get("version"))))
            + f" ({p.get('num_threads')} threads)"
            for p in threadpoolctl.threadpool_info()]


def main():
    args = parse_args()
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything the libraries print goes to stderr
    sys.path.insert(0, HERE)
    from _users_workloads import WORKLOADS, make_step
    try:
        workload = {w.key: w for w in WORKLOADS}[args.workload]
        lib = load_library(args.lib, args.tree, args.threads)
        import numpy as np
        step = make_step(lib, workload, np.random.default_rng(args.seed))
        for _ in range(args.warmup):
            step()
    except Exception:  # reported to the parent, which leaves this column out
        answers.write(json.dumps({"error": traceback.format_exc(limit=4)}) + "\n")
        return
    versions = f"{lib.version}, numpy {np.__version__}"
    if args.lib == "minigrad":
        import numba
        versions += f", numba {numba.__version__}"
    answers.write(json.dumps({"ready": True, "versions": versions,
                              "pools": thread_pools()}) + "\n")
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "QUIT":
            break
        wall, cpu = [], []
        for _ in range(int(command[1])):
            w0, c0 = time.perf_counter(), time.process_time()
            step()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        answers.write(json.dumps({"wall": wall, "cpu": cpu}) + "\n")


if __name__ == "__main__":
    main()
