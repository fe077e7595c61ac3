"""The cuda grid_sample and CTC loss kernels compute float32 data in float32 (a bare float
literal, np.inf or an int64 size would promote the arithmetic to float64, which GPUs run at a
fraction of the float32 rate); the float64 kernels compile too. Numba types the kernels, and
the device functions they call, without a GPU, in a child process with the simulator off and
the compute-capability lookup (the one thing that wants a device) answered with 9.0. Literal
constants folded into an `np.float32(...)` cast are left out: they never reach the device."""
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

from minigrad.backend.cuda import ctc_loss as ctc
from minigrad.backend.cuda import grid_sample as gs


def wide(typemap, real):
    if real == types.float64:  # float32 values here are widened exact integers: no harm
        return []
    return sorted(v for v, t in typemap.items()
                  if t == types.float64 and not v.startswith("$const"))


found = {}
for real in (types.float32, types.float64):
    for name, dims, arrays in (("_forward2d_kernel", 4, 3), ("_backward2d_kernel", 4, 5),
                               ("_forward3d_kernel", 5, 3), ("_backward3d_kernel", 5, 5)):
        array = types.Array(real, dims, "C")
        signature = (array,) * arrays + (types.int64, types.int64, types.boolean, real)
        kernel = getattr(gs, name).py_func
        result = compile_cuda(kernel, types.void, signature, cc=(9, 0))
        found[f"{name} {real}"] = wide(result.type_annotation.typemap, real)
    for name in ("_point", "_tap", "_unnormalize", "_pad", "_round", "_index_within",
                 "_tap_weight"):
        for signature, compiled in getattr(gs, name).overloads.items():
            if real in signature:
                typemap = compiled.type_annotation.typemap
                found[f"{name} {signature}"] = wide(typemap, real)
    vector, table, cube = (types.Array(real, d, "C") for d in (1, 2, 3))
    longs, long_table = types.Array(types.int64, 1, "C"), types.Array(types.int64, 2, "C")
    given = (long_table, longs, longs, types.int64, types.boolean, real)
    for name, signature in (("_forward_kernel", (vector, cube, cube) + given),
                            ("_backward_kernel", (cube, cube, vector, cube, long_table, longs,
                                                  longs, cube, types.int64, types.boolean,
                                                  real))):
        result = compile_cuda(getattr(ctc, name).py_func, types.void, signature, cc=(9, 0))
        found[f"ctc {name} {real}"] = wide(result.type_annotation.typemap, real)
    for name in ctc.rules.RULES:
        for signature, compiled in getattr(ctc._rules, name).overloads.items():
            if real in signature:
                found[f"ctc {name} {signature}"] = wide(compiled.type_annotation.typemap, real)
print(json.dumps(found))
"""


def test_grid_sample_and_ctc_kernels_compute_in_the_data_float_type():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=env, cwd=root, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(found) >= 8 + 2 * 7 + 4 + 2 * 5, sorted(found)  # extended_label has no float
    assert found == {name: [] for name in found}, found
