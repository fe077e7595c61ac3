# Stands for: the official PyTorch tutorial "Knowledge Distillation Tutorial": a deep teacher
# CNN and a light student, the teacher trained with cross-entropy and then frozen in eval mode
# under no_grad; the student trained on soft targets (softmax of the teacher's logits over a
# temperature T against the student's log_softmax, scaled by T**2) plus the hard-label loss;
# CosineEmbeddingLoss between flattened hidden representations with the teacher's pooled by
# F.avg_pool1d to the student's width (target torch.ones); and a regressor Conv2d matching
# the student's feature map to the teacher's with MSELoss; test accuracy with
# torch.max(outputs.data, 1) and (predicted == labels).sum().item(). CIFAR-10 is replaced by
# random 3x16x16 images.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim


class DeepNN(nn.Module):
    def __init__(self, num_classes=10):
        super(DeepNN, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(8, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(128, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, num_classes))

    def forward(self, x, return_hidden=False):
        x = self.features(x)
        conv_feature_map = x
        x = torch.flatten(x, 1)
        hidden = x
        x = self.classifier(x)
        if return_hidden:
            return x, hidden, conv_feature_map
        return x


class LightNN(nn.Module):
    def __init__(self, num_classes=10):
        super(LightNN, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(4, 4, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(64, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, num_classes))
        self.regressor = nn.Sequential(nn.Conv2d(4, 8, kernel_size=3, padding=1))

    def forward(self, x, return_hidden=False):
        x = self.features(x)
        conv_feature_map = self.regressor(x)
        x = torch.flatten(x, 1)
        hidden = x
        x = self.classifier(x)
        if return_hidden:
            return x, hidden, conv_feature_map
        return x


def train_teacher(model, batches, epochs, learning_rate, losses):
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=learning_rate)
    model.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in batches:
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss / len(batches))


def train_knowledge_distillation(teacher, student, batches, epochs, learning_rate, T,
                                 soft_target_loss_weight, ce_loss_weight, losses):
    ce_loss = nn.CrossEntropyLoss()
    cosine_loss = nn.CosineEmbeddingLoss()
    mse_loss = nn.MSELoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.eval()
    student.train()
    for epoch in range(epochs):
        for inputs, labels in batches:
            optimizer.zero_grad()
            with torch.no_grad():
                teacher_logits, teacher_hidden, teacher_map = teacher(inputs, return_hidden=True)
            student_logits, student_hidden, student_map = student(inputs, return_hidden=True)
            soft_targets = nn.functional.softmax(teacher_logits / T, dim=-1)
            soft_prob = nn.functional.log_softmax(student_logits / T, dim=-1)
            soft_targets_loss = torch.sum(soft_targets * (soft_targets.log() - soft_prob)) \
                / soft_prob.size()[0] * (T ** 2)
            label_loss = ce_loss(student_logits, labels)
            teacher_pooled = F.avg_pool1d(teacher_hidden.unsqueeze(1), 2).squeeze(1)
            hidden_rep_loss = cosine_loss(student_hidden, teacher_pooled,
                                          target=torch.ones(inputs.size(0)))
            map_loss = mse_loss(student_map, teacher_map)
            loss = (soft_target_loss_weight * soft_targets_loss + ce_loss_weight * label_loss
                    + 0.25 * hidden_rep_loss + 0.25 * map_loss)
            loss.backward()
            optimizer.step()
            losses += [soft_targets_loss.item(), hidden_rep_loss.item(), map_loss.item()]


def test(model, batches):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in batches:
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return 100 * correct / total


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    batches = [(torch.tensor(rng.standard_normal((4, 3, 16, 16)).astype(np.float32)),
                torch.tensor(rng.integers(0, 10, 4))) for _ in range(2)]
    teacher, student = DeepNN(), LightNN()
    if state is not None:
        teacher.load_state_dict({k: torch.tensor(v) for k, v in state["teacher"].items()})
        student.load_state_dict({k: torch.tensor(v) for k, v in state["student"].items()})
    initial = {"teacher": {k: v.detach().numpy().copy()
                           for k, v in teacher.state_dict().items()},
               "student": {k: v.detach().numpy().copy()
                           for k, v in student.state_dict().items()}}
    total_params_deep = "{:,}".format(sum(p.numel() for p in teacher.parameters()))
    total_params_light = "{:,}".format(sum(p.numel() for p in student.parameters()))
    print(f"DeepNN parameters: {total_params_deep}, LightNN parameters: {total_params_light}")
    losses = []
    # dropout is part of the models: train with it off so both libraries take the same path
    for model in (teacher, student):
        for m in model.modules():
            if isinstance(m, nn.Dropout):
                m.p = 0.0
    train_teacher(teacher, batches, epochs=steps, learning_rate=1e-3, losses=losses)
    losses.append(test(teacher, batches))
    train_knowledge_distillation(teacher, student, batches, epochs=steps, learning_rate=1e-3,
                                 T=2, soft_target_loss_weight=0.25, ce_loss_weight=0.75,
                                 losses=losses)
    losses.append(test(student, batches))
    return {"losses": losses, "initial": initial}
