"""examples/transfer.py, autoencoder.py and dcgan.py: smoke runs on a few Digits images, and
the parts with a known answer (the relabelled subsets, the frozen features, the gradient
penalty)."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import nn

# whole programs or layers that tests/cuda already runs on the device: a cuda pass skips them
pytestmark = pytest.mark.cpu_suffices

pytest.importorskip("sklearn")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_transfer_subsets_are_relabelled_and_few_shot():
    transfer = load_example("transfer")
    from minigrad.data.datasets import Digits
    train = Digits(train=True)
    subset = transfer.digit_subset(train, range(5, 10), per_class=3, seed=1)
    assert len(subset) == 15 and np.bincount(subset.targets).tolist() == [3] * 5
    originals = {tuple(img.ravel()) for img in train.data[train.targets == 7]}
    assert all(tuple(img.ravel()) in originals for img in subset.data[subset.targets == 2])
    with pytest.raises(ValueError, match="asked for 1000"):
        transfer.digit_subset(train, [0], per_class=1000)


def test_transfer_smoke_run_keeps_the_frozen_features(device, monkeypatch, capsys):
    transfer = load_example("transfer")
    frozen = {}
    fit = transfer.fit

    def recording_fit(model, dataset, epochs, device, seed, **kwargs):
        before = {name: p.detach().cpu().numpy().copy()
                  for name, p in model.named_parameters()}
        result = fit(model, dataset, epochs, device, seed, **kwargs)
        if not model.features[0].weight.requires_grad:  # the fine-tuning run
            frozen.update({name: np.array_equal(before[name], p.detach().cpu().numpy())
                           for name, p in model.named_parameters()})
        return result

    monkeypatch.setattr(transfer, "fit", recording_fit)
    results = transfer.main(["--pretrain-epochs", "1", "--pretrain-size", "64", "--epochs",
                             "1", "--shots", "2", "--device", device])
    assert set(results) == {"pretrain", "transfer", "scratch"}
    assert all(0 <= value <= 1 for value in results.values())
    assert frozen["features.0.weight"] and frozen["features.3.bias"]
    assert not frozen["classifier.4.weight"] and not frozen["classifier.0.weight"]
    assert "from scratch" in capsys.readouterr().out


def test_autoencoder_smoke_run_and_denoising(tmp_path, device):
    pytest.importorskip("PIL")
    autoencoder = load_example("autoencoder")
    result = autoencoder.main(["--epochs", "2", "--train-size", "64", "--test-size", "32",
                               "--noise", "0.3", "--out", str(tmp_path), "--device", device])
    assert (tmp_path / "reconstructions.png").read_bytes()[:4] == b"\x89PNG"
    assert result["reconstructions"].shape == (16, 1, 8, 8)
    assert ((result["reconstructions"] >= 0) & (result["reconstructions"] <= 1)).all()
    assert len(result["history"]) == 2
    model = autoencoder.ConvAutoencoder()
    assert tuple(model(minigrad.rand(2, 1, 28, 28)).shape) == (2, 1, 28, 28)
    assert tuple(model.encoder(minigrad.rand(2, 1, 28, 28)).shape) == (2, 8, 7, 7)


@pytest.mark.parametrize("gp", [False, True])
def test_dcgan_smoke_run_writes_a_grid_per_epoch(tmp_path, gp, device):
    pytest.importorskip("PIL")
    dcgan = load_example("dcgan")
    argv = ["--epochs", "2", "--train-size", "64", "--out", str(tmp_path), "--device", device]
    result = dcgan.main(argv + (["--gp"] if gp else []))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["samples_001.png", "samples_002.png"]
    assert result["samples"].shape == (64, 1, 8, 8)
    assert np.abs(result["samples"]).max() <= 1
    assert all(np.isfinite(losses).all() for losses in result["history"])


def test_gradient_penalty_against_a_hand_computation():
    dcgan = load_example("dcgan")
    critic = nn.Sequential(nn.Flatten(), nn.Linear(4, 1, bias=False)).double()
    with minigrad.no_grad():
        critic[1].weight.copy_(minigrad.tensor([[0.5, -0.5, 1.0, 2.0]]))
    real = minigrad.rand(3, 1, 2, 2, dtype=minigrad.float64)
    fake = minigrad.rand(3, 1, 2, 2, dtype=minigrad.float64)
    # A linear critic's input gradient is its weight everywhere: norm sqrt(5.5) at any point.
    penalty = dcgan.gradient_penalty(lambda x: critic(x).flatten(), real, fake,
                                     np.random.default_rng(0))
    assert penalty.item() == pytest.approx((np.sqrt(5.5) - 1) ** 2)
    (weight_grad,) = minigrad.grad(penalty, critic[1].weight)  # through the double backward
    w = np.array([0.5, -0.5, 1.0, 2.0])
    expected = 2 * (np.sqrt(5.5) - 1) * w / np.sqrt(5.5)
    np.testing.assert_allclose(weight_grad.numpy()[0], expected, rtol=1e-6)


def test_dcgan_generator_steps_on_every_critic_steps_th_batch():
    import argparse
    dcgan = load_example("dcgan")
    minigrad.manual_seed(0)
    gen, disc = dcgan.Generator(latent=4), dcgan.Discriminator(batch_norm=False)
    gen_opt = minigrad.optim.Adam(gen.parameters())
    disc_opt = minigrad.optim.Adam(disc.parameters())
    images = minigrad.data.TensorDataset(minigrad.rand(15, 1, 8, 8), minigrad.zeros(15))
    loader = minigrad.data.DataLoader(images, batch_size=3)  # five batches
    args = argparse.Namespace(device="cpu", gp=True, gp_weight=10.0, critic_steps=2)
    losses = dcgan.train_epoch((gen, disc), (gen_opt, disc_opt), loader, args,
                               np.random.default_rng(0))
    assert np.isfinite(losses).all()
    assert disc_opt.state[disc.net[0].weight]["step"] == 5
    assert gen_opt.state[gen.net[0].weight]["step"] == 3  # batches 0, 2 and 4


def write_idx(path, array):
    """An IDX file (the MNIST format) of unsigned bytes."""
    import struct
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.tobytes())


def test_autoencoder_and_dcgan_on_mnist_files(tmp_path):
    pytest.importorskip("PIL")
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 16), ("t10k", 8)):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (count, 28, 28)))
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, count))
    common = ["--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "1"]
    result = load_example("autoencoder").main(common + ["--out", str(tmp_path / "ae")])
    assert result["reconstructions"].shape == (8, 1, 28, 28)
    result = load_example("dcgan").main(common + ["--out", str(tmp_path / "gan")])
    assert result["samples"].shape == (64, 1, 28, 28)
    assert (tmp_path / "gan" / "samples_001.png").exists()
