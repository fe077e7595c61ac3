"""`read_history` and `plot_history`: training curves from the per-epoch metrics file that
`examples/train.py` writes beside its checkpoint (JSON lines or CSV, one row per epoch)."""
import csv
import json
import os

import numpy as np

from ._image import VIZ_EXTRA_HINT


def read_history(source):
    """The per-epoch metrics as {column: numpy array}, from a JSON-lines file (one object per
    line), a CSV file with a header row (chosen by the ".csv" suffix), or a list of dicts (the
    history `examples/train.py`'s `main` returns). Columns missing from some rows are NaN."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        with open(path, newline="") as f:
            if path.lower().endswith(".csv"):
                rows = list(csv.DictReader(f))
            else:
                rows = [json.loads(line) for line in f if line.strip()]
    else:
        rows = list(source)
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise ValueError("read_history: expected at least one row of metrics (a dict per "
                         "epoch)")
    columns = []
    for row in rows:
        columns += [name for name in row if name not in columns]
    return {name: np.array([_number(row.get(name)) for row in rows]) for name in columns}


def _number(value):
    if value is None or value == "":
        return np.nan
    return float(value)


def plot_history(source, path=None):
    """Loss and accuracy curves, train and test, against the epoch: reads `source` with
    `read_history` and returns its columns. Given `path`, draws the two panels (loss on the
    left, accuracy in percent on the right) with matplotlib and writes them as a PNG."""
    history = read_history(source)
    if path is not None:
        _draw(history, os.fspath(path))
    return history


def _draw(history, path):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(f"plot_history needs matplotlib to draw, which is not installed; "
                          f"{VIZ_EXTRA_HINT}") from None
    epochs = history.get("epoch", np.arange(1, len(next(iter(history.values()))) + 1))
    figure = Figure(figsize=(8, 3.2), dpi=100)
    FigureCanvasAgg(figure)
    panels = (("loss", "loss", 1), ("acc", "accuracy (%)", 100))
    for index, (key, title, factor) in enumerate(panels):
        axes = figure.add_subplot(1, 2, index + 1)
        for split in ("train", "test"):
            name = f"{split}_{key}"
            if name in history:
                axes.plot(epochs, history[name] * factor, marker="o", markersize=3, label=split)
        axes.set_xlabel("epoch")
        axes.set_title(title)
        axes.grid(alpha=0.3)
        if axes.lines:
            axes.legend()
    figure.tight_layout()
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    figure.savefig(path, format="png")
