# Stands for: the official PyTorch tutorial "Automatic Differentiation with torch.autograd"
# (beginner basics): a one-layer network with binary_cross_entropy_with_logits, printing
# grad_fn, backward and .grad, requires_grad under no_grad and detach, and the
# vector-Jacobian product part (backward with a gradient argument, accumulation, zero_).
import numpy as np

import minigrad as torch


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    b = torch.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    if state is not None:
        w.data, b.data = torch.tensor(state["w"]), torch.tensor(state["b"])
    initial = {"w": w.detach().numpy().copy(), "b": b.detach().numpy().copy()}
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")

    loss.backward()
    print(w.grad)
    print(b.grad)
    values = [loss.item(), float(w.grad.sum()), float(b.grad.sum())]

    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)

    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)

    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    values.append(float(inp.grad.sum()))
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")
    values.append(float(inp.grad.sum()))
    return {"losses": values, "initial": initial}
