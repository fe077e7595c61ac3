# Stands for: Dive into Deep Learning, "Batch Normalization" (PyTorch edition): batch_norm
# written from scratch (torch.is_grad_enabled, means over (0, 2, 3) with keepdim, moving
# statistics through .data), a BatchNorm module holding nn.Parameter gamma/beta and plain
# tensors moved with .to(X.device), LeNet built from LazyConv2d/LazyLinear, initialised by
# a dry run and net.apply with xavier_uniform_, and the concise version with
# LazyBatchNorm2d/1d. Fashion-MNIST is replaced by random 1x28x28 images.
import numpy as np

import minigrad as torch
from minigrad import nn


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    # Use is_grad_enabled to determine whether we are in training mode
    if not torch.is_grad_enabled():
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta  # Scale and shift
    return Y, moving_mean.data, moving_var.data


class BatchNorm(nn.Module):
    # num_features: the number of outputs for a fully connected layer or the number of
    # output channels for a convolutional layer. num_dims: 2 for a fully connected layer
    # and 4 for a convolutional layer
    def __init__(self, num_features, num_dims):
        super().__init__()
        if num_dims == 2:
            shape = (1, num_features)
        else:
            shape = (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean,
            self.moving_var, eps=1e-5, momentum=0.1)
        return Y


def scratch_lenet():
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.LazyLinear(120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.LazyLinear(84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.LazyLinear(10))


def concise_lenet():
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.LazyLinear(120), nn.LazyBatchNorm1d(), nn.Sigmoid(),
        nn.LazyLinear(84), nn.LazyBatchNorm1d(), nn.Sigmoid(),
        nn.LazyLinear(10))


def init_cnn(module):
    """Initialize weights for CNNs."""
    if type(module) == nn.Linear or type(module) == nn.Conv2d:
        nn.init.xavier_uniform_(module.weight)


def fit(net, X, y, steps, lr, losses, state, name, initial):
    net(X[:2])  # the dry run materialises the lazy layers
    net.apply(init_cnn)
    if state is not None:
        net.load_state_dict({k: torch.tensor(v) for k, v in state[name].items()})
    initial[name] = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    loss = nn.CrossEntropyLoss(reduction='none')
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(steps):
        y_hat = net(X)
        l = loss(y_hat, y)
        optimizer.zero_grad()
        l.mean().backward()
        optimizer.step()
        losses.append(l.mean().item())


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.random((8, 1, 28, 28), dtype=np.float32))
    y = torch.tensor(rng.integers(0, 10, 8))
    losses, initial = [], {}
    net = scratch_lenet()
    fit(net, X, y, steps, 0.1, losses, state, "scratch", initial)
    print(net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,)))
    net.eval()
    with torch.no_grad():
        print(net(X).argmax(axis=1))
    net = concise_lenet()
    fit(net, X, y, steps, 0.1, losses, state, "concise", initial)
    print(net[1].weight.reshape((-1,)), net[1].bias.reshape((-1,)))
    return {"losses": losses, "initial": initial}
