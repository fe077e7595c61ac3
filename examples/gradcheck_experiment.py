"""Write your own differentiable op, and let gradcheck and gradgradcheck prove it right.

    python examples/gradcheck_experiment.py

The op is swish(x) = x * sigmoid(x), whose derivative needs the product rule:

    swish'(x) = s + x * s * (1 - s) = s * (1 + x * (1 - s)),   s = sigmoid(x)

`minigrad.gradcheck` compares the backward pass with central differences
(f(x + eps) - f(x - eps)) / 2 eps, element by element, in float64. `gradgradcheck` does the
same for the gradient itself, which catches a backward that is right but not differentiable.
Two broken versions show what each checker reports.
"""
import numpy as np

import minigrad
from minigrad.autograd import Function, GradcheckError


class Swish(Function):
    """x * sigmoid(x), with a backward written in Tensor ops (so it is differentiable too)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad_output * s * (1 + x * (1 - s))


class SwishWithoutProductRule(Swish):
    """Wrong: differentiates x * sigmoid(x) as if x were a constant factor."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x * x.sigmoid() * (1 - x.sigmoid())


class SwishNumpyBackward(Swish):
    """Right first derivative, computed in numpy: autograd cannot see through it, so the
    gradient looks constant in x and second derivatives come out wrong."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        values = x.numpy()
        s = 1 / (1 + np.exp(-values))
        return grad_output * minigrad.tensor(s * (1 + values * (1 - s)), dtype=x.dtype)


def check(name, checker, op, x):
    """Run `checker` on `op` at `x`; print and return the outcome ("passed" or the error)."""
    try:
        checker(op.apply, (x,))
    except GradcheckError as err:
        print(f"{name}: FAILED, as it should\n    {err}")
        return str(err)
    print(f"{name}: passed")
    return "passed"


def main():
    """Check the three versions; returns {check name: "passed" or the checker's message}."""
    minigrad.manual_seed(0)
    # float64: central differences in float32 are mostly rounding noise
    x = minigrad.randn(3, 4, dtype=minigrad.float64, requires_grad=True)
    results = {
        "gradcheck(Swish)": check("gradcheck(Swish)", minigrad.gradcheck, Swish, x),
        "gradgradcheck(Swish)": check("gradgradcheck(Swish)", minigrad.gradgradcheck, Swish, x),
        "gradcheck(SwishWithoutProductRule)": check(
            "gradcheck(SwishWithoutProductRule)", minigrad.gradcheck, SwishWithoutProductRule,
            x),
        "gradcheck(SwishNumpyBackward)": check(
            "gradcheck(SwishNumpyBackward)", minigrad.gradcheck, SwishNumpyBackward, x),
        "gradgradcheck(SwishNumpyBackward)": check(
            "gradgradcheck(SwishNumpyBackward)", minigrad.gradgradcheck, SwishNumpyBackward, x),
    }
    return results


if __name__ == "__main__":
    main()
