"""Hook registries and the handle that removes a hook (PyTorch's `RemovableHandle`).

Hooks live in ordered dicts keyed by the handle's id, so a handle can remove its hook without
knowing where the registry is, and a registry keeps hooks in registration order (or with
`prepend`, first).
"""
import itertools
import weakref
from collections import OrderedDict


class HookDict(OrderedDict):
    """An OrderedDict that can be weakly referenced (plain dicts cannot)."""


class RemovableHandle:
    """Returned by every `register_*hook` method: `.remove()` unregisters the hook.

    Also a context manager that removes the hook on exit. It holds its registries weakly, so a
    handle kept around does not keep a module, tensor or graph alive.
    """

    _next_id = itertools.count()

    def __init__(self, *hook_dicts):
        self.id = next(RemovableHandle._next_id)
        self._dicts = [weakref.ref(d) for d in hook_dicts]

    def remove(self):
        for ref in self._dicts:
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(hooks, hook, prepend=False, extra_dicts=()):
    """Put `hook` into the registry `hooks` (first with `prepend`); the returned handle also
    removes the hook's entries in `extra_dicts` (flags kept beside the registry)."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks, *extra_dicts)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def hook_name(hook):
    return getattr(hook, "__name__", type(hook).__name__)
