"""The CNN lecture's worked examples, runnable: each prints its numbers and writes its pictures.

    python examples/lecture.py                       # all four demos, pictures in lecture-out/
    python examples/lecture.py --demo sobel --out pics --device cuda
    python examples/lecture.py --small               # a 64x64 photograph: a quick run

1. sliding: the 1-D sliding dot product, f = [5, 1, 2] over g = [3, 1, 4, 5, 6, 0, 0, 1].
2. sobel: hand-set edge filters (Sobel, a Laplacian, a sharpener) applied with conv2d to a real
   photograph, scikit-image's "camera" (`pip install minigrad[lecture]`); skipped with a message
   when scikit-image is missing.
3. xo: X versus O with three hand-made 3x3 features: convolution, ReLU, 2x2 max pooling and a
   fully connected vote whose weights are the pooled features of the ideal X and O.
4. params: a dense layer on a 224x224x3 image against a 3x3 convolution layer.
"""
import argparse
import os
import sys

import numpy as np

import minigrad
from minigrad import nn
from minigrad.backend import is_available
from minigrad.nn import functional as F

DEMOS = ("sliding", "sobel", "xo", "params")


def sliding_dot_product(f, g, device="cpu"):
    """Slide the filter f over the signal g without flipping it (what a CNN calls convolution,
    strictly a cross-correlation): out[i] = sum_k f[k] * g[i + k], len(g) - len(f) + 1 values.
    Computed with conv1d on (batch 1, channel 1, length) tensors."""
    signal = minigrad.tensor(np.asarray(g, dtype=np.float64)[None, None], device=device)
    kernel = minigrad.tensor(np.asarray(f, dtype=np.float64)[None, None], device=device)
    return F.conv1d(signal, kernel)[0, 0].cpu().numpy()


def demo_sliding(args):
    f, g = [5, 1, 2], [3, 1, 4, 5, 6, 0, 0, 1]
    out = sliding_dot_product(f, g, args.device)
    print(f"sliding dot product of f = {f} over g = {g}:")
    for i, value in enumerate(out):
        terms = " + ".join(f"{a}*{b}" for a, b in zip(f, g[i:i + len(f)]))
        print(f"  position {i}: {terms} = {value:g}")
    return out


# Hand-set 3x3 filters: (name, kernel). Sobel x responds to vertical edges (a change along x).
EDGE_FILTERS = (
    ("sobel_x", [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    ("sobel_y", [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    ("laplacian", [[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    ("sharpen", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
)


def edge_maps(image, device="cpu"):
    """The photograph (H, W) in [0, 1] filtered by every EDGE_FILTERS kernel in one conv2d
    call (one output channel per filter, padding 1): returns (4, H, W), plus the gradient
    magnitude sqrt(sobel_x^2 + sobel_y^2) as a fifth map."""
    kernels = np.array([k for _, k in EDGE_FILTERS], dtype=np.float32)[:, None]
    x = minigrad.tensor(np.asarray(image, dtype=np.float32)[None, None], device=device)
    maps = F.conv2d(x, minigrad.tensor(kernels, device=device), padding=1)[0]
    magnitude = (maps[0] ** 2 + maps[1] ** 2).sqrt()
    return np.concatenate([maps.cpu().numpy(), magnitude.cpu().numpy()[None]])


def demo_sobel(args):
    try:
        from skimage import data
    except ImportError:
        print("sobel: skipped, it needs scikit-image's sample photographs; install them with "
              "`pip install minigrad[lecture]`")
        return None
    image = data.camera().astype(np.float32) / 255  # (512, 512) grey photograph
    if args.small:
        image = image[::8, ::8]
    maps = edge_maps(image, args.device)
    names = [name for name, _ in EDGE_FILTERS] + ["sobel_magnitude"]
    print(f"sobel: {image.shape[0]}x{image.shape[1]} photograph, filters {', '.join(names)}")
    from minigrad.viz._image import normalize, write_png
    write_png(os.path.join(args.out, "photo.png"), image)
    for name, response in zip(names, maps):
        shown = np.abs(response) if name != "sharpen" else np.clip(response, 0, 1)
        write_png(os.path.join(args.out, f"{name}.png"), normalize(shown))
    print(f"  wrote photo.png and {len(names)} filtered images to {args.out}")
    return maps


def xo_images():
    """The lecture's 9x9 X and O (+1 stroke, -1 background)."""
    x = -np.ones((9, 9))
    for i in range(1, 8):
        x[i, i] = x[i, 8 - i] = 1
    o = -np.ones((9, 9))
    o[1, 3:6] = o[7, 3:6] = o[3:6, 1] = o[3:6, 7] = 1
    o[2, 2] = o[2, 6] = o[6, 2] = o[6, 6] = 1
    return x, o


# The three 3x3 features of the lecture: the two diagonals and the crossing at an X's centre.
XO_FEATURES = np.array([
    [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]],
    [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]],
    [[1, -1, 1], [-1, 1, -1], [1, -1, 1]],
], dtype=np.float64)


def xo_features(images, device="cpu"):
    """images (N, 9, 9) -> pooled feature maps (N, 3, 4, 4): convolution with the three
    features (the mean of the nine products, so a perfect match scores 1), ReLU, then 2x2 max
    pooling (stride 2, the ragged edge kept with ceil mode as in the lecture's pictures)."""
    x = minigrad.tensor(np.asarray(images, dtype=np.float64)[:, None], device=device)
    weight = minigrad.tensor(XO_FEATURES[:, None] / 9, device=device)
    maps = F.relu(F.conv2d(x, weight))  # (N, 3, 7, 7)
    return F.max_pool2d(maps, 2, ceil_mode=True)


def xo_vote(images, device="cpu"):
    """Scores (N, 2) for X and O from a fully connected layer (no bias) whose weights for each
    class are the flattened pooled features of that class's ideal image, centred (minus their
    mean) and scaled to unit length: a feature stronger than average in the class's ideal votes
    for the class, a weaker one votes against it."""
    ideal_x, ideal_o = xo_images()
    templates = xo_features(np.stack([ideal_x, ideal_o]), device).flatten(1)
    templates = templates - templates.mean(1, keepdim=True)
    templates = templates / (templates ** 2).sum(1, keepdim=True).sqrt()
    vote = nn.Linear(templates.shape[1], 2, bias=False).double().to(device)
    with minigrad.no_grad():
        vote.weight.copy_(templates)
    return vote(xo_features(images, device).flatten(1)).detach()


def demo_xo(args):
    ideal_x, ideal_o = xo_images()
    rng = np.random.default_rng(0)
    noisy_x = np.where(rng.random((9, 9)) < 0.08, -ideal_x, ideal_x)  # flip 8% of pixels
    images = np.stack([ideal_x, ideal_o, noisy_x, np.roll(ideal_x, 1, axis=0),
                       np.roll(ideal_o, 1, axis=1)])
    scores = xo_vote(images, args.device).cpu().numpy()
    print("xo: three 3x3 features -> ReLU -> 2x2 max pool -> fully connected vote")
    names = ("X", "O", "noisy X", "shifted X", "shifted O")
    for name, (score_x, score_o) in zip(names, scores):
        verdict = "X" if score_x > score_o else "O"
        print(f"  {name:9s}  X {score_x:.3f}  O {score_o:.3f}  -> {verdict}")
    return scores


def parameter_counts(height=224, width=224, channels=3, units=64):
    """(dense layer parameters, 3x3 conv layer parameters) for `units` outputs on an image
    (channels, height, width), counted from the layers themselves."""
    dense = nn.Linear(height * width * channels, units)
    conv = nn.Conv2d(channels, units, kernel_size=3, padding=1)
    return (sum(p.numel() for p in dense.parameters()),
            sum(p.numel() for p in conv.parameters()))


def demo_params(args):
    dense, conv = parameter_counts()
    print("params: 64 outputs from a 224x224x3 image")
    print(f"  dense layer (every output sees every pixel): {dense:,} parameters")
    print(f"  3x3 conv layer (64 filters of 3x3x3, shared over all positions): {conv:,} "
          f"parameters, {dense // conv:,}x fewer")
    return dense, conv


def main(argv=None):
    parser = argparse.ArgumentParser(description="The CNN lecture's worked examples.")
    parser.add_argument("--demo", choices=DEMOS + ("all",), default="all")
    parser.add_argument("--out", default="lecture-out", help="folder for the pictures")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--small", action="store_true",
                        help="a 64x64 crop of the photograph instead of 512x512 (for tests)")
    args = parser.parse_args(argv)
    if args.device == "cuda" and not is_available("cuda"):
        parser.error("--device cuda: CUDA is not available on this machine")
    demos = {"sliding": demo_sliding, "sobel": demo_sobel, "xo": demo_xo,
             "params": demo_params}
    chosen = DEMOS if args.demo == "all" else (args.demo,)
    results = {}
    for name in chosen:
        results[name] = demos[name](args)
        print()
    sys.stdout.flush()
    return results


if __name__ == "__main__":
    main()
