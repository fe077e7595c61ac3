"""`MNIST` and `FashionMNIST`, read from the standard IDX files (plain or gzipped).

The files are looked up in `root` and in `root/<Name>/raw` (torchvision's layout); `download=True`
fetches the missing ones into `root/<Name>/raw`, checking the published MD5 checksums and
writing each file under a temporary name first, so an interrupted download leaves nothing
half-written behind.
"""
import gzip
import hashlib
import os
import struct
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from ._base import ImageArrayDataset

_UNSIGNED_BYTE = 0x08  # the IDX type code of uint8 data


def read_idx(path, ndim):
    """The uint8 array stored in the IDX file `path` (gzipped or not), which must have `ndim`
    dimensions; ValueError naming the file if its magic number or size is wrong."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise ValueError(f"{path}: corrupt gzip data ({err})") from None
    expected_magic = (_UNSIGNED_BYTE << 8) | ndim
    magic = struct.unpack(">I", raw[:4])[0] if len(raw) >= 4 else None
    if magic != expected_magic:
        found = "a file shorter than 4 bytes" if magic is None else f"0x{magic:08X}"
        raise ValueError(f"{path}: not an IDX file of {ndim}-d unsigned bytes: expected magic "
                         f"number 0x{expected_magic:08X}, found {found}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, expected {header})")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    size = int(np.prod(shape, dtype=np.int64))
    if len(raw) - header != size:
        raise ValueError(f"{path}: the header declares shape {shape} ({size} bytes of data), "
                         f"but the file holds {len(raw) - header} bytes after the header")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


class MNIST(ImageArrayDataset):
    """Handwritten digits 0-9: samples are (image float32 (1, 28, 28) in [0, 1], label).

    Args:
        root: directory holding the IDX files, directly or under `<root>/MNIST/raw`.
        train: the 60000 training images, else the 10000 test images.
        download: fetch missing files from the official mirrors into `<root>/MNIST/raw`.
        transform: applied to each image Tensor (or to whole batches, if it supports them).
    """

    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
               "https://storage.googleapis.com/cvdf-datasets/mnist/",
               "http://yann.lecun.com/exdb/mnist/")
    # file name (without .gz) -> MD5 of the published .gz file
    resources = {"train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                 "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
                 "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
                 "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c"}
    classes = ("0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine")

    def __init__(self, root, train=True, download=False, transform=None):
        self.root = Path(root).expanduser()
        self.train = bool(train)
        prefix = "train" if self.train else "t10k"
        names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
        paths = [self._find(name) for name in names]
        missing = [name for name, path in zip(names, paths) if path is None]
        if missing and download:
            self._download(missing)
            paths = [self._find(name) for name in names]
        elif missing:
            raise FileNotFoundError(f"{type(self).__name__}: files not found; "
                                    f"{self._placement(missing)}, or pass download=True")
        images, labels = read_idx(paths[0], 3), read_idx(paths[1], 1)
        if len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: {paths[0]} holds {len(images)} images "
                             f"but {paths[1]} holds {len(labels)} labels")
        if labels.size and labels.max() >= len(self.classes):
            raise ValueError(f"{type(self).__name__}: {paths[1]} holds label {labels.max()}, "
                             f"expected labels below {len(self.classes)}")
        super().__init__(images[:, None], labels, scale=1 / 255, transform=transform)

    @property
    def raw_folder(self):
        """Where torchvision keeps the files, and where `download=True` puts them."""
        return self.root / type(self).__name__ / "raw"

    def _find(self, name):
        for folder in (self.root, self.raw_folder):
            for filename in (name, name + ".gz"):
                if (folder / filename).is_file():
                    return folder / filename
        return None

    def _placement(self, names):
        """Where the user should put the files `names` (plain or gzipped)."""
        files = ", ".join(names)
        return f"put {files} (plain, or gzipped with a .gz suffix) in {self.root} or " \
               f"{self.raw_folder}"

    def _download(self, names):
        self.raw_folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            filename, errors = name + ".gz", []
            for mirror in self.mirrors:
                error = _fetch(mirror + filename, self.raw_folder / filename,
                               self.resources[name])
                if error is None:
                    break
                errors.append(f"{mirror + filename}: {error}")
            else:
                raise RuntimeError(
                    f"{type(self).__name__}: could not download {filename}:\n  " +
                    "\n  ".join(errors) + "\nWithout network access, download them "
                    f"elsewhere and {self._placement(names)}")


class FashionMNIST(MNIST):
    """Zalando's clothing images, a drop-in replacement for MNIST with the same file layout.

    Samples are (image float32 (1, 28, 28) in [0, 1], label); files live in `root` or
    `<root>/FashionMNIST/raw`.
    """

    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
               "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/"
               "data/fashion/")
    resources = {"train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                 "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
                 "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
                 "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310"}
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def _fetch(url, target, md5):
    """Download `url` to `target` if its MD5 is `md5`; None on success, else the reason."""
    request = urllib.request.Request(url, headers={"User-Agent": "minigrad"})
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=60) as response:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != md5:
            return f"MD5 checksum mismatch: got {digest.hexdigest()}, expected {md5}"
        os.replace(temp, target)
        return None
    except (urllib.error.URLError, OSError) as err:  # URLError, HTTPError, timeouts
        return f"{type(err).__name__}: {err}"
    finally:
        if os.path.exists(temp):
            os.remove(temp)
