"""Checks shared by the layer and functional tests: run a minigrad function and its PyTorch
counterpart on the same values and compare outputs and the gradients of every input."""
import numpy as np
import pytest

import minigrad


def torch_twin(x, torch):
    """A torch leaf with the values and dtype of minigrad tensor `x` (grad when x has one)."""
    t = torch.tensor(x.numpy())
    return t.requires_grad_(True) if x.requires_grad else t


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def assert_matches_torch(fn, torch_fn, inputs, rtol=1e-6, atol=1e-6, grad_rtol=None,
                         grad_atol=None):
    """fn(*inputs) equals torch_fn(*twins) in values, and so do the gradients of every input
    that requires grad, for the same random weighting of the outputs. Non-tensor inputs are
    passed to both unchanged. Returns the torch module."""
    torch = pytest.importorskip("torch")
    twins = [torch_twin(x, torch) if isinstance(x, minigrad.Tensor) else x for x in inputs]
    outs, expected = _as_list(fn(*inputs)), _as_list(torch_fn(*twins))
    assert len(outs) == len(expected)
    rng = np.random.default_rng(7)
    total, total_t = 0, 0
    for out, exp in zip(outs, expected):
        if out is None:
            assert exp is None
            continue
        assert tuple(out.shape) == tuple(exp.shape), (tuple(out.shape), tuple(exp.shape))
        np.testing.assert_allclose(out.numpy(), exp.detach().numpy(), rtol=rtol, atol=atol)
        if out.requires_grad:
            w = rng.standard_normal(tuple(out.shape))
            total = total + (out * minigrad.tensor(w, dtype=out.dtype, device=out.device)).sum()
            total_t = total_t + (exp * torch.tensor(w, dtype=exp.dtype)).sum()
    leaves = [(x, t) for x, t in zip(inputs, twins)
              if isinstance(x, minigrad.Tensor) and x.requires_grad]
    if leaves and not isinstance(total, int):
        grads = minigrad.grad(total, [x for x, _ in leaves], allow_unused=True)
        grads_t = torch.autograd.grad(total_t, [t for _, t in leaves], allow_unused=True)
        for g, gt in zip(grads, grads_t):
            if gt is None:
                assert g is None or not np.any(g.numpy())
                continue
            np.testing.assert_allclose(g.numpy(), gt.numpy(), rtol=grad_rtol or 10 * rtol,
                                       atol=grad_atol or 10 * atol)
    return torch


def finite_differences_add_coverage(device):
    """Whether a gradcheck / gradgradcheck after `assert_matches_torch` says something new on
    `device`. On the cpu it checks the backward formulas against finite differences; on another
    device the formulas are the same Tensor ops, and `assert_matches_torch` has compared the
    gradients computed there with torch's already (in the cuda simulator, the finite
    differences would take minutes)."""
    return device == "cpu"
