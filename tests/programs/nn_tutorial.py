# Stands for: the official PyTorch tutorial "What is torch.nn really?": logistic regression
# written from scratch (weights from randn / sqrt(784) with requires_grad_(), a hand-written
# log_softmax and negative log-likelihood indexing input[range(n), target], accuracy, an
# update under no_grad with grad.zero_()), then refactored step by step onto F.cross_entropy,
# nn.Module with nn.Parameter, nn.Linear, optim, TensorDataset, DataLoader, a fit() with
# validation loss weighted by batch sizes (zip(*...) and np.sum), a CNN with F.avg_pool2d and
# view, nn.Sequential with a Lambda layer, AdaptiveAvgPool2d and a WrappedDataLoader. MNIST is
# replaced by random 28x28 images converted with map(torch.tensor, ...).
import math

import numpy as np

import minigrad as torch
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.utils.data import DataLoader, TensorDataset


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x, y):
    return x.view(-1, 1, 28, 28), y


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl, losses):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            losses.append(loss_batch(model, loss_func, xb, yb, opt)[0])
        model.eval()
        with torch.no_grad():
            batch_losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(batch_losses, nums)) / np.sum(nums)
        print(epoch, val_loss)
        losses.append(float(val_loss))


def get_data(train_ds, valid_ds, bs):
    return (DataLoader(train_ds, batch_size=bs),
            DataLoader(valid_ds, batch_size=bs * 2))


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    bs = 16
    x_train = rng.random((bs * steps, 784), dtype=np.float32)
    y_train = rng.integers(0, 10, bs * steps)
    x_valid = rng.random((24, 784), dtype=np.float32)
    y_valid = rng.integers(0, 10, 24)
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    print(x_train, y_train)
    print(x_train.shape)
    print(y_train.min(), y_train.max())

    losses = []
    if state is None:
        weights = torch.randn(784, 10) / math.sqrt(784)
    else:
        weights = torch.tensor(state["weights"])
    initial = {"weights": weights.numpy().copy()}
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    loss_func = nll
    xb, yb = x_train[0:bs], y_train[0:bs]
    preds = model(xb)
    print(preds[0], preds.shape)
    print(loss_func(preds, yb), accuracy(preds, yb))
    lr = 0.5
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
        losses.append(loss.item())
    loss_func = F.cross_entropy
    losses.append(loss_func(xb @ weights + bias, yb).item())
    print(losses[-1], accuracy(model(xb), yb).item())

    train_ds = TensorDataset(x_train, y_train)
    valid_ds = TensorDataset(x_valid, y_valid)
    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    models = {
        "logistic": Mnist_Logistic(),
        "linear": nn.Linear(784, 10),
        "cnn": Mnist_CNN(),
        "sequential": nn.Sequential(
            Lambda(lambda x: x.view(-1, 1, 28, 28)),
            nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.AvgPool2d(4),
            Lambda(lambda x: x.view(x.size(0), -1))),
        "wrapped": nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            Lambda(lambda x: x.view(x.size(0), -1))),
    }
    for name, net in models.items():
        if state is not None:
            net.load_state_dict({k.split('.', 1)[1]: torch.tensor(v) for k, v in state.items()
                                 if k.startswith(name + '.')})
        initial.update({f"{name}.{k}": v.detach().numpy().copy()
                        for k, v in net.state_dict().items()})
        opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9 if name != "logistic" else 0)
        if name == "wrapped":
            fit(1, net, loss_func, opt, WrappedDataLoader(train_dl, preprocess),
                WrappedDataLoader(valid_dl, preprocess), losses)
        else:
            fit(1, net, loss_func, opt, train_dl, valid_dl, losses)
    return {"losses": losses, "initial": initial}
