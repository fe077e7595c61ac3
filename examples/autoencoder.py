"""A convolutional autoencoder on Digits (or MNIST): strided convolutions squeeze an image into
a small code, transposed convolutions (ConvTranspose2d) paint it back.

    python examples/autoencoder.py                            # Digits, pictures in ae-out/
    python examples/autoencoder.py --noise 0.3                # denoising: noisy in, clean out
    python examples/autoencoder.py --dataset mnist --data-dir data --device cuda
    python examples/autoencoder.py --epochs 1 --train-size 64      # a quick smoke run

Each epoch prints the train and test reconstruction loss (mean squared error); at the end
`reconstructions.png` shows test images (top row), their noisy versions with --noise (middle)
and the reconstructions (bottom). Digits needs scikit-learn, MNIST its IDX files in --data-dir
(they are not downloaded here); the picture needs Pillow (`pip install minigrad[digits,viz]`).
"""
import argparse
import os

import numpy as np

import minigrad
from minigrad import nn, optim
from minigrad.backend import is_available
from minigrad.data import DataLoader, Subset
from minigrad.data.datasets import MNIST, Digits
from minigrad.nn import functional as F
from minigrad.utils import save_image


class ConvAutoencoder(nn.Module):
    """(N, 1, H, W) images in [0, 1], H and W divisible by 4 -> reconstructions of the same
    shape. Encoder: two stride-2 3x3 convolutions (H -> H/2 -> H/4, 16 then `code_channels`
    maps). Decoder: two stride-2 4x4 transposed convolutions back (H/4 -> H/2 -> H), then a
    sigmoid. The code has half as many numbers as the image with the default 8 channels (32
    for an 8x8 digit, 392 for a 28x28 one), so the network must learn what matters."""

    def __init__(self, code_channels=8):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, code_channels, 3, stride=2, padding=1), nn.ReLU())
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(code_channels, 16, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


def load_images(parser, args):
    """(train set, test set) of images in [0, 1]: Digits, or MNIST from --data-dir."""
    try:
        if args.dataset == "digits":
            train, test = Digits(train=True), Digits(train=False)
        else:
            train = MNIST(args.data_dir, train=True)
            test = MNIST(args.data_dir, train=False)
    except (ImportError, OSError, RuntimeError, ValueError) as err:
        parser.error(f"cannot load {args.dataset}: {err}")
    if args.train_size is not None:
        train = Subset(train, range(min(args.train_size, len(train))))
    return train, Subset(test, range(min(args.test_size, len(test))))


def add_noise(images, level, generator):
    """Images plus Gaussian noise of standard deviation `level`, clipped to [0, 1]."""
    if level == 0:
        return images
    noise = generator.standard_normal(tuple(images.shape)).astype(np.float32) * level
    noisy = minigrad.tensor(noise, device=images.device) + images
    return noisy.clamp(0, 1)


def run_epoch(model, loader, noise, generator, device, optimizer=None):
    """Mean squared reconstruction error over the loader's images; trains when given an
    optimizer."""
    model.train(optimizer is not None)
    total, seen = 0.0, 0
    with minigrad.set_grad_enabled(optimizer is not None):
        for images, _ in loader:
            images = images.to(device)
            loss = F.mse_loss(model(add_noise(images, noise, generator)), images)
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * images.shape[0]
            seen += images.shape[0]
    return total / seen


def main(argv=None):
    """Train and draw; returns {"history": [(train loss, test loss) per epoch],
    "reconstructions": (N, 1, H, W) numpy array of the drawn test reconstructions}."""
    parser = argparse.ArgumentParser(description="A convolutional autoencoder.")
    parser.add_argument("--dataset", choices=("digits", "mnist"), default="digits")
    parser.add_argument("--data-dir", default="data", help="folder of the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--noise", type=float, default=0.0,
                        help="standard deviation of the input noise (denoising autoencoder)")
    parser.add_argument("--train-size", type=int, help="train on the first N images only")
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--out", default="ae-out", help="folder for the picture")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for name in ("epochs", "train_size", "test_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if not 0 <= args.noise <= 1:
        parser.error(f"--noise must be in [0, 1], got {args.noise}")
    if args.device == "cuda" and not is_available("cuda"):
        parser.error("--device cuda: CUDA is not available on this machine")
    train, test = load_images(parser, args)

    minigrad.manual_seed(args.seed)
    generator = np.random.default_rng(args.seed)
    model = ConvAutoencoder().to(args.device)
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    train_loader = DataLoader(train, batch_size=64, shuffle=True, seed=args.seed)
    test_loader = DataLoader(test, batch_size=256)
    history = []
    for epoch in range(1, args.epochs + 1):
        train_loss = run_epoch(model, train_loader, args.noise, generator, args.device,
                               optimizer)
        test_loss = run_epoch(model, test_loader, args.noise, generator, args.device)
        history.append((train_loss, test_loss))
        print(f"epoch {epoch:3d}/{args.epochs}  train mse {train_loss:.4f}  test mse "
              f"{test_loss:.4f}", flush=True)

    model.eval()
    images, _ = next(iter(DataLoader(test, batch_size=16)))
    images = images.to(args.device)
    noisy = add_noise(images, args.noise, generator)
    with minigrad.no_grad():
        rebuilt = model(noisy)
    rows = minigrad.cat([images, noisy, rebuilt] if args.noise else [images, rebuilt]).cpu()
    enlarged = F.interpolate(rows, scale_factor=4 if args.dataset == "mnist" else 8)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "reconstructions.png")
    save_image(enlarged, path, nrow=len(images), padding=4, pad_value=1.0)
    print(f"wrote {path}")
    return {"history": history, "reconstructions": rebuilt.cpu().numpy()}


if __name__ == "__main__":
    main()
