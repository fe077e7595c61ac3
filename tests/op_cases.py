"""Shared by the op-breadth tests: comparing a function on minigrad and on PyTorch tensors, the
elementwise cases (minigrad op, torch op, value ranges per input), and input strategies.

`same(fn)` for a case means the function is spelled the same in both libraries: it is called as
fn(lib, *tensors) with lib = minigrad or torch.
"""
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, broadcastable_shape_pairs, tensors

SMALL = dict(max_dims=3, max_side=4)
TINY = dict(max_dims=2, max_side=3)


def torch_copy(torch, t, requires_grad=None):
    """A torch tensor with the values of the minigrad tensor `t` (any device)."""
    rg = t.requires_grad if requires_grad is None else requires_grad
    # numpy() is a view with t's strides, which torch.tensor would keep: copy contiguously
    out = torch.tensor(t.detach().cpu().numpy().copy())
    return out.requires_grad_(rg and out.dtype.is_floating_point)


def _outputs(result):
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def _dtype_name(x):
    return str(x.dtype).replace("minigrad.", "").replace("torch.", "")


def compare_with_torch(torch, fn, inputs, rtol=1e-10, atol=1e-12, grads=True):
    """Run fn(lib, *inputs) with lib = minigrad (on `inputs`) and torch (on copies); outputs
    must agree in dtype, shape and values, and so must the gradients of every float input that
    requires grad (the outputs weighted by fixed random values)."""
    ours = [t.detach().requires_grad_(t.requires_grad) if isinstance(t, minigrad.Tensor) else t
            for t in inputs]
    theirs = [torch_copy(torch, t) if isinstance(t, minigrad.Tensor) else t for t in inputs]
    ours_out, theirs_out = _outputs(fn(minigrad, *ours)), _outputs(fn(torch, *theirs))
    assert len(ours_out) == len(theirs_out)
    for o, t in zip(ours_out, theirs_out):
        assert _dtype_name(o) == _dtype_name(t), (o.dtype, t.dtype)
        assert_close(o.cpu(), t, rtol=rtol, atol=atol)
    pairs = [(o, t) for o, t in zip(ours_out, theirs_out) if t.requires_grad]
    wrt = [i for i, t in enumerate(theirs) if getattr(t, "requires_grad", False)]
    if not grads or not pairs or not wrt:
        return
    assert all(o.requires_grad for o, _ in pairs)
    rng = np.random.default_rng(0)
    seeds = [rng.standard_normal(tuple(t.shape)) for _, t in pairs]
    device = pairs[0][0].device
    ours_grads = minigrad.grad([o for o, _ in pairs], [ours[i] for i in wrt],
                               [minigrad.tensor(s, dtype=o.dtype, device=device)
                                for s, (o, _) in zip(seeds, pairs)], allow_unused=True)
    theirs_grads = torch.autograd.grad([t for _, t in pairs], [theirs[i] for i in wrt],
                                       [torch.tensor(s, dtype=t.dtype)
                                        for s, (_, t) in zip(seeds, pairs)], allow_unused=True)
    for i, o, t in zip(wrt, ours_grads, theirs_grads):
        o = np.zeros(tuple(inputs[i].shape)) if o is None else o.cpu()
        t = np.zeros(tuple(inputs[i].shape)) if t is None else t.numpy(force=True)
        assert_close(o, t, rtol=max(rtol, 1e-9), atol=max(atol, 1e-10),
                     msg=f"gradient of input {i}")


@dataclass
class Case:
    """An op `fn(lib, *tensors)` (lib = minigrad or torch), one float_arrays range per input;
    `grad`: differentiable in the float inputs; `gradgrad`: torch supports double backward;
    `no_ties`: inputs must differ pairwise (max-like ops); `full_first`: the first input has
    the broadcast shape (torch's clamp cannot backward into a smaller input)."""

    fn: object
    ranges: tuple = ({},)
    grad: bool = True
    gradgrad: bool = True
    no_ties: bool = False
    full_first: bool = False  # the first input has the broadcast shape of all


@st.composite
def case_inputs(draw, case, dims=SMALL, device="cpu", dtype=minigrad.float64):
    """Float tensors for `case`: broadcastable shapes, values in each input's range, any
    layout (contiguous or not)."""
    shapes = list(draw(broadcastable_shape_pairs(num_shapes=len(case.ranges), **dims)))
    if case.full_first:
        shapes[0] = np.broadcast_shapes(*shapes)
    return [draw(tensors(s, dtype=dtype, device=device, **r)) for s, r in zip(shapes, case.ranges)]


def no_ties(inputs, gap=1e-3):
    """Whether every pair of inputs differs everywhere by more than `gap` (broadcast)."""
    arrays = [t.detach().cpu().numpy() for t in inputs]
    return all(np.all(np.abs(a - b) > gap) for i, a in enumerate(arrays) for b in arrays[i + 1:])
