# Stands for: the official PyTorch tutorial "PyTorch: Defining New autograd Functions"
# (learning PyTorch with examples): y = a + b * P3(c + d x) fitted to sin(x) with a custom
# autograd.Function for the Legendre polynomial P3 (save_for_backward, saved_tensors),
# scalar parameters made with torch.full(..., requires_grad=True), manual gradient descent
# under no_grad, and .grad reset to None. Fewer points and iterations.
import math

import minigrad as torch


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = (5x^3 - 3x) / 2, with its derivative 3/2 (5x^2 - 1) written by hand."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def main(steps=2, state=None):
    dtype = torch.float
    device = torch.device("cpu")

    x = torch.linspace(-math.pi, math.pi, 200, device=device, dtype=dtype)
    y = torch.sin(x)

    # The starting point must be close enough to the solution for convergence.
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

    learning_rate = 5e-5
    losses = []
    for t in range(10 * steps):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)

        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        if t % 5 == 4:
            print(t, loss.item())

        loss.backward()

        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad

            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None

    print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')
    return {"losses": losses, "initial": {}}
