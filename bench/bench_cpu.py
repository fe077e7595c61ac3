"""CPU benchmark: minigrad against PyTorch and plain numpy, float32, one process.

    python bench/bench_cpu.py                  # all cases, markdown table on stdout
    python bench/bench_cpu.py --cases 'conv*'  # a subset (shell-style patterns, comma-separated)
    python bench/bench_cpu.py --write          # also record the table in bench/results/
    python bench/bench_cpu.py --compile-cost   # Numba compile cost in fresh processes instead

See bench/README.md for what each case measures and the targets.
"""
import argparse
import os
import sys

from _common import (BLAS_OVERRIDES, HERE, add_policy_argument, blocked_medians, limit_threads,
                     machine_description, results_name, select, settle_blas_environment,
                     settle_openmp_policy, write_results)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="*",
                        help="comma-separated shell patterns over case keys (default: all)")
    parser.add_argument("--list", action="store_true", help="list the case keys and exit")
    parser.add_argument("--threads", type=int, default=2, help="threads for every library")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds of timed calls per library and case (default 2)")
    parser.add_argument("--write", action="store_true",
                        help="write the results (and machine description) into "
                        "bench/results/cpu.md")
    parser.add_argument("--compile-cost", action="store_true",
                        help="measure import + first conv2d call in fresh processes instead")
    parser.add_argument("--keep-blas-env", action="store_true",
                        help=f"keep {' and '.join(BLAS_OVERRIDES)} if they are set")
    add_policy_argument(parser)
    return parser.parse_args()


def _ms(value):
    return "—" if value is None else f"{value:.2f}"


def _ratio(a, b):
    return None if a is None or b is None else a / b


def run_case(case, threads, budget_s):
    """Checks one case's results against numpy's, then times it; returns the table's fields.

    A library whose runner fails or disagrees with the numpy reference is left out of the
    timing and named in `problems`.
    """
    from _cases import mismatch
    runners, failures = case.runners()
    problems = [f"{lib}: cannot run: {why}" for lib, why in failures.items()]
    reference = runners["numpy"]()
    for lib in ("minigrad", "torch"):
        if lib not in runners:
            continue
        try:
            message = mismatch(runners[lib](), reference)
        except Exception as err:  # a failing op is reported, the other cases go on
            message = f"failed: {type(err).__name__}: {err}"
        if message:
            problems.append(f"{lib}: {message}")
            del runners[lib]
    limit_threads(threads)  # again: the first calls may have loaded another BLAS library
    times = blocked_medians(runners, budget_s=budget_s)
    ratios = {lib: _ratio(times.get("minigrad"), times.get(lib)) for lib in ("torch", "numpy")}
    baseline_time = times.get(case.target.baseline)
    if baseline_time is None or times.get("minigrad") is None:
        met = "—"
    else:
        met = "yes" if case.target.met(baseline_time, times["minigrad"]) else "no"
    return {"case": case.title, "times": times, "ratios": ratios, "target": str(case.target),
            "met": met, "problems": problems}


def table(rows):
    lines = ["| case | minigrad ms | torch ms | numpy ms | minigrad/torch | minigrad/numpy "
             "| target | met? |", "|---|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        t, r = row["times"], row["ratios"]
        ratios = ["—" if v is None else f"{v:.2f}" for v in (r["torch"], r["numpy"])]
        lines.append(f"| {row['case']} | {_ms(t.get('minigrad'))} | {_ms(t.get('torch'))} | "
                     f"{_ms(t.get('numpy'))} | {ratios[0]} | {ratios[1]} | {row['target']} | "
                     f"{row['met']} |")
    return "\n".join(lines)


def main():
    args = parse_args()
    removed = settle_blas_environment(args.keep_blas_env)
    settle_openmp_policy(args.omp_wait_policy)
    sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing
    if args.compile_cost:
        import _compile_cost
        _compile_cost.main(write=args.write)
        return
    import _cases  # imports numpy, so only now that the BLAS environment is settled
    if args.list:
        print("\n".join(f"{c.key}: {c.title}" for c in _cases.CASES))
        return
    cases = select(_cases.CASES, args.cases)
    threads = limit_threads(args.threads)
    if removed:
        print(f"Unset for this run (they pin OpenBLAS's kernel choice): {', '.join(removed)}")
    load_before = os.getloadavg()
    rows = []
    for case in cases:
        print(f"timing {case.key} ...", file=sys.stderr, flush=True)
        rows.append(run_case(case, threads, args.budget))
    machine = machine_description(threads, load_before, args.omp_wait_policy)
    result = table(rows)
    notes = [f"- {row['case']}: {p}" for row in rows for p in row["problems"]]
    print(f"\n{machine}\n\n{result}")
    if notes:
        print("\nLeft out of the timing:\n" + "\n".join(notes))
    if args.write:
        median_note = (f"float32, times in milliseconds: the median of 3 to 45 timed calls "
                       f"per library\n(about {args.budget:g} s of them) in up to 9 alternating "
                       f"blocks, after warm-up.")
        body = "\n\n".join([machine, median_note, result] + (["\n".join(notes)] if notes else []))
        path = write_results(results_name("cpu", args.omp_wait_policy),
                             f"CPU benchmark (OpenMP wait policy: {args.omp_wait_policy})", body)
        print(f"\nwrote the results into {path}")


if __name__ == "__main__":
    main()
