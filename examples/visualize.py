"""Train LeNet-5 on the Digits dataset, then look inside it: pictures in an output folder.

    python examples/visualize.py                     # about ten epochs, pictures in viz-out/
    python examples/visualize.py --out pics --device cuda
    python examples/visualize.py --epochs 1 --train-size 64 --digits 2   # a quick smoke run

Writes:
    curves.png              loss and accuracy per epoch (from metrics.jsonl, also written)
    filters_conv1.png       the first convolution's 6 filters (5x5)
    filters_conv2.png       the second's 16 filters, one row of 6 input channels each
    maps_conv1.png          the first convolution's 6 feature maps (after ReLU) for one digit
    maps_conv2.png          the second's 16 feature maps for the same digit
    attribution.png         test digits with their saliency, guided backprop and Grad-CAM maps
    saliency.png, guided_backprop.png, grad_cam.png   the same maps as plain grids

Needs scikit-learn (the Digits data) and the viz extra (matplotlib, Pillow):
`pip install minigrad[digits,viz]`.
"""
import argparse
import json
import os

import numpy as np

import minigrad
from minigrad import optim, viz
from minigrad.backend import is_available
from minigrad.data import DataLoader, Subset, transforms
from minigrad.data.datasets import Digits
from minigrad.models import lenet5
from minigrad.nn import functional as F

DIGITS_MEAN_STD = (0.3055, 0.3761)  # pixel mean and standard deviation of the training images


def build_parser():
    parser = argparse.ArgumentParser(description="Train LeNet-5 on Digits and draw what it "
                                     "learned.")
    parser.add_argument("--out", default="viz-out", help="folder for the pictures")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train-size", type=int, help="train on the first N images only")
    parser.add_argument("--digits", type=int, default=6, help="test digits to explain")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)
    return parser


def train(model, train_set, test_set, epochs, device, seed):
    """Adam with a cosine schedule; returns the history, one dict per epoch."""
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loader = DataLoader(train_set, batch_size=32, shuffle=True, seed=seed)
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        loss_sum, correct = 0.0, 0
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * labels.shape[0]
            correct += int((logits.argmax(1) == labels).sum().item())
        schedule.step()
        test_loss, test_acc = evaluate(model, test_set, device)
        history.append({"epoch": epoch, "train_loss": loss_sum / len(train_set),
                        "train_acc": correct / len(train_set), "test_loss": test_loss,
                        "test_acc": test_acc})
        print(f"epoch {epoch:2d}/{epochs}  loss {history[-1]['train_loss']:.4f}  "
              f"test acc {100 * test_acc:.2f}%", flush=True)
    return history


def evaluate(model, dataset, device):
    model.eval()
    loss_sum, correct = 0.0, 0
    with minigrad.no_grad():
        for images, labels in DataLoader(dataset, batch_size=256):
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += int((logits.argmax(1) == labels).sum().item())
    return loss_sum / len(dataset), correct / len(dataset)


def attribution_figure(path, images, labels, predictions, maps):
    """One row per digit: the input, then each map in `maps` ({title: (N, H, W)})."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    columns = 1 + len(maps)
    figure = Figure(figsize=(1.6 * columns, 1.6 * len(images)), dpi=100)
    FigureCanvasAgg(figure)
    for row, image in enumerate(images):
        panels = [("input", image, "gray")] + [(title, values[row], cmap)
                                               for title, (values, cmap) in maps.items()]
        for column, (title, values, cmap) in enumerate(panels):
            axes = figure.add_subplot(len(images), columns, row * columns + column + 1)
            axes.imshow(values, cmap=cmap, interpolation="nearest")
            axes.set_xticks([])
            axes.set_yticks([])
            if row == 0:
                axes.set_title(title, fontsize=9)
            if column == 0:
                axes.set_ylabel(f"{labels[row]} -> {predictions[row]}", fontsize=9)
    figure.tight_layout()
    figure.savefig(path)


def main(argv=None):
    """Train, then write every picture into --out; returns {name: numpy array} of what was
    drawn, plus "history"."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("epochs", "digits", "train_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if args.device == "cuda" and not is_available("cuda"):
        parser.error("--device cuda: CUDA is not available on this machine")
    try:
        standardize = transforms.Normalize(*DIGITS_MEAN_STD)
        train_set = Digits(train=True, transform=standardize)
        test_set = Digits(train=False, transform=standardize)
    except ImportError as err:
        parser.error(str(err))
    if args.train_size is not None:
        train_set = Subset(train_set, range(min(args.train_size, len(train_set))))
    os.makedirs(args.out, exist_ok=True)

    def out(name):
        return os.path.join(args.out, name)

    minigrad.manual_seed(args.seed)
    model = lenet5(num_classes=10, in_channels=1).to(args.device)
    print(f"training LeNet-5 on {len(train_set)} Digits images, {args.device}")
    history = train(model, train_set, test_set, args.epochs, args.device, args.seed)
    with open(out("metrics.jsonl"), "w") as f:
        f.writelines(json.dumps(record) + "\n" for record in history)
    viz.plot_history(out("metrics.jsonl"), path=out("curves.png"))

    model.eval()
    count = min(args.digits, len(test_set))
    images, labels = test_set.get_batch(np.arange(count))
    images = images.to(args.device)
    with minigrad.no_grad():
        predictions = model(images).argmax(1).cpu().numpy()
    labels = labels.numpy()
    conv1, conv2 = model.features[0], model.features[3]
    results = {
        "history": history,
        "filters_conv1": viz.filter_grid(conv1, path=out("filters_conv1.png"), scale=12),
        "filters_conv2": viz.filter_grid(conv2, path=out("filters_conv2.png"), scale=8),
        "maps_conv1": viz.feature_maps(model, "features.1", images[:1],
                                       path=out("maps_conv1.png"), scale=3),
        "maps_conv2": viz.feature_maps(model, "features.4", images[:1],
                                       path=out("maps_conv2.png"), scale=6),
        # Explain the class the network predicted: what made it say so.
        "saliency": viz.saliency(model, images, predictions, path=out("saliency.png")),
        "guided_backprop": viz.guided_backprop(model, images, predictions,
                                               path=out("guided_backprop.png")),
        "grad_cam": viz.grad_cam(model, "features.4", images, predictions, upsample=True,
                                 path=out("grad_cam.png")),
    }
    attribution_figure(out("attribution.png"), images.cpu().numpy()[:, 0], labels,
                       predictions, {"saliency": (results["saliency"], "inferno"),
                                     "guided backprop": (results["guided_backprop"][:, 0],
                                                         "gray"),
                                     "Grad-CAM": (results["grad_cam"], "jet")})
    print(f"test accuracy {100 * history[-1]['test_acc']:.2f}%; pictures in {args.out}/")
    return results


if __name__ == "__main__":
    main()
