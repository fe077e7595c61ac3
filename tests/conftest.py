"""Shared test set-up: hypothesis profiles and the `device` fixture.

Profiles: "ci" (the default: few examples, so the suite stays within minutes on 2 cores) and
"thorough" (many examples); pick one with HYPOTHESIS_PROFILE=thorough.
"""
import os

import pytest
from hypothesis import HealthCheck, settings

import minigrad
from minigrad.backend import is_available

# `device` is a parametrized fixture that holds no state, so reusing it across the examples of
# one @given test is safe.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=12, deadline=None, print_blob=True,
                          suppress_health_check=_SUPPRESSED)
settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=_SUPPRESSED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DEVICES = ["cpu"] + (["cuda"] if is_available("cuda") else [])


@pytest.fixture(params=DEVICES)
def device(request):
    """Each test that takes `device` runs once per available device."""
    return request.param


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same global seed."""
    minigrad.manual_seed(0)
