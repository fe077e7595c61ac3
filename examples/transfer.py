"""Transfer learning on Digits: features learned on 0-4 reused for 5-9 with few labels.

    python examples/transfer.py                      # 20 labelled images per class
    python examples/transfer.py --shots 5 --device cuda
    python examples/transfer.py --pretrain-epochs 1 --pretrain-size 64 --epochs 1   # smoke run

1. Pretrain LeNet-5 on every training image of the digits 0-4.
2. Freeze its convolutional features (`requires_grad_(False)`) and replace the head (the last
   fully connected layer) with a new one for the five classes 5-9.
3. Fine-tune on only `--shots` labelled training images per class of 5-9.
4. Train the same network from scratch on the same images with the same budget (epochs,
   optimizer, learning rate), and compare the test accuracies on all test images of 5-9.

Needs scikit-learn for the Digits data (`pip install minigrad[digits]`).
"""
import argparse

import numpy as np

import minigrad
from minigrad import nn, optim
from minigrad.backend import is_available
from minigrad.data import DataLoader, Subset, transforms
from minigrad.data.datasets import Digits, ImageArrayDataset
from minigrad.models import lenet5
from minigrad.nn import functional as F

DIGITS_MEAN_STD = (0.3055, 0.3761)


def digit_subset(split, digits, per_class=None, seed=0):
    """The images of `split` (a Digits dataset) whose label is in `digits`, relabelled
    0..len(digits) - 1; with `per_class`, only that many of each, chosen by a seeded
    generator."""
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in digits:
        members = np.flatnonzero(split.targets == digit)
        if per_class is not None:
            if per_class > len(members):
                raise ValueError(f"only {len(members)} training images of {digit}, asked for "
                                 f"{per_class}")
            members = np.sort(rng.choice(members, per_class, replace=False))
        chosen.append(members)
    keep = np.sort(np.concatenate(chosen))
    relabel = {digit: i for i, digit in enumerate(digits)}
    labels = np.array([relabel[int(t)] for t in split.targets[keep]])
    return ImageArrayDataset(split.data[keep], labels, scale=split.scale,
                             transform=split.transform)


def fit(model, dataset, epochs, device, seed, batch_size=32, lr=2e-3):
    """Adam over the parameters that require grad; returns the last epoch's mean loss."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = optim.Adam(params, lr=lr)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, seed=seed)
    loss_sum = 0.0
    for _ in range(epochs):
        model.train()
        loss_sum = 0.0
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * labels.shape[0]
    return loss_sum / len(dataset)


def accuracy(model, dataset, device):
    model.eval()
    images, labels = dataset.get_batch(np.arange(len(dataset)))
    with minigrad.no_grad():
        predictions = model(images.to(device)).argmax(1).cpu().numpy()
    return float((predictions == labels.numpy()).mean())


def main(argv=None):
    """Returns {"pretrain": accuracy on 0-4, "transfer": ..., "scratch": ...} (test sets)."""
    parser = argparse.ArgumentParser(description="Transfer learning on Digits 0-4 -> 5-9.")
    parser.add_argument("--shots", type=int, default=20,
                        help="labelled training images per class of 5-9")
    parser.add_argument("--pretrain-epochs", type=int, default=10)
    parser.add_argument("--pretrain-size", type=int,
                        help="pretrain on the first N images of 0-4 only")
    parser.add_argument("--epochs", type=int, default=10,
                        help="epochs of fine-tuning, and of training from scratch")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for name in ("shots", "pretrain_epochs", "epochs", "pretrain_size"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got "
                         f"{getattr(args, name)}")
    if args.device == "cuda" and not is_available("cuda"):
        parser.error("--device cuda: CUDA is not available on this machine")
    try:
        standardize = transforms.Normalize(*DIGITS_MEAN_STD)
        train, test = Digits(train=True, transform=standardize), \
            Digits(train=False, transform=standardize)
        old_train, old_test = digit_subset(train, range(5)), digit_subset(test, range(5))
        new_train = digit_subset(train, range(5, 10), per_class=args.shots, seed=args.seed)
        new_test = digit_subset(test, range(5, 10))
    except (ImportError, ValueError) as err:
        parser.error(str(err))
    if args.pretrain_size is not None:
        old_train = Subset(old_train, range(min(args.pretrain_size, len(old_train))))

    minigrad.manual_seed(args.seed)
    model = lenet5(num_classes=5).to(args.device)
    fit(model, old_train, args.pretrain_epochs, args.device, args.seed)
    results = {"pretrain": accuracy(model, old_test, args.device)}
    print(f"pretrained on 0-4 ({len(old_train)} images): {100 * results['pretrain']:.1f}% "
          f"test accuracy on 0-4")

    model.features.requires_grad_(False)  # the convolutional features stay as learned
    model.classifier[-1] = nn.Linear(84, 5).to(args.device)  # a new head for 5-9
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    fit(model, new_train, args.epochs, args.device, args.seed)
    results["transfer"] = accuracy(model, new_test, args.device)

    minigrad.manual_seed(args.seed)
    scratch = lenet5(num_classes=5).to(args.device)
    fit(scratch, new_train, args.epochs, args.device, args.seed)
    results["scratch"] = accuracy(scratch, new_test, args.device)
    print(f"5-9 with {args.shots} labels per class ({len(new_train)} images), {args.epochs} "
          f"epochs, tested on {len(new_test)} images:")
    print(f"  frozen features, new head ({trainable:,} of {total:,} parameters trained): "
          f"{100 * results['transfer']:5.1f}%")
    print(f"  the same network from scratch (all parameters trained): "
          f"{100 * results['scratch']:5.1f}%")
    return results


if __name__ == "__main__":
    main()
