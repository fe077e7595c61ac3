# Stands for: the PyTorch examples repository's forward-forward training
# (mnist_forward_forward/main.py): labels overlaid on the first pixels of each image
# (x_[range(n), y] = x.max()), Layer subclasses of nn.Linear with their own Adam optimizer that
# normalise their input by its L2 norm, goodness as the mean square activation, the softplus
# of the goodness margins as loss with torch.log(1 + torch.exp(...)), layer-by-layer training
# on positive and negative data, and prediction by the label with the highest summed goodness.
# MNIST is replaced by random 28x28 images and the layers are narrower.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
from minigrad.optim import Adam


def overlay_y_on_x(x, y):
    """Replace the first 10 pixels of data [x] with one-hot-encoded label [y]."""
    x_ = x.clone()
    x_[:, :10] *= 0.0
    x_[range(x.shape[0]), y] = x.max()
    return x_


class Net(torch.nn.Module):
    def __init__(self, dims, epochs):
        super().__init__()
        self.layers = []
        for d in range(len(dims) - 1):
            self.layers = self.layers + [Layer(dims[d], dims[d + 1], epochs)]

    def predict(self, x):
        goodness_per_label = []
        for label in range(10):
            h = overlay_y_on_x(x, label)
            goodness = []
            for layer in self.layers:
                h = layer(h)
                goodness = goodness + [h.pow(2).mean(1)]
            goodness_per_label += [sum(goodness).unsqueeze(1)]
        goodness_per_label = torch.cat(goodness_per_label, 1)
        return goodness_per_label.argmax(1)

    def train(self, x_pos, x_neg, losses):
        h_pos, h_neg = x_pos, x_neg
        for i, layer in enumerate(self.layers):
            print("training layer: ", i)
            h_pos, h_neg = layer.train(h_pos, h_neg, losses)


class Layer(nn.Linear):
    def __init__(self, in_features, out_features, epochs, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.relu = torch.nn.ReLU()
        self.opt = Adam(self.parameters(), lr=0.03)
        self.threshold = 2.0
        self.num_epochs = epochs

    def forward(self, x):
        x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0))

    def train(self, x_pos, x_neg, losses):
        for i in range(self.num_epochs):
            g_pos = self.forward(x_pos).pow(2).mean(1)
            g_neg = self.forward(x_neg).pow(2).mean(1)
            # The following loss pushes pos (neg) samples to values larger (smaller) than the
            # self.threshold.
            loss = torch.log(1 + torch.exp(torch.cat([-g_pos + self.threshold,
                                                      g_neg - self.threshold]))).mean()
            self.opt.zero_grad()
            # this backward just compute the derivative and hence is not considered
            # backpropagation.
            loss.backward()
            self.opt.step()
            losses.append(loss.item())
        return self.forward(x_pos).detach(), self.forward(x_neg).detach()


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.random((16, 784), dtype=np.float32))
    y = torch.tensor(rng.integers(0, 10, 16))
    x_te = torch.tensor(rng.random((8, 784), dtype=np.float32))
    y_te = torch.tensor(rng.integers(0, 10, 8))
    net = Net([784, 32, 32], epochs=steps)
    if state is not None:
        net_state = {k: torch.tensor(v) for k, v in state.items()}
        for i, layer in enumerate(net.layers):
            layer.load_state_dict({k.split('.', 1)[1]: v for k, v in net_state.items()
                                   if k.startswith(f'{i}.')})
    initial = {f'{i}.{k}': v.detach().numpy().copy()
               for i, layer in enumerate(net.layers) for k, v in layer.state_dict().items()}
    x_pos = overlay_y_on_x(x, y)
    rnd = torch.tensor(rng.permutation(x.size(0)))
    x_neg = overlay_y_on_x(x, y[rnd])
    losses = []
    net.train(x_pos, x_neg, losses)
    train_error = 1.0 - net.predict(x).eq(y).float().mean().item()
    test_error = 1.0 - net.predict(x_te).eq(y_te).float().mean().item()
    print("train error:", train_error, "test error:", test_error)
    losses += [train_error, test_error]
    return {"losses": losses, "initial": initial}
