"""Numba compile cost: import + first conv2d call in fresh processes, cold and warm cache.

Run through `python bench/bench_cpu.py --compile-cost [--write]`. Each measurement is a new
Python process with NUMBA_CACHE_DIR pointing at a temporary folder: the first process finds it
empty (every kernel is compiled), the later ones load the kernels the first one cached.
"""
import json
import os
import subprocess
import sys
import tempfile

from _common import write_results

WARM_TARGET_S = 2.0
WARM_RUNS = 2

# The child times `import minigrad` and one conv2d forward and backward on a small float32
# input (the kernels a training step's first convolution needs), then reports them as JSON.
CHILD = """
import json, time
t0 = time.perf_counter()
import minigrad
import minigrad.nn.functional as F
t1 = time.perf_counter()
x = minigrad.randn(2, 3, 8, 8, requires_grad=True)
w = minigrad.randn(4, 3, 3, 3, requires_grad=True)
b = minigrad.randn(4, requires_grad=True)
t2 = time.perf_counter()
out = F.conv2d(x, w, b, padding=1)
t3 = time.perf_counter()
out.sum().backward()
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "forward": t3 - t2, "backward": t4 - t3}))
"""


def _measure(cache_dir, repo_root):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo_root, env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, cwd=repo_root)
    if done.returncode != 0:
        raise SystemExit(f"the measuring process failed:\n{done.stderr}")
    times = json.loads(done.stdout.strip().splitlines()[-1])
    times["total"] = times["import"] + times["forward"] + times["backward"]
    return times


def table(rows):
    lines = ["| Numba cache | import minigrad s | first conv2d forward s | first backward s "
             "| total s |", "|---|---:|---:|---:|---:|"]
    for label, t in rows:
        lines.append(f"| {label} | {t['import']:.2f} | {t['forward']:.2f} | "
                     f"{t['backward']:.2f} | {t['total']:.2f} |")
    return "\n".join(lines)


def main(write):
    """Measure cold then warm; print a markdown table; with `write`, record it in
    bench/results/compile-cost.md."""
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory(prefix="minigrad-numba-cache-") as cache_dir:
        rows = [("cold (empty)", _measure(cache_dir, repo_root))]
        rows += [(f"warm (run {i + 1})", _measure(cache_dir, repo_root))
                 for i in range(WARM_RUNS)]
    warm = min(t["total"] for label, t in rows[1:])
    verdict = (f"Target: warm import + first conv2d call < {WARM_TARGET_S:g} s: "
               f"{'met' if warm < WARM_TARGET_S else 'not met'} (best warm {warm:.2f} s).")
    body = f"{table(rows)}\n\n{verdict}"
    print(body)
    if write:
        path = write_results("compile-cost", "Numba compile cost", body)
        print(f"\nwrote the compile cost into {path}")
