# Stands for: the SimCLR re-implementations in PyTorch (sthalles/SimCLR's info_nce_loss and the
# UvA deep learning course's contrastive learning notebook): two augmented views per sample,
# an encoder with a projection head (Linear-BatchNorm1d-ReLU-Linear), F.normalize on the
# projections, the 2N x 2N cosine similarity matrix from torch.matmul, the self-similarity
# removed with a boolean torch.eye mask (and the fill_diagonal_ variant), positives picked
# with the labels matrix and masked views (similarity[~mask].view(n, -1)), logits divided by
# the temperature and CrossEntropyLoss against zero labels, the top-k accuracy helper of the
# ImageNet example (topk, t(), eq, expand_as, reshape(-1).float().sum(0, keepdim=True)),
# then a linear evaluation on the frozen encoder (requires_grad_(False), eval mode).
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


def accuracy(output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions for the specified values of k"""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


class SimCLRNet(nn.Module):
    def __init__(self, in_dim=12, hidden=16, out_dim=8):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(),
                                      nn.Linear(hidden, hidden), nn.ReLU())
        self.projection = nn.Sequential(nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden),
                                        nn.ReLU(), nn.Linear(hidden, out_dim))

    def forward(self, x):
        return self.projection(self.backbone(x))


def info_nce_loss(features, batch_size, n_views=2, temperature=0.5):
    labels = torch.cat([torch.arange(batch_size) for i in range(n_views)], dim=0)
    labels = (labels.unsqueeze(0) == labels.unsqueeze(1)).float()
    features = F.normalize(features, dim=1)
    similarity_matrix = torch.matmul(features, features.T)
    mask = torch.eye(labels.shape[0], dtype=torch.bool)
    labels = labels[~mask].view(labels.shape[0], -1)
    similarity_matrix = similarity_matrix[~mask].view(similarity_matrix.shape[0], -1)
    positives = similarity_matrix[labels.bool()].view(labels.shape[0], -1)
    negatives = similarity_matrix[~labels.bool()].view(similarity_matrix.shape[0], -1)
    logits = torch.cat([positives, negatives], dim=1)
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    logits = logits / temperature
    return logits, labels


def nt_xent(z_i, z_j, temperature=0.5):
    """The same loss written the other common way: -inf on the diagonal, positives by index."""
    z = F.normalize(torch.cat([z_i, z_j]), dim=1)
    n = z_i.shape[0]
    sim = z @ z.t() / temperature
    sim.fill_diagonal_(float('-inf'))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    base = rng.standard_normal((8, 12)).astype(np.float32)
    noise = rng.standard_normal((2 * steps, 2, 8, 12)).astype(np.float32)
    classes = torch.tensor(rng.integers(0, 4, 8))

    model = SimCLRNet()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), 3e-3, weight_decay=1e-4)
    criterion = torch.nn.CrossEntropyLoss()
    losses = []
    for step in range(2 * steps):
        view1 = torch.from_numpy(base + 0.8 * noise[step, 0])
        view2 = torch.from_numpy(base * 0.9 + 0.8 * noise[step, 1])
        images = torch.cat([view1, view2], dim=0)
        features = model(images)
        logits, labels = info_nce_loss(features, batch_size=8)
        loss = criterion(logits, labels)
        alt = nt_xent(features[:8], features[8:])
        optimizer.zero_grad()
        (loss + alt).backward()
        optimizer.step()
        top1, top5 = accuracy(logits, labels, topk=(1, 5))
        losses += [loss.item(), alt.item(), top1[0].item(), top5[0].item()]

    for p in model.backbone.parameters():
        p.requires_grad_(False)
    model.eval()
    classifier = nn.Linear(16, 4)
    with torch.no_grad():
        classifier.weight.copy_(torch.linspace(-0.2, 0.2, 64).view(4, 16))
        classifier.bias.zero_()
    opt = torch.optim.SGD(classifier.parameters(), lr=0.1)
    x = torch.from_numpy(base)
    for _ in range(steps):
        with torch.no_grad():
            h = model.backbone(x)
        out = classifier(h)
        loss = F.cross_entropy(out, classes)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert not any(p.requires_grad for p in model.backbone.parameters())
    return {"losses": losses, "initial": initial}
