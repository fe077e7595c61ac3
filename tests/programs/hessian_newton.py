# Stands for: the second-order recipes written with torch.autograd.functional (the PyTorch
# forum and blog examples of Newton's method, Hessian-free optimisation and contractive
# autoencoders): logistic regression fitted by Newton steps whose gradient and Hessian come
# from jacobian() and hessian() of a closure over the data (solved with torch.linalg.solve),
# a Hessian-free step by conjugate gradients driven by hvp(), vjp/jvp checks of a layer, and a
# contractive autoencoder whose penalty is the Frobenius norm of jacobian(encoder, x,
# create_graph=True), trained with Adam. Data are random and small.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
from minigrad.autograd.functional import hessian, hvp, jacobian, jvp, vjp


def logistic_loss(w, X, y):
    logits = X @ w
    return nn.functional.binary_cross_entropy_with_logits(logits, y) + 0.01 * (w ** 2).sum()


def conjugate_gradient(Av, b, iters=5):
    x = torch.zeros_like(b)
    r = b.clone()
    p = r.clone()
    rs = r.dot(r)
    for _ in range(iters):
        Ap = Av(p)
        alpha = rs / p.dot(Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r.dot(r)
        p = r + (rs_new / rs) * p
        rs = rs_new
    return x


class ContractiveAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 3), nn.Sigmoid())
        self.decoder = nn.Linear(3, 6)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((40, 5)))
    y = torch.tensor((rng.uniform(size=40) > 0.5).astype(np.float64))
    losses = []

    w = torch.zeros(5, dtype=torch.float64)
    for _ in range(2 * steps):
        f = lambda w: logistic_loss(w, X, y)  # noqa: E731
        g = jacobian(f, w)
        H = hessian(f, w)
        w = w - torch.linalg.solve(H, g)
        losses.append(f(w).item())

    v = torch.zeros(5, dtype=torch.float64)
    f = lambda w: logistic_loss(w, X, y)  # noqa: E731
    g = jacobian(f, v)
    step = conjugate_gradient(lambda p: hvp(f, v, p)[1], g)
    losses.append(f(v - step).item())

    layer = nn.Linear(5, 3).double()
    if state is not None:
        layer.load_state_dict({k: torch.tensor(a) for k, a in state["layer"].items()})
    out, vj = vjp(lambda x: torch.tanh(layer(x)), X[:2], torch.ones(2, 3, dtype=torch.float64))
    _, jv = jvp(lambda x: torch.tanh(layer(x)), X[:2], torch.ones(2, 5, dtype=torch.float64))
    losses += [vj.sum().item(), jv.sum().item()]

    model = ContractiveAE()
    if state is not None:
        model.load_state_dict({k: torch.tensor(a) for k, a in state["ae"].items()})
    initial = {"layer": {k: t.detach().numpy().copy() for k, t in layer.state_dict().items()},
               "ae": {k: t.detach().numpy().copy() for k, t in model.state_dict().items()}}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    data = torch.tensor(rng.standard_normal((8, 6)).astype(np.float32))
    lam = 1e-2
    for _ in range(2 * steps):
        optimizer.zero_grad()
        recon = model(data)
        penalty = 0.0
        for x in data[:4]:
            J = jacobian(model.encoder, x, create_graph=True)
            penalty = penalty + J.pow(2).sum()
        loss = nn.functional.mse_loss(recon, data) + lam * penalty
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {"losses": losses, "initial": initial}
