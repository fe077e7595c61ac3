"""`LRScheduler`, the base of every learning-rate scheduler, and helpers they share."""
import warnings

from .optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses implement `get_lr()`, the lrs for epoch `self.last_epoch`.

    `last_epoch=-1` starts a schedule and records each group's "initial_lr"; a larger value
    resumes one (the groups must already hold "initial_lr").
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming a scheduler with last_epoch >= 0; load the "
                                   "optimizer's state dict first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        """The step a new scheduler makes (epoch 0, or the epoch after `last_epoch`)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def step(self, epoch=None):
        """Advance one epoch (or batch) and write the new lrs into the optimizer.

        `epoch` (deprecated in PyTorch, which warns as here) jumps to that epoch instead,
        using the closed form of the schedule where it has one."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn("passing an epoch to step() is deprecated (as in PyTorch); call "
                          "step() once per epoch instead", UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The lrs set by the latest `step()`, one per parameter group."""
        return self._last_lr

    def state_dict(self):
        """Every attribute except the optimizer (plain values: it can be saved with
        `minigrad.save`)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def _group_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value!r}")


def _check_positive_number(name, value):
    """A period that PyTorch only divides by: an int or a float (`StepLR(opt, 1.0)` as in the
    text classification tutorial), which must be positive."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"Expected positive number {name}, but got {value!r}")


def _per_group(name, optimizer, value):
    """`value` repeated for each parameter group, or a list/tuple of one value per group."""
    count = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has {count}.")
        return list(value)
    return [value] * count
