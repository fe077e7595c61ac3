"""GPU benchmark: minigrad on device "cuda" against PyTorch on the same GPU, float32, one process.

    python bench/bench_gpu.py                    # every case; markdown tables on stdout
    python bench/bench_gpu.py --cases 'conv*'    # a subset (shell-style patterns, comma-separated)
    python bench/bench_gpu.py --write            # also record the tables in bench/results/gpu.md
    NUMBA_ENABLE_CUDASIM=1 python bench/bench_gpu.py --smoke   # tiny sizes, no GPU needed

PyTorch runs with TF32 off, so both libraries do float32 arithmetic. --smoke runs every case on
a few elements (in numba's CUDA simulator, or on a GPU) to check the script, not to time it.
See bench/README.md ("GPU benchmark") for what each case measures and the targets.
"""
import argparse
import contextlib
import importlib.metadata
import os
import platform
import subprocess
import sys

from _common import HERE, blocked_medians, select, write_results

# Launch sizes for numba's CUDA simulator, which runs one Python thread per CUDA thread: blocks
# of a few threads and tiles of a few elements, as tests/cuda uses.
SIMULATOR_LAUNCHES = dict(threads_per_block=4, max_blocks=2, reduce_threads=4,
                          reduce_serial_len=3, gemm_block_m=4, gemm_block_n=4, gemm_block_k=2,
                          gemm_thread_m=2, gemm_thread_n=2, rng_blocks=2)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="*",
                        help="comma-separated shell patterns over case keys (default: all)")
    parser.add_argument("--list", action="store_true", help="list the case keys and exit")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds of timed calls per library and case (default 2)")
    parser.add_argument("--smoke", action="store_true",
                        help="every case on a few elements, 3 timed calls each: checks the "
                        "script (also under NUMBA_ENABLE_CUDASIM=1)")
    parser.add_argument("--write", action="store_true",
                        help="write the results (and machine description) into "
                        "bench/results/gpu.md")
    args = parser.parse_args(argv)
    if args.smoke and args.write:
        parser.error("--write records full runs only; leave out --smoke")
    if not args.budget > 0:
        parser.error(f"--budget must be positive, got {args.budget}")
    return args


def check_device(smoke):
    """Exit with a one-line message unless minigrad can run on a GPU (or, for a smoke run, on
    numba's CUDA simulator). Returns whether the simulator is in use."""
    import numba
    import minigrad
    if not minigrad.cuda.is_available():
        raise SystemExit("bench_gpu.py needs an NVIDIA GPU: minigrad.cuda.is_available() is "
                         "False")
    simulator = bool(numba.config.ENABLE_CUDASIM)
    if simulator and not smoke:
        raise SystemExit("bench_gpu.py needs an NVIDIA GPU: numba's CUDA simulator is on "
                         "(NUMBA_ENABLE_CUDASIM=1), which runs only --smoke")
    return simulator


def simulator_launches(simulator):
    """A context in which kernels launch with SIMULATOR_LAUNCHES if `simulator` (a smoke run
    then takes about two minutes instead of tens of minutes), else as configured."""
    if not simulator:
        return contextlib.nullcontext()
    from minigrad.backend.cuda import _launch
    return _launch.override(**SIMULATOR_LAUNCHES)


def torch_status():
    """(whether PyTorch can run on a GPU here, a note saying why not or None). Turns TF32 off:
    both libraries then multiply in float32."""
    from _gpu_cases import torch
    if torch is None:
        return False, "PyTorch is not installed: no torch column (pip install -e \".[torch]\")."
    if not torch.cuda.is_available():
        return False, (f"PyTorch {torch.__version__} cannot use a GPU here "
                       "(torch.cuda.is_available() is False): no torch column.")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return True, None


def _package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _nvidia_driver():
    """The driver release as nvidia-smi reports it, or None."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.splitlines()[0].strip() if out.strip() else None


def _dotted(get_version):
    """The "major.minor" of the version tuple `get_version()` returns, or "unknown" if it
    fails (the driver wrappers differ between numba's own CUDA target and numba-cuda)."""
    try:
        return ".".join(map(str, get_version()))
    except Exception:  # a missing or changed wrapper must not stop the benchmark
        return "unknown"


def machine_description(simulator, with_torch):
    """Lines naming the GPU, its driver and CUDA versions, and the library versions."""
    import numba
    import numpy as np
    from numba import cuda
    if simulator:
        lines = ["GPU: none; numba's CUDA simulator (a smoke run: the times mean nothing)"]
    else:
        device = cuda.get_current_device()
        name = device.name.decode() if isinstance(device.name, bytes) else device.name
        lines = [f"GPU (numba): {name}, compute capability "
                 f"{'.'.join(map(str, device.compute_capability))}",
                 f"NVIDIA driver {_nvidia_driver() or 'unknown (no nvidia-smi)'}, CUDA driver "
                 f"API {_dotted(lambda: cuda.cudadrv.driver.driver.get_version())}, CUDA "
                 f"toolkit used by numba {_dotted(lambda: cuda.runtime.get_version())}"]
    versions = (f"numpy {np.__version__}, numba {numba.__version__}, numba-cuda "
                f"{_package_version('numba-cuda')}")
    if with_torch:
        import torch
        lines.append(f"GPU (torch): {torch.cuda.get_device_name()}")
        versions += (f", torch {torch.__version__} (CUDA {torch.version.cuda}, cuDNN "
                     f"{torch.backends.cudnn.version()}; TF32 off)")
    else:
        versions += f", torch {_package_version('torch')}"
    lines += [f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
              versions]
    return lines


def run_case(case, libraries, smoke, budget_s):
    """Checks one case's results, then times it; returns the table's fields.

    A library whose runner fails or gives wrong results is left out of the timing and named in
    `problems`. Each runner waits for the GPU before and after its work.
    """
    arrays = case.inputs()
    runners, results, problems = {}, {}, []
    for lib in libraries:
        try:
            runners[lib] = case.build(lib, arrays)
            results[lib] = runners[lib]()  # also the warm-up: minigrad compiles its kernels
        except Exception as err:  # reported under the table, the other cases go on
            problems.append(f"{lib}: cannot run: {type(err).__name__}: {err}")
            runners.pop(lib, None)
    for lib, message in case.problems(arrays, results).items():
        problems.append(f"{lib}: {message}")
        del runners[lib]
    # No sleep before each block: nothing here leaves CPU threads spinning, as OpenMP does.
    timing = dict(budget_s=0.0, max_rounds=1) if smoke else dict(budget_s=budget_s)
    times = blocked_medians(runners, settle_s=0.0, **timing) if runners else {}
    rates = {lib: case.work / (ms / 1e3) for lib, ms in times.items()}
    share = rates["minigrad"] / rates["torch"] if len(rates) == 2 else None
    transfers = None
    if getattr(case, "minigrad_step", None) is not None and "minigrad" in runners:
        from _gpu_cases import count_transfers
        transfers = count_transfers(case.minigrad_step)
    return {"case": case, "times": times, "rates": rates, "share": share, "problems": problems,
            "transfers": transfers}


def _ms(value):
    if value is None:
        return "—"
    return f"{value:.2f}" if value >= 1 else f"{value:.3g}"


def _rate(value, unit):
    if value is None:
        return "—"
    return (f"{value:,.0f}" if value >= 100 else f"{value:.3g}") + f" {unit}"


def _percent(share):
    return f"{100 * share:.0f}%" if share >= 0.01 else f"{100 * share:.2g}%"


def results_table(rows, with_torch):
    """Markdown: per case, the median ms and throughput of each library, the share of
    PyTorch's throughput minigrad reaches, the target and whether it is met."""
    if with_torch:
        lines = ["| case | work | minigrad ms | torch ms | minigrad | torch "
                 "| minigrad / torch | target | met? |",
                 "|---|---|---:|---:|---:|---:|---:|---|---|"]
    else:
        lines = ["| case | work | minigrad ms | minigrad | target |", "|---|---|---:|---:|---|"]
    for row in rows:
        case, t, r = row["case"], row["times"], row["rates"]
        ms = {lib: _ms(t.get(lib)) for lib in ("minigrad", "torch")}
        fields = [f"`{case.key}`", case.title, ms["minigrad"]]
        if with_torch:
            share = row["share"]
            met = "—" if share is None else ("yes" if share >= case.target.min_speed else "no")
            fields += [ms["torch"], _rate(r.get("minigrad"), case.unit),
                       _rate(r.get("torch"), case.unit),
                       "—" if share is None else _percent(share), str(case.target), met]
        else:
            fields += [_rate(r.get("minigrad"), case.unit), str(case.target)]
        lines.append("| " + " | ".join(fields) + " |")
    return "\n".join(lines)


def transfers_table(rows):
    """Markdown: host<->device copies of one minigrad training step, or None without one."""
    counted = [row for row in rows if row["transfers"] is not None]
    if not counted:
        return None
    lines = ["| model | during the step | at the synchronize() after it | loss.item() |",
             "|---|---:|---:|---:|"]
    for row in counted:
        n = row["transfers"]
        lines.append(f"| {row['case'].workload.title} | {n['step']} | {n['synchronize']} | "
                     f"{n['item']} |")
    return "\n".join(lines)


TRANSFERS_NOTE = (
    "Host<->device copies (minigrad.cuda.transfer_count()) of one minigrad training step "
    "(zero_grad,\nforward, cross_entropy, backward, SGD step), with the batch already on the GPU. "
    "The timed\nstep does not read the loss; the last column is what reading it with .item() "
    "adds.")


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing
    simulator = None if args.list else check_device(args.smoke)
    import _gpu_cases
    cases = _gpu_cases.make_cases(smoke=args.smoke)
    if args.list:
        print("\n".join(f"{c.key}: {c.title}" for c in cases))
        return
    cases = select(cases, args.cases)
    with_torch, torch_note = torch_status()
    libraries = ["minigrad", "torch"] if with_torch else ["minigrad"]
    machine = "\n".join(f"- {line}" for line in machine_description(simulator, with_torch))
    rows = []
    with simulator_launches(simulator):
        for case in cases:
            print(f"timing {case.key} ...", file=sys.stderr, flush=True)
            rows.append(run_case(case, libraries, args.smoke, args.budget))
    timing_note = ("float32; each call waits for the GPU before and after its work "
                   "(minigrad.cuda.synchronize() /\ntorch.cuda.synchronize()); times in "
                   "milliseconds are the median of ")
    timing_note += ("3 timed calls (--smoke)." if args.smoke else
                    f"3 to 45 timed calls per library\n(about {args.budget:g} s of them) in up "
                    "to 9 alternating blocks, after warm-up.")
    parts = [machine, timing_note, results_table(rows, with_torch)]
    if torch_note:
        parts.append(torch_note)
    transfers = transfers_table(rows)
    if transfers:
        parts += [TRANSFERS_NOTE, transfers]
    notes = [f"- `{row['case'].key}`: {p}" for row in rows for p in row["problems"]]
    if notes:
        parts.append("Left out of the timing:\n" + "\n".join(notes))
    body = "\n\n".join(parts)
    print(f"\n{body}")
    if args.write:
        path = write_results("gpu", "GPU benchmark", body)
        print(f"\nwrote the results into {path}")


if __name__ == "__main__":
    main()
