"""`MNIST1D`: the MNIST-1D benchmark (Greydanus, 2020), ten digit-like 1-D signals of length 40.

The signals are generated procedurally by the `mnist1d` package (`pip install
minigrad[mnist1d]`) with its default arguments: 5000 samples, the first 4000 for training and
the last 1000 for testing, standardised to mean 0 and standard deviation 1. Only the generator
is called, never the package's download or file cache, so nothing touches the network or the
disk; numpy's and Python's global random states, which the generator reseeds, are restored.
"""
import random

import numpy as np

from ._base import ImageArrayDataset

_GENERATED = {}  # seed -> (train x, train y, test x, test y), generated once per process


def _generate(seed):
    if seed not in _GENERATED:
        try:
            from mnist1d.data import get_dataset_args, make_dataset
        except ImportError as err:
            raise ImportError(f"MNIST1D needs the mnist1d package, which could not be imported "
                              f"({err}); install it with `pip install minigrad[mnist1d]`") \
                from None
        args = get_dataset_args()
        args.seed = seed
        numpy_state, python_state = np.random.get_state(), random.getstate()
        try:
            data = make_dataset(args)
        finally:
            np.random.set_state(numpy_state)
            random.setstate(python_state)
        _GENERATED[seed] = tuple(np.asarray(data[key]) for key in ("x", "y", "x_test", "y_test"))
    return _GENERATED[seed]


class MNIST1D(ImageArrayDataset):
    """Samples are (signal float32 (1, 40), label 0-9).

    `seed` is the generator's seed; the default, 42, gives the benchmark's standard split.
    `transform` is applied to each signal Tensor (or to whole batches, if it supports them).
    """

    classes = tuple(str(d) for d in range(10))

    def __init__(self, train=True, seed=42, transform=None):
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"MNIST1D: seed must be a non-negative int, got {seed!r}")
        train_x, train_y, test_x, test_y = _generate(int(seed))
        signals, labels = (train_x, train_y) if train else (test_x, test_y)
        super().__init__(signals[:, None, :].astype(np.float32), labels, transform=transform)
        self.train = bool(train)
