"""Every registered backend implements the kernel contract, with the contract's signatures.

The check reads the backend modules only (it launches nothing), so it also holds the cuda
backend to the contract on a machine without a GPU, wherever numba.cuda can be imported.
"""
import importlib
import inspect
import types

import numpy as np
import pytest

import minigrad
from minigrad.backend import _MODULES, device_types
from minigrad.backend.contract import Backend, kernel_names
from minigrad.nn import init

# Public names a backend may have besides its kernels: its device name and availability check.
NOT_KERNELS = {"name", "check_available"}


def _module(device_type):
    try:
        return importlib.import_module(_MODULES[device_type])
    except ImportError as err:
        pytest.skip(f"the {device_type} backend cannot be imported here: {err}")


def _contract_parameters(kernel):
    parameters = list(inspect.signature(getattr(Backend, kernel)).parameters.values())
    return parameters[1:]  # without self


@pytest.mark.parametrize("device_type", device_types())
def test_backend_implements_every_kernel_with_the_contract_signature(device_type):
    module = _module(device_type)
    assert module.name == device_type
    for kernel in kernel_names():
        assert hasattr(module, kernel), \
            f"the {device_type} backend has no {kernel!r} kernel (see backend/contract.py)"
        implementation = getattr(module, kernel)
        assert inspect.isfunction(implementation), \
            f"{device_type}.{kernel} must be a plain function, got {type(implementation)}"
        got = list(inspect.signature(implementation).parameters.values())
        assert got == _contract_parameters(kernel), \
            f"{device_type}.{kernel}{inspect.signature(implementation)} differs from the " \
            f"contract's {kernel}{inspect.signature(getattr(Backend, kernel))}"


@pytest.mark.parametrize("device_type", device_types())
def test_backend_exports_nothing_outside_the_contract(device_type):
    """A kernel one backend adds on its own is drift: add it to backend/contract.py (and to
    every backend) instead."""
    module = _module(device_type)
    public = {name for name, value in vars(module).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public - NOT_KERNELS - set(kernel_names()) == set()


def test_contract_lists_each_kernel_once_with_a_docstring():
    names = kernel_names()
    assert len(names) == len(set(names)) > 40
    for kernel in names:
        assert inspect.getdoc(getattr(Backend, kernel)), f"{kernel} has no contract text"


@pytest.mark.parametrize("fill", ["uniform_", "normal_"])
def test_init_honours_the_generator_on_every_device(device, fill):
    def sample(seed):
        t = minigrad.zeros(3, 4, device=device)
        getattr(init, fill)(t, generator=np.random.default_rng(seed))
        return t.numpy()

    first, again, other = sample(5), sample(5), sample(6)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    generator = np.random.default_rng(5)
    t = minigrad.zeros(3, 4, device=device)
    getattr(init, fill)(t, generator=generator)
    getattr(init, fill)(t, generator=generator)
    assert not np.array_equal(t.numpy(), first), "the generator must advance between draws"
