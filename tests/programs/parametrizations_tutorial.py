# Stands for: the official PyTorch tutorial "Parametrizations Tutorial": a Symmetric
# parametrization (triu plus its transpose) registered on a Linear weight with
# parametrize.register_parametrization (the layer becomes ParametrizedLinear, the original
# lives in parametrizations.weight.original), a Skew parametrization chained with the
# MatrixExponential to make an orthogonal weight (torch.linalg.matrix_exp) and the CayleyMap
# (torch.linalg.solve with a registered identity buffer), parametrize.cached() around a
# forward, right_inverse used when assigning layer.weight = X, a parametrized model trained
# for a few steps, remove_parametrizations with leave_parametrized=True and False, and the
# module form of weight normalisation (parametrizations.weight_norm). Data are random.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.utils.parametrize as parametrize
from minigrad.nn.utils.parametrizations import weight_norm


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        return A.triu()


class Skew(nn.Module):
    def forward(self, X):
        A = X.triu(1)
        return A - A.transpose(-1, -2)


class MatrixExponential(nn.Module):
    def forward(self, X):
        return torch.linalg.matrix_exp(X)


class CayleyMap(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("Id", torch.eye(n))

    def forward(self, X):
        # (I + X)(I - X)^{-1}
        return torch.linalg.solve(self.Id - X, self.Id + X)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.sym = nn.Linear(4, 4)
        self.orth = nn.Linear(4, 4)
        self.cayley = nn.Linear(4, 4)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        x = torch.tanh(self.sym(x))
        x = torch.tanh(self.orth(x))
        x = torch.tanh(self.cayley(x))
        return self.head(x)


def main(steps=2, state=None):
    model = Model()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    losses = []

    parametrize.register_parametrization(model.sym, "weight", Symmetric())
    A = model.sym.weight
    assert torch.allclose(A, A.T)
    print(model.sym)
    parametrize.register_parametrization(model.orth, "weight", Skew())
    parametrize.register_parametrization(model.orth, "weight", MatrixExponential())
    Q = model.orth.weight
    losses.append(float((Q.T @ Q - torch.eye(4)).abs().max().item() < 1e-5))
    parametrize.register_parametrization(model.cayley, "weight", Skew())
    parametrize.register_parametrization(model.cayley, "weight", CayleyMap(4))
    weight_norm(model.head, dim=0)
    print(sorted(model.state_dict().keys()))
    losses.append(float(len(model.state_dict())))

    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((8, 4)).astype(np.float32))
    y = torch.tensor(rng.standard_normal((8, 2)).astype(np.float32))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps + 1):
        optimizer.zero_grad()
        with parametrize.cached():
            loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    Q = model.orth.weight
    losses.append(float((Q.T @ Q - torch.eye(4)).abs().max().item() < 1e-4))

    X = torch.tensor(rng.uniform(size=(4, 4)).astype(np.float32))
    X = X + X.T
    with torch.no_grad():
        model.sym.weight = X
    losses.append((model.sym.parametrizations.weight.original - X.triu()).abs().max().item())
    parametrize.remove_parametrizations(model.orth, "weight", leave_parametrized=True)
    print(model.orth)
    losses.append(model.orth.weight.detach().abs().sum().item())
    parametrize.remove_parametrizations(model.cayley, "weight", leave_parametrized=False)
    losses.append(model.cayley.weight.detach().abs().sum().item())
    with torch.no_grad():
        losses.append(nn.functional.mse_loss(model(x), y).item())
    return {"losses": losses, "initial": initial}
