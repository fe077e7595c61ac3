"""examples/lecture.py: the lecture's worked examples give the lecture's numbers."""
import importlib.util
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


lecture = load_example("lecture")


def test_sliding_dot_product(device):
    out = lecture.sliding_dot_product([5, 1, 2], [3, 1, 4, 5, 6, 0, 0, 1], device)
    assert out.tolist() == [24, 19, 37, 31, 30, 2]


def test_edge_filters_against_a_hand_correlation(device):
    image = np.random.default_rng(0).random((6, 7)).astype(np.float32)
    maps = lecture.edge_maps(image, device)
    padded = np.pad(image, 1)
    for index, (_, kernel) in enumerate(lecture.EDGE_FILTERS):
        expected = np.array([[(padded[i:i + 3, j:j + 3] * kernel).sum() for j in range(7)]
                             for i in range(6)])
        np.testing.assert_allclose(maps[index], expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(maps[4], np.hypot(maps[0], maps[1]), rtol=1e-5, atol=1e-6)
    step = np.zeros((5, 5), dtype=np.float32)
    step[:, 3:] = 1  # a vertical edge: sobel_x responds, sobel_y does not (inside the image)
    maps = lecture.edge_maps(step, device)
    assert np.abs(maps[1][1:-1]).max() == 0 and maps[0][2, 2] == 4


def test_xo_vote_tells_x_from_o_and_the_features_match_the_lecture(device):
    ideal_x, ideal_o = lecture.xo_images()
    pooled = lecture.xo_features(ideal_x[None], device).cpu().numpy()[0]
    assert pooled.shape == (3, 4, 4)
    assert pooled[0, 0, 0] == pytest.approx(1.0)  # the \ diagonal matches exactly at the top
    assert pooled[2, 1, 1] == pytest.approx(1.0)  # and the crossing at the centre
    shifted = [np.roll(ideal_x, 1, axis=0), np.roll(ideal_o, 1, axis=1)]
    scores = lecture.xo_vote(np.stack([ideal_x, ideal_o] + shifted), device).cpu().numpy()
    assert scores.argmax(1).tolist() == [0, 1, 0, 1]


def test_parameter_counts():
    dense, conv = lecture.parameter_counts()
    assert dense == 224 * 224 * 3 * 64 + 64 and conv == 3 * 3 * 3 * 64 + 64
    assert lecture.parameter_counts(4, 4, 2, 5) == (4 * 4 * 2 * 5 + 5, 3 * 3 * 2 * 5 + 5)


def test_main_runs_every_demo(tmp_path, capsys):
    pytest.importorskip("PIL")
    pytest.importorskip("skimage")
    results = lecture.main(["--out", str(tmp_path), "--small"])
    assert set(results) == {"sliding", "sobel", "xo", "params"}
    assert results["sobel"].shape == (5, 64, 64)
    assert {p.name for p in tmp_path.iterdir()} >= {"photo.png", "sobel_x.png",
                                                   "sobel_magnitude.png"}
    assert "= 24" in capsys.readouterr().out


def test_sobel_without_scikit_image_says_how_to_get_it(monkeypatch, tmp_path, capsys):
    import builtins
    real_import = builtins.__import__

    def no_skimage(name, *args, **kwargs):
        if name.startswith("skimage"):
            raise ImportError("no skimage here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skimage)
    assert lecture.main(["--demo", "sobel", "--out", str(tmp_path)])["sobel"] is None
    assert "pip install minigrad[lecture]" in capsys.readouterr().out
