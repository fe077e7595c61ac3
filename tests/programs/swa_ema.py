# Stands for: the "Weight Averaging (SWA and EMA)" section of PyTorch's optim documentation
# and the PyTorch blog post introducing Stochastic Weight Averaging: a model with BatchNorm
# trained with SGD under CosineAnnealingLR, then from swa_start an AveragedModel collecting
# the weights with update_parameters each epoch while SWALR anneals the lr (cosine and
# linear, per-group swa_lr), update_bn recomputing the averaged model's BatchNorm statistics
# from the loader, an EMA model built with multi_avg_fn=get_ema_multi_avg_fn(0.99) and
# use_buffers=True, a custom avg_fn, and evaluation of all three under no_grad.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.optim.lr_scheduler import CosineAnnealingLR
from minigrad.optim.swa_utils import (SWALR, AveragedModel, get_ema_multi_avg_fn,
                                      update_bn)
from minigrad.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        out = model(X)
        loss = F.cross_entropy(out, y).item()
        correct = (out.argmax(dim=1) == y).sum().item()
    return loss, correct


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((32, 8)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 3, 32))
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=False)

    model = Net()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = torch.optim.SGD([{'params': model.fc1.parameters()},
                                 {'params': list(model.bn.parameters())
                                  + list(model.fc2.parameters()), 'lr': 0.05}],
                                lr=0.1, momentum=0.9)
    swa_model = AveragedModel(model)
    ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.99), use_buffers=True)
    halfway = AveragedModel(model, avg_fn=lambda avg, cur, n: (avg + cur) / 2)
    scheduler = CosineAnnealingLR(optimizer, T_max=10)
    swa_start = steps
    swa_scheduler = SWALR(optimizer, swa_lr=[0.05, 0.02], anneal_epochs=2,
                          anneal_strategy="cos")
    loss_fn = nn.CrossEntropyLoss()

    losses = []
    for epoch in range(2 * steps + 1):
        model.train()
        for input, target in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(input), target)
            loss.backward()
            optimizer.step()
            ema_model.update_parameters(model)
            losses.append(loss.item())
        if epoch > swa_start:
            swa_model.update_parameters(model)
            halfway.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
        losses.extend(swa_scheduler.get_last_lr() if epoch > swa_start
                      else scheduler.get_last_lr())

    print('averaged', swa_model.n_averaged.item(), 'ema', ema_model.n_averaged.item())
    update_bn(loader, swa_model)
    for name, m in [('model', model), ('swa', swa_model), ('ema', ema_model),
                    ('halfway', halfway)]:
        loss, correct = evaluate(m, X, y)
        print(f'{name}: loss {loss:.4f} accuracy {correct}/{len(y)}')
        losses.append(loss)
    losses.append(swa_model.module.bn.running_var.sum().item())
    losses.append(float(swa_model.module.bn.num_batches_tracked.item()))

    lin = SWALR(torch.optim.SGD(Net().parameters(), lr=1.0), swa_lr=0.1, anneal_epochs=3,
                anneal_strategy="linear")
    for _ in range(4):
        lin.optimizer.step()
        lin.step()
        losses.append(lin.get_last_lr()[0])
    return {"losses": losses, "initial": initial}
