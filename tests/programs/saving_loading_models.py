# Stands for: the official PyTorch recipes "Saving and Loading Models" and "Saving and loading
# a general checkpoint": printing the model's and the optimizer's state_dict, saving and
# loading the state_dict for inference (weights_only=True, model.eval()), a general checkpoint
# dict with epoch, model and optimizer state and loss resumed into fresh objects, several
# models in one file, warm-starting a different model with load_state_dict(strict=False), and
# map_location. Training data are random.
import os
import tempfile

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim


class TheModelClass(nn.Module):
    def __init__(self):
        super(TheModelClass, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


class WiderHead(nn.Module):
    """A second model sharing the convolutions' names, for warm-starting."""

    def __init__(self):
        super(WiderHead, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.head = nn.Linear(16 * 5 * 5, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.head(torch.flatten(x, 1))


def train_steps(model, optimizer, X, y, n, losses):
    criterion = nn.CrossEntropyLoss()
    for _ in range(n):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return loss


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((4, 3, 32, 32)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, 4))
    model = TheModelClass()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

    print("Model's state_dict:")
    for param_tensor in model.state_dict():
        print(param_tensor, "\t", model.state_dict()[param_tensor].size())
    losses = []
    loss = train_steps(model, optimizer, X, y, steps, losses)
    print("Optimizer's state_dict:")
    for var_name in optimizer.state_dict():
        print(var_name, "\t", optimizer.state_dict()[var_name])

    with tempfile.TemporaryDirectory() as tmp:
        PATH = os.path.join(tmp, "model_weights.pth")
        torch.save(model.state_dict(), PATH)
        model2 = TheModelClass()
        model2.load_state_dict(torch.load(PATH, weights_only=True))
        model2.eval()
        with torch.no_grad():
            losses.append(F.cross_entropy(model2(X), y).item())

        CKPT = os.path.join(tmp, "checkpoint.tar")
        torch.save({
            'epoch': steps,
            'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(),
            'loss': loss,
        }, CKPT)
        model3 = TheModelClass()
        optimizer3 = optim.SGD(model3.parameters(), lr=0.5, momentum=0.1)
        checkpoint = torch.load(CKPT, weights_only=True)
        model3.load_state_dict(checkpoint['model_state_dict'])
        optimizer3.load_state_dict(checkpoint['optimizer_state_dict'])
        epoch = checkpoint['epoch']
        loss = checkpoint['loss']
        print('resuming after epoch', epoch, 'with loss', float(loss))
        assert optimizer3.param_groups[0]['lr'] == 0.001
        model3.train()
        train_steps(model3, optimizer3, X, y, 1, losses)
        train_steps(model, optimizer, X, y, 1, losses)

        BOTH = os.path.join(tmp, "both.tar")
        torch.save({'modelA_state_dict': model.state_dict(),
                    'modelB_state_dict': model3.state_dict(),
                    'optimizerA_state_dict': optimizer.state_dict(),
                    'optimizerB_state_dict': optimizer3.state_dict()}, BOTH)
        both = torch.load(BOTH, weights_only=True, map_location=torch.device('cpu'))
        modelA = TheModelClass()
        modelA.load_state_dict(both['modelA_state_dict'])
        modelA.eval()
        with torch.no_grad():
            losses.append(F.cross_entropy(modelA(X), y).item())

        WARM = os.path.join(tmp, "warm.pth")
        torch.save(model.state_dict(), WARM)
        modelB = WiderHead()
        result = modelB.load_state_dict(torch.load(WARM, weights_only=True), strict=False)
        print(result.missing_keys, result.unexpected_keys)
        assert sorted(result.missing_keys) == ['head.bias', 'head.weight']
        assert torch.equal(modelB.conv1.weight, model.conv1.weight)
    return {"losses": losses, "initial": initial}
