"""`Module`: the base class of every layer and model.

A module owns three ordered registries, filled by plain attribute assignment:
`_parameters` (Parameters, or None), `_buffers` (Tensors that are state but not learned, such
as BatchNorm's running statistics) and `_modules` (child modules). Names, state_dict keys
("features.0.weight"), reprs and traversal orders follow PyTorch's `torch.nn.Module`.
"""
import warnings
from collections import OrderedDict, namedtuple

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import no_grad
from ..autograd.hooks import HookDict, add_hook
from ..device import Device
from ..tensor import DeviceMismatchError, Tensor
from . import global_hooks
from .backward_hooks import BackwardHook, attach_non_full_hooks
from .parameter import Buffer, Parameter, is_lazy


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns: the keys the module expected but did not get, and the
    keys it got but has no place for."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _indent(text, spaces):
    """Indent every line of `text` but the first (the first follows a "(name): " label)."""
    first, *rest = text.split("\n")
    pad = " " * spaces
    return "\n".join([first] + [pad + line if line.strip() else "" for line in rest])


def _check_name(kind, name, registry, owner):
    """Validate the name of a new parameter, buffer or submodule, as PyTorch does."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got "{name}"')
    if hasattr(owner, name) and name not in registry:
        raise KeyError(f"attribute '{name}' already exists")


def _as_tensor(value):
    """A state_dict entry as a Tensor: Tensors pass through, numpy arrays and numbers are
    wrapped; anything else gives None."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (np.ndarray, np.generic, int, float, bool)):
        return Tensor._from_data(np.asarray(value))
    return None


def _parse_to_args(args, kwargs):
    """`Module.to`'s arguments -> (device or None, dtype or None), as PyTorch accepts them:
    to(device), to(dtype), to(device, dtype), to(tensor), or the device=/dtype= keywords."""
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    if len(args) > 2:
        raise TypeError(f"to() takes at most 2 positional arguments, got {len(args)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, Device)):
            device = arg
        elif isinstance(arg, int) and not isinstance(arg, bool):
            device = f"cuda:{arg}"  # PyTorch reads a bare int as a cuda device index
        else:
            dtype = arg
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired "
                            f"dtype={dtype}")
    return (None if device is None else Device(device)), dtype


class Module:
    """Base class for all neural network modules: subclass it, create the parameters and
    submodules in `__init__` (after `super().__init__()`), and compute in `forward`.

    Calling the module (`module(x)`) runs the forward pre-hooks, `forward`, then the forward
    hooks.
    """

    training: bool

    def __init__(self):
        # object.__setattr__: our own __setattr__ reads these registries
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", HookDict())
        object.__setattr__(self, "_forward_pre_hooks_with_kwargs", HookDict())
        object.__setattr__(self, "_forward_hooks", HookDict())
        object.__setattr__(self, "_forward_hooks_with_kwargs", HookDict())
        object.__setattr__(self, "_forward_hooks_always_called", HookDict())
        object.__setattr__(self, "_backward_pre_hooks", HookDict())
        object.__setattr__(self, "_backward_hooks", HookDict())
        object.__setattr__(self, "_is_full_backward_hook", None)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    # ---- registration ---------------------------------------------------------------------
    def register_parameter(self, name, param):
        """Add `param` (a Parameter, or None for an absent one such as `bias=False`) as
        `name`."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self._parameters, self)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (minigrad.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly: wrap the values in "
                             f"Parameter(tensor.detach())")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add `tensor` (or None) as the buffer `name`: module state that is not learned.

        Persistent buffers are part of `state_dict()`; all buffers move with `to()`.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self._buffers, self)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer "
                            f"'{name}' (Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add the child `module` (or None) as `name`; it is then reachable as an attribute."""
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name("module", name, self._modules, self)
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, self._parameters)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(minigrad.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, self._modules)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module "
                                f"'{name}' (Module or None expected)")
            self._modules[name] = value
        elif isinstance(value, Buffer):  # nn.Buffer: registered, persistent as it says
            if params is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self._forget(name, self._buffers)
            self.register_buffer(name, value, persistent=value.persistent)
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Drop `name` from the instance dict and every registry but `keep` (which it is about
        to be stored in; an existing entry there keeps its position)."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        # only called when normal lookup fails: look in the registries
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def get_submodule(self, target):
        """The submodule at the dotted path `target` ("" is this module)."""
        module = self
        for part in target.split(".") if target else ():
            if part not in module._modules or module._modules[part] is None:
                raise AttributeError(f"{type(module).__name__} has no submodule `{part}` "
                                     f"(looking up '{target}')")
            module = module._modules[part]
        return module

    def get_parameter(self, target):
        """The Parameter at the dotted path `target` ("layer.0.weight")."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}` (looking "
                                 f"up '{target}')")
        value = getattr(module, name)
        if not isinstance(value, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter (looking up '{target}')")
        return value

    def get_buffer(self, target):
        """The buffer at the dotted path `target` ("bn.running_mean")."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer of {type(module).__name__} "
                                 f"(looking up '{target}')")
        return module._buffers[name]

    # ---- traversal --------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module and every descendant, depth first; a module
        reachable by several paths is listed once (at its first path) by default."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            child_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """(name, module) for each direct child, each module once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        """(dotted name, tensor) from `registry` ("_parameters" or "_buffers") of this module
        (and descendants when `recurse`), skipping None entries and, by default, repeats."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) pairs, e.g. ("features.0.weight", ...); a shared
        parameter is listed once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn):
        """Call `fn` on every child (recursively), then on this module; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients ----------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (True) or evaluation mode (False) on this module and its
        descendants; affects Dropout and BatchNorm. Returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Turn gradient recording of every parameter on or off; returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's `.grad`: to None (default), or to zeros in place."""
        for param in self.parameters():
            grad = param.grad
            if grad is None:
                continue
            if set_to_none:
                param.grad = None
                continue
            grad.detach_()
            with no_grad():
                grad.zero_()

    # ---- devices and dtypes -----------------------------------------------------------------
    def _apply(self, fn):
        """Replace every parameter's and buffer's values with `fn(tensor)`, recursively.

        A parameter stays the same object (its `.data` is replaced), so optimizers and other
        references to it keep working; its gradient is converted the same way.
        """
        for module in self.children():
            module._apply(fn)
        with no_grad():
            for param in self._parameters.values():
                if param is None:
                    continue
                new = fn(param)
                if new is not param:
                    param.data = new
                if param.grad is not None:
                    new_grad = fn(param.grad)
                    if new_grad is not param.grad:
                        param.grad.data = new_grad
            for name, buf in self._buffers.items():
                if buf is not None:
                    self._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Move and/or cast the parameters and buffers in place; returns self.

        `to(device)`, `to(dtype)`, `to(device, dtype)`, `to(tensor)` (its device and dtype) or
        the `device=` / `dtype=` keywords. dtype must be floating point and converts only the
        floating point tensors (BatchNorm's int64 `num_batches_tracked` stays int64).
        """
        device, dtype = _parse_to_args(args, dict(kwargs))

        def convert(t):
            cast = dtype if dtype is not None and t.dtype.is_floating_point else None
            return t.to(device=device, dtype=cast)

        return self._apply(convert)

    def _cast_floating(self, dtype):
        return self._apply(lambda t: t.to(dtype=dtype) if t.dtype.is_floating_point else t)

    def float(self):
        return self._cast_floating(dtypes.float32)

    def double(self):
        return self._cast_floating(dtypes.float64)

    def half(self):
        return self._cast_floating(dtypes.float16)

    def bfloat16(self):
        return self._cast_floating(dtypes.bfloat16)

    def cpu(self):
        return self._apply(lambda t: t.to(device="cpu"))

    def cuda(self, device=None):
        if device is None:
            target = Device("cuda")
        elif isinstance(device, int):
            target = Device(f"cuda:{device}")
        else:
            target = Device(device)
        return self._apply(lambda t: t.to(device=target))

    # ---- state ------------------------------------------------------------------------------
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An OrderedDict of every parameter and persistent buffer by dotted name: for each
        module its own parameters, then its buffers, then its children's entries.

        Values share storage with the module's tensors; unless `keep_vars` they are detached.
        """
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from `state_dict` (a mapping of name -> Tensor or numpy array) into the
        parameters and buffers, converting to each one's dtype and device. With `assign`, the
        loaded tensors themselves become the parameters (each keeping its requires_grad) and
        buffers, with their own dtype, device and storage, as PyTorch's assign=True.

        Everything is checked before anything is copied: a value of the wrong shape or type
        (and, with `strict`, a missing or unexpected key) raises RuntimeError listing every
        problem, leaving the module unchanged. Returns (missing_keys, unexpected_keys).
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"expected a mapping of names to tensors for state_dict, got "
                            f"{type(state_dict).__name__}")
        targets = self.state_dict(keep_vars=True)
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        errors, pending = [], []
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = _as_tensor(state_dict[key])
            if value is None:
                errors.append(f'While copying the parameter named "{key}", expected a Tensor or '
                              f'numpy array from the checkpoint but received '
                              f'{type(state_dict[key]).__name__}')
            elif is_lazy(target):  # a lazy module's parameter takes the loaded shape
                pending.append((key, target, value))
            elif tuple(value.shape) != tuple(target.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{tuple(value.shape)} from checkpoint, the shape in current model "
                              f"is {tuple(target.shape)}.")
            else:
                pending.append((key, target, value))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        if assign:
            for key, target, value in pending:
                self._assign_loaded(key, target, value)
            return IncompatibleKeys(missing, unexpected)
        with no_grad():
            for _, target, value in pending:
                if is_lazy(target):
                    target.materialize(value.shape)
                target.copy_(value)
        return IncompatibleKeys(missing, unexpected)

    def _assign_loaded(self, key, target, value):
        """load_state_dict(assign=True) for one entry: `value` replaces the parameter or
        buffer `target` named `key` (a parameter keeps target's requires_grad)."""
        path, _, name = key.rpartition(".")
        module = self.get_submodule(path)
        if isinstance(target, Parameter):
            module._parameters[name] = Parameter(value.detach(),
                                                 requires_grad=target.requires_grad)
        else:
            module._buffers[name] = value

    # ---- hooks ------------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Run `hook(module, args)` before each forward. It may return None (keep the input),
        a replacement tuple of args, or a single value (taken as a one-element tuple).

        With `with_kwargs`, `hook(module, args, kwargs)` may return None or (args, kwargs).
        With `prepend` it runs before the hooks already registered. Returns a handle whose
        `.remove()` unregisters the hook.
        """
        handle = add_hook(self._forward_pre_hooks, hook, prepend,
                          extra_dicts=(self._forward_pre_hooks_with_kwargs,))
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Run `hook(module, args, output)` after each forward; a return value other than None
        replaces the output. With `with_kwargs` the hook is `hook(module, args, kwargs, output)`;
        with `always_call` it also runs (with output None) when forward raises; with `prepend`
        it runs before the hooks already registered. Returns a handle whose `.remove()`
        unregisters the hook.
        """
        handle = add_hook(self._forward_hooks, hook, prepend,
                          extra_dicts=(self._forward_hooks_with_kwargs,
                                       self._forward_hooks_always_called))
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook, *, prepend=False):
        """Run `hook(module, grad_output)` once the gradients of this module's outputs are
        computed (a tuple, one entry per output, None for non-tensors); it may return a
        replacement tuple. Returns a handle whose `.remove()` unregisters the hook."""
        return add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, *, prepend=False):
        """Run `hook(module, grad_input, grad_output)` once the gradients of this module's
        inputs are computed: `grad_input` has one entry per positional argument (None for
        non-tensors and inputs without grad), `grad_output` one per output. It may return a
        replacement `grad_input`. Returns a handle whose `.remove()` unregisters the hook."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        self._is_full_backward_hook = True
        return add_hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated: `hook(module, grad_input, grad_output)` on the graph node of the last op
        of forward, whose `grad_input` is that op's (it warns where it differs from the
        module's); use `register_full_backward_hook`."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        self._is_full_backward_hook = False
        return add_hook(self._backward_hooks, hook)

    def _split_backward_hooks(self):
        """(full backward hooks, non-full ones), the global ones first."""
        full, non_full = [], []
        for is_full, hooks in ((global_hooks.backward_hooks_are_full(),
                                global_hooks.backward_hooks),
                               (self._is_full_backward_hook, self._backward_hooks)):
            if hooks:
                (full if is_full else non_full).extend(hooks.values())
        return full, non_full

    # ---- calling ----------------------------------------------------------------------------
    def _has_own_hooks(self):
        """Whether a hook of this module's own (forward, forward pre-, backward or backward
        pre-hook) is registered; global hooks are `global_hooks.any_registered()`."""
        return bool(self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                    or self._backward_pre_hooks)

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks or global_hooks.any_registered()):
            return self._forward_with_hint(args, kwargs)
        called = set()
        try:
            return self._call_with_hooks(args, kwargs, called)
        except Exception:
            self._run_always_called_hooks(args, kwargs, called)
            raise

    def _call_with_hooks(self, args, kwargs, called):
        full_hooks, non_full_hooks = self._split_backward_hooks()
        pre_hooks = [*global_hooks.backward_pre_hooks.values(),
                     *self._backward_pre_hooks.values()]
        for hook_id, hook in (*global_hooks.forward_pre_hooks.items(),
                              *self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("a forward pre-hook registered with with_kwargs=True "
                                           f"must return None or (args, kwargs), got {result!r}")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hook = None
        if full_hooks or pre_hooks:
            backward_hook = BackwardHook(self, full_hooks, pre_hooks)
            args = backward_hook.setup_input_hook(args)
        output = self._forward_with_hint(args, kwargs)
        for hook_id, hook in (*global_hooks.forward_hooks.items(),
                              *self._forward_hooks.items()):
            called.add(hook_id)
            if hook_id in self._forward_hooks_with_kwargs \
                    or hook_id in global_hooks.forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        if backward_hook is not None:
            if not isinstance(output, (Tensor, tuple)):
                warnings.warn("for backward hooks to be called, the module's output should be a "
                              f"Tensor or a tuple of Tensors, got {type(output).__name__}",
                              UserWarning, stacklevel=3)
            else:
                output = backward_hook.setup_output_hook(output)
        if non_full_hooks:
            attach_non_full_hooks(self, non_full_hooks, args, output)
        return output

    def _run_always_called_hooks(self, args, kwargs, called):
        """After forward (or a hook) raised: the forward hooks registered with always_call
        that have not run yet, with output None; their own errors only warn."""
        for hook_id, hook in (*global_hooks.forward_hooks.items(),
                              *self._forward_hooks.items()):
            always = hook_id in self._forward_hooks_always_called \
                or hook_id in global_hooks.forward_hooks_always_called
            if not always or hook_id in called:
                continue
            try:
                if hook_id in self._forward_hooks_with_kwargs:
                    hook(self, args, kwargs, None)
                else:
                    hook(self, args, None)
            except Exception as err:
                warnings.warn("a forward hook with always_call=True raised an exception that was "
                              f"silenced as another error was raised in forward: {err}",
                              UserWarning, stacklevel=3)

    def _forward_with_hint(self, args, kwargs, forward=None):
        """`forward(*args, **kwargs)` (by default `self.forward`), a device mismatch between
        the module's parameters and its input explained in the error."""
        try:
            return (forward or self.forward)(*args, **kwargs)
        except DeviceMismatchError as err:
            hint = None if err.module_hint else self._device_hint(args, kwargs)
            if hint is None:
                raise
            new = DeviceMismatchError(f"{hint} ({err})")
            new.module_hint = True
            raise new from err

    def _device_hint(self, args, kwargs):
        """What to move where, when this module's parameters sit on another device than its
        tensor inputs (None if they do not)."""
        own = sorted({str(p.device) for p in self.parameters()})
        given = sorted({str(a.device) for a in (*args, *kwargs.values()) if isinstance(a, Tensor)})
        if not own or not given or own == given:
            return None
        return (f"{type(self).__name__} has its parameters on {', '.join(own)} but was given "
                f"input on {', '.join(given)}: move the model with model.to({given[0]!r}) or the "
                f"input with .to({own[0]!r})")

    # ---- repr -------------------------------------------------------------------------------
    def extra_repr(self):
        """The module's own settings for its repr, e.g. "in_features=3, out_features=4";
        override it in a subclass. Multi-line strings are allowed."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _indent(repr(module), 2)
                       for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        if not lines:
            return self._get_name() + "()"
        if len(extra_lines) == 1 and not child_lines:
            return f"{self._get_name()}({extra_lines[0]})"
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
