"""Training-throughput benchmark: a full SGD step of minigrad's models against PyTorch's.

    python bench/bench_train.py                    # LeNet-5 and ResNet-18, markdown tables
    python bench/bench_train.py --models lenet5    # a subset (comma-separated keys)
    python bench/bench_train.py --steps 3          # fewer timed steps per library and model
    python bench/bench_train.py --write            # also record the tables in bench/results/

One process, float32, every library on the same number of threads (2 by default). A step is
forward, cross_entropy loss, backward and an SGD (momentum 0.9) update on one fixed batch. The
PyTorch nets are written out below with minigrad's architectures and module names and start
from minigrad's initial weights. See bench/README.md for what is measured and the target.
"""
import argparse
import math
import os
import sys

from _common import (HERE, Target, add_policy_argument, blocked_medians, limit_threads,
                     machine_description, results_name, settle_blas_environment,
                     settle_openmp_policy, write_results)
from _training import (LEARNING_RATE, LOSS_RTOL, MOMENTUM, TORCH_BUILDERS, WORKLOADS,
                       training_step)

TARGET = Target.time_ratio("torch", 1.5)  # minigrad's step time against PyTorch's
# Many rounds of one-step blocks would spend most of the time on the untimed step that starts
# each block, so the timed steps are split into this many blocks per library.
ROUNDS = 3


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    keys = ",".join(w.key for w in WORKLOADS)
    parser.add_argument("--models", default=keys,
                        help=f"comma-separated model keys (default: {keys})")
    parser.add_argument("--steps", type=int, default=None,
                        help=f"timed steps per library and model, rounded up to a multiple of "
                        f"{ROUNDS} (default: "
                        + ", ".join(f"{w.key} {w.default_steps}" for w in WORKLOADS) + ")")
    parser.add_argument("--warmup", type=int, default=2,
                        help="untimed steps per library after the loss check (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every library")
    parser.add_argument("--write", action="store_true",
                        help="write the results (and machine description) into "
                        "bench/results/train.md")
    parser.add_argument("--keep-blas-env", action="store_true",
                        help="keep OpenBLAS's kernel-pinning environment variables if set")
    add_policy_argument(parser)
    args = parser.parse_args()
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    if args.warmup < 0:
        parser.error(f"--warmup must be at least 0, got {args.warmup}")
    return args


def select(patterns):
    keys = [k.strip().lower() for k in patterns.split(",") if k.strip()]
    known = {w.key: w for w in WORKLOADS}
    unknown = [k for k in keys if k not in known]
    if unknown or not keys:
        raise SystemExit(f"unknown model key(s) {unknown}; the keys are: {', '.join(known)}")
    return [known[k] for k in keys]


def build_steppers(workload, seed=0):
    """The same net, weights and batch in both libraries; returns {"minigrad": step,
    "torch": step}, where step() runs one training step and returns the loss as a float."""
    import numpy as np
    import torch
    import minigrad
    import minigrad.nn.functional as F
    import minigrad.optim
    from minigrad.models import get_model

    minigrad.manual_seed(seed)
    channels = workload.input_shape[0]
    mg_model = get_model(workload.key, workload.num_classes, channels)
    th_model = TORCH_BUILDERS[workload.key](torch.nn, workload.num_classes, channels)
    # copy() gives torch its own memory: the two nets must not train the same arrays.
    th_model.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                              for k, v in mg_model.state_dict().items()})
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((workload.batch, *workload.input_shape), dtype=np.float32)
    labels = rng.integers(0, workload.num_classes, size=workload.batch, dtype=np.int64)

    def stepper(model, optimizer, x, y, cross_entropy):
        step = training_step(model, optimizer, x, y, cross_entropy)
        return lambda: step().item()

    mg_opt = minigrad.optim.SGD(mg_model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    th_opt = torch.optim.SGD(th_model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    return {
        "minigrad": stepper(mg_model, mg_opt, minigrad.tensor(images), minigrad.tensor(labels),
                            F.cross_entropy),
        "torch": stepper(th_model, th_opt, torch.from_numpy(images.copy()),
                         torch.from_numpy(labels.copy()), torch.nn.functional.cross_entropy),
    }


def run_workload(workload, steps, warmup, threads):
    """Loss check, warm-up, then the blocked median step time of each library."""
    steppers = build_steppers(workload)
    # The first step compiles minigrad's Numba kernels; it doubles as the loss check, and the
    # second step's loss (after one update) checks gradients and the SGD update as well.
    losses = {lib: [step(), step()] for lib, step in steppers.items()}
    for step in steppers.values():
        for _ in range(warmup):
            step()
    limit_threads(threads)  # again: the first steps may have loaded another BLAS library
    steps = ROUNDS * math.ceil(steps / ROUNDS)
    # A budget this large leaves the number of timed steps to max_calls.
    times = blocked_medians(steppers, budget_s=1e9, max_calls=steps, max_rounds=ROUNDS)
    return {"workload": workload, "times": times, "losses": losses, "steps": steps}


def _rel(a, b):
    return abs(a - b) / max(abs(b), 1e-30)


def results_table(rows):
    lines = ["| model | batch, input | minigrad ms/step | torch ms/step | minigrad images/s "
             "| torch images/s | minigrad/torch | target | met? |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        w, t = row["workload"], row["times"]
        ratio = t["minigrad"] / t["torch"]
        shape = "x".join(map(str, w.input_shape))
        rates = [f"{1e3 * w.batch / t[lib]:.0f}" for lib in ("minigrad", "torch")]
        lines.append(f"| {w.title} | {w.batch}, {shape} | {t['minigrad']:.2f} | "
                     f"{t['torch']:.2f} | {rates[0]} | {rates[1]} | {ratio:.2f} | "
                     f"{TARGET} | {'yes' if TARGET.met(t['torch'], t['minigrad']) else 'no'} |")
    return "\n".join(lines)


def loss_table(rows):
    lines = ["| model | step | minigrad loss | torch loss | relative difference |",
             "|---|---:|---:|---:|---:|"]
    for row in rows:
        mg, th = row["losses"]["minigrad"], row["losses"]["torch"]
        for i, (a, b) in enumerate(zip(mg, th), start=1):
            lines.append(f"| {row['workload'].title} | {i} | {a:.7f} | {b:.7f} | "
                         f"{_rel(a, b):.1e} |")
    return "\n".join(lines)


def loss_verdict(rows):
    """One line: whether every first-step loss agrees within LOSS_RTOL."""
    worst = max(_rel(r["losses"]["minigrad"][0], r["losses"]["torch"][0]) for r in rows)
    agree = "agree" if worst <= LOSS_RTOL else "DISAGREE"
    return (f"First-step losses {agree}: largest relative difference {worst:.1e} "
            f"(tolerance {LOSS_RTOL:g}).")


def main():
    args = parse_args()
    removed = settle_blas_environment(args.keep_blas_env)
    settle_openmp_policy(args.omp_wait_policy)
    sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing
    try:
        import torch  # noqa: F401  (before minigrad: see settle_openmp_policy)
    except ImportError:
        raise SystemExit("this benchmark compares against PyTorch: pip install -e \".[torch]\"")
    workloads = select(args.models)
    threads = limit_threads(args.threads)
    if removed:
        print(f"Unset for this run (they pin OpenBLAS's kernel choice): {', '.join(removed)}")
    load_before = os.getloadavg()
    rows = []
    for workload in workloads:
        steps = args.steps or workload.default_steps
        print(f"timing {workload.key} ({steps} steps per library) ...", file=sys.stderr,
              flush=True)
        rows.append(run_workload(workload, steps, args.warmup, threads))
    machine = machine_description(threads, load_before, args.omp_wait_policy)
    steps_note = ", ".join(f"{r['workload'].title} {r['steps']}" for r in rows)
    note = (f"float32, SGD lr {LEARNING_RATE:g} momentum {MOMENTUM:g}; step times are the "
            f"median of the timed steps per library\n({steps_note}) in {ROUNDS} alternating "
            f"blocks, after {args.warmup + 4} untimed steps (2 of them the loss check).")
    body = "\n\n".join([machine, note, results_table(rows), loss_verdict(rows), loss_table(rows)])
    print(f"\n{body}")
    if args.write:
        path = write_results(results_name("train", args.omp_wait_policy),
                             f"Training benchmark (OpenMP wait policy: {args.omp_wait_policy})",
                             body)
        print(f"\nwrote the results into {path}")


if __name__ == "__main__":
    main()
