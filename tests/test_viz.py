"""minigrad.viz: each picture's numbers checked against a hand computation, finite differences
or PyTorch, on tiny float64 networks."""
import re
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad import nn, viz
from minigrad.viz._image import normalize, resize_bilinear, tile


def tiny_cnn(device="cpu"):
    """(N, 2, 4, 4) -> (N, 3) scores, float64, eval mode."""
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Tanh(), nn.Flatten(),
                          nn.Linear(48, 3))
    return model.double().to(device).eval()


def needs_png_writers():
    """Writing PNGs needs Pillow, colour maps matplotlib (the viz extra)."""
    pytest.importorskip("PIL")
    pytest.importorskip("matplotlib")


def batch(shape, device="cpu", seed=1):
    rng = np.random.default_rng(seed)
    return minigrad.tensor(rng.standard_normal(shape), dtype=minigrad.float64, device=device)


def test_normalize_and_tile():
    maps = normalize(np.array([[[1.0, 3.0]], [[5.0, 5.0]]]), axes=(1, 2))
    assert np.array_equal(maps, [[[0, 1]], [[0.5, 0.5]]])
    grid = tile(np.zeros((3, 2, 2)), nrow=2, padding=1, pad_value=1.0)
    assert grid.shape == (7, 7)
    assert grid[1:3, 1:3].sum() == 0 and grid[4:6, 4:6].sum() == 4  # the empty fourth cell
    with pytest.raises(ValueError, match="nrow"):
        tile(np.zeros((2, 2, 2)), nrow=0)


def test_bilinear_resize_matches_torch():
    torch = pytest.importorskip("torch")
    maps = np.random.default_rng(0).standard_normal((2, 3, 5))
    for size in ((7, 11), (3, 5), (2, 2), (12, 4)):
        expected = torch.nn.functional.interpolate(torch.tensor(maps)[:, None], size=size,
                                                   mode="bilinear", align_corners=False)
        np.testing.assert_allclose(resize_bilinear(maps, size), expected[:, 0].numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_filter_grid_scales_each_filter_on_its_own(tmp_path):
    needs_png_writers()
    conv = nn.Conv2d(1, 4, 3)
    grid = viz.filter_grid(conv, path=tmp_path / "filters.png")
    assert grid.shape == (2 * 4 + 1, 2 * 4 + 1)
    first, last = grid[1:4, 1:4], grid[5:8, 5:8]
    for tile_ in (first, last):
        assert tile_.min() == 0 and tile_.max() == 1
    weights = conv.weight.detach().numpy()[0, 0]
    np.testing.assert_allclose(first, (weights - weights.min()) / np.ptp(weights))
    assert (tmp_path / "filters.png").stat().st_size > 0
    rgb = viz.filter_grid(minigrad.randn(5, 3, 2, 2))
    assert rgb.shape == (7, 10, 3)
    strips = viz.filter_grid(nn.Conv1d(2, 3, 5).weight)  # one row of 2 strips per filter
    assert strips.shape == (3 * 2 + 1, 2 * 6 + 1)
    with pytest.raises(ValueError, match="conv weight"):
        viz.filter_grid(minigrad.randn(3, 3))


def test_feature_maps_are_the_layers_output_and_the_hook_goes_away(tmp_path):
    needs_png_writers()
    model = tiny_cnn()
    x = batch((2, 2, 4, 4))
    maps = viz.feature_maps(model, "1", x, path=tmp_path / "maps.png")
    expected = model[0](x).tanh().detach().numpy()
    np.testing.assert_allclose(maps, expected)
    assert np.array_equal(viz.feature_maps(model, model[1], x), maps)
    assert not model[1]._forward_hooks
    with pytest.raises(ValueError, match="no submodule"):
        viz.feature_maps(model, "7", x)
    with pytest.raises(ValueError, match="not a submodule"):
        viz.feature_maps(model, nn.ReLU(), x)


def finite_difference_gradient(model, x, target, eps=1e-6):
    values = x.numpy()
    gradient = np.zeros_like(values)
    for index in np.ndindex(*values.shape):
        n = index[0]
        shifted = []
        for sign in (1, -1):
            moved = values.copy()
            moved[index] += sign * eps
            shifted.append(model(minigrad.tensor(moved)).numpy()[n, target[n]])
        gradient[index] = (shifted[0] - shifted[1]) / (2 * eps)
    return gradient


def test_saliency_is_the_channel_max_of_the_finite_difference_gradient(device):
    model, x = tiny_cnn(device), batch((2, 2, 4, 4), device)
    target = [2, 0]
    maps = viz.saliency(model, x, target)
    expected = np.abs(finite_difference_gradient(tiny_cnn(), x.cpu(), target)).max(axis=1)
    assert maps.shape == (2, 4, 4)
    np.testing.assert_allclose(maps, expected, rtol=1e-6, atol=1e-8)
    assert all(p.grad is None for p in model.parameters())


def test_smoothgrad_averages_saliency_over_noisy_copies():
    model, x = tiny_cnn(), batch((2, 2, 4, 4))
    assert np.allclose(viz.smoothgrad(model, x, 1, noise_level=0.0, samples=3),
                       viz.saliency(model, x, 1))
    values = x.numpy()
    sigma = 0.2 * (values.max(axis=(1, 2, 3), keepdims=True) -
                   values.min(axis=(1, 2, 3), keepdims=True))
    rng = np.random.default_rng(5)
    expected = np.mean([viz.saliency(model, minigrad.tensor(
        values + sigma * rng.standard_normal(values.shape)), 1) for _ in range(4)], axis=0)
    np.testing.assert_allclose(viz.smoothgrad(model, x, 1, noise_level=0.2, samples=4, seed=5),
                               expected)
    with pytest.raises(ValueError, match="samples"):
        viz.smoothgrad(model, x, 1, samples=0)


def cam_network(device="cpu"):
    """1x1 conv with hand-set weights (A_0 = 2x, A_1 = 0.5 - x), global average pool, then a
    linear layer: score_c = sum_k W[c, k] mean(A_k) + b_c."""
    conv = nn.Conv2d(1, 2, 1)
    linear = nn.Linear(2, 3)
    with minigrad.no_grad():
        conv.weight.copy_(minigrad.tensor([[[[2.0]]], [[[-1.0]]]]))
        conv.bias.copy_(minigrad.tensor([0.0, 0.5]))
        linear.weight.copy_(minigrad.tensor([[1.0, 3.0], [-2.0, 1.0], [0.5, -0.5]]))
        linear.bias.copy_(minigrad.tensor([0.1, 0.2, 0.3]))
    return nn.Sequential(conv, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         linear).double().to(device)


def test_grad_cam_against_a_hand_computation(device):
    model = cam_network(device)
    x = batch((2, 1, 3, 5), device)
    values = x.cpu().numpy()[:, 0]
    activations = np.stack([2 * values, 0.5 - values], axis=1)  # (N, K, h, w)
    weights = np.array([[1.0, 3.0], [-2.0, 1.0], [0.5, -0.5]])
    for target in (0, 1, [2, 1]):
        classes = np.broadcast_to(target, (2,))
        alpha = weights[classes] / 15  # d score / d A_k is W[c, k] / (h w) everywhere
        expected = np.maximum((alpha[:, :, None, None] * activations).sum(axis=1), 0)
        cam = viz.grad_cam(model, "0", x, target)
        np.testing.assert_allclose(cam, expected, rtol=1e-12, atol=1e-12)
    assert not model[0]._forward_hooks


def test_grad_cam_upsampled_to_the_input(tmp_path):
    needs_png_writers()
    model, x = tiny_cnn(), batch((2, 2, 4, 4))
    small = viz.grad_cam(model, model[1], x, 1)
    big = viz.grad_cam(model, model[1], x, 1, upsample=True, path=tmp_path / "cam.png")
    assert small.shape == big.shape == (2, 4, 4) and np.allclose(small, big)
    assert (small >= 0).all()
    with pytest.raises(ValueError, match=r"feature maps \(N, K, h, w\)"):
        viz.grad_cam(model, model[2], x, 1)
    with pytest.raises(IndexError, match=r"\[0, 3\)"):
        viz.grad_cam(model, model[1], x, 3)


class RegionSum(nn.Module):
    """score 0 = sum of channel 0 over rows 2-3, columns 1-3; score 1 = 0."""

    def forward(self, x):
        region = x[:, 0, 2:4, 1:4].sum(-1).sum(-1)
        return minigrad.stack([region, region * 0], dim=1)


def test_occlusion_finds_the_region_the_score_reads(device):
    x = minigrad.ones(1, 2, 6, 6, dtype=minigrad.float64, device=device)
    drops = viz.occlusion(RegionSum(), x, 0, window=2, stride=2)
    region = np.zeros((6, 6))
    region[2:4, 1:4] = 1
    expected = np.array([[region[i:i + 2, j:j + 2].sum() for j in range(0, 5, 2)]
                         for i in range(0, 5, 2)])
    np.testing.assert_allclose(drops[0], expected)
    drops = viz.occlusion(RegionSum(), x, 0, window=(1, 3), stride=1, batch_size=5)
    assert drops.shape == (1, 6, 4)
    assert drops[0, 2, 1] == 3 and drops[0, 0].sum() == 0
    with pytest.raises(ValueError, match="window"):
        viz.occlusion(RegionSum(), x, 0, window=7)


def parse_dot(text):
    """{node id: label} and [(from, to)] from the dot text."""
    nodes = dict(re.findall(r'^\s+(\w+) \[.*label="((?:[^"\\]|\\.)*)"\];$', text,
                            re.MULTILINE))
    edges = re.findall(r"^\s+(\w+) -> (\w+);$", text, re.MULTILINE)
    return nodes, edges


def test_to_dot_text_parses_back_into_the_graph(tmp_path):
    a = minigrad.randn(2, 3, requires_grad=True)
    b = minigrad.randn(3, requires_grad=True)
    c = minigrad.randn(3)  # no grad: not in the graph
    out = ((a * b + a) * c).sum()
    text = viz.to_dot(out, params={"a": a, "b": b})
    nodes, edges = parse_dot(text)
    labels = {node: label.split("\\n")[0] for node, label in nodes.items()}
    assert labels["out"] == "output ()"
    by_label = {label: node for node, label in labels.items()}
    assert sorted(labels.values()) == sorted(
        ["output ()", "SumBackward0", "MulBackward0", "AddBackward0", "MulBackward0", "a",
         "b"])
    leaves = [node for node in nodes if node.startswith("leaf")]
    assert len(leaves) == 2 and all("leaf (" in nodes[n] for n in leaves)
    assert nodes[by_label["a"]] == "a\\nleaf (2, 3)"
    assert (by_label["SumBackward0"], "out") in edges
    assert len(edges) == 7  # out<-sum<-mul<-(add, -) ; add<-(mul, a) ; mul<-(a, b)
    assert sum(1 for e in edges if e[0] == by_label["a"]) == 2
    assert viz.to_dot(minigrad.randn(2)).count("->") == 0
    viz.to_dot(out, path=tmp_path / "graph.dot")
    assert (tmp_path / "graph.dot").read_text() == viz.to_dot(out)


def test_to_dot_without_the_dot_program_writes_text(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    out = (minigrad.randn(2, requires_grad=True) * 2).sum()
    with pytest.warns(UserWarning, match="not installed"):
        viz.to_dot(out, path=tmp_path / "graph.png")
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")
    assert not (tmp_path / "graph.png").exists()


def test_plot_history_reads_json_lines_and_csv(tmp_path):
    needs_png_writers()
    records = [{"epoch": 1, "train_loss": 1.0, "test_acc": 0.5},
               {"epoch": 2, "train_loss": 0.5, "test_acc": 0.75}]
    (tmp_path / "m.jsonl").write_text("".join(
        f'{{"epoch": {r["epoch"]}, "train_loss": {r["train_loss"]}, '
        f'"test_acc": {r["test_acc"]}}}\n' for r in records))
    (tmp_path / "m.csv").write_text("epoch,train_loss,test_acc\n1,1.0,0.5\n2,0.5,0.75\n")
    for name in ("m.jsonl", "m.csv"):
        history = viz.plot_history(tmp_path / name, path=tmp_path / f"{name}.png")
        assert list(history) == ["epoch", "train_loss", "test_acc"]
        np.testing.assert_array_equal(history["test_acc"], [0.5, 0.75])
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert viz.read_history(records)["train_loss"].tolist() == [1.0, 0.5]
    with pytest.raises(ValueError, match="at least one row"):
        viz.read_history([])


def test_importing_viz_does_not_import_matplotlib_or_pillow():
    code = ("import sys, minigrad.viz; "
            "print(any(m.split('.')[0] in ('matplotlib', 'PIL') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_guided_backprop_against_a_hand_computation(device, tmp_path):
    minigrad.manual_seed(3)
    model = nn.Sequential(nn.Flatten(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3))
    model = model.double().to(device)
    x = batch((2, 2, 2, 2), device)
    w1, b1 = model[1].weight.detach().cpu().numpy(), model[1].bias.detach().cpu().numpy()
    w2 = model[3].weight.detach().cpu().numpy()
    flat = x.cpu().numpy().reshape(2, 8)
    hidden = flat @ w1.T + b1
    target = [0, 2]
    upstream = w2[target]  # d score / d ReLU output, (N, 6)
    guided = np.where((hidden > 0) & (upstream > 0), upstream, 0) @ w1
    plain = np.where(hidden > 0, upstream, 0) @ w1
    result = viz.guided_backprop(model, x, target)
    np.testing.assert_allclose(result.reshape(2, 8), guided, rtol=1e-12, atol=1e-12)
    assert not np.allclose(guided, plain)  # the test separates guided from plain gradients
    assert not model[2]._backward_hooks  # the hooks were removed
    np.testing.assert_allclose(viz.saliency(model, x, target),  # plain again, hooks gone
                               np.abs(plain.reshape(2, 2, 2, 2)).max(axis=1), rtol=1e-12)
    needs_png_writers()
    viz.guided_backprop(model, x, target, path=tmp_path / "guided.png")
    assert (tmp_path / "guided.png").exists()


def test_guided_backprop_needs_relu_modules():
    with pytest.raises(ValueError, match="no nn.ReLU"):
        viz.guided_backprop(tiny_cnn(), batch((1, 2, 4, 4)), 0)
