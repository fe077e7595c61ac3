"""The current value of a backend's configuration record, with a scoped override for tests.

Each backend keeps its tunables in a frozen dataclass (cpu's `CpuConfig`, cuda's
`LaunchConfig`) and exposes this pair as its `get_config()` and `override(...)`.
"""
import contextlib
import dataclasses


class ScopedConfig:
    """Holds one frozen dataclass instance; `override` swaps in a copy with some fields changed
    for the length of a `with` block (nested blocks restore in order, even on exceptions)."""

    def __init__(self, default):
        self._current = default

    def get(self):
        """The configuration in use."""
        return self._current

    @contextlib.contextmanager
    def override(self, **changes):
        """Use a configuration with some fields changed inside a `with` block. Unknown fields
        raise TypeError and invalid values the record's own error, before anything changes."""
        previous = self._current
        self._current = dataclasses.replace(previous, **changes)
        try:
            yield self._current
        finally:
            self._current = previous
