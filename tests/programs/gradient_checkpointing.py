# Stands for: the memory-saving training recipes built on torch.utils.checkpoint (the
# checkpointing examples in PyTorch's documentation and the "train a bigger model on a small
# GPU" posts): residual blocks whose forward calls checkpoint(self.block, x,
# use_reentrant=False) while training, a stem run through checkpoint_sequential over an
# nn.Sequential, the reentrant form on a closure with an input that requires grad, gradient
# accumulation over micro-batches (loss / accumulation_steps, optimizer.step every N), and
# torch.autograd.grad through a checkpointed segment. Data are random.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.checkpoint import checkpoint, checkpoint_sequential


class ResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.block = nn.Sequential(nn.Linear(width, width), nn.LayerNorm(width), nn.GELU(),
                                   nn.Linear(width, width))

    def forward(self, x):
        if self.training:
            return x + checkpoint(self.block, x, use_reentrant=False)
        return x + self.block(x)


class DeepNet(nn.Module):
    def __init__(self, width=16, depth=4, classes=5):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(10, width), nn.ReLU(), nn.Linear(width, width),
                                  nn.ReLU(), nn.Linear(width, width), nn.Tanh())
        self.blocks = nn.ModuleList([ResidualBlock(width) for _ in range(depth)])
        self.head = nn.Linear(width, classes)

    def forward(self, x):
        if self.training:
            x = checkpoint_sequential(self.stem, 3, x, use_reentrant=False)
        else:
            x = self.stem(x)
        for block in self.blocks:
            x = block(x)

        def head_fn(h):
            return self.head(F.relu(h))
        if self.training:
            return checkpoint(head_fn, x, use_reentrant=True)
        return head_fn(x)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((16, 10)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 5, 16))
    model = DeepNet()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    accumulation_steps = 4
    losses = []
    model.train()
    optimizer.zero_grad()
    for step in range(steps * accumulation_steps):
        i = step % 4
        xb, yb = X[4 * i:4 * i + 4], y[4 * i:4 * i + 4]
        loss = F.cross_entropy(model(xb), yb) / accumulation_steps
        loss.backward()
        losses.append(loss.item())
        if (step + 1) % accumulation_steps == 0:
            losses.append(model.stem[0].weight.grad.norm().item())
            optimizer.step()
            optimizer.zero_grad()

    inp = X[:4].clone().requires_grad_(True)
    out = model(inp)
    out.sum().backward()
    losses.append(inp.grad.abs().sum().item())
    block = model.blocks[1]
    h = model.stem(X[:4]).detach().requires_grad_(True)
    g_h, g_w = torch.autograd.grad(block(h).pow(2).sum(), [h, block.block[0].weight])
    losses += [g_h.abs().sum().item(), g_w.abs().sum().item()]
    model.eval()
    with torch.no_grad():
        losses.append(F.cross_entropy(model(X), y).item())
    return {"losses": losses, "initial": initial}
