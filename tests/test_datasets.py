"""minigrad.data.datasets: XO, MNIST / FashionMNIST (IDX parsing and download), Digits."""
import gzip
import hashlib
import io
import struct
import sys
import urllib.error
import urllib.request

import numpy as np
import pytest

import minigrad
from minigrad.data import DataLoader
from minigrad.data.datasets import MNIST, XO, Digits, FashionMNIST, read_idx


# ---- XO ------------------------------------------------------------------------------------

def test_xo_samples():
    ds = XO(num_samples=40, seed=1)
    image, label = ds[0]
    assert image.dtype == minigrad.float32 and tuple(image.shape) == (1, 28, 28)
    assert isinstance(label, int) and label in (0, 1)
    assert ds.classes == ("X", "O")
    assert set(np.unique(ds.data).tolist()) == {-1, 1}
    assert set(np.unique(image.numpy()).tolist()) == {-1.0, 1.0}
    assert len(ds) == 40 and len(XO()) == 2000 and len(XO(train=False)) == 500
    assert tuple(XO(num_samples=2, size=16)[1][0].shape) == (1, 16, 16)


def test_xo_is_deterministic_per_seed_and_split():
    a, b = XO(num_samples=30, seed=3), XO(num_samples=30, seed=3)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.targets, b.targets)
    assert not np.array_equal(a.data, XO(num_samples=30, seed=4).data)
    assert not np.array_equal(a.data, XO(num_samples=30, seed=3, train=False).data)


def test_xo_classes_are_balanced():
    for n in (10, 11, 200):
        counts = np.bincount(XO(num_samples=n).targets, minlength=2)
        assert abs(counts[0] - counts[1]) <= 1 and counts.sum() == n


def test_xo_noise_and_shapes():
    clean = XO(num_samples=200, noise=0.0)
    ink = (clean.data > 0).mean(axis=(1, 2, 3))
    assert ink.min() > 0.04 and ink.max() < 0.5  # strokes, on a mostly -1 background
    # an X crosses its centre, an O does not: the middle of the ink's bounding box tells them
    # apart on clean images
    for image, label in zip(clean.data[:50, 0], clean.targets[:50]):
        rows, cols = np.nonzero(image > 0)
        centre = image[(rows.min() + rows.max()) // 2 - 1:(rows.min() + rows.max()) // 2 + 2,
                       (cols.min() + cols.max()) // 2 - 1:(cols.min() + cols.max()) // 2 + 2]
        assert (centre > 0).any() == (label == 0)
    noisy = XO(num_samples=200, noise=0.2)
    flipped = (noisy.data != XO(num_samples=200, noise=0.0).data).mean()
    assert flipped > 0.05


def test_xo_is_not_separable_by_one_pixel():
    ds = XO(num_samples=1000)
    on = ds.data[:, 0] > 0
    is_x = (ds.targets == 0)[:, None, None]
    accuracy = np.maximum((on == is_x).mean(0), (on != is_x).mean(0))
    assert accuracy.max() < 0.8


def test_xo_argument_errors():
    with pytest.raises(ValueError, match="num_samples"):
        XO(num_samples=0)
    with pytest.raises(ValueError, match="size"):
        XO(size=5)
    with pytest.raises(ValueError, match="noise"):
        XO(noise=0.5)
    with pytest.raises(ValueError, match="seed"):
        XO(seed=-1)


def test_xo_loader_batches():
    loader = DataLoader(XO(num_samples=20), batch_size=8, shuffle=True, seed=0)
    images, labels = next(iter(loader))
    assert tuple(images.shape) == (8, 1, 28, 28) and images.dtype == minigrad.float32
    assert labels.dtype == minigrad.int64 and len(loader) == 3


# ---- MNIST / FashionMNIST ------------------------------------------------------------------

def _idx_bytes(array):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def _fake_split(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=n)


def _write_split(folder, prefix, images, labels, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in ((f"{prefix}-images-idx3-ubyte", images),
                        (f"{prefix}-labels-idx1-ubyte", labels)):
        payload = _idx_bytes(array)
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(payload))
        else:
            (folder / name).write_bytes(payload)


def test_mnist_reads_plain_files_from_root(tmp_path):
    images, labels = _fake_split(5, 0)
    _write_split(tmp_path, "train", images, labels)
    ds = MNIST(tmp_path)
    assert len(ds) == 5 and len(ds.classes) == 10
    image, label = ds[2]
    assert image.dtype == minigrad.float32 and tuple(image.shape) == (1, 28, 28)
    np.testing.assert_allclose(image.numpy()[0], images[2] / 255, rtol=1e-6)
    assert label == labels[2]
    batch, targets = DataLoader(ds, batch_size=5).__iter__().__next__()
    np.testing.assert_allclose(batch.numpy()[:, 0], images / 255, rtol=1e-6)
    assert targets.tolist() == labels.tolist()
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        MNIST(tmp_path, train=False)


def test_mnist_reads_gzipped_files_from_torchvision_layout(tmp_path):
    train, test = _fake_split(4, 1), _fake_split(3, 2)
    _write_split(tmp_path / "MNIST" / "raw", "train", *train, gz=True)
    _write_split(tmp_path / "MNIST" / "raw", "t10k", *test, gz=True)
    ds = MNIST(str(tmp_path), train=False)
    assert len(ds) == 3
    np.testing.assert_array_equal(ds.data[:, 0], test[0])
    np.testing.assert_array_equal(ds.targets, test[1])
    assert len(MNIST(tmp_path, train=True)) == 4


def test_fashion_mnist_uses_its_own_folder(tmp_path):
    images, labels = _fake_split(3, 3)
    _write_split(tmp_path / "FashionMNIST" / "raw", "train", images, labels, gz=True)
    ds = FashionMNIST(tmp_path)
    assert ds.classes[0] == "T-shirt/top" and len(ds) == 3
    np.testing.assert_array_equal(ds.data[:, 0], images)
    with pytest.raises(FileNotFoundError, match="MNIST"):
        MNIST(tmp_path)


def test_mnist_missing_files_error_names_files_and_folders(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        MNIST(tmp_path)
    message = str(info.value)
    for expected in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", str(tmp_path),
                     str(tmp_path / "MNIST" / "raw"), "download=True"):
        assert expected in message


def test_idx_validation(tmp_path):
    images, labels = _fake_split(3, 4)
    bad_magic = tmp_path / "bad"
    bad_magic.write_bytes(b"\x00\x00\x09\x03" + _idx_bytes(images)[4:])
    with pytest.raises(ValueError, match="magic number 0x00000803, found 0x00000903"):
        read_idx(bad_magic, 3)
    with pytest.raises(ValueError, match="magic number 0x00000801"):
        read_idx(bad_magic, 1)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(_idx_bytes(images)[:-5])
    with pytest.raises(ValueError, match="holds 2347 bytes"):
        read_idx(truncated, 3)
    tiny = tmp_path / "tiny"
    tiny.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="shorter than 4 bytes"):
        read_idx(tiny, 1)
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(_idx_bytes(labels))[:-6])
    with pytest.raises(ValueError, match="corrupt gzip"):
        read_idx(broken, 1)


def test_mnist_rejects_inconsistent_files(tmp_path):
    images, labels = _fake_split(4, 5)
    _write_split(tmp_path, "train", images, labels[:3])
    with pytest.raises(ValueError, match="4 images but .* 3 labels"):
        MNIST(tmp_path)
    _write_split(tmp_path, "train", images, np.array([0, 1, 2, 10]))
    with pytest.raises(ValueError, match="label 10"):
        MNIST(tmp_path)
    _write_split(tmp_path, "train", labels, labels)  # labels where images belong
    with pytest.raises(ValueError, match="train-images-idx3-ubyte: not an IDX file"):
        MNIST(tmp_path)


class _Server:
    """Stands in for urllib.request.urlopen: serves `files` by URL, records requests."""

    def __init__(self, files):
        self.files, self.requested = files, []

    def __call__(self, request, timeout=None):
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        self.requested.append(url)
        if url not in self.files:
            raise urllib.error.URLError("unreachable")
        return io.BytesIO(self.files[url])


def _published(monkeypatch, cls, split, prefix, mirror, corrupt=False):
    """Serve gzipped files of `split` at `mirror` and make `cls` trust their checksums."""
    files, resources = {}, dict(cls.resources)
    for name, array in ((f"{prefix}-images-idx3-ubyte", split[0]),
                        (f"{prefix}-labels-idx1-ubyte", split[1])):
        payload = gzip.compress(_idx_bytes(array))
        resources[name] = hashlib.md5(payload).hexdigest()
        files[mirror + name + ".gz"] = payload + (b"x" if corrupt else b"")
    monkeypatch.setattr(cls, "resources", resources)
    server = _Server(files)
    monkeypatch.setattr(urllib.request, "urlopen", server)
    return server


def test_download_falls_back_to_the_next_mirror(tmp_path, monkeypatch):
    split = _fake_split(3, 6)
    server = _published(monkeypatch, MNIST, split, "t10k", MNIST.mirrors[1])
    ds = MNIST(tmp_path, train=False, download=True)
    np.testing.assert_array_equal(ds.data[:, 0], split[0])
    raw = tmp_path / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == ["t10k-images-idx3-ubyte.gz",
                                                     "t10k-labels-idx1-ubyte.gz"]
    assert server.requested[0] == MNIST.mirrors[0] + "t10k-images-idx3-ubyte.gz"
    count = len(server.requested)
    MNIST(tmp_path, train=False, download=True)  # already there: nothing is fetched
    assert len(server.requested) == count


def test_fashion_mnist_downloads_from_its_host(tmp_path, monkeypatch):
    split = _fake_split(2, 7)
    server = _published(monkeypatch, FashionMNIST, split, "train", FashionMNIST.mirrors[0])
    ds = FashionMNIST(tmp_path, download=True)
    np.testing.assert_array_equal(ds.targets, split[1])
    assert all(url.startswith(FashionMNIST.mirrors[0]) for url in server.requested)
    assert (tmp_path / "FashionMNIST" / "raw" / "train-labels-idx1-ubyte.gz").is_file()


def test_download_checksum_mismatch(tmp_path, monkeypatch):
    _published(monkeypatch, MNIST, _fake_split(2, 8), "train", MNIST.mirrors[0], corrupt=True)
    with pytest.raises(RuntimeError, match="MD5 checksum mismatch") as info:
        MNIST(tmp_path, download=True)
    assert "train-images-idx3-ubyte.gz" in str(info.value)
    assert list((tmp_path / "MNIST" / "raw").iterdir()) == []  # nothing half-written is left


def test_download_without_network(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", _Server({}))
    with pytest.raises(RuntimeError) as info:
        MNIST(tmp_path, download=True)
    message = str(info.value)
    for expected in ["unreachable", "Without network access", "train-images-idx3-ubyte",
                     "train-labels-idx1-ubyte", str(tmp_path / "MNIST" / "raw")] + \
            [mirror + "train-images-idx3-ubyte.gz" for mirror in MNIST.mirrors]:
        assert expected in message


# ---- Digits --------------------------------------------------------------------------------

def test_digits_split():
    pytest.importorskip("sklearn")
    train, test = Digits(), Digits(train=False)
    assert len(train) + len(test) == 1797
    assert 0.18 < len(test) / 1797 < 0.22
    full = np.bincount(np.concatenate([train.targets, test.targets]))
    test_share = np.bincount(test.targets) / full
    assert test_share.min() > 0.15 and test_share.max() < 0.25  # stratified
    image, label = train[0]
    assert image.dtype == minigrad.float32 and tuple(image.shape) == (1, 8, 8)
    assert isinstance(label, int) and len(train.classes) == 10
    values = np.concatenate([train.data.ravel(), test.data.ravel()]) / 16
    assert values.min() == 0 and values.max() == 1
    assert image.numpy().min() >= 0 and image.numpy().max() <= 1
    # train and test together cover every image
    from sklearn.datasets import load_digits
    every = {img.tobytes() for img in load_digits().images.astype(np.uint8)}
    both = [img.tobytes() for img in np.concatenate([train.data, test.data])[:, 0]]
    assert set(both) == every
    np.testing.assert_array_equal(Digits(train=False).data, test.data)
    assert not np.array_equal(Digits(train=False, seed=1).targets, test.targets)


def test_digits_errors(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install minigrad\[digits\]"):
        Digits()
    monkeypatch.undo()
    pytest.importorskip("sklearn")
    with pytest.raises(ValueError, match="test_fraction"):
        Digits(test_fraction=1.0)
