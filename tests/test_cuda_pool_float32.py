"""The cuda pooling kernels compute float32 data in float32: an int64 divisor or a bare float
literal would promote a whole accumulation to float64, which GPUs run at a fraction of the
float32 rate (and with twice the registers). Numba types the kernels for float32 arguments
without a GPU, in a child process with the simulator off and the compute-capability lookup
(the one thing that wants a device) answered with 9.0."""
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("numba.cuda")

CHILD = r"""
import json, sys
import numba.cuda.dispatcher
from numba import types
from numba.cuda.compiler import compile_cuda

device = type("Device", (), {"compute_capability": (9, 0)})()
for name, module in list(sys.modules.items()):
    if name.startswith(("numba.cuda", "numba_cuda")) and hasattr(module, "get_current_device"):
        module.get_current_device = lambda: device

from minigrad.backend.cuda import pool

f32, i64 = types.float32, types.int64
array, long_array = types.Array(f32, 1, "C"), types.Array(i64, 1, "C")
strides, params = types.UniTuple(i64, 4), types.UniTuple(i64, 6)
window = types.UniTuple(i64, 8)
ints6 = (i64,) * 6
signatures = {
    "_window_means_kernel": (array, array, strides) + ints6 + (params, types.boolean, f32, f32,
                                                               i64),
    "_window_means_adjoint_kernel": (array, array, strides) + ints6 + (params, types.boolean,
                                                                       f32, f32, i64),
    "_max_pool_kernel": (array, long_array, array, strides, i64, i64, i64, window, i64, i64,
                         f32, i64),
    "_scatter_add_in_order_kernel": (array, array, strides, long_array, strides) + (i64,) * 5,
}
found = {}
for name, signature in signatures.items():
    kernel = getattr(pool, name).py_func
    typemap = compile_cuda(kernel, types.void, signature, cc=(9, 0)).type_annotation.typemap
    found[name] = sorted(v for v, t in typemap.items() if t == types.float64)
print(json.dumps(found))
"""


def test_float32_pooling_kernels_type_no_float64_value():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=env, cwd=root, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(found) == 4
    assert found == {name: [] for name in found}, found
