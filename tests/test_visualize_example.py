"""examples/visualize.py: a smoke run writes every picture, with shapes that fit LeNet-5."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

# whole programs or layers that tests/cuda already runs on the device: a cuda pass skips them
pytestmark = pytest.mark.cpu_suffices

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_smoke_run_writes_every_picture(tmp_path, device):
    for name in ("sklearn", "PIL", "matplotlib"):
        pytest.importorskip(name)
    results = load_example("visualize").main(["--out", str(tmp_path), "--epochs", "1",
                                              "--train-size", "64", "--digits", "2",
                                              "--device", device])
    written = {p.name for p in tmp_path.iterdir()}
    assert written == {"metrics.jsonl", "curves.png", "filters_conv1.png", "filters_conv2.png",
                       "maps_conv1.png", "maps_conv2.png", "saliency.png",
                       "guided_backprop.png", "grad_cam.png", "attribution.png"}
    assert all((tmp_path / name).read_bytes()[:4] == b"\x89PNG"
               for name in written if name.endswith(".png"))
    assert results["maps_conv1"].shape == (1, 6, 32, 32)  # 8x8 digits enlarged to 32x32
    assert results["maps_conv2"].shape == (1, 16, 12, 12)
    assert results["saliency"].shape == results["grad_cam"].shape == (2, 8, 8)
    assert results["guided_backprop"].shape == (2, 1, 8, 8)
    assert np.isfinite(results["grad_cam"]).all() and (results["grad_cam"] >= 0).all()
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1]


def test_bad_arguments_exit_with_a_message(capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_example("visualize").main(["--epochs", "0"])
    assert exit_info.value.code == 2 and "--epochs must be at least 1" in capsys.readouterr().err
