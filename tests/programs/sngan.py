# Stands for: the spectral-normalisation GAN scripts (Miyato et al. 2018, and the PyTorch
# re-implementations of SN-GAN with torch.nn.utils.spectral_norm): a DCGAN-like generator of
# ConvTranspose2d/BatchNorm2d/ReLU layers ending in Tanh, a discriminator whose every Conv2d
# and Linear is wrapped in spectral_norm (LeakyReLU(0.1)), the hinge loss
# (relu(1 - D(x)) and relu(1 + D(G(z))) for D, -D(G(z)) for G), Adam with betas=(0.0, 0.9),
# n_critic discriminator steps per generator step, and a weight-normalised (weight_norm)
# auxiliary classifier head trained with the discriminator. Images and noise are random.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.nn.utils import spectral_norm, weight_norm

z_dim = 8
channels = 1
leak = 0.1


class Generator(nn.Module):
    def __init__(self, z_dim):
        super(Generator, self).__init__()
        self.z_dim = z_dim
        self.model = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 16, 4, stride=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.ConvTranspose2d(8, channels, kernel_size=3, stride=1, padding=1),
            nn.Tanh())

    def forward(self, z):
        return self.model(z.view(-1, self.z_dim, 1, 1))


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.conv1 = spectral_norm(nn.Conv2d(channels, 8, 3, stride=1, padding=(1, 1)))
        self.conv2 = spectral_norm(nn.Conv2d(8, 16, 4, stride=2, padding=(1, 1)))
        self.conv3 = spectral_norm(nn.Conv2d(16, 16, 3, stride=1, padding=(1, 1)))
        self.fc = spectral_norm(nn.Linear(4 * 4 * 16, 1))
        self.aux = weight_norm(nn.Linear(4 * 4 * 16, 3), dim=0)

    def features(self, x):
        m = nn.LeakyReLU(leak)(self.conv1(x))
        m = nn.LeakyReLU(leak)(self.conv2(m))
        m = nn.LeakyReLU(leak)(self.conv3(m))
        return m.view(-1, 4 * 4 * 16)

    def forward(self, x):
        return self.fc(self.features(x))


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    real = torch.tensor(rng.uniform(-1, 1, (4, channels, 8, 8)).astype(np.float32))
    labels = torch.tensor(rng.integers(0, 3, 4))
    noise = rng.standard_normal((3 * steps + 2, 4, z_dim)).astype(np.float32)

    discriminator = Discriminator()
    generator = Generator(z_dim)
    if state is not None:
        discriminator.load_state_dict({k: torch.tensor(v) for k, v in state["D"].items()})
        generator.load_state_dict({k: torch.tensor(v) for k, v in state["G"].items()})
    initial = {"D": {k: v.detach().numpy().copy() for k, v in discriminator.state_dict().items()},
               "G": {k: v.detach().numpy().copy() for k, v in generator.state_dict().items()}}
    print(sorted(discriminator.state_dict())[:6])

    optim_disc = optim.Adam(filter(lambda p: p.requires_grad, discriminator.parameters()),
                            lr=2e-4, betas=(0.0, 0.9))
    optim_gen = optim.Adam(generator.parameters(), lr=2e-4, betas=(0.0, 0.9))
    disc_iters = 2
    losses = []
    k = 0
    for step in range(steps):
        for _ in range(disc_iters):
            z = torch.from_numpy(noise[k])
            k += 1
            optim_disc.zero_grad()
            optim_gen.zero_grad()
            disc_loss = (nn.ReLU()(1.0 - discriminator(real)).mean()
                         + nn.ReLU()(1.0 + discriminator(generator(z))).mean())
            aux_loss = F.cross_entropy(discriminator.aux(discriminator.features(real)), labels)
            (disc_loss + aux_loss).backward()
            optim_disc.step()
            losses += [disc_loss.item(), aux_loss.item()]
        z = torch.from_numpy(noise[k])
        k += 1
        optim_disc.zero_grad()
        optim_gen.zero_grad()
        gen_loss = -discriminator(generator(z)).mean()
        gen_loss.backward()
        optim_gen.step()
        losses.append(gen_loss.item())
        losses.append(discriminator.conv2.weight_u.norm().item())
        losses.append(discriminator.fc.weight_v.sum().item())

    discriminator.eval()
    generator.eval()
    with torch.no_grad():
        # (not the generator's eval output: the conv biases before its BatchNorms get only
        # rounding noise as gradient, which Adam scales to full steps, so they and the running
        # means differ between any two implementations)
        fake = generator(torch.from_numpy(noise[k]))
        assert fake.shape == (4, channels, 8, 8) and fake.abs().max() <= 1
        losses.append(discriminator(real).mean().item())
    sigma = torch.linalg.matrix_norm(discriminator.conv2.weight.view(16, -1), ord=2)
    losses.append(sigma.item())
    return {"losses": losses, "initial": initial}
