# Stands for: the PyTorch examples repository's siamese network (siamese_network/main.py): a
# shared tower applied to both images of a pair (forward_once), the two embeddings concatenated
# and passed through a Linear head and a sigmoid, a Dataset that draws same-class and
# different-class pairs, BCELoss, Adadelta with StepLR, and a test pass that thresholds the
# output at 0.5. The resnet18 tower is replaced by a small CNN (a resnet18 with its first
# convolution swapped for a 1-channel one, as in the example, runs in the slow test of
# transfer learning); MNIST is replaced by random 28x28 images.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.optim as optim
from minigrad.optim.lr_scheduler import StepLR
from minigrad.utils.data import DataLoader, Dataset


class SiameseNetwork(nn.Module):
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.tower = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False),
            nn.BatchNorm2d(4), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
            nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((1, 1)))
        self.fc_in_features = 8
        self.fc = nn.Sequential(
            nn.Linear(self.fc_in_features * 2, 16),
            nn.ReLU(inplace=True),
            nn.Linear(16, 1),
        )
        self.sigmoid = nn.Sigmoid()
        self.tower.apply(self.init_weights)
        self.fc.apply(self.init_weights)

    def init_weights(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            m.bias.data.fill_(0.01)

    def forward_once(self, x):
        output = self.tower(x)
        output = output.view(output.size()[0], -1)
        return output

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        output = torch.cat((output1, output2), 1)
        output = self.fc(output)
        output = self.sigmoid(output)
        return output


class APP_MATCHER(Dataset):
    def __init__(self, images, labels, seed):
        super(APP_MATCHER, self).__init__()
        self.data = images.clone().float()
        self.targets = labels.clone()
        self.rng = np.random.default_rng(seed)
        self.group_examples()

    def group_examples(self):
        np_arr = np.array(self.targets.clone())
        self.grouped_examples = {}
        for i in range(0, 10):
            self.grouped_examples[i] = np.where((np_arr == i))[0]

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        classes = [c for c in range(10) if len(self.grouped_examples[c]) > 0]
        selected_class = int(self.rng.choice(classes))
        random_index_1 = self.rng.integers(0, self.grouped_examples[selected_class].shape[0])
        index_1 = self.grouped_examples[selected_class][random_index_1]
        image_1 = self.data[index_1].clone().float()
        if index % 2 == 0:
            random_index_2 = self.rng.integers(0, self.grouped_examples[selected_class].shape[0])
            index_2 = self.grouped_examples[selected_class][random_index_2]
            image_2 = self.data[index_2].clone().float()
            target = torch.tensor(1, dtype=torch.float)
        else:
            other_selected_class = int(self.rng.choice(
                [c for c in classes if c != selected_class]))
            random_index_2 = self.rng.integers(
                0, self.grouped_examples[other_selected_class].shape[0])
            index_2 = self.grouped_examples[other_selected_class][random_index_2]
            image_2 = self.data[index_2].clone().float()
            target = torch.tensor(0, dtype=torch.float)
        return image_1, image_2, target


def train(model, device, train_loader, optimizer, losses):
    model.train()
    criterion = nn.BCELoss()
    for batch_idx, (images_1, images_2, targets) in enumerate(train_loader):
        images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = model(images_1, images_2).squeeze()
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    criterion = nn.BCELoss()
    with torch.no_grad():
        for (images_1, images_2, targets) in test_loader:
            images_1, images_2, targets = images_1.to(device), images_2.to(device), \
                targets.to(device)
            outputs = model(images_1, images_2).squeeze()
            test_loss += criterion(outputs, targets).sum().item()
            pred = torch.where(outputs > 0.5, 1, 0)
            correct += pred.eq(targets.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))
    return test_loss


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    images = torch.tensor(rng.random((16, 1, 28, 28), dtype=np.float32))
    labels = torch.tensor(rng.integers(0, 3, 16))
    train_loader = DataLoader(APP_MATCHER(images[:4 * steps], labels[:4 * steps], 1),
                              batch_size=4)
    test_loader = DataLoader(APP_MATCHER(images[8:], labels[8:], 2), batch_size=4)
    device = torch.device("cpu")
    model = SiameseNetwork().to(device)
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    losses = []
    for epoch in range(1, 3):
        train(model, device, train_loader, optimizer, losses)
        losses.append(test(model, device, test_loader))
        scheduler.step()
    return {"losses": losses, "initial": initial}
