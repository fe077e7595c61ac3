"""The package import: thread-pool settings it makes, the namespaces it exposes."""
import os
import subprocess
import sys


def _policy_after_import(environment):
    code = "import os, minigrad; print(os.environ.get('OMP_WAIT_POLICY'))"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env.update(environment)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)
    return done.stdout.strip()


def test_import_sets_passive_wait_policy():
    assert _policy_after_import({}) == "PASSIVE"


def test_import_keeps_the_users_wait_policy():
    assert _policy_after_import({"OMP_WAIT_POLICY": "ACTIVE"}) == "ACTIVE"


def test_import_minigrad_makes_nn_and_optim_available_as_in_torch():
    code = "import minigrad; print(minigrad.nn.Linear.__name__, minigrad.optim.SGD.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["Linear", "SGD"]
