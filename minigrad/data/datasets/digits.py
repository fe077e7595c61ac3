"""`Digits`: scikit-learn's bundled 8x8 handwritten digits (1797 images, no download)."""
import numpy as np

from ._base import ImageArrayDataset


class Digits(ImageArrayDataset):
    """Samples are (image float32 (1, 8, 8) in [0, 1], label 0-9).

    The images are split into train and test per class (stratified): in each class a
    `test_fraction` of the images, chosen by a generator seeded with `seed`, form the test set.
    The same seed and fraction always give the same split. Needs scikit-learn
    (`pip install minigrad[digits]`).
    """

    classes = tuple(str(d) for d in range(10))

    def __init__(self, train=True, test_fraction=0.2, seed=0, transform=None):
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError("Digits needs scikit-learn, which is not installed; install it "
                              "with `pip install minigrad[digits]`") from None
        if not 0 < test_fraction < 1:
            raise ValueError(f"Digits: test_fraction must be in (0, 1), got {test_fraction!r}")
        bunch = load_digits()
        images = bunch.images.astype(np.uint8)[:, None]  # pixel values 0..16
        labels = bunch.target.astype(np.int64)
        rng = np.random.default_rng(seed)
        chosen = []
        for label in range(len(self.classes)):
            members = rng.permutation(np.flatnonzero(labels == label))
            n_test = int(round(len(members) * test_fraction))
            chosen.append(members[n_test:] if train else members[:n_test])
        keep = np.sort(np.concatenate(chosen))
        super().__init__(images[keep], labels[keep], scale=1 / 16, transform=transform)
        self.train = bool(train)
