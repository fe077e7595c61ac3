# Stands for: the PyTorch examples repository's super-resolution network (super_resolution/
# model.py and main.py): the sub-pixel convolution net ending in nn.PixelShuffle, orthogonal
# initialisation with init.calculate_gain('relu'), MSELoss and Adam over a DataLoader, and the
# PSNR of a test pass computed with log10. BSDS300 is replaced by random low-resolution
# images whose targets are their bicubic upsampling plus noise.
import math

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.init as init
import minigrad.optim as optim
from minigrad.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super(Net, self).__init__()

        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    upscale_factor = 3
    low = torch.tensor(rng.random((4 * steps, 1, 8, 8), dtype=np.float32))
    with torch.no_grad():
        high = torch.nn.functional.interpolate(low, scale_factor=upscale_factor, mode='bicubic',
                                               align_corners=False)
        high = high + 0.01 * torch.tensor(rng.standard_normal(high.shape).astype(np.float32))
    training_data_loader = DataLoader(dataset=TensorDataset(low, high), batch_size=4)
    testing_data_loader = DataLoader(dataset=TensorDataset(low[:4], high[:4]), batch_size=2)

    device = torch.device("cpu")
    model = Net(upscale_factor=upscale_factor).to(device)
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)

    losses = []
    epoch_loss = 0
    for iteration, batch in enumerate(training_data_loader, 1):
        input, target = batch[0].to(device), batch[1].to(device)
        optimizer.zero_grad()
        loss = criterion(model(input), target)
        epoch_loss += loss.item()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        print("===> Epoch[{}]({}/{}): Loss: {:.4f}".format(1, iteration,
                                                          len(training_data_loader),
                                                          loss.item()))

    avg_psnr = 0
    with torch.no_grad():
        for batch in testing_data_loader:
            input, target = batch[0].to(device), batch[1].to(device)
            prediction = model(input)
            mse = criterion(prediction, target)
            psnr = 10 * math.log10(1 / mse.item())
            avg_psnr += psnr
    print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr / len(testing_data_loader)))
    losses.append(avg_psnr / len(testing_data_loader))
    return {"losses": losses, "initial": initial}
