#!/usr/bin/env bash
# Every GPU check in one go, for a machine with an NVIDIA GPU (numba-cuda and torch installed).
#
#     OUT=/some/folder bash bench/gpu_run.sh     # results under $OUT (default bench/results/gpu)
#
# Each step has its own time limit, so one that hangs or fails leaves the others' results:
# the GPU and library versions, the main example on cuda, the GPU benchmark against PyTorch,
# then tests/cuda and the device-parametrized tests on the GPU. Budget: at most 14 minutes
# (the sum of the steps' limits).
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/results/gpu}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

step() {  # step NAME SECONDS COMMAND...: run it, keep its output and exit status
    local name=$1 limit=$2
    shift 2
    local started=$SECONDS
    timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1
    local code=$?
    echo "$name: exit $code in $((SECONDS - started)) s" | tee -a "$OUT/summary.txt"
}

step environment 60 bash -c 'nvidia-smi; python -c "import numba, numpy, torch;
print(\"numba\", numba.__version__, \"numpy\", numpy.__version__, \"torch\", torch.__version__)
from numba import cuda; print(cuda.get_current_device().name, cuda.get_current_device().compute_capability)"'
step train 150 python examples/train.py --device cuda
step bench_gpu 240 python bench/bench_gpu.py --budget 1.0
# The README's cuda pass (`python -m pytest --devices cuda`) without the simulator, in two
# parts: the backend's own tests first (they stop at the first failure), then the
# device-parametrized tests and those marked cuda_only.
step tests_cuda 150 python -m pytest --devices cuda tests/cuda -q -x -p no:cacheprovider
step tests_device 240 python -m pytest --devices cuda -q -p no:cacheprovider --ignore=tests/cuda \
    --ignore=tests/test_distributed.py
cat "$OUT/summary.txt"
