"""examples/train.py's per-epoch metrics file and its --dataset mnist1d, on tiny runs."""
import importlib.util
import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TINY = ["--train-size", "48", "--test-size", "32", "--batch-size", "16", "--quiet"]


def load_train():
    spec = importlib.util.spec_from_file_location("example_train", EXAMPLES / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_metrics_file_beside_the_checkpoint_holds_one_line_per_epoch(tmp_path):
    train = load_train()
    checkpoint = tmp_path / "run.mg"
    history = train.main(["--epochs", "1", "--checkpoint", str(checkpoint)] + TINY)
    metrics = tmp_path / "run.metrics.jsonl"
    assert [json.loads(line) for line in metrics.read_text().splitlines()] == history
    history = train.main(["--epochs", "2", "--checkpoint", str(checkpoint), "--resume",
                          "--quiet"])
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert lines == history and [r["epoch"] for r in lines] == [1, 2]
    from minigrad import viz
    assert viz.read_history(metrics)["epoch"].tolist() == [1, 2]


def test_mnist1d_trains_a_cnn1d(capsys):
    pytest.importorskip("mnist1d")
    history = load_train().main(["--dataset", "mnist1d", "--epochs", "1"] + TINY)
    assert len(history) == 1 and 0 <= history[0]["test_acc"] <= 1
    assert capsys.readouterr().out.startswith("cnn1d (45,034 parameters) on mnist1d: 48 train")


@pytest.mark.parametrize("argv", [["--dataset", "mnist1d", "--model", "lenet5"],
                                  ["--dataset", "digits", "--model", "cnn1d"]])
def test_one_dimensional_model_and_data_go_together(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_train().main(argv + ["--epochs", "1"])
    assert exit_info.value.code == 2 and "does not fit" in capsys.readouterr().err
