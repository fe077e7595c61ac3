"""A small DCGAN on Digits (or MNIST): a generator of transposed convolutions learns to draw
digits that a convolutional discriminator cannot tell from real ones.

    python examples/dcgan.py                         # Digits, samples in gan-out/
    python examples/dcgan.py --gp                    # Wasserstein loss with gradient penalty
    python examples/dcgan.py --dataset mnist --data-dir data --device cuda
    python examples/dcgan.py --epochs 1 --train-size 64    # a quick smoke run

After every epoch `samples_NNN.png` shows 64 digits generated from the same fixed noise, so
the pictures show the generator learning. With --gp the discriminator becomes a critic
trained with the WGAN-GP loss (Gulrajani et al., 2017), five critic steps per generator step:
its penalty on the gradient norm at points between real and generated images is
differentiated again (double backward). Digits needs scikit-learn, MNIST its IDX files in
--data-dir; the pictures need Pillow (`pip install minigrad[digits,viz]`).
"""
import argparse
import os

import numpy as np

import minigrad
from minigrad import nn, optim
from minigrad.backend import is_available
from minigrad.data import ConcatDataset, DataLoader, Subset
from minigrad.data.datasets import MNIST, Digits
from minigrad.nn import functional as F
from minigrad.utils import save_image


class Generator(nn.Module):
    """noise (N, latent) -> images (N, 1, size, size) in [-1, 1], size divisible by 4:
    a transposed convolution to (64, size/4, size/4), then two stride-2 ones doubling the size,
    with batch norm and ReLU between and tanh at the end."""

    def __init__(self, latent=32, size=8):
        super().__init__()
        self.latent = latent
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent, 64, size // 4, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Tanh())

    def forward(self, z):
        return self.net(z.reshape(z.shape[0], self.latent, 1, 1))


class Discriminator(nn.Module):
    """images (N, 1, size, size) -> one logit (real or not) per image (N,): two stride-2
    convolutions with leaky ReLU, then one covering the remaining size/4 x size/4 map. Batch
    norm in the middle, except for a WGAN-GP critic, whose penalty is per image."""

    def __init__(self, size=8, batch_norm=True):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(32, 64, 4, stride=2, padding=1),
            nn.BatchNorm2d(64) if batch_norm else nn.Identity(), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 1, size // 4))

    def forward(self, x):
        return self.net(x).flatten()


def gradient_penalty(critic, real, fake, generator):
    """mean over the batch of (||d critic(x) / d x|| - 1)^2 at random points x on the lines
    between real and generated images; differentiable (create_graph=True), so the critic's
    parameters get the penalty's gradient too."""
    mix = generator.random((real.shape[0], 1, 1, 1)).astype(np.float32)
    mix = minigrad.tensor(mix, device=real.device)
    between = (mix * real + (1 - mix) * fake).detach().requires_grad_(True)
    (gradient,) = minigrad.grad(critic(between).sum(), between, create_graph=True)
    norms = (gradient.flatten(1) ** 2).sum(1).add(1e-12).sqrt()
    return ((norms - 1) ** 2).mean()


def load_images(parser, args):
    """Every image of the dataset (train and test splits together; no labels are used), in
    [0, 1]."""
    try:
        if args.dataset == "digits":
            parts = [Digits(train=True), Digits(train=False)]
        else:
            parts = [MNIST(args.data_dir, train=True), MNIST(args.data_dir, train=False)]
    except (ImportError, OSError, RuntimeError, ValueError) as err:
        parser.error(f"cannot load {args.dataset}: {err}")
    images = ConcatDataset(parts)
    if args.train_size is not None:
        images = Subset(images, range(min(args.train_size, len(images))))
    return images


def train_epoch(models, optimizers, loader, args, generator):
    """One pass over the real images, a discriminator step on every batch and a generator step
    on every `args.critic_steps`-th (the first included); returns the mean (discriminator,
    generator) losses."""
    gen, disc = models
    gen_opt, disc_opt = optimizers
    gen.train()
    disc.train()
    sums, steps = np.zeros(2), np.zeros(2)
    for index, (real, _) in enumerate(loader):
        real = real.to(args.device) * 2 - 1  # [0, 1] -> the generator's [-1, 1]
        noise = minigrad.randn(real.shape[0], gen.latent, device=args.device)
        fake = gen(noise)
        if args.gp:
            disc_loss = disc(fake.detach()).mean() - disc(real).mean() + \
                args.gp_weight * gradient_penalty(disc, real, fake, generator)
        else:
            ones = minigrad.ones(real.shape[0], device=args.device)
            disc_loss = F.binary_cross_entropy_with_logits(disc(real), ones) + \
                F.binary_cross_entropy_with_logits(disc(fake.detach()), ones * 0)
        disc_opt.zero_grad()
        disc_loss.backward()
        disc_opt.step()
        sums[0], steps[0] = sums[0] + disc_loss.item(), steps[0] + 1
        if index % args.critic_steps:  # the generator learns on every critic_steps-th batch
            continue
        scores = disc(fake)
        gen_loss = -scores.mean() if args.gp else F.binary_cross_entropy_with_logits(
            scores, minigrad.ones(real.shape[0], device=args.device))
        gen_opt.zero_grad()
        gen_loss.backward()
        gen_opt.step()
        sums[1], steps[1] = sums[1] + gen_loss.item(), steps[1] + 1
    return tuple(sums / steps)


def main(argv=None):
    """Train and draw; returns {"history": [(discriminator loss, generator loss) per epoch],
    "samples": the last epoch's (64, 1, size, size) samples in [-1, 1]}."""
    parser = argparse.ArgumentParser(description="A small DCGAN.")
    parser.add_argument("--dataset", choices=("digits", "mnist"), default="digits")
    parser.add_argument("--data-dir", default="data", help="folder of the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate, for both")
    parser.add_argument("--gp", action="store_true",
                        help="WGAN-GP: Wasserstein loss with a gradient penalty")
    parser.add_argument("--gp-weight", type=float, default=10.0)
    parser.add_argument("--critic-steps", type=int,
                        help="discriminator steps per generator step (default: 5 with --gp, "
                        "as in the WGAN-GP paper, else 1)")
    parser.add_argument("--train-size", type=int, help="use the first N images only")
    parser.add_argument("--out", default="gan-out", help="folder for the sample grids")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.critic_steps is None:
        args.critic_steps = 5 if args.gp else 1
    for name in ("epochs", "train_size", "critic_steps"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if args.device == "cuda" and not is_available("cuda"):
        parser.error("--device cuda: CUDA is not available on this machine")
    images = load_images(parser, args)
    size = images[0][0].shape[-1]

    minigrad.manual_seed(args.seed)
    generator = np.random.default_rng(args.seed)
    gen = Generator(size=size).to(args.device)
    disc = Discriminator(size=size, batch_norm=not args.gp).to(args.device)
    betas = (0.5, 0.9) if args.gp else (0.5, 0.999)
    optimizers = (optim.Adam(gen.parameters(), lr=args.lr, betas=betas),
                  optim.Adam(disc.parameters(), lr=args.lr, betas=betas))
    loader = DataLoader(images, batch_size=64, shuffle=True, seed=args.seed, drop_last=True)
    if len(loader) == 0:
        loader = DataLoader(images, batch_size=len(images), shuffle=True, seed=args.seed)
    fixed_noise = minigrad.randn(64, gen.latent, device=args.device)
    os.makedirs(args.out, exist_ok=True)
    history = []
    for epoch in range(1, args.epochs + 1):
        history.append(train_epoch((gen, disc), optimizers, loader, args, generator))
        gen.eval()
        with minigrad.no_grad():
            samples = gen(fixed_noise).cpu()
        path = os.path.join(args.out, f"samples_{epoch:03d}.png")
        save_image(F.interpolate(samples, scale_factor=4 if size > 8 else 6), path, nrow=8,
                   padding=4, normalize=True, value_range=(-1, 1), pad_value=1.0)
        print(f"epoch {epoch:3d}/{args.epochs}  {'critic' if args.gp else 'discriminator'} "
              f"loss {history[-1][0]:.4f}  generator loss {history[-1][1]:.4f}  -> {path}",
              flush=True)
    return {"history": history, "samples": samples.numpy()}


if __name__ == "__main__":
    main()
