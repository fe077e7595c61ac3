# Stands for: the official PyTorch tutorial "Pruning Tutorial": a LeNet whose conv1 is
# inspected (named_parameters, named_buffers, _forward_pre_hooks), pruned with
# random_unstructured on the weight and l1_unstructured on the bias, iteratively with
# ln_structured (the PruningContainer history in the hooks), serialised through its
# state_dict, made permanent with prune.remove; pruning many parameters of a model by looping
# over named_modules with isinstance; global_unstructured over a parameters tuple with the
# sparsity printed per layer and globally; and a custom method (FooBarPruningMethod, every
# other entry) with its foobar_unstructured function. Then the pruned model is fine-tuned a
# few steps (the pruned weights stay zero). Data are random.
import io

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.nn.utils.prune as prune


class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 5 * 5, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, int(x.nelement() / x.shape[0]))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


class FooBarPruningMethod(prune.BasePruningMethod):
    """Prune every other entry in a tensor"""
    PRUNING_TYPE = 'unstructured'

    def compute_mask(self, t, default_mask):
        mask = default_mask.clone()
        mask.view(-1)[::2] = 0
        return mask


def foobar_unstructured(module, name):
    FooBarPruningMethod.apply(module, name)
    return module


def sparsity(t):
    return 100. * float(torch.sum(t == 0)) / float(t.nelement())


def main(steps=2, state=None):
    model = LeNet()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    losses = []

    module = model.conv1
    print(list(module.named_parameters()))
    print(list(module.named_buffers()))
    prune.random_unstructured(module, name="weight", amount=0.3)
    print(list(module.named_parameters()))
    print(list(module.named_buffers()))
    print(module.weight)
    print(module._forward_pre_hooks)
    prune.l1_unstructured(module, name="bias", amount=3)
    print(module.bias)
    losses.append(float(torch.sum(module.weight == 0)))
    losses.append(module.bias.detach().abs().sum().item())

    prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
    for hook in module._forward_pre_hooks.values():
        if hook._tensor_name == "weight":
            break
    print(list(hook))
    losses.append(float(len(list(hook))))
    print(model.state_dict().keys())
    losses.append(float(len(model.state_dict())))

    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    prune.remove(module, 'weight')
    print(list(module.named_parameters()))
    losses.append(float((module.weight.sum(dim=(1, 2, 3)) == 0).sum()))

    new_model = LeNet()
    new_model.load_state_dict({k: torch.tensor(v) for k, v in initial.items()})
    for name, module in new_model.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            prune.l1_unstructured(module, name='weight', amount=0.2)
        elif isinstance(module, torch.nn.Linear):
            prune.l1_unstructured(module, name='weight', amount=0.4)
    print(dict(new_model.named_buffers()).keys())

    model = LeNet()
    model.load_state_dict({k: torch.tensor(v) for k, v in initial.items()})
    parameters_to_prune = (
        (model.conv1, 'weight'),
        (model.conv2, 'weight'),
        (model.fc1, 'weight'),
        (model.fc2, 'weight'),
        (model.fc3, 'weight'),
    )
    prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured,
                              amount=0.2)
    for name in ['conv1', 'conv2', 'fc1', 'fc2', 'fc3']:
        s = sparsity(getattr(model, name).weight)
        print(f"Sparsity in {name}.weight: {s:.2f}%")
        losses.append(s)
    total = sum(torch.sum(getattr(model, n).weight == 0) for n in ['conv1', 'conv2', 'fc1',
                                                                     'fc2', 'fc3'])
    count = sum(getattr(model, n).weight.nelement() for n in ['conv1', 'conv2', 'fc1', 'fc2',
                                                                'fc3'])
    print("Global sparsity: {:.2f}%".format(100. * float(total) / float(count)))

    foobar_unstructured(model.fc3, name='bias')
    print(model.fc3.bias_mask)
    losses.append(model.fc3.bias_mask.sum().item())

    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((4, 1, 28, 28)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    losses.append(sparsity(model.fc1.weight))
    for module, name in parameters_to_prune:
        prune.remove(module, name)
    losses.append(sparsity(model.fc1.weight))
    buffer.seek(0)
    saved = torch.load(buffer)
    losses.append(float(len(saved)))
    return {"losses": losses, "initial": initial}
