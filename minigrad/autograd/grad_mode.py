"""Whether operations record the graph: `no_grad`, `enable_grad`, `set_grad_enabled`."""
import functools
import threading

_state = threading.local()


def is_grad_enabled():
    return getattr(_state, "enabled", True)


def _set_enabled(mode):
    _state.enabled = bool(mode)


class _GradMode:
    """Base for the grad-mode context managers; instances also work as decorators."""

    mode = True

    def __enter__(self):
        self._previous = is_grad_enabled()
        _set_enabled(self.mode)
        return self

    def __exit__(self, *exc):
        _set_enabled(self._previous)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Operations inside do not record the graph (results have requires_grad=False)."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` region."""

    mode = True


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(False)` as a context manager, or called plainly to set the mode."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = is_grad_enabled()
        _set_enabled(self.mode)

    def __enter__(self):
        return self

    def __call__(self, func):
        _set_enabled(self._previous)
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper
