"""MNIST1D (generated, never downloaded), the CNN1d model and train.py's --dataset mnist1d."""
import random
import socket

import numpy as np
import pytest

import minigrad
from minigrad.models import CNN1d, get_model

pytest.importorskip("mnist1d")
from minigrad.data.datasets import MNIST1D  # noqa: E402

# whole programs or layers that tests/cuda already runs on the device: a cuda pass skips them
pytestmark = pytest.mark.cpu_suffices


@pytest.fixture(scope="module")
def splits():
    return MNIST1D(train=True), MNIST1D(train=False)


def test_default_split_without_network_or_files(tmp_path, monkeypatch):
    from minigrad.data.datasets import mnist1d as module

    def refuse(*args, **kwargs):
        raise AssertionError("MNIST1D tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.chdir(tmp_path)  # the package's own cache would be written here
    monkeypatch.setattr(module, "_GENERATED", {})
    state = np.random.get_state()[1].copy(), random.getstate()
    train = MNIST1D(train=True)
    assert list(tmp_path.iterdir()) == []
    assert np.array_equal(np.random.get_state()[1], state[0]) and random.getstate() == state[1]
    assert len(train) == 4000
    signal, label = train[0]
    assert tuple(signal.shape) == (1, 40) and signal.dtype == minigrad.float32
    assert 0 <= label < 10


def test_splits_are_balanced_standardised_and_reproducible(splits):
    train, test = splits
    assert len(test) == 1000 and train.classes == tuple("0123456789")
    counts = np.bincount(np.concatenate([train.targets, test.targets]))
    assert counts.tolist() == [500] * 10
    everything = np.concatenate([train.data, test.data])
    assert abs(everything.mean()) < 1e-3 and abs(everything.std() - 1) < 1e-3
    assert np.array_equal(MNIST1D(train=False).data, test.data)
    with pytest.raises(ValueError, match="seed"):
        MNIST1D(seed=-1)


def test_cnn1d_shapes_and_errors(device):
    model = get_model("cnn1d", num_classes=10, in_channels=1).to(device)
    assert isinstance(model, CNN1d)
    assert sum(p.numel() for p in model.parameters()) == 45_034
    assert tuple(model(minigrad.randn(3, 1, 40, device=device)).shape) == (3, 10)
    assert tuple(model(minigrad.randn(2, 1, 4, device=device)).shape) == (2, 10)
    with pytest.raises(ValueError, match=r"\(N, C, L\)"):
        model(minigrad.randn(2, 1, 8, 8, device=device))
    with pytest.raises(ValueError, match="width"):
        CNN1d(width=0)


def test_cnn1d_parameter_names_follow_the_layers():
    names = [name for name, _ in CNN1d().named_parameters()]
    assert names[:3] == ["features.0.weight", "features.1.weight", "features.1.bias"]
    assert names[-2:] == ["fc.weight", "fc.bias"]


def test_cnn1d_loads_weights_from_a_checkpoint(tmp_path):
    model = CNN1d(width=4)
    minigrad.save(model.state_dict(), tmp_path / "cnn1d.mg")
    loaded = get_model("cnn1d", width=4, weights=tmp_path / "cnn1d.mg")
    x = minigrad.randn(2, 1, 12)
    model.eval(), loaded.eval()
    assert np.array_equal(model(x).detach().numpy(), loaded(x).detach().numpy())
