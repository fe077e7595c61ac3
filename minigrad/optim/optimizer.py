"""`Optimizer`: the base class that holds parameter groups and per-parameter state."""
import copy
import warnings
from collections import defaultdict

from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor

_SET_ORDER_ERROR = ("optimizer parameters need to be organized in ordered collections, but the "
                    "ordering of tensors in sets changes between runs; use a list")


def check_non_negative(name, value):
    """Raise ValueError naming the hyper-parameter `name` if `value` is negative."""
    if not value >= 0.0:
        raise ValueError(f"Invalid {name}: {value} (expected a value >= 0)")


def fused_update(kernel, param, grad, state, **hyper):
    """Apply the device backend's fused update `kernel` (see minigrad/backend/cpu/optim.py) to
    `param` and its `state` tensors (None for a buffer the update does not use), which it
    changes in place, and bump their versions as any in-place op does."""
    getattr(param._backend, kernel)(param._data, grad._data,
                                    *(None if t is None else t._data for t in state), **hyper)
    for t in (param, *state):
        if t is not None:
            t._version.value += 1


class Optimizer:
    """Base class of all optimizers: `Optimizer(params, defaults)`.

    `params` is an iterable of Tensors, or of dicts (parameter groups) that each hold "params"
    plus hyper-parameters overriding `defaults` for that group. `state[p]` is a dict of
    per-parameter buffers. Subclasses implement `_update(param, grad, state, group)`, the update
    rule for one parameter; `step()` calls it, under no_grad, for every parameter with a grad.
    """

    # State entries that always have their parameter's shape (checked by load_state_dict).
    _param_shaped_state = ()

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got a single {type(params).__name__}")
        if isinstance(params, (set, frozenset)):
            raise TypeError(_SET_ORDER_ERROR)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with "params"); missing settings use `defaults`."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(_SET_ORDER_ERROR)
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "they are updated once per occurrence", UserWarning, stacklevel=2)
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        group = {"params": params}
        group.update((k, v) for k, v in param_group.items() if k != "params")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's grad: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    with no_grad():
                        p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a grad; returns `closure()` if given (it is called
        first, with grad enabled, to recompute the loss and gradients)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad, self.state[p], group)
        return loss

    def _update(self, param, grad, state, group):
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    # ---- checkpoints ----------------------------------------------------------------------
    def state_dict(self):
        """A snapshot of the optimizer, PyTorch's layout.

        {"state": {index: {name: value}}, "param_groups": [{..settings.., "params": [index]}]},
        where parameters are numbered in group order. State tensors are copies, so later steps
        do not change a state dict taken earlier.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if self.state.get(p) and index[id(p)] not in state:
                        state[index[id(p)]] = {k: v.clone() if isinstance(v, Tensor)
                                               else copy.deepcopy(v)
                                               for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore settings and state from `state_dict()` output.

        Validates everything first: on error the optimizer is left unchanged. State tensors are
        copied onto each parameter's device (floating ones cast to its dtype).
        """
        saved_groups = self._check_state_dict(state_dict)
        by_index = {}
        for saved, group in zip(saved_groups, self.param_groups):
            by_index.update(zip(saved["params"], group["params"]))
        state = defaultdict(dict)
        for i, values in state_dict["state"].items():
            if i not in by_index:
                raise ValueError(f"loaded state dict has state for parameter index {i!r}, which "
                                 "none of its parameter groups lists")
            if not isinstance(values, dict):
                raise ValueError(f"loaded state dict's state for parameter {i} should be a dict, "
                                 f"got {type(values).__name__}")
            param = by_index[i]
            state[param] = {key: self._restore_value(param, i, key, value)
                            for key, value in values.items()}
        groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            restored = {"params": group["params"]}
            restored.update((k, copy.deepcopy(v)) for k, v in saved.items() if k != "params")
            for key, value in group.items():
                restored.setdefault(key, value)
            groups.append(restored)
        self.state, self.param_groups = state, groups

    def _check_state_dict(self, state_dict):
        """The saved parameter groups, after checking they fit this optimizer's groups."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError("expected a dict with 'state' and 'param_groups' entries, as "
                             "returned by Optimizer.state_dict(), got "
                             f"{type(state_dict).__name__}")
        saved_groups = state_dict["param_groups"]
        well_formed = isinstance(state_dict["state"], dict) \
            and isinstance(saved_groups, (list, tuple)) \
            and all(isinstance(g, dict) and "params" in g for g in saved_groups)
        if not well_formed:
            raise ValueError("malformed optimizer state dict: 'state' must be a dict and "
                             "'param_groups' a list of dicts that each have 'params'")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, but "
                             f"the optimizer has {len(self.param_groups)}")
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict's parameter group {i} has "
                                 f"{len(saved['params'])} parameters, but the optimizer's group "
                                 f"{i} has {len(group['params'])}")
        return saved_groups

    def _restore_value(self, param, index, key, value):
        if not isinstance(value, Tensor):
            return copy.deepcopy(value)
        if key in self._param_shaped_state and tuple(value.shape) != tuple(param.shape):
            raise ValueError(f"loaded state '{key}' of parameter {index} has shape "
                             f"{tuple(value.shape)}, but the parameter has shape "
                             f"{tuple(param.shape)}")
        dtype = param.dtype if value.is_floating_point() and param.is_floating_point() else None
        with no_grad():
            return value.detach().to(device=param.device, dtype=dtype, copy=True)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        return "\n".join(lines + [")"])
