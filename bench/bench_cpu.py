"""CPU benchmark: minigrad against PyTorch and plain numpy, float32, one process.

    python bench/bench_cpu.py                  # all cases, markdown table on stdout
    python bench/bench_cpu.py --cases 'conv*'  # a subset (shell-style patterns, comma-separated)
    python bench/bench_cpu.py --write          # also record the table in bench/README.md
    python bench/bench_cpu.py --compile-cost   # Numba compile cost in fresh processes instead

See bench/README.md for what each case measures and the targets.
"""
import argparse
import fnmatch
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "README.md")
# OpenBLAS reads these when numpy loads it; set by hand they can pin a slower kernel.
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="*",
                        help="comma-separated shell patterns over case keys (default: all)")
    parser.add_argument("--list", action="store_true", help="list the case keys and exit")
    parser.add_argument("--threads", type=int, default=2, help="threads for every library")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds of timed calls per library and case (default 2)")
    parser.add_argument("--write", action="store_true",
                        help="write the results (and machine description) into bench/README.md")
    parser.add_argument("--compile-cost", action="store_true",
                        help="measure import + first conv2d call in fresh processes instead")
    parser.add_argument("--keep-blas-env", action="store_true",
                        help=f"keep {' and '.join(BLAS_OVERRIDES)} if they are set")
    add_policy_argument(parser)
    return parser.parse_args()


def settle_blas_environment(keep):
    """Drop the OpenBLAS overrides (before numpy is imported) unless asked to keep them.

    Returns the 'NAME=value' strings removed, to be reported.
    """
    if keep:
        return []
    return [f"{name}={os.environ.pop(name)}" for name in BLAS_OVERRIDES if name in os.environ]


def add_policy_argument(parser):
    parser.add_argument("--omp-wait-policy", type=str.lower, choices=("passive", "default"),
                        default="passive",
                        help="OpenMP wait policy of the process: passive (minigrad's default "
                        "and the default here) or default (OMP_WAIT_POLICY unset: the runtime "
                        "spins its workers a while after each parallel region, as PyTorch runs "
                        "on its own)")


def settle_openmp_policy(policy):
    """Set (or, for "default", unset) OpenMP's wait policy before any OpenMP runtime loads.
    Numba and PyTorch end up on one OpenMP runtime in a process that has both (whichever
    loads it first reads the policy), so one policy holds for both libraries; the machine
    description records it."""
    if policy == "passive":
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    else:
        # PyTorch is imported (and loads its runtime) before minigrad, whose import sets
        # PASSIVE where nothing else has: without PyTorch this choice is passive too
        os.environ.pop("OMP_WAIT_POLICY", None)


def results_marker(name, policy):
    """The README section of a run: results under the runtime's default policy are kept apart
    from those under passive waiting."""
    return name if policy == "passive" else f"{name}-{policy}"


def replace_section(path, marker, body):
    """Replace the text between `<!-- marker:start -->` and `<!-- marker:end -->` in `path`."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    with open(path) as f:
        text = f.read()
    if start not in text or end not in text:
        raise SystemExit(f"{path} has no {start} ... {end} section to write into")
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    with open(path, "w") as f:
        f.write(f"{head}{start}\n{body.rstrip()}\n{end}{tail}")


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
    from _timing import blocked_medians, limit_threads
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
    target_ratio = ratios[case.target.baseline]
    if target_ratio is None:
        met = "—"
    else:
        met = "yes" if target_ratio <= case.target.ratio else "no"
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


def select(cases, patterns):
    patterns = [p.strip() for p in patterns.split(",") if p.strip()]
    chosen = [c for c in cases if any(fnmatch.fnmatch(c.key, p) for p in patterns)]
    if not chosen:
        keys = ", ".join(c.key for c in cases)
        raise SystemExit(f"no case matches {patterns}; the cases are: {keys}")
    return chosen


def main():
    args = parse_args()
    removed = settle_blas_environment(args.keep_blas_env)
    settle_openmp_policy(args.omp_wait_policy)
    sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing
    if args.compile_cost:
        import compile_cost
        compile_cost.main(write=args.write, readme=README, replace_section=replace_section)
        return
    import _cases  # these import numpy, so only now that the BLAS environment is settled
    import _timing
    if args.list:
        print("\n".join(f"{c.key}: {c.title}" for c in _cases.CASES))
        return
    cases = select(_cases.CASES, args.cases)
    threads = _timing.limit_threads(args.threads)
    if removed:
        print(f"Unset for this run (they pin OpenBLAS's kernel choice): {', '.join(removed)}")
    load_before = os.getloadavg()
    rows = []
    for case in cases:
        print(f"timing {case.key} ...", file=sys.stderr, flush=True)
        rows.append(run_case(case, threads, args.budget))
    machine = _timing.machine_description(threads, load_before, args.omp_wait_policy)
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
        replace_section(README, results_marker("bench-results", args.omp_wait_policy), body)
        print(f"\nwrote the results into {README}")


if __name__ == "__main__":
    main()
