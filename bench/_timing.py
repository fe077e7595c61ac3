"""Timing helpers for the benchmarks: thread limits, interleaved medians, machine description.

Import this module only after the BLAS environment is settled (see bench_cpu.py): numpy reads
OpenBLAS's environment variables once, when it is first imported.
"""
import gc
import math
import os
import platform
import statistics
import time

import numba
import numpy as np

try:
    import threadpoolctl
except ImportError:
    threadpoolctl = None

try:
    import torch
except ImportError:
    torch = None

# Kept for the whole process: threadpoolctl applies the limit when this object is created.
_blas_limit = None


def limit_threads(threads):
    """Run numpy's BLAS, OpenMP pools, Numba and PyTorch on `threads` threads each.

    Returns the thread count actually used (Numba cannot go above NUMBA_NUM_THREADS).
    """
    global _blas_limit
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
