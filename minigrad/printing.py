"""How tensors print: PyTorch's layout and rules, under the options of `set_printoptions`
(`_print_options`), which `get_printoptions` returns.

A float tensor prints in one of three modes chosen from its finite non-zero values: whole
numbers as `1.`; scientific notation when the largest magnitude is over 1000 times the
smallest or over 1e8, or the smallest is under 1e-4; otherwise fixed point with `precision`
decimals (`sci_mode` forces or forbids scientific notation). All entries are padded to the
widest one. A tensor of more than `threshold` elements is summarised to `edgeitems` entries
at each end of every dimension, and rows wrap at `linewidth` characters. The values are
formatted from a host copy in float64 (exact for every float dtype), so nothing here runs
tensor ops.
"""
import math

import numpy as np

from . import dtypes
from ._print_options import OPTIONS as _options


def get_printoptions():
    """The current print options, as a dict `set_printoptions(**options)` takes back."""
    return dict(_options)


class _Formatter:
    """Formats the entries of one tensor (from `values`, its possibly summarised entries) to
    a common width."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        precision = _options["precision"]
        flat = values.reshape(-1)
        if not floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        magnitude = np.abs(finite)
        smallest, largest = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if _options["sci_mode"] is None:
            self.sci_mode = (largest / smallest > 1000.0 or largest > 1.0e8
                             or smallest < 1.0e-4)
        else:
            self.sci_mode = bool(_options["sci_mode"])
        for value in finite.tolist():
            if self.sci_mode:
                width = len(f"{value:.{precision}e}")
            elif self.int_mode:
                width = len(f"{value:.0f}") + 1
            else:
                width = len(f"{value:.{precision}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value):
        precision = _options["precision"]
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{precision}f}"
        return (self.max_width - len(text)) * " " + text


def _summarized(values):
    """The entries a summarised print shows: `edgeitems` at each end of every dimension."""
    edge = _options["edgeitems"]
    if values.ndim == 0:
        return values
    if values.ndim == 1:
        if values.shape[0] > 2 * edge:
            return np.concatenate([values[:edge], values[values.shape[0] - edge:]])
        return values
    if not edge:
        return values[(slice(0, 0),) * values.ndim]
    rows = range(values.shape[0])
    if values.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(values.shape[0] - edge, values.shape[0]))
    return np.stack([_summarized(values[i]) for i in rows])


def _vector(values, indent, summarize, formatter):
    edge = _options["edgeitems"]
    per_line = max(1, math.floor((_options["linewidth"] - indent) / (formatter.max_width + 2)))
    if summarize and not edge:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        data = ([formatter.format(v) for v in values[:edge].tolist()] + [" ..."]
                + [formatter.format(v) for v in values[values.shape[0] - edge:].tolist()])
    else:
        data = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(values, indent, summarize, formatter):
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector(values, indent, summarize, formatter)
    edge = _options["edgeitems"]
    n = values.shape[0]
    if summarize and n > 2 * edge:
        slices = ([_nested(values[i], indent + 1, summarize, formatter) for i in range(edge)]
                  + ["..."]
                  + [_nested(values[i], indent + 1, summarize, formatter)
                     for i in range(n - edge, n)])
    else:
        slices = [_nested(values[i], indent + 1, summarize, formatter) for i in range(n)]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _body(values, floating, indent):
    if values.size == 0:
        return "[]"
    summarize = values.size > _options["threshold"]
    formatter = _Formatter(_summarized(values) if summarize else values, floating)
    return _nested(values, indent, summarize, formatter)


def _with_suffixes(text, suffixes, indent):
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _options["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(t):
    """`repr(t)` as PyTorch writes it: the values, then the device, dtype and autograd
    markers that are not the defaults."""
    prefix = "tensor("
    values = t._host_values()
    floating = t.dtype.is_floating_point
    if floating:
        values = values.astype(np.float64)  # exact for float16/bfloat16/float32
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if t.dtype is not dtypes.default_float:
            suffixes.append(f"dtype={t.dtype}")
        text = "[]"
    else:
        if not _options["edgeitems"]:
            suffixes.append(f"size={tuple(values.shape)}")
        if t.dtype not in (dtypes.default_float, dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={t.dtype}")
        text = _body(values, floating, len(prefix))
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + text, suffixes, len(prefix))
