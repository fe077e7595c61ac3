"""examples/train.py never loses work and never prints a traceback for a user mistake: numeric
options, checkpoint paths and resumed checkpoints are checked before any training (one line,
status 2), SIGTERM saves as Ctrl-C does, and batch-norm models skip a last batch of one."""
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import nn

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--train-size", "48", "--test-size", "16", "--batch-size", "16", "--quiet"]


def load_train():
    spec = importlib.util.spec_from_file_location("example_train", ROOT / "examples" / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exits_with_one_line(train, argv, capsys):
    """Run main(argv), expect status 2; returns the single line written to stderr."""
    with pytest.raises(SystemExit) as exited:
        train.main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


@pytest.mark.parametrize("argv,message", [
    (["--seed", "-1"], "--seed must be an integer in [0, 2**64 - 1], got -1"),
    (["--seed", str(2 ** 64)], "--seed must be an integer"),
    (["--momentum", "-1"], "--momentum must be a number in [0, 1), got -1.0"),
    (["--momentum", "1.5"], "--momentum must be a number in [0, 1)"),
    (["--weight-decay", "nan"], "--weight-decay must be a finite number >= 0, got nan"),
    (["--weight-decay", "-0.1"], "--weight-decay must be a finite number >= 0"),
    (["--lr", "inf"], "--lr must be a finite number > 0, got inf"),
    (["--lr", "0"], "--lr must be a finite number > 0"),
    (["--lr", "nan"], "--lr must be a finite number > 0"),
    (["--label-smoothing", "nan"], "--label-smoothing must be in [0, 1]"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
    (["--train-size", "-3"], "--train-size must be at least 1"),
    (["--epochs", "2.5"], "invalid int value: '2.5'"),
])
def test_numeric_options_are_checked_with_one_line(argv, message, capsys):
    line = _exits_with_one_line(load_train(), argv, capsys)
    assert message in line and ": error: " in line


def test_checkpoint_locations_are_checked_before_any_training(tmp_path, capsys, monkeypatch):
    train = load_train()
    monkeypatch.setattr(train, "make_datasets", lambda *a: pytest.fail("training started"))
    missing = tmp_path / "no" / "such" / "run.ckpt"
    assert "does not exist" in _exits_with_one_line(
        train, ["--checkpoint", str(missing)], capsys)
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert "is not a directory" in _exits_with_one_line(
        train, ["--checkpoint", str(a_file / "run.ckpt")], capsys)
    assert "is a directory" in _exits_with_one_line(train, ["--checkpoint", str(tmp_path)],
                                                    capsys)
    if os.path.isdir("/proc/self"):  # a directory nobody can create files in, root included
        assert "cannot write into '/proc'" in _exits_with_one_line(
            train, ["--checkpoint", "/proc/run.ckpt"], capsys)


@pytest.fixture(scope="module")
def good_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("good") / "run.ckpt"
    load_train().main(TINY + ["--epochs", "1", "--optimizer", "adam", "--schedule", "cosine",
                              "--checkpoint", str(path)])
    return path


def _changed(checkpoint, change):
    content = minigrad.load(checkpoint)
    change(content)
    return content


def _other_model_state(content):
    content["model"] = load_train().get_model("lenet5", num_classes=2,
                                              in_channels=1).state_dict()


def _misshaped_weight(content):
    name = next(iter(content["model"]))
    content["model"][name] = minigrad.zeros(3, 3)


def _misshaped_exp_avg(content):
    content["optimizer"]["state"][0]["exp_avg"] = minigrad.zeros(7)


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(content):
        target = content
        for key in keys[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return change


_DELETE = object()


@pytest.mark.parametrize("change,message", [
    (_set("optimizer", _DELETE), "it has no 'optimizer' entry"),
    (_set("settings", "lr", _DELETE), "its settings have no lr"),
    (_set("settings", "lr", -1.0), "its setting lr is -1.0, which must be a finite number > 0"),
    (_set("settings", "seed", "0"), "its setting seed is '0', which must be an integer"),
    (_set("settings", "model", 3), "its setting model is 3, which must be a string"),
    (_set("epoch", -2), "its epoch is -2"),
    (_set("totals", {"loss_sum": 1.0}), "running totals are malformed"),
    (_set("history", {"epoch": 1}), "'history' entry is a dict"),
    (_misshaped_weight, "does not fit this run"),
    (_other_model_state, "does not fit this run"),
    (_misshaped_exp_avg, "'exp_avg' of parameter 0 has shape (7,)"),
    (_set("optimizer", "state", 0, "step", "three"), "'step' of parameter 0 must be"),
    (_set("rng", {"bit_generator": "PCG64", "state": "garbage"}), "does not fit this run"),
    (_set("rng", {"nonsense": 1}), "does not fit this run"),
    (_set("loader", {"seed": 0, "epoch": -1, "batch": 0}), "does not fit this run"),
    (_set("loader", {"seed": 0}), "does not fit this run"),
    (_set("scheduler", None), "schedule does not match"),
    (_set("scheduler", {"last_epoch": "x"}), "scheduler state is malformed"),
])
def test_resuming_an_inconsistent_checkpoint_gives_one_line(good_checkpoint, tmp_path, change,
                                                             message, capsys):
    bad = tmp_path / "bad.ckpt"
    minigrad.save(_changed(good_checkpoint, change), bad)
    line = _exits_with_one_line(load_train(), ["--checkpoint", str(bad), "--resume", "--quiet"],
                                capsys)
    assert message in line and str(bad) in line


def test_the_good_checkpoint_still_resumes(good_checkpoint, tmp_path):
    copy = tmp_path / "copy.ckpt"
    minigrad.save(minigrad.load(good_checkpoint), copy)
    history = load_train().main(["--checkpoint", str(copy), "--resume", "--epochs", "2",
                                 "--quiet"])
    assert [record["epoch"] for record in history] == [1, 2]


def test_sigterm_saves_and_exits_as_ctrl_c_does(tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "train.py"), "--epochs", "500",
         "--checkpoint", str(checkpoint)] + TINY, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        for line in child.stdout:  # wait until training is under way
            if line.startswith("epoch"):
                break
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 128 + signal.SIGTERM
    assert "SIGTERM: stopping after this batch" in err and "saved to" in err
    assert "Traceback" not in err
    saved = minigrad.load(checkpoint)
    assert saved["epoch"] >= 1
    history = load_train().main(["--checkpoint", str(checkpoint), "--resume",
                                 "--epochs", str(saved["epoch"] + 1), "--quiet"])
    assert len(history) == saved["epoch"] + 1


def _tiny_batch_norm_model(*args, in_channels, num_classes, **kwargs):
    """A model whose batch norm sees one value per channel for a batch of one sample."""
    return nn.Sequential(nn.Conv2d(in_channels, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.BatchNorm1d(4), nn.Linear(4, num_classes))


def test_a_batch_norm_model_leaves_out_a_last_batch_of_one(monkeypatch, capsys):
    """As `--model resnet18 --train-size 33 --batch-size 32` (with a smaller model)."""
    train = load_train()
    monkeypatch.setattr(train, "get_model", _tiny_batch_norm_model)
    argv = ["--train-size", "33", "--batch-size", "16", "--test-size", "8", "--epochs", "2",
            "--quiet"]
    history = train.main(argv)
    assert len(history) == 2
    assert "the last sample of each shuffled epoch (33 = 2 x 16 + 1) is left out" in \
        capsys.readouterr().err
    monkeypatch.setattr(train, "needs_drop_last", lambda *args: False)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        train.main(argv)  # what the rule prevents


def test_a_batch_norm_model_cannot_train_on_one_sample(monkeypatch, capsys):
    train = load_train()
    monkeypatch.setattr(train, "get_model", _tiny_batch_norm_model)
    line = _exits_with_one_line(train, ["--train-size", "1", "--quiet"], capsys)
    assert "needs batches of at least 2 samples" in line


def test_batch_norm_with_one_value_per_channel_raises_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    with pytest.raises(ValueError, match="expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(minigrad.ones(1, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm2d(3)(minigrad.ones(1, 3, 1, 1))
    out = nn.BatchNorm2d(3)(minigrad.ones(1, 3, 2, 1))  # two values per channel are enough
    np.testing.assert_array_equal(out.numpy(), np.zeros((1, 3, 2, 1), np.float32))
