# Stands for: the physics-informed neural network (PINN) scripts for Burgers' equation
# (Raissi et al. and the many PyTorch re-implementations): an MLP u(t, x) with tanh built
# from an OrderedDict of layers in nn.Sequential, collocation points with requires_grad=True
# split by column, u_t, u_x and u_xx from torch.autograd.grad(u, x,
# grad_outputs=torch.ones_like(u), retain_graph=True, create_graph=True), the PDE residual
# u_t + u u_x - nu u_xx plus initial/boundary MSE terms, trained with Adam and then LBFGS
# with strong-Wolfe line search through a closure. Fewer points and iterations.
import math
from collections import OrderedDict

import numpy as np

import minigrad as torch


class DNN(torch.nn.Module):
    def __init__(self, layers):
        super(DNN, self).__init__()
        self.depth = len(layers) - 1
        self.activation = torch.nn.Tanh
        layer_list = list()
        for i in range(self.depth - 1):
            layer_list.append(('layer_%d' % i, torch.nn.Linear(layers[i], layers[i + 1])))
            layer_list.append(('activation_%d' % i, self.activation()))
        layer_list.append(('layer_%d' % (self.depth - 1),
                           torch.nn.Linear(layers[-2], layers[-1])))
        layerDict = OrderedDict(layer_list)
        self.layers = torch.nn.Sequential(layerDict)

    def forward(self, x):
        return self.layers(x)


class PhysicsInformedNN():
    def __init__(self, X_u, u, X_f, layers, nu, state):
        self.x_u = torch.tensor(X_u[:, 0:1], requires_grad=True).float()
        self.t_u = torch.tensor(X_u[:, 1:2], requires_grad=True).float()
        self.x_f = torch.tensor(X_f[:, 0:1], requires_grad=True).float()
        self.t_f = torch.tensor(X_f[:, 1:2], requires_grad=True).float()
        self.u = torch.tensor(u).float()
        self.nu = nu
        self.dnn = DNN(layers)
        if state is not None:
            self.dnn.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        self.initial = {k: v.detach().numpy().copy() for k, v in self.dnn.state_dict().items()}
        self.losses = []

    def net_u(self, x, t):
        return self.dnn(torch.cat([x, t], dim=1))

    def net_f(self, x, t):
        u = self.net_u(x, t)
        u_t = torch.autograd.grad(u, t, grad_outputs=torch.ones_like(u),
                                  retain_graph=True, create_graph=True)[0]
        u_x = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u),
                                  retain_graph=True, create_graph=True)[0]
        u_xx = torch.autograd.grad(u_x, x, grad_outputs=torch.ones_like(u_x),
                                   retain_graph=True, create_graph=True)[0]
        return u_t + u * u_x - self.nu * u_xx

    def loss_func(self):
        u_pred = self.net_u(self.x_u, self.t_u)
        f_pred = self.net_f(self.x_f, self.t_f)
        loss_u = torch.mean((self.u - u_pred) ** 2)
        loss_f = torch.mean(f_pred ** 2)
        return loss_u + loss_f

    def train(self, adam_iters, lbfgs_iters):
        self.dnn.train()
        adam = torch.optim.Adam(self.dnn.parameters(), lr=1e-3)
        for _ in range(adam_iters):
            adam.zero_grad()
            loss = self.loss_func()
            loss.backward()
            adam.step()
            self.losses.append(loss.item())
        lbfgs = torch.optim.LBFGS(self.dnn.parameters(), lr=1.0, max_iter=lbfgs_iters,
                                  history_size=10, tolerance_grad=1e-5,
                                  tolerance_change=1.0 * np.finfo(float).eps,
                                  line_search_fn="strong_wolfe")

        def closure():
            lbfgs.zero_grad()
            loss = self.loss_func()
            loss.backward()
            self.losses.append(loss.item())
            return loss
        lbfgs.step(closure)

    def predict(self, X):
        x = torch.tensor(X[:, 0:1], requires_grad=True).float()
        t = torch.tensor(X[:, 1:2], requires_grad=True).float()
        self.dnn.eval()
        u = self.net_u(x, t)
        f = self.net_f(x, t)
        return u.detach().cpu().numpy(), f.detach().cpu().numpy()


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    nu = 0.01 / math.pi
    x0 = rng.uniform(-1, 1, (10, 1))
    X_ic = np.hstack([x0, np.zeros_like(x0)])
    u_ic = -np.sin(math.pi * x0)
    t_b = rng.uniform(0, 1, (5, 1))
    X_bc = np.vstack([np.hstack([-np.ones_like(t_b), t_b]), np.hstack([np.ones_like(t_b), t_b])])
    X_u = np.vstack([X_ic, X_bc])
    u = np.vstack([u_ic, np.zeros((10, 1))])
    X_f = np.hstack([rng.uniform(-1, 1, (30, 1)), rng.uniform(0, 1, (30, 1))])
    model = PhysicsInformedNN(X_u, u, X_f, [2, 16, 16, 1], nu, state)
    model.train(adam_iters=2 * steps, lbfgs_iters=3)
    u_pred, f_pred = model.predict(X_f[:5])
    print('u', u_pred.ravel(), 'residual', np.abs(f_pred).mean())
    return {"losses": model.losses, "initial": model.initial}
