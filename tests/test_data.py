"""minigrad.data: Dataset, TensorDataset, Subset, random_split, DataLoader, default_collate and
the image transforms."""
import numpy as np
import pytest

import minigrad
from minigrad.data import (DataLoader, Dataset, Subset, TensorDataset, default_collate,
                           random_split)
from minigrad.data import transforms as T
from minigrad.data.datasets import ImageArrayDataset


def _tensor_dataset(n=10, device="cpu"):
    features = minigrad.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2), device=device)
    labels = minigrad.tensor(np.arange(n) * 10, device=device)
    return TensorDataset(features, labels)


class ItemDataset(Dataset):
    """A generic dataset (no get_batch): sample i is (features row i, label 10 * i)."""

    def __init__(self, n=10):
        self.n = n

    def __getitem__(self, index):
        return np.arange(index * 2, index * 2 + 2, dtype=np.float32), int(index) * 10

    def __len__(self):
        return self.n


def _labels(loader):
    return [batch[1].tolist() for batch in loader]


# ---- Dataset / TensorDataset / Subset / random_split ---------------------------------------

def test_dataset_is_abstract():
    with pytest.raises(TypeError):
        Dataset()

    class NoLen(Dataset):
        def __getitem__(self, index):
            return index

    with pytest.raises(TypeError):
        NoLen()


def test_tensor_dataset_items(device):
    ds = _tensor_dataset(device=device)
    assert len(ds) == 10
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 30
    assert ds[-1][1].item() == 90
    assert x.device == minigrad.device(device)
    with pytest.raises(IndexError, match="out of range"):
        ds[10]
    with pytest.raises(TypeError, match="integers"):
        ds[1.5]


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same size in dim 0.*\[3, 4\]"):
        TensorDataset(minigrad.zeros(3, 2), minigrad.zeros(4))
    with pytest.raises(TypeError, match="argument 1 is ndarray"):
        TensorDataset(minigrad.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(minigrad.tensor(1.0))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_subset():
    ds = _tensor_dataset()
    sub = Subset(ds, [7, 2, -1])
    assert len(sub) == 3
    assert [sub[i][1].item() for i in range(3)] == [70, 20, 90]
    assert sub.get_batch(np.array([2, 0]))[1].tolist() == [90, 70]
    assert Subset(ItemDataset(), [1]).get_batch(np.array([0])) is None
    with pytest.raises(IndexError, match="indices must lie"):
        Subset(ds, [10])


def test_random_split_partitions_reproducibly():
    ds = _tensor_dataset(10)
    parts = random_split(ds, [3, 7], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [3, 7]
    indices = np.concatenate([p.indices for p in parts])
    assert sorted(indices.tolist()) == list(range(10))
    again = random_split(ds, [3, 7], generator=np.random.default_rng(0))
    assert all((a.indices == b.indices).all() for a, b in zip(parts, again))
    assert [len(p) for p in random_split(ds, [0.5, 0.3, 0.2])] == [5, 3, 2]
    assert [len(p) for p in random_split(_tensor_dataset(7), [0.5, 0.5])] == [4, 3]
    minigrad.manual_seed(3)
    first = random_split(ds, [5, 5])[0].indices
    minigrad.manual_seed(3)
    assert (random_split(ds, [5, 5])[0].indices == first).all()


def test_random_split_errors():
    ds = _tensor_dataset(10)
    with pytest.raises(ValueError, match="sum to 9"):
        random_split(ds, [4, 5])
    with pytest.raises(ValueError, match="lengths must be"):
        random_split(ds, [0.5, 5])
    with pytest.raises(TypeError, match="numpy Generator"):
        random_split(ds, [5, 5], generator=0)


# ---- DataLoader ----------------------------------------------------------------------------

def test_loader_batches_in_order(device):
    loader = DataLoader(_tensor_dataset(device=device), batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [tuple(b[0].shape) for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert batches[2][0].tolist() == [[16.0, 17.0], [18.0, 19.0]]
    assert batches[0][1].dtype == minigrad.int64
    assert batches[0][0].device == minigrad.device(device)
    assert _labels(loader)[0] == [0, 10, 20, 30]


def test_loader_drop_last():
    loader = DataLoader(_tensor_dataset(), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(b[1]) for b in loader] == [4, 4]
    assert len(DataLoader(_tensor_dataset(), batch_size=20, drop_last=True)) == 0
    assert list(DataLoader(_tensor_dataset(), batch_size=20, drop_last=True)) == []
    assert len(DataLoader(_tensor_dataset(), batch_size=5, drop_last=True)) == 2


def test_loader_shuffles_every_epoch_reproducibly():
    loader = DataLoader(_tensor_dataset(), batch_size=3, shuffle=True, seed=7)
    epochs = [sum(_labels(loader), []) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(0, 100, 10))
    assert epochs[0] != epochs[1] and epochs[1] != epochs[2]
    twin = DataLoader(_tensor_dataset(), batch_size=3, shuffle=True, seed=7)
    assert [sum(_labels(twin), []) for _ in range(3)] == epochs
    other = DataLoader(_tensor_dataset(), batch_size=3, shuffle=True, seed=8)
    assert sum(_labels(other), []) != epochs[0]


def test_loader_order_ignores_other_random_draws():
    loader = DataLoader(_tensor_dataset(), batch_size=3, shuffle=True, seed=1)
    first = _labels(loader)
    loader.set_epoch(0)
    minigrad.randn(5)
    assert _labels(loader) == first
    assert (loader.order(0) == np.asarray(sum(first, [])) // 10).all()


def test_loader_seed_from_global_generator():
    minigrad.manual_seed(11)
    a = DataLoader(_tensor_dataset(), batch_size=2, shuffle=True)
    minigrad.manual_seed(11)
    b = DataLoader(_tensor_dataset(), batch_size=2, shuffle=True)
    assert a.seed == b.seed and _labels(a) == _labels(b)
    minigrad.manual_seed(12)
    assert DataLoader(_tensor_dataset(), batch_size=2, shuffle=True).seed != a.seed
    state = minigrad.get_rng_state()
    DataLoader(_tensor_dataset(), batch_size=2)  # no shuffling: the global stream is untouched
    assert minigrad.get_rng_state() == state


def test_loader_set_epoch():
    loader = DataLoader(_tensor_dataset(), batch_size=4, shuffle=True, seed=3)
    runs = [_labels(loader) for _ in range(3)]
    assert loader.epoch == 3
    loader.set_epoch(1)
    assert _labels(loader) == runs[1]
    assert loader.epoch == 2
    with pytest.raises(ValueError, match="non-negative int"):
        loader.set_epoch(-1)


def test_loader_resumes_mid_epoch():
    minigrad.manual_seed(5)
    loader = DataLoader(_tensor_dataset(), batch_size=3, shuffle=True)
    reference = [_labels(loader) for _ in range(3)]
    loader.set_epoch(0)
    seen, state = [], None
    for epoch in range(3):
        for step, batch in enumerate(loader):
            seen.append(batch[1].tolist())
            if epoch == 1 and step == 1:
                state = loader.state_dict()
    assert state == {"seed": loader.seed, "epoch": 1, "batch": 2}
    minigrad.manual_seed(99)  # a fresh run with another global seed picks up the saved one
    resumed = DataLoader(_tensor_dataset(), batch_size=3, shuffle=True)
    resumed.load_state_dict(state)
    rest = _labels(resumed) + _labels(resumed)
    assert rest == reference[1][2:] + reference[2]
    assert seen == sum(reference, [])


def test_loader_state_at_epoch_boundaries():
    loader = DataLoader(_tensor_dataset(), batch_size=4, shuffle=True, seed=0)
    assert loader.state_dict() == {"seed": 0, "epoch": 0, "batch": 0}
    for step, _ in enumerate(loader):
        if step == 2:  # the last batch has been handed out: the next is epoch 1's first
            assert loader.state_dict() == {"seed": 0, "epoch": 1, "batch": 0}
    assert loader.state_dict() == {"seed": 0, "epoch": 1, "batch": 0}
    for _ in loader:
        break  # an abandoned epoch counts as run
    assert loader.state_dict() == {"seed": 0, "epoch": 2, "batch": 0}


def test_loader_load_state_dict_errors():
    loader = DataLoader(_tensor_dataset(), batch_size=4)
    with pytest.raises(KeyError, match="batch"):
        loader.load_state_dict({"seed": 0, "epoch": 0})
    with pytest.raises(ValueError, match="invalid state"):
        loader.load_state_dict({"seed": 0, "epoch": 0, "batch": 4})


def test_loader_generic_dataset_matches_fast_path():
    fast = DataLoader(_tensor_dataset(), batch_size=4, shuffle=True, seed=2)
    slow = DataLoader(ItemDataset(), batch_size=4, shuffle=True, seed=2)
    for (xf, yf), (xs, ys) in zip(fast, slow):
        assert xs.dtype == minigrad.float32 and ys.dtype == minigrad.int64
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())


def test_loader_custom_collate_fn():
    calls = []

    def collate(samples):
        calls.append(len(samples))
        return [int(s[1]) for s in samples]

    loader = DataLoader(_tensor_dataset(), batch_size=4, collate_fn=collate)
    assert list(loader) == [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90]]
    assert calls == [4, 4, 2]


def test_loader_argument_errors():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_tensor_dataset(), batch_size=0)
    with pytest.raises(TypeError, match="__getitem__"):
        DataLoader(5)
    with pytest.raises(ValueError, match="seed"):
        DataLoader(_tensor_dataset(), seed=-1)
    with pytest.raises(TypeError, match="collate_fn"):
        DataLoader(_tensor_dataset(), collate_fn=3)


def test_default_collate():
    batch = default_collate([{"x": np.ones(2), "y": (1, 2.5, "a", True)},
                             {"x": np.zeros(2), "y": (3, 4.0, "b", False)}])
    assert batch["x"].tolist() == [[1, 1], [0, 0]]
    ints, floats, strings, flags = batch["y"]
    assert ints.dtype == minigrad.int64 and ints.tolist() == [1, 3]
    assert floats.dtype == minigrad.float64 and floats.tolist() == [2.5, 4.0]
    assert strings == ("a", "b")  # a field of tuples stays the tuple zip makes, as in PyTorch
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([{"s": "a"}, {"s": "b"}]) == {"s": ["a", "b"]}
    assert flags.dtype == minigrad.bool and flags.tolist() == [True, False]
    stacked = default_collate([minigrad.ones(2, 3), minigrad.zeros(2, 3)])
    assert tuple(stacked.shape) == (2, 2, 3)
    assert isinstance(default_collate([[1, 2], [3, 4]]), list)
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="cannot batch"):
        default_collate([object(), object()])


# ---- transforms ----------------------------------------------------------------------------

def _images(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 3, 4, 5)])
def test_normalize_matches_numpy(device, shape):
    arr = _images(shape)
    mean, std = [0.1, -0.2, 0.3], [0.5, 2.0, 1.5]
    out = T.Normalize(mean, std)(minigrad.tensor(arr, device=device))
    expected = (arr - np.reshape(mean, (3, 1, 1))) / np.reshape(std, (3, 1, 1))
    assert out.dtype == minigrad.float32 and out.device == minigrad.device(device)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-6)
    single = T.Normalize(0.5, 2.0)(minigrad.tensor(arr))
    np.testing.assert_allclose(single.numpy(), (arr - 0.5) / 2.0, rtol=1e-6)


def test_normalize_errors():
    with pytest.raises(ValueError, match="3 channels"):
        T.Normalize([0.0, 0.0], [1.0, 1.0])(minigrad.zeros(3, 2, 2))
    with pytest.raises(ValueError, match="non-zero"):
        T.Normalize(0.0, [1.0, 0.0])
    with pytest.raises(ValueError, match="equal-length"):
        T.Normalize([0.0, 0.0], [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="float image"):
        T.Normalize(0.0, 1.0)(minigrad.zeros(1, 2, 2, dtype=minigrad.int64))
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        T.Normalize(0.0, 1.0)(minigrad.zeros(2, 2))


def _window_offsets(padded, crop):
    """All (top, left) where `crop` is the window of `padded` (C, H, W)."""
    h, w = crop.shape[-2:]
    return [(i, j) for i in range(padded.shape[-2] - h + 1) for j in range(padded.shape[-1] - w + 1)
            if np.array_equal(padded[:, i:i + h, j:j + w], crop)]


def test_random_crop_is_a_window_of_the_padded_image():
    arr = _images((2, 6, 7)) + 5  # no zeros inside the image, so the padding is recognisable
    padded = np.pad(arr, [(0, 0), (2, 2), (2, 2)])
    offsets = set()
    for _ in range(20):
        out = T.RandomCrop((6, 7), padding=2)(minigrad.tensor(arr)).numpy()
        assert out.shape == (2, 6, 7)
        found = _window_offsets(padded, out)
        assert len(found) == 1
        offsets.add(found[0])
    assert len(offsets) > 3  # the offsets vary
    same = T.RandomCrop(4)(minigrad.tensor(arr[:, :4, :4]))
    np.testing.assert_array_equal(same.numpy(), arr[:, :4, :4])


def test_random_crop_batch_crops_each_image_separately(device):
    arr = _images((8, 1, 5, 5)) + 5
    out = T.RandomCrop(5, padding=(1, 2))(minigrad.tensor(arr, device=device))
    assert tuple(out.shape) == (8, 1, 5, 5) and out.device == minigrad.device(device)
    padded = np.pad(arr, [(0, 0), (0, 0), (2, 2), (1, 1)])
    offsets = [_window_offsets(padded[n], out.numpy()[n]) for n in range(8)]
    assert all(len(found) == 1 for found in offsets)
    assert len({found[0] for found in offsets}) > 1


def test_random_crop_reproducible_and_checked():
    x = minigrad.tensor(_images((3, 1, 6, 6)))
    minigrad.manual_seed(4)
    first = T.RandomCrop(4)(x).numpy()
    minigrad.manual_seed(4)
    np.testing.assert_array_equal(T.RandomCrop(4)(x).numpy(), first)
    a = T.RandomCrop(4, generator=np.random.default_rng(1))(x).numpy()
    b = T.RandomCrop(4, generator=np.random.default_rng(1))(x).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="larger than"):
        T.RandomCrop(7)(x)
    with pytest.raises(ValueError, match="padding"):
        T.RandomCrop(4, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="size"):
        T.RandomCrop(0)


def test_random_horizontal_flip(device):
    arr = _images((1, 3, 4))
    x = minigrad.tensor(arr, device=device)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy(), arr[..., ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(x).numpy(), arr)
    batch = _images((16, 1, 3, 4))
    out = T.RandomHorizontalFlip()(minigrad.tensor(batch, device=device)).numpy()
    flipped = [np.array_equal(o, b[..., ::-1]) for o, b in zip(out, batch)]
    kept = [np.array_equal(o, b) for o, b in zip(out, batch)]
    assert all(f != k for f, k in zip(flipped, kept))
    assert any(flipped) and any(kept)
    minigrad.manual_seed(2)
    again = T.RandomHorizontalFlip()(minigrad.tensor(batch)).numpy()
    minigrad.manual_seed(2)
    np.testing.assert_array_equal(T.RandomHorizontalFlip()(minigrad.tensor(batch)).numpy(), again)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        T.RandomHorizontalFlip(p=1.5)


def test_to_tensor_and_compose():
    pixels = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    out = T.ToTensor()(pixels)
    assert out.dtype == minigrad.float32 and tuple(out.shape) == (3, 2, 4)
    np.testing.assert_allclose(out.numpy(), pixels.transpose(2, 0, 1) / 255, rtol=1e-6)
    assert tuple(T.ToTensor()(np.zeros((5, 6))).shape) == (1, 5, 6)
    with pytest.raises(TypeError, match="uint8"):
        T.ToTensor()(np.zeros((2, 2), dtype=np.int32))
    pipeline = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)])
    np.testing.assert_allclose(pipeline(pixels).numpy(),
                               (pixels.transpose(2, 0, 1) / 255 - 0.5) / 0.5, rtol=1e-5)
    assert not pipeline.batched
    assert T.Compose([T.RandomCrop(2), T.Normalize(0, 1)]).batched
    with pytest.raises(TypeError, match="callable"):
        T.Compose([3])


def test_image_dataset_batches_through_batched_and_plain_transforms():
    data = np.arange(5 * 16, dtype=np.uint8).reshape(5, 1, 4, 4)
    normalize = T.Normalize(0.5, 0.25)
    ds = ImageArrayDataset(data, np.arange(5), scale=1 / 255, transform=normalize)
    images, labels = ds.get_batch(np.array([3, 1]))
    per_item = np.stack([ds[3][0].numpy(), ds[1][0].numpy()])
    np.testing.assert_allclose(images.numpy(), per_item, rtol=1e-6)
    np.testing.assert_allclose(per_item[0], (data[3] / 255 - 0.5) / 0.25, rtol=1e-5)
    assert labels.tolist() == [3, 1] and labels.dtype == minigrad.int64
    plain = ImageArrayDataset(data, np.arange(5), transform=lambda x: x * 2)
    assert plain.get_batch(np.array([0])) is None  # the loader falls back to item by item
    batches = list(DataLoader(plain, batch_size=2))
    np.testing.assert_array_equal(batches[0][0].numpy(), data[:2] * 2.0)
    assert batches[2][1].tolist() == [4]
