"""Hooks that run for every module, PyTorch's `torch.nn.modules.module.register_module_*`.

Global hooks run before the module's own hooks of the same kind. They are meant for debugging
and profiling: every call of every module pays for them while one is registered.
"""
from ..autograd.hooks import HookDict, add_hook

forward_pre_hooks = HookDict()
forward_hooks = HookDict()
forward_hooks_with_kwargs = HookDict()
forward_hooks_always_called = HookDict()
backward_pre_hooks = HookDict()
backward_hooks = HookDict()
# whether the global backward hooks are full (True), deprecated non-full ones (False), or
# none was registered yet (None): the two kinds cannot be mixed, as in PyTorch
_full = {"is_full": None}


def any_registered():
    return bool(forward_pre_hooks or forward_hooks or backward_pre_hooks or backward_hooks)


def backward_hooks_are_full():
    return _full["is_full"]


def register_module_forward_pre_hook(hook):
    """Run `hook(module, args)` before the forward of every module (before its own
    pre-hooks). A return value other than None replaces the positional arguments."""
    return add_hook(forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """Run `hook(module, args, output)` (or `hook(module, args, kwargs, output)` with
    `with_kwargs`) after the forward of every module, before its own forward hooks; a return
    value other than None replaces the output. With `always_call` it also runs when forward
    raises."""
    handle = add_hook(forward_hooks, hook,
                      extra_dicts=(forward_hooks_with_kwargs, forward_hooks_always_called))
    if with_kwargs:
        forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        forward_hooks_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """Run `hook(module, grad_output)` for every module once the gradients of its outputs are
    known (before the module's own backward pre-hooks); it may return a replacement."""
    return add_hook(backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """Run `hook(module, grad_input, grad_output)` for every module once the gradients of its
    inputs are known (before the module's own backward hooks); it may return a replacement
    grad_input."""
    _set_kind(True)
    return add_hook(backward_hooks, hook)


def register_module_backward_hook(hook):
    """The deprecated, non-full form of `register_module_full_backward_hook`: `grad_input` is
    that of the last graph node of each module."""
    _set_kind(False)
    return add_hook(backward_hooks, hook)


def _set_kind(full):
    if _full["is_full"] is (not full):
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as "
                           "a global Module hook. Please use only one of them.")
    _full["is_full"] = full
