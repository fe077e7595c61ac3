# Stands for: the official PyTorch tutorial "Adversarial Example Generation" (FGSM): the
# LeNet-style MNIST classifier with dropout layers put in eval mode, the fgsm_attack that
# perturbs an image by epsilon * data_grad.sign() and clamps it to [0, 1], a test loop that
# sets data.requires_grad, reads data.grad.data after backward on nll_loss, re-classifies the
# perturbed image and collects examples with squeeze().detach().cpu().numpy(), over a list of
# epsilons. The pretrained weights are replaced by a couple of Adam steps on random images.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.conv2 = nn.Conv2d(4, 8, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(8 * 12 * 12, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def fgsm_attack(image, epsilon, data_grad):
    sign_data_grad = data_grad.sign()
    perturbed_image = image + epsilon * sign_data_grad
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    return perturbed_image


def denorm(batch, mean=[0.1307], std=[0.3081]):
    if isinstance(mean, list):
        mean = torch.tensor(mean).to(batch.device)
    if isinstance(std, list):
        std = torch.tensor(std).to(batch.device)
    return batch * std.view(1, -1, 1, 1) + mean.view(1, -1, 1, 1)


def test(model, device, test_loader, epsilon):
    correct = 0
    adv_examples = []
    total_loss = 0.0
    for data, target in test_loader:
        data, target = data.to(device), target.to(device)
        data.requires_grad = True
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]
        loss = F.nll_loss(output, target)
        model.zero_grad()
        loss.backward()
        data_grad = data.grad.data
        data_denorm = denorm(data)
        perturbed_data = fgsm_attack(data_denorm, epsilon, data_grad)
        perturbed_data_normalized = (perturbed_data - 0.1307) / 0.3081
        output = model(perturbed_data_normalized)
        total_loss += F.nll_loss(output, target).item()
        final_pred = output.max(1, keepdim=True)[1]
        if final_pred.item() == target.item():
            correct += 1
        if len(adv_examples) < 2:
            adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
            adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
    final_acc = correct / float(len(test_loader))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(test_loader)} = {final_acc}")
    return final_acc, adv_examples, total_loss / len(test_loader)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    device = torch.device("cpu")
    model = Net().to(device)
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    x = torch.tensor(((rng.random((4, 1, 28, 28)) - 0.1307) / 0.3081).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, 4))
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    model.train()
    torch.manual_seed(0)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        optimizer.step()
    model.eval()
    test_loader = DataLoader(TensorDataset(x[:2], y[:2]), batch_size=1, shuffle=False)
    for eps in [0, .1, .3]:
        acc, ex, loss = test(model, device, test_loader, eps)
        assert ex[0][2].shape == (28, 28)
        losses += [acc, loss]
    return {"losses": losses, "initial": initial}
