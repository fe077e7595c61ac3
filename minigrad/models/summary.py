"""`summary(model, input_shape)`: a table of a model's layers, their output shapes and their
parameter counts, found by running one forward pass with hooks."""
import sys
from collections import namedtuple

from ..autograd.grad_mode import no_grad
from ..creation import zeros
from ..nn import Module
from ..tensor import Tensor

SummaryRow = namedtuple("SummaryRow", ["name", "type", "output_shape", "num_params"])
SummaryRow.__doc__ = """One call of one layer: its dotted name ("layer1.0.conv1"), class name,
output shape (a tuple, or a list of tuples for several outputs) and the number of parameter
elements it owns (counted at its first call only, so the column adds up to the total)."""


def _shape_of(output):
    if isinstance(output, Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return [_shape_of(o) for o in output]
    return None


def _reported(module):
    """Leaves, and containers that own parameters themselves: their rows add up to the whole."""
    return not any(True for _ in module.children()) \
        or any(p is not None for p in module._parameters.values())


def summary(model, input_shape, *, dtype=None, device=None, file=None):
    """Print a table of `model`'s layers and return its rows (a list of `SummaryRow`).

    `input_shape` includes the batch dim, e.g. (1, 3, 32, 32). One forward pass runs on a
    zero input of that shape, in eval mode and without gradient recording, so BatchNorm
    statistics and the random generator are left as they were; the dtype and device default
    to those of the model's first parameter. A layer called several times (a shared ReLU) has
    one row per call. The table goes to `file` (default sys.stdout), followed by the total,
    trainable and non-trainable parameter counts.

    The classic lesson, on a 256x256 RGB image:

        >>> from minigrad import nn
        >>> from minigrad.models import summary
        >>> conv = nn.Sequential(nn.Conv2d(3, 64, kernel_size=3, padding=1), nn.ReLU())
        >>> rows = summary(conv, (1, 3, 256, 256))  # doctest: +NORMALIZE_WHITESPACE
        Layer (type)              Output Shape                Param #
        =============================================================
        0 (Conv2d)                (1, 64, 256, 256)             1,792
        1 (ReLU)                  (1, 64, 256, 256)                 0
        =============================================================
        Total params: 1,792
        Trainable params: 1,792
        Non-trainable params: 0

    64 filters of 3x3x3 weights (+ 64 biases) look at the whole image: 1,792 parameters. A
    dense layer with just 1000 units on the same flattened image needs
    256 * 256 * 3 * 1000 + 1000 = 196,609,000 parameters (786 MB in float32), more than
    VGG-19, and it learns nothing about one position that carries over to another.
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary expects a Module, got {type(model).__name__}")
    input_shape = tuple(input_shape)
    if not input_shape or not all(isinstance(d, int) and d > 0 for d in input_shape):
        raise ValueError(f"summary: input_shape must be a non-empty tuple of positive ints "
                         f"including the batch dim, e.g. (1, 3, 32, 32); got {input_shape}")
    first = next(model.parameters(), None)
    if dtype is None:
        dtype = None if first is None else first.dtype
    if device is None:
        device = "cpu" if first is None else first.device
    rows, seen, handles = [], set(), []

    def record(name):
        def hook(module, args, output):
            params = 0
            if id(module) not in seen:
                seen.add(id(module))
                params = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(SummaryRow(name, type(module).__name__, _shape_of(output), params))
        return hook

    modes = {module: module.training for module in model.modules()}
    try:
        for name, module in model.named_modules():
            if module is not model and _reported(module):
                handles.append(module.register_forward_hook(record(name)))
        model.eval()
        with no_grad():
            model(zeros(input_shape, dtype=dtype, device=device))
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes.items():
            module.training = training
    _print_table(model, rows, sys.stdout if file is None else file)
    return rows


def _print_table(model, rows, file):
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    cells = [(f"{row.name} ({row.type})", str(row.output_shape), f"{row.num_params:,}")
             for row in rows]
    widths = [max([25] + [len(c[0]) + 1 for c in cells]),
              max([20] + [len(c[1]) + 1 for c in cells]),
              max([16] + [len(c[2]) for c in cells])]
    rule = "=" * sum(widths)
    lines = [f"{'Layer (type)':<{widths[0]}}{'Output Shape':<{widths[1]}}"
             f"{'Param #':>{widths[2]}}", rule]
    lines += [f"{a:<{widths[0]}}{b:<{widths[1]}}{c:>{widths[2]}}" for a, b, c in cells]
    lines += [rule, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    print("\n".join(lines), file=file)
