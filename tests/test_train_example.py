"""examples/train.py (exact resume, Ctrl-C checkpoints, argument errors, progress bar) and
examples/gradcheck_experiment.py, run in-process on tiny datasets."""
import importlib.util
import itertools
import signal
import struct
from pathlib import Path

import numpy as np
import pytest

from minigrad import nn

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TINY = ["--train-size", "48", "--test-size", "32", "--batch-size", "16", "--quiet"]
COMPARED = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc")


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def train(monkeypatch):
    """The training script, its model followed by dropout: the losses then depend on the
    global random generator too, which a resumed run must restore."""
    module = load_example("train")
    build = module.get_model
    monkeypatch.setattr(module, "get_model",
                        lambda *args, **kwargs: nn.Sequential(build(*args, **kwargs),
                                                              nn.Dropout(0.3)))
    return module


def compared(history):
    return [{key: record[key] for key in COMPARED} for record in history]


def test_resume_gives_the_losses_of_an_uninterrupted_run(train, tmp_path):
    straight = train.main(TINY + ["--epochs", "3", "--seed", "5"])
    first = train.main(TINY + ["--epochs", "1", "--seed", "5",
                               "--checkpoint", str(tmp_path / "run.ckpt")])
    resumed = train.main(["--epochs", "3", "--quiet", "--checkpoint", str(tmp_path / "run.ckpt"),
                          "--resume"])
    assert compared(first) == compared(straight[:1])
    assert compared(resumed) == compared(straight)
    assert len({record["train_loss"] for record in straight}) == 3
    # a different seed gives a different run, so the equality above is not vacuous
    other = train.main(TINY + ["--epochs", "1", "--seed", "6"])
    assert other[0]["train_loss"] != straight[0]["train_loss"]


def test_ctrl_c_saves_mid_epoch_and_resume_continues_exactly(train, tmp_path, monkeypatch,
                                                              capsys):
    settings = TINY + ["--epochs", "2", "--optimizer", "sgd", "--lr", "0.05",
                       "--schedule", "cosine"]
    straight = train.main(settings)
    checkpoint = str(tmp_path / "run.ckpt")
    make_optimizer = train.make_optimizer
    handler = signal.getsignal(signal.SIGINT)

    def interrupted_after_4_steps(args, params):
        optimizer = make_optimizer(args, params)
        step, calls = optimizer.step, itertools.count(1)

        def step_then_maybe_interrupt(*step_args):
            result = step(*step_args)
            if next(calls) == 4:  # during epoch 2 (3 batches per epoch)
                signal.raise_signal(signal.SIGINT)
            return result

        optimizer.step = step_then_maybe_interrupt
        return optimizer

    monkeypatch.setattr(train, "make_optimizer", interrupted_after_4_steps)
    with pytest.raises(SystemExit) as stopped:
        train.main(settings + ["--checkpoint", checkpoint])
    assert stopped.value.code == 130
    assert "stopped during epoch 2" in capsys.readouterr().err
    monkeypatch.setattr(train, "make_optimizer", make_optimizer)
    resumed = train.main(["--checkpoint", checkpoint, "--resume", "--quiet"])
    assert compared(resumed) == compared(straight)
    assert signal.getsignal(signal.SIGINT) is handler  # the script put its handler away


@pytest.mark.parametrize("argv, message", [
    (["--model", "resnet19"], "unknown model 'resnet19'; known models: "),
    (["--dataset", "cifar"], "invalid choice: 'cifar'"),
    (["--dataset", "mnist", "--data-dir", "no/such/folder"],
     "data directory 'no/such/folder' does not exist"),
    (["--resume"], "--resume needs --checkpoint"),
    (["--resume", "--checkpoint", "missing.ckpt"], "checkpoint 'missing.ckpt' does not exist"),
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--label-smoothing", "2"], "--label-smoothing must be in [0, 1]"),
])
def test_bad_arguments_exit_with_status_2_and_a_message(argv, message, capsys):
    train = load_example("train")
    with pytest.raises(SystemExit) as exited:
        train.main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_resume_refuses_different_settings_and_fresh_runs_refuse_to_overwrite(tmp_path,
                                                                               capsys):
    train = load_example("train")
    checkpoint = str(tmp_path / "run.ckpt")
    train.main(TINY + ["--epochs", "1", "--checkpoint", checkpoint])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        train.main(["--checkpoint", checkpoint, "--resume", "--lr", "0.5"])
    assert exited.value.code == 2
    assert "--lr 0.5 differs from the checkpoint's 0.002" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        train.main(TINY + ["--checkpoint", checkpoint])
    assert exited.value.code == 2
    assert "already exists; add --resume" in capsys.readouterr().err


def test_defaults_progress_bar_and_epoch_lines(capsys):
    train = load_example("train")
    _, args, _ = train.parse_args([])
    assert (args.dataset, args.model, args.optimizer, args.epochs) == ("xo", "small-cnn",
                                                                       "adam", 4)
    _, args, _ = train.parse_args(["--dataset", "digits", "--model", "ResNet18"])
    assert (args.model, args.batch_size) == ("resnet18", 32)
    history = train.main(["--train-size", "40", "--test-size", "20", "--epochs", "1"])
    out, err = capsys.readouterr()
    assert "\r" in err and "img/s" in err and "40/40" not in err  # batches, not images
    assert "epoch   1/1  loss" in out and "test acc" in out
    assert history[0]["epoch"] == 1 and 0 <= history[0]["test_acc"] <= 1
    assert history[0]["images_per_s"] > 0


def write_idx(path, array):
    """An IDX file of uint8 `array`, the format MNIST is distributed in."""
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_mnist_from_a_data_directory(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 24), ("t10k", 8)):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (count, 28, 28)))
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, count))
    train = load_example("train")
    history = train.main(["--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "1",
                          "--batch-size", "8", "--quiet"])
    assert len(history) == 1
    assert "lenet5 (61,706 parameters) on mnist: 24 train / 8 test" in capsys.readouterr().out
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(SystemExit) as exited:
        train.main(["--dataset", "mnist", "--data-dir", str(tmp_path)])
    assert exited.value.code == 2
    assert "t10k-labels-idx1-ubyte" in capsys.readouterr().err


def test_gradcheck_experiment_catches_the_wrong_backwards(capsys):
    results = load_example("gradcheck_experiment").main()
    assert results["gradcheck(Swish)"] == "passed"
    assert results["gradgradcheck(Swish)"] == "passed"
    assert "Jacobian mismatch" in results["gradcheck(SwishWithoutProductRule)"]
    # a numpy backward has the right first derivative but no second one
    assert results["gradcheck(SwishNumpyBackward)"] == "passed"
    assert "analytical 0" in results["gradgradcheck(SwishNumpyBackward)"]
    assert "FAILED, as it should" in capsys.readouterr().out
