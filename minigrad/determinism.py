"""`use_deterministic_algorithms` and its queries, as in PyTorch.

With the mode on, every kernel that would add floating-point values in an order that varies
from run to run (atomic additions on the cuda device: the gradient of max pooling, index_put
with accumulate=True, index_add and the other scatter-adds behind gathers' gradients) runs an
atomic-free variant that adds in a fixed order instead, so results repeat bit for bit and
equal the cpu's. Those variants are slower (they parallelise over fewer threads). Kernels
outside that list are deterministic either way, so no op raises or warns in this mode, and
`warn_only` is kept and read back only.
"""
_enabled = False
_warn_only = False


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Make the kernels that accumulate with atomics add in a fixed order instead (see the
    module docstring). `mode` and `warn_only` are bools."""
    global _enabled, _warn_only
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            raise TypeError(f"use_deterministic_algorithms(): argument '{name}' must be bool, "
                            f"not {type(value).__name__}")
    _enabled, _warn_only = mode, warn_only


def are_deterministic_algorithms_enabled():
    """Whether `use_deterministic_algorithms(True)` is in effect."""
    return _enabled


def is_deterministic_algorithms_warn_only_enabled():
    """The `warn_only` of the last `use_deterministic_algorithms` call."""
    return _warn_only
