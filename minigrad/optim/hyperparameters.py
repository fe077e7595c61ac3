"""Checks of optimizer hyper-parameters, with errors that name the hyper-parameter.

Optimizers run them on their defaults, on every parameter group they are given or load, and
again before each step (a group's settings can be changed at any time), so a bad value is
reported where it was given instead of reaching a kernel. The wording follows PyTorch's
("Invalid learning rate: -1"), with the argument's name added.
"""
import math
import numbers

import numpy as np


def check_real(name, value):
    """`value` is a finite real number (bool is not); returns it as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"Invalid {name}: {value} (expected a finite number)")
    return value


def check_non_negative(name, value, label=None):
    """`value` is a finite real number >= 0; `label` is how PyTorch words it ("learning
    rate"), given with the argument's name in the message."""
    described = name if label is None else f"{label} ({name})"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{described} must be a real number, got {type(value).__name__} "
                        f"{value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"Invalid {described}: {value} (expected a finite value >= 0)")


def check_flag(name, value):
    """`value` is a bool (a string such as "False" would silently count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")


def check_betas(betas):
    """`betas` is a pair of real numbers in [0, 1)."""
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        if isinstance(beta, (bool, np.bool_)) or not isinstance(beta, numbers.Real):
            raise TypeError(f"beta parameter at index {i} (betas[{i}]) must be a real number, "
                            f"got {type(beta).__name__} {beta!r}")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta} (betas must be in "
                             "[0, 1))")


def check_implementation_flags(owner, foreach=None, fused=None, capturable=False,
                               differentiable=False):
    """PyTorch's switches between implementations of one update rule: `foreach` (multi-tensor),
    `fused` (one kernel) and `capturable` (CUDA graphs) are accepted and change nothing here,
    where each optimizer has one implementation with the same results. `differentiable=True`
    (an update recorded by autograd) is refused."""
    for name, value in (("foreach", foreach), ("fused", fused)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{owner}: {name} must be None or a bool, got {value!r}")
    check_flag("capturable", capturable)
    check_flag("differentiable", differentiable)
    if differentiable:
        raise ValueError(f"{owner}: differentiable=True is not supported (updates are not "
                         f"recorded by autograd); leave it False")
