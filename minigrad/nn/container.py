"""Containers of modules: `Sequential` (a pipeline), `ModuleList` and `ModuleDict` (registered
collections with list / dict behaviour). Children are named "0", "1", ... or by their keys, so
state_dict keys read like "features.0.weight"."""
import operator
from collections import OrderedDict
from collections.abc import Mapping

from . import global_hooks
from .module import Module, _indent


def _position(idx, length, owner):
    """`idx` (possibly negative) as a position in [0, length), or IndexError."""
    idx = operator.index(idx)
    if not -length <= idx < length:
        raise IndexError(f"index {idx} is out of range for {owner} of length {length}")
    return idx % length


class _Indexed(Module):
    """Shared list behaviour of Sequential and ModuleList: children named "0", "1", ..."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def _key(self, idx):
        return list(self._modules)[_position(idx, len(self), type(self).__name__)]

    def __setitem__(self, idx, module):
        setattr(self, self._key(idx), module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            for key in list(self._modules)[idx]:
                del self._modules[key]
        else:
            del self._modules[self._key(idx)]
        self._renumber(list(self._modules.values()))

    def _renumber(self, modules):
        """Re-register `modules` as "0", "1", ... (after a deletion or insertion)."""
        self._modules.clear()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def append(self, module):
        """Add `module` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Append each of `modules` (any iterable of modules); returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert `module` before position `index` (negative counts from the end); the modules
        after it are renumbered."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.insert expects a Module, got "
                            f"{type(module).__name__}")
        n = len(self)
        if not -n <= index <= n:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of "
                             f"length {n}")
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def pop(self, idx=-1):
        """Remove and return the module at `idx`."""
        module = self[idx]
        del self[idx]
        return module


def _fuses_with_relu(layer, following):
    """Whether `Sequential` may run `layer` and `following` as one fused op: `layer`'s own
    class (Linear, Conv2d; not a subclass) defines `_forward_relu`, `following`'s own class
    is ReLU (it sets `_is_relu`), neither has its forward replaced on the instance, and no hook
    of either could observe the output in between. The intermediate is then seen by nothing
    but the relu, so fusing is not observable."""
    return ("_is_relu" in type(following).__dict__ and "_forward_relu" in type(layer).__dict__
            and "forward" not in layer.__dict__ and "forward" not in following.__dict__
            and not layer._has_own_hooks() and not following._has_own_hooks())


class Sequential(_Indexed):
    """`Sequential(*modules)` or `Sequential(OrderedDict([(name, module), ...]))`: calling it
    feeds the input through each module in order. Indexing returns a module; a slice returns a
    new Sequential that shares the modules (keeping their names)."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._key(idx)]

    def insert(self, index, module):
        super().insert(index, module)
        return self

    def forward(self, input):
        modules = list(self._modules.values())
        last = len(modules) - 1
        fuse = last > 0 and not global_hooks.any_registered()
        i = 0
        while i <= last:
            module = modules[i]
            if fuse and i < last and _fuses_with_relu(module, modules[i + 1]):
                input = module._forward_with_hint((input,), {}, module._forward_relu)
                i += 2
            else:
                input = module(input)
                i += 1
        return input


class ModuleList(_Indexed):
    """A list of modules that are registered as children (so their parameters are found by
    `parameters()`, moved by `to()`, ...). It has no forward: index or iterate it."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[self._key(idx)]

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return type(self)(list(self) + list(other))

    def __repr__(self):
        # runs of consecutive modules with the same repr print once, as "(0-2): 3 x ReLU()"
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        lines, start = [], 0
        for i in range(1, len(reprs) + 1):
            if i < len(reprs) and reprs[i] == reprs[start]:
                continue
            end = i - 1
            label = f"({start}):" if end == start else f"({start}-{end}): {i - start} x"
            lines.append(_indent(f"{label} {reprs[start]}", 2))
            start = i
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """An ordered dict of modules, registered as children under their keys. It has no
    forward: index it by key."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def clear(self):
        self._modules.clear()

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def update(self, modules):
        """Add (or replace) entries from a mapping or an iterable of (key, module) pairs."""
        if isinstance(modules, (Mapping, ModuleDict)):
            pairs = modules.items()
        else:
            pairs = []
            for i, pair in enumerate(modules):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise ValueError(f"ModuleDict.update expects a mapping or (key, module) "
                                     f"pairs; element #{i} is {pair!r}")
                pairs.append(pair)
        for key, module in pairs:
            self[key] = module
