"""Fit a two-layer network to y = sin(x) with nothing but Tensors and autograd.

Run: python examples/fit_curve.py
"""
import math

import numpy as np

import minigrad


def main(steps=400, lr=0.05):
    minigrad.manual_seed(0)
    x = minigrad.linspace(-math.pi, math.pi, 128).reshape(-1, 1)
    y = minigrad.tensor(np.sin(x.numpy()))
    w1 = (minigrad.randn(1, 32) * 0.5).requires_grad_()
    b1 = minigrad.zeros(32, requires_grad=True)
    w2 = (minigrad.randn(32, 1) * 0.2).requires_grad_()
    b2 = minigrad.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    for step in range(steps + 1):
        prediction = (x @ w1 + b1).tanh() @ w2 + b2
        loss = ((prediction - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with minigrad.no_grad():
            for p in params:
                p -= lr * p.grad
        if step % 100 == 0:
            print(f"step {step:4d}  loss {loss.item():.5f}")
    return loss.item()


if __name__ == "__main__":
    main()
