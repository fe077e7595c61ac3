"""What every benchmark shares: the process environment (BLAS overrides, OpenMP wait policy),
targets, case selection, thread limits, interleaved medians, the machine description, and the
results files under bench/results/.

Importing this module loads no numeric library: numpy reads OpenBLAS's environment variables
once, when it is first imported, so a script settles the environment (`settle_blas_environment`,
`settle_openmp_policy`) first and only then imports numpy, torch or minigrad.
"""
import fnmatch
import gc
import importlib
import math
import os
import platform
import statistics
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
# OpenBLAS reads these when numpy loads it; set by hand they can pin a slower kernel.
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# Kept for the whole process: threadpoolctl applies the limit when this object is created.
_blas_limit = None


def _optional(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# ---- the process environment -------------------------------------------------------------------

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


# ---- targets, case selection and results files -----------------------------------------------

class Target:
    """What minigrad must reach against `baseline`: a speed (work per second) of at least
    `min_speed` times the baseline's. Written as a time ratio ("<= 1.5x torch") or as a share
    of throughput (">= 50% of cuBLAS"), whichever the table reports."""

    def __init__(self, baseline, min_speed, text):
        self.baseline, self.min_speed, self.text = baseline, min_speed, text

    @classmethod
    def time_ratio(cls, baseline, ratio):
        """minigrad's time at most `ratio` times the baseline's."""
        return cls(baseline, 1.0 / ratio, f"<= {ratio:g}x {baseline}")

    @classmethod
    def throughput_share(cls, baseline, share):
        """minigrad's throughput at least `share` of the baseline's."""
        return cls(baseline, share, f">= {share:.0%} of {baseline}")

    def met(self, baseline_time, minigrad_time):
        return baseline_time >= self.min_speed * minigrad_time

    def __str__(self):
        return self.text


def select(cases, patterns):
    """The cases whose key matches one of the comma-separated shell `patterns`."""
    patterns = [p.strip() for p in patterns.split(",") if p.strip()]
    chosen = [c for c in cases if any(fnmatch.fnmatch(c.key, p) for p in patterns)]
    if not chosen:
        keys = ", ".join(c.key for c in cases)
        raise SystemExit(f"no case matches {patterns}; the cases are: {keys}")
    return chosen


def results_name(name, policy):
    """The results file of a run: results under the runtime's default OpenMP policy are kept
    apart from those under passive waiting."""
    return name if policy == "passive" else f"{name}-{policy}"


def write_results(name, title, body):
    """Write `body` (markdown) as bench/results/<name>.md under `title`; returns the path."""
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{name}.md")
    with open(path, "w") as f:
        f.write(f"# {title}\n\n{body.rstrip()}\n")
    return path


# ---- threads, timing and the machine ------------------------------------------------------------


def limit_threads(threads):
    """Run numpy's BLAS, OpenMP pools, Numba and PyTorch on `threads` threads each.

    Returns the thread count actually used (Numba cannot go above NUMBA_NUM_THREADS).
    """
    global _blas_limit
    import numba
    torch, threadpoolctl = _optional("torch"), _optional("threadpoolctl")
    threads = min(threads, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    if torch is not None:
        torch.set_num_threads(threads)
    if threadpoolctl is not None:
        _blas_limit = threadpoolctl.threadpool_limits(limits=threads)
    return threads


def thread_pools():
    """One line per native thread pool loaded so far: BLAS builds (with the kernel OpenBLAS
    picked for this CPU) and OpenMP runtimes, each with its thread count."""
    threadpoolctl = _optional("threadpoolctl")
    if threadpoolctl is None:
        return ["BLAS: unknown (pip install threadpoolctl to see the BLAS kernel and threads)"]
    lines = []
    for pool in threadpoolctl.threadpool_info():
        details = [f"{pool.get('num_threads')} threads"]
        if pool.get("architecture"):
            details.insert(0, f"kernel {pool['architecture']}")
        if pool.get("threading_layer"):
            details.append(f"{pool['threading_layer']} threading")
        label = " ".join(filter(None, [pool.get("internal_api"), pool.get("version")]))
        where = os.path.join(*pool.get("filepath", "?").split(os.sep)[-2:])
        kind = "BLAS" if pool.get("user_api") == "blas" else "OpenMP"
        lines.append(f"{kind}: {label} ({', '.join(details)}) from {where}")
    return lines


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


_POLICY_TEXT = {"passive": "PASSIVE (minigrad's default)",
                "default": "the runtime's default, OMP_WAIT_POLICY unset (PyTorch's default)"}


def machine_description(threads, load_before, omp_wait_policy):
    """A markdown list describing the machine, the library versions and how busy the machine
    was.

    `load_before` is os.getloadavg() from the start of the run: other processes competing
    for the cores inflate every time, BLAS's most (its threads wait for each other).
    `omp_wait_policy` is the --omp-wait-policy of the run ("passive" or "default").
    """
    import numba
    import numpy as np
    torch = _optional("torch")
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel Numba kernel has run yet
        layer = "not started"
    versions = f"numpy {np.__version__}, numba {numba.__version__} ({layer} threading layer)"
    versions += f", torch {torch.__version__}" if torch is not None else ", torch not installed"
    lines = [f"CPU: {_cpu_model()} ({os.cpu_count()} logical cores, {affinity} usable)",
             f"Threads used by every library: {threads}",
             f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
             versions,
             f"Load average (1 min) at start and end of the run: {load_before[0]:.2f}, "
             f"{os.getloadavg()[0]:.2f}",
             f"OpenMP wait policy for every library: {_POLICY_TEXT[omp_wait_policy]}"]
    lines += thread_pools()
    return "\n".join(f"- {line}" for line in lines)


def blocked_medians(runners, budget_s=2.0, max_calls=45, max_rounds=9, settle_s=0.1):
    """Median wall time in ms of each callable in `runners` (a dict name -> fn).

    Each callable gets about `budget_s` of timed calls (at least 3, at most `max_calls`), run
    in blocks of consecutive calls, as an op runs in a training loop. The blocks of the
    callables alternate, round after round (up to `max_rounds`), so that a slow spell of the
    machine hits all of them alike and no single spell decides a median. Before each block the
    process sleeps `settle_s` and makes one untimed call: OpenMP worker threads (PyTorch's,
    Numba's) spin-wait for a while after their work ends and would otherwise take a core from
    whatever runs next. The garbage collector is paused while timing, as timeit does.
    """
    calls, rounds = {}, max_rounds
    for name, fn in runners.items():
        fn()
        t0 = time.perf_counter()
        fn()
        estimate = max(time.perf_counter() - t0, 1e-9)
        calls[name] = max(3, min(max_calls, int(budget_s / estimate)))
        rounds = min(rounds, calls[name])
    per_block = {name: math.ceil(n / rounds) for name, n in calls.items()}
    samples = {name: [] for name in runners}
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for name, fn in runners.items():
                time.sleep(settle_s)
                fn()
                for _ in range(per_block[name]):
                    t0 = time.perf_counter()
                    fn()
                    samples[name].append(time.perf_counter() - t0)
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: 1e3 * statistics.median(times) for name, times in samples.items()}


def interleaved_times(runners, clock, rounds, budget_s):
    """(median, fastest) ms per call of each runner (a dict name -> fn), timed with `clock`:
    `rounds` rounds, each running every runner for a block of calls (about budget_s / rounds
    seconds, 1-20 calls), the order reversed every other round. For A/B comparisons of kernels
    and steps in one process."""
    for fn in runners.values():
        fn()
    per_block = {}
    for name, fn in runners.items():
        t0 = clock()
        fn()
        per_block[name] = max(1, min(20, int(budget_s / rounds / max(clock() - t0, 1e-6))))
    samples = {name: [] for name in runners}
    names = list(runners)
    gc.collect()
    gc.disable()
    try:
        for r in range(rounds):
            for name in (names if r % 2 == 0 else names[::-1]):
                for _ in range(per_block[name]):
                    t0 = clock()
                    runners[name]()
                    samples[name].append(clock() - t0)
    finally:
        gc.enable()
    return {name: (1e3 * statistics.median(t), 1e3 * min(t)) for name, t in samples.items()}
