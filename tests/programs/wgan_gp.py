# Stands for: the WGAN-GP implementations of popular GitHub GAN collections: MLP generator
# (Linear, BatchNorm1d with eps passed positionally, LeakyReLU(inplace=True), Tanh) and
# critic, the gradient penalty on random interpolates computed with
# autograd.grad(create_graph=True, retain_graph=True, only_inputs=True), the legacy
# Variable/FloatTensor style, Adam with betas, n_critic critic steps per generator step.
# The image data set is replaced by random 1x8x8 images; noise comes from numpy.
import numpy as np

import minigrad as torch
import minigrad.autograd as autograd
import minigrad.nn as nn
from minigrad.autograd import Variable

img_shape = (1, 8, 8)
latent_dim = 4
lambda_gp = 10
n_critic = 2
Tensor = torch.FloatTensor


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(latent_dim, 16, normalize=False),
            *block(16, 32),
            nn.Linear(32, int(np.prod(img_shape))),
            nn.Tanh()
        )

    def forward(self, z):
        img = self.model(z)
        img = img.view(img.shape[0], *img_shape)
        return img


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(int(np.prod(img_shape)), 32),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(32, 16),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(16, 1),
        )

    def forward(self, img):
        img_flat = img.view(img.shape[0], -1)
        validity = self.model(img_flat)
        return validity


def compute_gradient_penalty(D, real_samples, fake_samples):
    """Calculates the gradient penalty loss for WGAN GP"""
    # Random weight term for interpolation between real and fake samples
    alpha = Tensor(np.random.random((real_samples.size(0), 1, 1, 1)))
    # Get random interpolation between real and fake samples
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = Variable(Tensor(real_samples.shape[0], 1).fill_(1.0), requires_grad=False)
    # Get gradient w.r.t. interpolates
    gradients = autograd.grad(
        outputs=d_interpolates,
        inputs=interpolates,
        grad_outputs=fake,
        create_graph=True,
        retain_graph=True,
        only_inputs=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
    return gradient_penalty


def main(steps=2, state=None):
    np.random.seed(0)
    generator = Generator()
    discriminator = Discriminator()
    if state is not None:
        for net, name in ((generator, "generator"), (discriminator, "discriminator")):
            net.load_state_dict({k: torch.tensor(v) for k, v in state[name].items()})
    initial = {name: {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
               for net, name in ((generator, "generator"), (discriminator, "discriminator"))}

    optimizer_G = torch.optim.Adam(generator.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=0.0002, betas=(0.5, 0.999))
    data = np.random.uniform(-1, 1, (4 * n_critic * steps,) + img_shape).astype(np.float32)
    dataloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.tensor(data)), batch_size=4)

    losses = []
    for i, (imgs,) in enumerate(dataloader):
        real_imgs = Variable(imgs.type(Tensor))

        # ---------------------
        #  Train Discriminator
        # ---------------------
        optimizer_D.zero_grad()
        z = Variable(Tensor(np.random.normal(0, 1, (imgs.shape[0], latent_dim))))
        fake_imgs = generator(z)
        real_validity = discriminator(real_imgs)
        fake_validity = discriminator(fake_imgs)
        gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data,
                                                    fake_imgs.data)
        d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) \
            + lambda_gp * gradient_penalty
        d_loss.backward()
        optimizer_D.step()
        optimizer_G.zero_grad()
        losses.append(d_loss.item())

        # Train the generator every n_critic steps
        if i % n_critic == 0:
            fake_imgs = generator(z)
            fake_validity = discriminator(fake_imgs)
            g_loss = -torch.mean(fake_validity)
            g_loss.backward()
            optimizer_G.step()
            losses.append(g_loss.item())
            print("[Batch %d/%d] [D loss: %f] [G loss: %f]"
                  % (i, len(dataloader), d_loss.item(), g_loss.item()))
    return {"losses": losses, "initial": initial}
