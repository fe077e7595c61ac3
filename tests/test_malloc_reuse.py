"""minigrad keeps freed array memory for reuse under glibc (minigrad/_malloc.py): a training
step's arrays land on pages already mapped, not on fresh ones that fault on first write."""
import os
import subprocess
import sys

import pytest

from minigrad import _malloc
from minigrad.utils import release_cpu_memory

pytestmark = pytest.mark.skipif(_malloc._glibc() is None, reason="glibc's malloc only")

# Each round allocates 40 arrays of 1 MiB, writes them and frees them all; prints the page
# faults per round after the first. glibc on its own returns the freed top of its heap to the
# kernel after each round (so every round faults again); kept, the rounds reuse it.
_ROUNDS = """
import resource, numpy as np, minigrad
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def round_():
    arrays = [np.ones(1 << 18, np.float32) for _ in range(40)]
    del arrays
round_()
before = faults()
for _ in range(4):
    round_()
print(minigrad._malloc.KEEPING_FREED_MEMORY, (faults() - before) // 4)
"""


def _run(**env):
    environment = {k: v for k, v in os.environ.items()
                   if k not in _malloc._USER_SETTINGS + ("GLIBC_TUNABLES",)}
    environment.update(env)
    out = subprocess.run([sys.executable, "-c", _ROUNDS], env=environment, check=True,
                         capture_output=True, text=True, cwd=os.getcwd()).stdout.split()
    return out[0] == "True", int(out[1])


def test_freed_memory_is_reused_without_page_faults():
    kept, faults = _run()
    assert kept
    assert faults < 100  # 40 MiB of fresh pages would be about 10,000 faults


def test_opting_out_leaves_glibc_returning_memory():
    kept, faults = _run(MINIGRAD_KEEP_FREED_MEMORY="0")
    assert not kept
    assert faults > 5000  # the contrast that makes the test above meaningful


def test_users_own_glibc_settings_win():
    kept, _ = _run(MALLOC_TRIM_THRESHOLD_="131072")
    assert not kept
    kept, _ = _run(GLIBC_TUNABLES="glibc.malloc.mmap_threshold=131072")
    assert not kept
    kept, _ = _run(GLIBC_TUNABLES="glibc.cpu.x86_ibt=off")  # other tunables: still kept
    assert kept


def test_release_cpu_memory_returns_a_bool():
    assert release_cpu_memory() in (True, False)
