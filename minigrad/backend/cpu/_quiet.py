"""Numpy's floating-point warnings turned off inside kernels.

PyTorch returns inf and nan from log(0), 1 / 0, exp(1e4) or inf - inf without a word; numpy
computes the same values but also emits a RuntimeWarning, which would leak to minigrad's users.
The state is set per call, as `np.errstate` sets it (thread- and context-local), never
process-wide.

A kernel runs once per op call, and entering `np.errstate` costs about three times a small
`np.add`. Since numpy 2, `np.errstate` only sets a context variable to an error-state object
built from the current one; this module builds that object once per current state and sets
the variable itself (one lookup and a set/reset per call). Where numpy keeps its state
elsewhere (numpy 1.x), kernels enter `np.errstate` as before.
"""
import functools
import inspect

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar as _ERROR_STATE
except ImportError:  # numpy 1.x
    _ERROR_STATE = None

_quiet_version = {}  # numpy's current error state -> the same state with all warnings ignored
_MAX_STATES = 64     # a program that enters many np.errstate blocks makes a new state each time


def _quiet_state_for(current):
    """The state `np.errstate(all="ignore")` would set, entered where `current` is set."""
    if len(_quiet_version) >= _MAX_STATES:
        _quiet_version.clear()
    with np.errstate(all="ignore"):
        state = _ERROR_STATE.get()
    _quiet_version[current] = state
    return state


def quiet(kernel):
    """`kernel` run with numpy's divide/overflow/underflow/invalid warnings off; same results."""
    if _ERROR_STATE is None:
        @functools.wraps(kernel)
        def quiet_kernel(*args, **kwargs):
            with np.errstate(all="ignore"):
                return kernel(*args, **kwargs)
        return quiet_kernel

    get, set_state, reset, known = (_ERROR_STATE.get, _ERROR_STATE.set, _ERROR_STATE.reset,
                                    _quiet_version.get)

    @functools.wraps(kernel)
    def quiet_kernel(*args, **kwargs):
        current = get()
        token = set_state(known(current) or _quiet_state_for(current))
        try:
            return kernel(*args, **kwargs)
        finally:
            reset(token)
    return quiet_kernel


def quiet_module_kernels(namespace):
    """Wrap every public function defined in the module whose globals are `namespace`."""
    module = namespace["__name__"]
    for name, value in list(namespace.items()):
        if (inspect.isfunction(value) and value.__module__ == module
                and not name.startswith("_")):
            namespace[name] = quiet(value)
