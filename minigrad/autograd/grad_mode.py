"""Whether operations record the graph: `no_grad`, `enable_grad`, `set_grad_enabled`.

Each is a context manager and a decorator (`@no_grad()` or bare `@no_grad`). The mode is
per thread, as in PyTorch.
"""
import functools
import threading



class _GradState(threading.local):
    """The per-thread mode. The class attribute is every thread's default: reading it in a
    thread that never set the mode finds it there (a plain threading.local would raise and
    catch an AttributeError inside getattr's default, which costs more than a small op)."""

    enabled = True


_state = _GradState()


def is_grad_enabled():
    return getattr(_state, "enabled", True)


def _set_enabled(mode):
    _state.enabled = bool(mode)


class _GradMode:
    """Base for the grad-mode context managers; instances also work as decorators."""

    mode = True

    def __new__(cls, func=None):
        # `@no_grad` (no parentheses) passes the function itself: decorate it directly.
        instance = super().__new__(cls)
        return instance if func is None else instance(func)

    def __init__(self, func=None):
        self._previous = []  # a stack, so one instance can be entered again while active

    def __enter__(self):
        self._previous.append(is_grad_enabled())
        _set_enabled(self.mode)
        return self

    def __exit__(self, *exc):
        _set_enabled(self._previous.pop())
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"{type(self).__name__} decorates a function, got "
                            f"{type(func).__name__}")
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            previous = is_grad_enabled()
            _set_enabled(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _set_enabled(previous)
        return wrapper


class no_grad(_GradMode):
    """Operations inside do not record the graph (results have requires_grad=False)."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` region."""

    mode = True


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(mode)`: sets the mode at once (a plain call is enough); as a context
    manager it restores the previous mode on exit; as a decorator it applies the mode only
    while the function runs."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        if not isinstance(mode, (bool, int)):
            raise TypeError(f"set_grad_enabled expects a bool, got {type(mode).__name__}")
        self.mode = bool(mode)
        self._previous = [is_grad_enabled()]
        _set_enabled(self.mode)

    def __enter__(self):
        return self

    def __call__(self, func):
        # Used as a decorator: the mode applies per call, not from decoration time on.
        _set_enabled(self._previous[0])
        return super().__call__(func)


class inference_mode(_GradMode):
    """`inference_mode(mode=True)`: as `no_grad` (nothing inside records a graph), for code
    written with PyTorch's inference mode; `inference_mode(False)` turns grad mode on, as
    PyTorch's. Context manager and decorator, with or without parentheses. Unlike PyTorch's, tensors
    made inside are ordinary tensors: they may be used with autograd afterwards."""

    def __new__(cls, mode=True):
        instance = object.__new__(cls)
        if callable(mode):  # `@inference_mode` without parentheses
            instance.__init__(True)
            return instance(mode)
        return instance

    def __init__(self, mode=True):
        if callable(mode):
            mode = True
        if not isinstance(mode, (bool, int)):
            raise TypeError(f"inference_mode expects a bool, got {type(mode).__name__}")
        self.enabled = bool(mode)
        self._previous = []
        self._previous_inference = []

    @property
    def mode(self):
        """The grad mode inside: off in inference mode; inference_mode(False) turns it on (as
        PyTorch's guard does, even under no_grad)."""
        return not self.enabled

    def __enter__(self):
        self._previous_inference.append(is_inference_mode_enabled())
        _state.inference = self.enabled
        return super().__enter__()

    def __exit__(self, *exc):
        _state.inference = self._previous_inference.pop()
        return super().__exit__(*exc)

    def __call__(self, func):
        if not callable(func):
            return super().__call__(func)
        enabled = self.enabled

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(enabled):
                return func(*args, **kwargs)
        return wrapper


def is_inference_mode_enabled():
    """Whether the innermost active `inference_mode` is on (in this thread)."""
    return getattr(_state, "inference", False)
