# Stands for: Dive into Deep Learning (PyTorch edition), the optimisation algorithms chapter:
# minibatch SGD, momentum, Adagrad, RMSProp, Adadelta and Adam written from scratch over a
# linear-regression model (state tensors from torch.zeros, updates under no_grad with
# p[:] -= ... and s[:] = ..., grad.data.zero_()), each followed by its concise version with
# torch.optim (SGD with momentum, Adagrad, RMSprop with alpha, Adadelta with rho, Adam), and a
# learning-rate scheduler section (a hand-written square-root schedule assigned to
# param_group['lr'], MultiStepLR and a cosine schedule with warmup). The airfoil data set is
# replaced by random features.
import math

import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.optim import lr_scheduler


def sgd(params, states, hyperparams):
    for p in params:
        p.data.sub_(hyperparams['lr'] * p.grad)
        p.grad.data.zero_()


def init_momentum_states(feature_dim):
    v_w = torch.zeros((feature_dim, 1))
    v_b = torch.zeros(1)
    return (v_w, v_b)


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = hyperparams['momentum'] * v + p.grad
            p[:] -= hyperparams['lr'] * v
        p.grad.data.zero_()


def init_adagrad_states(feature_dim):
    s_w = torch.zeros((feature_dim, 1))
    s_b = torch.zeros(1)
    return (s_w, s_b)


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] += torch.square(p.grad)
            p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_rmsprop_states(feature_dim):
    s_w = torch.zeros((feature_dim, 1))
    s_b = torch.zeros(1)
    return (s_w, s_b)


def rmsprop(params, states, hyperparams):
    gamma, eps = hyperparams['gamma'], 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
            p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_adadelta_states(feature_dim):
    s_w, s_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    delta_w, delta_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    return ((s_w, delta_w), (s_b, delta_b))


def adadelta(params, states, hyperparams):
    rho, eps = hyperparams['rho'], 1e-5
    for p, (s, delta) in zip(params, states):
        with torch.no_grad():
            # In-place updates via [:]
            s[:] = rho * s + (1 - rho) * torch.square(p.grad)
            g = (torch.sqrt(delta + eps) / torch.sqrt(s + eps)) * p.grad
            p[:] -= g
            delta[:] = rho * delta + (1 - rho) * g * g
        p.grad.data.zero_()


def init_adam_states(feature_dim):
    v_w, v_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    s_w, s_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    return ((v_w, s_w), (v_b, s_b))


def adam(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        with torch.no_grad():
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            v_bias_corr = v / (1 - beta1 ** hyperparams['t'])
            s_bias_corr = s / (1 - beta2 ** hyperparams['t'])
            p[:] -= hyperparams['lr'] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
        p.grad.data.zero_()
    hyperparams['t'] += 1


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim, w0, losses):
    # Initialization
    w = torch.tensor(w0, requires_grad=True)
    b = torch.zeros((1), requires_grad=True)
    net, loss = lambda X: linreg(X, w, b), squared_loss
    for X, y in data_iter:
        l = loss(net(X), y).mean()
        l.backward()
        trainer_fn([w, b], states, hyperparams)
        losses.append(l.item())


def init_weights(module):
    if type(module) == nn.Linear:
        torch.nn.init.normal_(module.weight, std=0.01)


def train_concise_ch11(trainer_fn, hyperparams, data_iter, state, losses, scheduler=None):
    net = nn.Sequential(nn.Linear(5, 1))
    net.load_state_dict(state)
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    loss = nn.MSELoss(reduction='none')
    for X, y in data_iter:
        optimizer.zero_grad()
        out = net(X)
        y = y.reshape(out.shape)
        l = loss(out, y)
        l.mean().backward()
        optimizer.step()
        if scheduler is not None:
            scheduler(optimizer)
        losses.append(l.mean().item() / 2)


class SquareRootScheduler:
    def __init__(self, lr=0.1):
        self.lr = lr
        self.num_update = 0

    def __call__(self, optimizer):
        self.num_update += 1
        for param_group in optimizer.param_groups:
            param_group['lr'] = self.lr * pow(self.num_update + 1.0, -0.5)


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = warmup_begin_lr
        self.max_steps = self.max_update - self.warmup_steps

    def get_warmup_lr(self, epoch):
        increase = (self.base_lr_orig - self.warmup_begin_lr) \
            * float(epoch) / float(self.warmup_steps)
        return self.warmup_begin_lr + increase

    def __call__(self, epoch):
        if epoch < self.warmup_steps:
            return self.get_warmup_lr(epoch)
        if epoch <= self.max_update:
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * (
                1 + math.cos(math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2
        return self.base_lr


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    features = torch.tensor(rng.standard_normal((10 * steps, 5)).astype(np.float32))
    labels = features @ torch.tensor([[1.0], [-2.0], [0.5], [3.0], [0.0]]) + 0.3
    batches = [(features[i:i + 10], labels[i:i + 10, 0]) for i in range(0, len(features), 10)]
    w0 = rng.normal(0, 0.01, (5, 1)).astype(np.float32)
    losses = []
    runs = [
        (sgd, None, {'lr': 0.1}),
        (sgd_momentum, init_momentum_states(5), {'lr': 0.05, 'momentum': 0.5}),
        (adagrad, init_adagrad_states(5), {'lr': 0.1}),
        (rmsprop, init_rmsprop_states(5), {'lr': 0.01, 'gamma': 0.9}),
        (adadelta, init_adadelta_states(5), {'rho': 0.9}),
        (adam, init_adam_states(5), {'lr': 0.01, 't': 1}),
    ]
    for fn, states, hyperparams in runs:
        train_ch11(fn, states, hyperparams, batches * 2, 5, w0, losses)

    net = nn.Sequential(nn.Linear(5, 1))
    net.apply(init_weights)
    if state is not None:
        net.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    state = net.state_dict()
    initial = {k: v.detach().numpy().copy() for k, v in state.items()}
    concise = [
        (torch.optim.SGD, {'lr': 0.05, 'momentum': 0.5}),
        (torch.optim.Adagrad, {'lr': 0.1}),
        (torch.optim.RMSprop, {'lr': 0.01, 'alpha': 0.9}),
        (torch.optim.Adadelta, {'rho': 0.9}),
        (torch.optim.Adam, {'lr': 0.01}),
    ]
    for trainer, hyperparams in concise:
        train_concise_ch11(trainer, hyperparams, batches * 2, state, losses)
    train_concise_ch11(torch.optim.SGD, {'lr': 0.1}, batches * 2, state, losses,
                       scheduler=SquareRootScheduler(lr=0.1))

    net = nn.Sequential(nn.Linear(5, 1))
    net.load_state_dict(state)
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    schedulers = [lr_scheduler.MultiStepLR(trainer, milestones=[2, 3], gamma=0.5)]
    cosine = CosineScheduler(max_update=4, base_lr=0.3, final_lr=0.01, warmup_steps=1)
    for epoch in range(4):
        for X, y in batches:
            trainer.zero_grad()
            l = nn.functional.mse_loss(net(X), y.reshape(-1, 1))
            l.backward()
            trainer.step()
            losses.append(l.item())
        schedulers[0].step()
        losses.append(trainer.param_groups[0]['lr'] + cosine(epoch))
    return {"losses": losses, "initial": initial}
