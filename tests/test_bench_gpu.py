"""bench/bench_gpu.py on a machine without a GPU: one clear line and a non-zero exit status.
(Its code paths are run in numba's CUDA simulator by tests/cuda/test_cuda_bench_gpu.py.)"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import minigrad

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "bench_gpu.py"


@pytest.mark.skipif(minigrad.cuda.is_available(), reason="this machine has a usable cuda device")
def test_without_a_gpu_the_benchmark_says_so_and_fails():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == ("bench_gpu.py needs an NVIDIA GPU: "
                                   "minigrad.cuda.is_available() is False")
    assert done.stdout == ""
