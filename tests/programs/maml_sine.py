# Stands for: the MAML sine-wave regression scripts people write after Finn et al. (2017) and
# the learn2learn / "MAML from scratch" tutorials: a network kept as a list of raw weight
# tensors (nn.init.kaiming_uniform_ on empty tensors) run functionally with F.linear, an inner
# loop of torch.autograd.grad(..., create_graph=True) steps producing fast weights with a
# list comprehension, the outer meta-loss averaged over a task batch with torch.stack(...)
# .mean(), backpropagated through the inner updates (second order) into Adam, and a
# first-order variant that detaches the inner gradients. Tasks are drawn with numpy.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class SineTasks:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def sample(self, k):
        amp = self.rng.uniform(0.1, 5.0)
        phase = self.rng.uniform(0, np.pi)
        x = self.rng.uniform(-5.0, 5.0, (2 * k, 1)).astype(np.float32)
        y = (amp * np.sin(x + phase)).astype(np.float32)
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        return x[:k], y[:k], x[k:], y[k:]


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.empty(fan_out, fan_in)
        nn.init.kaiming_uniform_(w, nonlinearity='relu')
        params += [w.requires_grad_(), torch.zeros(fan_out, requires_grad=True)]
    return params


def forward(x, params):
    n = len(params) // 2
    for i in range(n):
        x = F.linear(x, params[2 * i], params[2 * i + 1])
        if i < n - 1:
            x = F.relu(x)
    return x


def adapt(params, x, y, inner_lr, inner_steps, first_order):
    fast = params
    for _ in range(inner_steps):
        loss = F.mse_loss(forward(x, fast), y)
        grads = torch.autograd.grad(loss, fast, create_graph=not first_order)
        if first_order:
            grads = [g.detach() for g in grads]
        fast = [w - inner_lr * g for w, g in zip(fast, grads)]
    return fast


def main(steps=2, state=None):
    torch.manual_seed(0)
    params = init_params([1, 20, 20, 1])
    if state is not None:
        with torch.no_grad():
            for p, v in zip(params, state["params"]):
                p.copy_(torch.from_numpy(v))
    initial = {"params": [p.detach().numpy().copy() for p in params]}
    meta_opt = torch.optim.Adam(params, lr=1e-3)
    tasks = SineTasks(0)
    losses = []
    for it in range(3 * steps):
        first_order = it % 3 == 2
        meta_opt.zero_grad()
        task_losses = []
        for _ in range(3):
            xs, ys, xq, yq = tasks.sample(5)
            fast = adapt(params, xs, ys, inner_lr=0.01, inner_steps=2, first_order=first_order)
            task_losses.append(F.mse_loss(forward(xq, fast), yq))
        meta_loss = torch.stack(task_losses).mean()
        meta_loss.backward()
        meta_opt.step()
        losses.append(meta_loss.item())
        losses.append(params[0].grad.norm().item())
    print('meta losses', losses[::2])
    return {"losses": losses, "initial": initial}
