"""make_grid and save_image with torchvision's arguments and results (torchvision's layout
rules written out by hand below: tiles of H + padding, pad_value around them, RGB)."""
import math

import numpy as np
import pytest

import minigrad
from minigrad.utils import make_grid, save_image


def reference_grid(images, nrow=8, padding=2, normalize=False, value_range=None,
                   scale_each=False, pad_value=0.0):
    """torchvision's make_grid on a (B, C, H, W) float64 numpy batch, written independently."""
    images = np.array(images, dtype=np.float64)
    if images.shape[1] == 1:
        images = np.repeat(images, 3, axis=1)
    if normalize:
        def rescale(x):
            low, high = value_range if value_range else (x.min(), x.max())
            return (np.clip(x, low, high) - low) / max(high - low, 1e-5)
        images = np.stack([rescale(x) for x in images]) if scale_each else rescale(images)
    if len(images) == 1:
        return images[0]
    b, c, h, w = images.shape
    cols = min(nrow, b)
    rows = math.ceil(b / cols)
    grid = np.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding),
                   pad_value)
    for k in range(b):
        y, x = divmod(k, cols)
        top, left = y * (h + padding) + padding, x * (w + padding) + padding
        grid[:, top:top + h, left:left + w] = images[k]
    return grid


def _batch(shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 3, size=shape)


@pytest.mark.parametrize("shape, kwargs", [
    ((5, 3, 4, 3), {}), ((5, 1, 4, 3), {"nrow": 2, "padding": 1}),
    ((7, 3, 2, 2), {"nrow": 3, "padding": 0, "pad_value": 0.5}),
    ((4, 1, 3, 3), {"normalize": True}),
    ((4, 3, 3, 3), {"normalize": True, "scale_each": True}),
    ((4, 3, 3, 3), {"normalize": True, "value_range": (-1.0, 1.0)}),
    ((3, 3, 3, 3), {"normalize": True, "value_range": (0.0, 2.0), "scale_each": True,
                    "nrow": 1}),
    ((1, 1, 3, 2), {}), ((2, 3, 5, 1), {"nrow": 8, "padding": 3, "pad_value": 1.0}),
])
def test_make_grid_follows_torchvision_layout(shape, kwargs, device):
    values = _batch(shape)
    grid = make_grid(minigrad.tensor(values, device=device), **kwargs)
    np.testing.assert_allclose(grid.numpy(), reference_grid(values, **kwargs), rtol=1e-6,
                               atol=1e-6)
    assert grid.device == minigrad.device(device)


def test_make_grid_takes_lists_single_images_and_2d_images():
    images = [minigrad.tensor(_batch((1, 2, 2), seed=i)) for i in range(3)]
    stacked = np.stack([t.numpy() for t in images])
    np.testing.assert_allclose(make_grid(images, nrow=2).numpy(),
                               reference_grid(stacked, nrow=2), rtol=1e-6)
    one = make_grid(minigrad.ones(1, 3, 2))
    assert tuple(one.shape) == (3, 3, 2)  # a single image: no padding, three channels
    assert tuple(make_grid(minigrad.ones(3, 2)).shape) == (3, 3, 2)


def test_make_grid_handworked_positions():
    batch = minigrad.tensor([[[[1.0]]], [[[2.0]]], [[[3.0]]]])  # three 1x1 grey images
    grid = make_grid(batch, nrow=2, padding=1, pad_value=9.0)
    assert grid[0].tolist() == [[9, 9, 9, 9, 9], [9, 1, 9, 2, 9], [9, 9, 9, 9, 9],
                                [9, 3, 9, 9, 9], [9, 9, 9, 9, 9]]
    assert grid.tolist()[1] == grid.tolist()[2] == grid.tolist()[0]


def test_make_grid_rejects_bad_input():
    with pytest.raises(TypeError, match="list of tensors"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(minigrad.ones(2, 3, 4, 4), normalize=True, value_range=[0, 1])
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        make_grid(minigrad.ones(1, 2, 3, 4, 4))


def test_make_grid_does_not_record_a_graph():
    x = minigrad.rand(2, 3, 2, 2, requires_grad=True)
    grid = make_grid(x, normalize=True)
    assert not grid.requires_grad and x.grad is None


def test_save_image_writes_torchvision_pixels(tmp_path):
    image = pytest.importorskip("PIL.Image")
    values = np.random.default_rng(1).uniform(-0.1, 1.1, size=(3, 3, 4, 5)).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(minigrad.tensor(values), path, nrow=2, padding=1)
    saved = np.asarray(image.open(path))
    grid = reference_grid(values, nrow=2, padding=1).astype(np.float32)
    expected = np.clip(grid * np.float32(255) + np.float32(0.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(saved, expected.transpose(1, 2, 0))
    save_image(minigrad.rand(2, 1, 3, 3), tmp_path / "plain", format="PNG")
    assert image.open(tmp_path / "plain").size == (2 * 5 + 2, 7)
