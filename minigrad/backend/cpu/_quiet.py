"""Numpy's floating-point warnings turned off inside kernels.

PyTorch returns inf and nan from log(0), 1 / 0, exp(1e4) or inf - inf without a word; numpy
computes the same values but also emits a RuntimeWarning, which would leak to minigrad's users.
The state is set per call with `np.errstate` (thread- and context-local), never process-wide.
"""
import functools
import inspect

import numpy as np


def quiet(kernel):
    """`kernel` run with numpy's divide/overflow/underflow/invalid warnings off; same results."""
    @functools.wraps(kernel)
    def quiet_kernel(*args, **kwargs):
        with np.errstate(all="ignore"):
            return kernel(*args, **kwargs)
    return quiet_kernel


def quiet_module_kernels(namespace):
    """Wrap every public function defined in the module whose globals are `namespace`."""
    module = namespace["__name__"]
    for name, value in list(namespace.items()):
        if (inspect.isfunction(value) and value.__module__ == module
                and not name.startswith("_")):
            namespace[name] = quiet(value)
