# Stands for: the fine-tuning recipes that mix optimizer parameter groups and learning-rate
# schedulers (the torch.optim documentation's per-parameter options and "How to adjust
# learning rate" section, and the usual "unfreeze the backbone later" transfer-learning
# scripts): a backbone frozen with requires_grad_(False) and a head trained alone, parameter
# groups with their own lr / weight_decay built from named_parameters (no decay on biases and
# norms), optimizer.add_param_group when the backbone is unfrozen, LinearLR warmup chained
# into CosineAnnealingLR by SequentialLR, ReduceLROnPlateau on a validation loss, OneCycleLR
# and CosineAnnealingWarmRestarts stepped per batch, LambdaLR with one lambda per group,
# scheduler and optimizer state_dicts saved and restored mid-run, and get_last_lr() logged.
import io

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.optim import lr_scheduler


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(6, 12), nn.LayerNorm(12), nn.ReLU(),
                                      nn.Linear(12, 12), nn.ReLU())
        self.head = nn.Linear(12, 3)

    def forward(self, x):
        return self.head(self.backbone(x))


def param_groups(module, lr, weight_decay):
    decay, no_decay = [], []
    for name, p in module.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if name.endswith("bias") or "1." in name else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay, "lr": lr},
            {"params": no_decay, "weight_decay": 0.0, "lr": lr}]


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((24, 6)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 3, 24))
    Xv, yv = X[:8] * 0.5, y[:8]
    model = Net()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    losses = []

    def train_epoch(optimizer, per_batch=None):
        model.train()
        for i in range(0, 24, 8):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X[i:i + 8]), y[i:i + 8])
            loss.backward()
            optimizer.step()
            if per_batch is not None:
                per_batch.step()
            losses.append(loss.item())

    def validate():
        model.eval()
        with torch.no_grad():
            return F.cross_entropy(model(Xv), yv).item()

    # stage 1: frozen backbone, the head's groups, warmup then cosine
    model.backbone.requires_grad_(False)
    optimizer = torch.optim.AdamW(param_groups(model.head, 1e-2, 0.05), lr=1e-2)
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=2)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=4, eta_min=1e-4)
    scheduler = lr_scheduler.SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[2])
    for epoch in range(steps + 1):
        train_epoch(optimizer)
        scheduler.step()
        losses.extend(scheduler.get_last_lr())
    assert all(p.grad is None for p in model.backbone.parameters())

    buffer = io.BytesIO()
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
               buffer)

    # stage 2: unfreeze the backbone as a new group with a smaller lr, plateau schedule
    model.backbone.requires_grad_(True)
    optimizer.add_param_group({"params": list(model.backbone.parameters()), "lr": 1e-3,
                               "weight_decay": 0.01})
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=0,
                                             threshold=1e-3)
    for epoch in range(steps + 1):
        train_epoch(optimizer)
        val = validate()
        plateau.step(val)
        losses.append(val)
        losses.extend(g["lr"] for g in optimizer.param_groups)

    # stage 3: per-batch schedules on a fresh SGD
    sgd = torch.optim.SGD([{"params": model.backbone.parameters()},
                           {"params": model.head.parameters(), "lr": 0.05}], lr=0.01,
                          momentum=0.9, nesterov=True)
    one_cycle = lr_scheduler.OneCycleLR(sgd, max_lr=[0.02, 0.1], total_steps=3 * (steps + 1))
    for epoch in range(steps + 1):
        train_epoch(sgd, per_batch=one_cycle)
        losses.extend(one_cycle.get_last_lr())
        losses.append(sgd.param_groups[1]["momentum"])
    restarts = lr_scheduler.CosineAnnealingWarmRestarts(sgd, T_0=2, T_mult=2, eta_min=1e-3)
    lambdas = [lambda e: 0.9 ** e, lambda e: 1.0 / (1 + e)]
    for epoch in range(steps):
        for i in range(3):
            restarts.step(epoch + i / 3)
            losses.extend(restarts.get_last_lr())
    lam = lr_scheduler.LambdaLR(sgd, lr_lambda=lambdas)
    for _ in range(steps):
        train_epoch(sgd)
        lam.step()
        losses.extend(lam.get_last_lr())

    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    head_opt = torch.optim.AdamW(param_groups(model.head, 1e-2, 0.05), lr=1e-2)
    head_opt.load_state_dict(saved["optimizer"])
    losses.extend(g["lr"] for g in head_opt.param_groups)
    losses.append(float(saved["scheduler"]["last_epoch"]))
    return {"losses": losses, "initial": initial}
