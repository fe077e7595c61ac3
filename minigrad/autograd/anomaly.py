"""Anomaly detection, PyTorch's `torch.autograd.detect_anomaly` / `set_detect_anomaly`: while
it is on, every backward pass checks the gradients each node computes and raises a
RuntimeError naming the node that first returned a NaN. The check runs as a temporary hook on
each node of that backward pass, so the engine's loop costs nothing while it is off."""
import functools
import warnings

from ..tensor import Tensor

_mode = {"enabled": False, "check_nan": True}


def is_anomaly_enabled():
    """Whether anomaly detection is on."""
    return _mode["enabled"]


def is_anomaly_check_nan_enabled():
    """Whether anomaly detection checks gradients for NaN."""
    return _mode["check_nan"]


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection on or off (and its NaN check)."""
    _mode["enabled"], _mode["check_nan"] = bool(enabled), bool(check_nan)


class _AnomalyMode:
    """Base of the context managers: sets the mode on entry, restores it on exit; instances
    also decorate functions."""

    def __init__(self, mode, check_nan):
        self.mode, self.check_nan = bool(mode), bool(check_nan)
        self._previous = []

    def __enter__(self):
        self._previous.append(dict(_mode))
        set_anomaly_enabled(self.mode, self.check_nan)
        return self

    def __exit__(self, *exc):
        _mode.update(self._previous.pop())
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)(self.mode, self.check_nan) if type(self) is set_detect_anomaly \
                    else detect_anomaly(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


class detect_anomaly(_AnomalyMode):
    """`detect_anomaly(check_nan=True)`: anomaly detection on inside the block (or the
    decorated function)."""

    def __init__(self, check_nan=True):
        super().__init__(True, check_nan)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)


class set_detect_anomaly(_AnomalyMode):
    """`set_detect_anomaly(mode, check_nan=True)`: sets the mode at once (as a function call);
    as a context manager it restores the previous one on exit."""

    def __init__(self, mode, check_nan=True):
        super().__init__(mode, check_nan)
        self._previous.append(dict(_mode))
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self


def _nan_check(node):
    def check(grad_inputs, grad_outputs):
        for i, grad in enumerate(grad_inputs):
            if isinstance(grad, Tensor) and grad.dtype.is_floating_point and \
                    bool(grad.isnan().any()):
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                                   f"output.")
    return check


def install_checks(nodes):
    """Hook the NaN check onto `nodes` when anomaly detection asks for it; returns the
    handles to remove afterwards (None when there is nothing to check)."""
    if not (_mode["enabled"] and _mode["check_nan"]):
        return None
    return [node.register_hook(_nan_check(node)) for node in nodes
            if hasattr(node, "register_hook")]


def remove_checks(handles):
    for handle in handles:
        handle.remove()
