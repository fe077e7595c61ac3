# Stands for: the PyTorch examples repository's variational autoencoder (vae/main.py):
# encode to mu/logvar, the reparameterisation trick with randn_like, decode through sigmoid,
# a binary cross-entropy + KL divergence loss summed over the batch, Adam, a test pass under
# no_grad and sampling from the prior. MNIST is replaced by random 28x28 images in [0, 1].
import numpy as np

import minigrad as torch
import minigrad.utils.data
from minigrad import nn, optim
from minigrad.nn import functional as F


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, 64)
        self.fc21 = nn.Linear(64, 8)
        self.fc22 = nn.Linear(64, 8)
        self.fc3 = nn.Linear(8, 64)
        self.fc4 = nn.Linear(64, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def main(steps=2, state=None):
    torch.manual_seed(1)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(0)
    images = torch.tensor(rng.random((4 * steps, 1, 28, 28), dtype=np.float32))
    dataset = torch.utils.data.TensorDataset(images, torch.zeros(4 * steps))
    train_loader = torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=False)

    model = VAE().to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses = []

    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        losses.append(loss.item() / len(data))
    print('====> Average loss: {:.4f}'.format(train_loss / len(train_loader.dataset)))

    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n],
                                        recon_batch.view(4, 1, 28, 28)[:n]])
                assert tuple(comparison.shape) == (2 * n, 1, 28, 28)
        sample = torch.randn(8, 8).to(device)
        sample = model.decode(sample).cpu()
        assert tuple(sample.view(8, 1, 28, 28).shape) == (8, 1, 28, 28)
    test_loss /= len(test_loader.dataset)
    print('====> Test set loss: {:.4f}'.format(test_loss))
    return {"losses": losses}
