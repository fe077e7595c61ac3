"""Training on the cuda device end to end: examples/train.py with --device cuda, checkpoints
saved from the device, and training steps that copy nothing between host and device.

Sizes are tiny for numba's CUDA simulator: 12x12 XO images and a small CNN two filters wide.
"""
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.data.datasets import XO
from minigrad.models import get_model
from minigrad.nn import functional as F

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# 2 batches of 4 images per epoch, one test batch; SGD with momentum 0.9.
TINY = ["--train-size", "8", "--test-size", "4", "--batch-size", "4", "--optimizer", "sgd",
        "--lr", "0.1", "--quiet"]
COMPARED = ("train_loss", "train_acc", "test_loss", "test_acc")


@pytest.fixture
def train():
    """examples/train.py on 12x12 XO images (8 train, 4 test) with a 2-filter small CNN."""
    spec = importlib.util.spec_from_file_location("example_train_cuda", EXAMPLES / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.XO = lambda train: XO(num_samples=8 if train else 4, size=12, train=train)
    module.get_model = lambda *args, **kwargs: get_model(*args, width=2, **kwargs)
    return module


def assert_same_run(history, expected):
    assert [r["epoch"] for r in history] == [r["epoch"] for r in expected]
    for got, want in zip(history, expected):
        for key in COMPARED:
            assert math.isclose(got[key], want[key], rel_tol=1e-4), (got["epoch"], key)


def test_train_example_on_cuda_matches_cpu_and_resumes_from_a_cuda_checkpoint(train, tmp_path,
                                                                              capsys):
    on_cpu = train.main(TINY + ["--epochs", "3"])
    checkpoint = str(tmp_path / "cuda.ckpt")
    first = train.main(TINY + ["--epochs", "2", "--device", "cuda", "--checkpoint", checkpoint])
    assert "cuda" in capsys.readouterr().out
    assert_same_run(first, on_cpu[:2])
    losses = [r["train_loss"] for r in first]
    assert losses[1] < losses[0] and first[1]["test_loss"] < first[0]["test_loss"]
    saved = minigrad.load(checkpoint)
    assert saved["epoch"] == 2 and saved["optimizer"]["state"]  # momentum buffers were saved
    resumed = train.main(["--checkpoint", checkpoint, "--resume", "--epochs", "3", "--device",
                          "cuda", "--quiet"])
    assert_same_run(resumed, on_cpu)


def small_cnn_step(loss_of, targets):
    """(step, model): one SGD (momentum 0.9) step per call of a conv-BN-ReLU-pool-linear net
    with 3 outputs, on a fixed batch of 2 tiny images already on the device; the loss is
    loss_of(logits, targets), targets a numpy array that is moved to the device first."""
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * 3 * 3, 3)).to("cuda")
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    images = minigrad.randn(2, 1, 6, 6, device="cuda")
    targets = minigrad.tensor(targets, device="cuda")

    def step():
        optimizer.zero_grad()
        loss = loss_of(model(images), targets)
        loss.backward()
        optimizer.step()
        return loss
    return step, model


def transfers_of(step):
    """Host<->device copies made by calling `step` (the kernels it queues are not awaited)."""
    before = minigrad.cuda.transfer_count()
    step()
    return minigrad.cuda.transfer_count() - before


def test_an_sgd_step_without_labels_copies_nothing_between_host_and_device():
    """Forward, backward, the BatchNorm statistics and the SGD update stay on the device."""
    one_hot = np.eye(3, dtype=np.float32)[[2, 0]]
    step, model = small_cnn_step(F.mse_loss, one_hot)
    first_loss = step().item()
    # the first step makes the momentum buffers, the second uses them
    assert [transfers_of(step), transfers_of(step)] == [0, 0]
    assert step().item() < first_loss  # the steps did train
    assert int(model[1].num_batches_tracked.item()) == 4


def test_an_sgd_step_with_cross_entropy_copies_nothing_between_host_and_device():
    step, _ = small_cnn_step(F.cross_entropy, np.array([2, 0]))
    assert [transfers_of(step), transfers_of(step)] == [0, 0]
