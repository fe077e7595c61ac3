# Stands for: the convolutional autoencoders of popular GitHub tutorials and repositories
# (Conv2d + MaxPool2d encoder, ConvTranspose2d decoder with stride 2 ending in a sigmoid,
# MSELoss against the input, Adam, the epoch loss weighted by images.size(0), then the
# reconstructions viewed back as images and turned into numpy arrays). MNIST is replaced by
# random 1x28x28 images.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, TensorDataset


class ConvAutoencoder(nn.Module):
    def __init__(self):
        super(ConvAutoencoder, self).__init__()
        # encoder layers
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        # decoder layers: a kernel of 2 and a stride of 2 double the size
        self.t_conv1 = nn.ConvTranspose2d(4, 16, 2, stride=2)
        self.t_conv2 = nn.ConvTranspose2d(16, 1, 2, stride=2)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.pool(x)
        x = F.relu(self.conv2(x))
        x = self.pool(x)  # compressed representation
        x = F.relu(self.t_conv1(x))
        x = torch.sigmoid(self.t_conv2(x))
        return x


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    batch_size = 4
    train_data = TensorDataset(torch.tensor(rng.random((batch_size * steps, 1, 28, 28),
                                                       dtype=np.float32)),
                               torch.tensor(rng.integers(0, 10, batch_size * steps)))
    train_loader = DataLoader(train_data, batch_size=batch_size)

    model = ConvAutoencoder()
    print(model)
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)

    losses = []
    n_epochs = 1
    for epoch in range(1, n_epochs + 1):
        train_loss = 0.0
        for data in train_loader:
            images, _ = data
            optimizer.zero_grad()
            outputs = model(images)
            loss = criterion(outputs, images)
            loss.backward()
            optimizer.step()
            train_loss += loss.item() * images.size(0)
            losses.append(loss.item())
        train_loss = train_loss / len(train_loader)
        print('Epoch: {} \tTraining Loss: {:.6f}'.format(epoch, train_loss))

    dataiter = iter(train_loader)
    images, labels = next(dataiter)
    output = model(images)
    images = images.numpy()
    output = output.view(batch_size, 1, 28, 28)
    output = output.detach().numpy()
    assert output.shape == images.shape
    return {"losses": losses, "initial": initial}
