"""`Optimizer`: the base class that holds parameter groups and per-parameter state."""
import copy
import numbers
import warnings
from collections import defaultdict
from typing import Callable, NamedTuple

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from .. import dtypes
from ..tensor import Tensor

_SET_ORDER_ERROR = ("optimizer parameters need to be organized in ordered collections, but the "
                    "ordering of tensors in sets changes between runs; use a list")


def _whole_step(value):
    """A saved step count as an int where it is PyTorch's form of one, a 0-d tensor holding
    a whole number (torch keeps Adam's and most others' steps as float32 tensors); any other
    value unchanged, for the caller to judge."""
    if isinstance(value, Tensor) and value.ndim == 0 and not value.is_floating_point() \
            and value.dtype != dtypes.bool:
        return int(value.item())
    if isinstance(value, Tensor) and value.ndim == 0 and value.is_floating_point():
        number = value.item()
        if float(number).is_integer():
            return int(number)
    return value


class FusedUpdate(NamedTuple):
    """One parameter's part of a fused optimizer step: its `grad`, its `state` tensors in the
    step's order (None for a buffer the update does not use), the scalar record of its update
    (see minigrad/backend/update_rules.py), and `commit`, run once the update is done (to
    record new state)."""
    param: Tensor
    grad: Tensor
    state: tuple
    scalars: tuple
    commit: Callable


def fused_updates(kernel_of, params, prepare):
    """Update `params` with a backend's multi-tensor step (`kernel_of(kernels)`, such as
    `lambda kernels: kernels.adam_multi_tensor_step`); `prepare(param)` makes the parameter's
    FusedUpdate. One call per run of consecutive parameters that share a device, a dtype and a
    scalar record: usually one call for a whole parameter group, which the backend runs as a
    few kernel launches. A parameter listed twice is prepared and updated again after its first
    update is done, as PyTorch's loop over the parameters does.

    The backend checks every operand of a call before its kernels run and changes the
    parameters and state in place; their versions are bumped here, as any in-place op bumps
    them, so autograd sees the change."""
    for distinct in _without_repeats(params):
        run = []
        for update in map(prepare, distinct):
            if run and not _same_call(run[0], update):
                _fused_call(kernel_of, run)
                run = []
            run.append(update)
        _fused_call(kernel_of, run)


def _without_repeats(params):
    """`params` in consecutive runs in which no parameter appears twice."""
    run, seen = [], set()
    for p in params:
        if id(p) in seen:
            yield run
            run, seen = [], set()
        run.append(p)
        seen.add(id(p))
    yield run


def _same_call(first, update):
    return (update.param.device == first.param.device and update.param.dtype is
            first.param.dtype and update.scalars == first.scalars)


def _fused_call(kernel_of, run):
    step = kernel_of(run[0].param._backend)
    states = [[None if t is None else t._data for t in column]
              for column in zip(*(update.state for update in run))]
    step([u.param._data for u in run], [u.grad._data for u in run], *states, run[0].scalars)
    for update in run:
        for t in (update.param, *update.state):
            if t is not None:
                t._version.value += 1
        update.commit()


class Optimizer:
    """Base class of all optimizers: `Optimizer(params, defaults)`.

    `params` is an iterable of Tensors, or of dicts (parameter groups) that each hold "params"
    plus hyper-parameters overriding `defaults` for that group. `state[p]` is a dict of
    per-parameter buffers. Subclasses implement `_update(param, grad, state, group)`, the update
    rule for one parameter, which `step()` calls, under no_grad, for every parameter with a
    grad; or `_update_group(params, group)`, which gets a group's parameters that have a grad
    at once (the fused optimizers hand them to one multi-tensor kernel).
    Subclasses check their settings in `_check_hyperparameters(group)`, which runs on
    `defaults`, on every group added or loaded, and on every group before each step.
    """

    # State entries that have their parameter's shape and a floating dtype (load_state_dict
    # checks them and casts them to the parameter's dtype).
    _param_shaped_state = ()
    # Entries that a parameter's state must hold once it holds any (checked by load_state_dict).
    _required_state = ()

    def __init__(self, params, defaults):
        self._check_hyperparameters(defaults)
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
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_hyperparameters(self, group):
        """Raise TypeError / ValueError naming the first bad setting of `group` (a dict of
        settings, with or without "params"). The base class has no settings to check."""

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
                self._check_hyperparameters(group)
                params = [p for p in group["params"] if p.grad is not None]
                if params:
                    self._update_group(params, group)
        return loss

    def _update_group(self, params, group):
        """Update `params` (the group's parameters that have a grad, in order), one at a
        time by default."""
        for p in params:
            self._update(p, p.grad, self.state[p], group)

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

        Validates everything first (groups and their settings, parameter numbering, each
        parameter's state entries, their types, shapes and dtypes): on error the optimizer is
        left unchanged. State tensors are copied onto each parameter's device and cast to its
        dtype.
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
            state[by_index[i]] = self._restore_state(by_index[i], i, values)
        groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            restored = {"params": group["params"]}
            restored.update((k, copy.deepcopy(v)) for k, v in saved.items() if k != "params")
            for key, value in group.items():
                restored.setdefault(key, value)
            self._check_hyperparameters(restored)
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
            and all(isinstance(g, dict) and isinstance(g.get("params"), (list, tuple))
                    for g in saved_groups)
        if not well_formed:
            raise ValueError("malformed optimizer state dict: 'state' must be a dict and "
                             "'param_groups' a list of dicts that each have a list 'params'")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, but "
                             f"the optimizer has {len(self.param_groups)}")
        seen = set()
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict's parameter group {i} has "
                                 f"{len(saved['params'])} parameters, but the optimizer's group "
                                 f"{i} has {len(group['params'])}")
            for index in saved["params"]:
                if isinstance(index, bool) or not isinstance(index, int) or index in seen:
                    raise ValueError(f"loaded state dict's parameter group {i} lists parameter "
                                     f"{index!r}: parameters must be numbered by distinct ints")
                seen.add(index)
        return saved_groups

    def _restore_state(self, param, index, values):
        """A checked copy of the saved state `values` of parameter number `index`."""
        if not isinstance(values, dict):
            raise ValueError(f"loaded state dict's state for parameter {index} should be a "
                             f"dict, got {type(values).__name__}")
        values = {k: v for k, v in values.items()
                  if not (v is None and k in self._param_shaped_state)}  # PyTorch's "no buffer"
        missing = [key for key in self._required_state if key not in values] if values else []
        if missing:
            raise ValueError(f"loaded state of parameter {index} has no {', '.join(missing)} "
                             f"(it has {', '.join(map(repr, values)) or 'nothing'})")
        return {key: self._restore_value(param, index, key, value)
                for key, value in values.items()}

    def _restore_value(self, param, index, key, value):
        where = f"loaded state '{key}' of parameter {index}"
        if key == "step":
            value = _whole_step(value)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
                    or value < 0:
                raise ValueError(f"{where} must be a non-negative int, got "
                                 f"{type(value).__name__} {value!r}")
            return int(value)
        if key not in self._param_shaped_state:
            if isinstance(value, Tensor):
                with no_grad():
                    return value.detach().to(device=param.device, copy=True)
            return copy.deepcopy(value)
        if not isinstance(value, Tensor):
            raise ValueError(f"{where} must be a Tensor, got {type(value).__name__}")
        if tuple(value.shape) != tuple(param.shape):
            raise ValueError(f"{where} has shape {tuple(value.shape)}, but the parameter has "
                             f"shape {tuple(param.shape)}")
        if not value.is_floating_point():
            raise ValueError(f"{where} has dtype {value.dtype}, but it must be a floating "
                             f"dtype (the parameter's is {param.dtype})")
        with no_grad():
            return value.detach().to(device=param.device, dtype=param.dtype, copy=True)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        return "\n".join(lines + [")"])
