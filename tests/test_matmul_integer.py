"""Integer matrix products against PyTorch: matmul/@, mm, bmm, mv, dot and F.linear of one
integer dtype compute with wrap-around on every device; mixed dtypes and bool still raise."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")

INTEGERS = ["uint8", "int8", "int16", "int32", "int64"]
# (left shape, right shape) builders over sizes n, k, m, b: every matmul rank case, batch
# broadcasting included
PATTERNS = {
    "dot": lambda n, k, m, b: ((k,), (k,)),
    "mv": lambda n, k, m, b: ((n, k), (k,)),
    "vm": lambda n, k, m, b: ((k,), (k, m)),
    "mm": lambda n, k, m, b: ((n, k), (k, m)),
    "bmm": lambda n, k, m, b: ((b, n, k), (b, k, m)),
    "broadcast": lambda n, k, m, b: ((b, 1, n, k), (2, k, m)),
    "batched_vector": lambda n, k, m, b: ((b, n, k), (k,)),
}


def _pair(rng, shape, name, device, transposed=False):
    """(minigrad, torch) tensors of integer dtype `name` over the dtype's whole range (so that
    products overflow and wrap around); `transposed` makes them non-contiguous views."""
    info = np.iinfo(name)
    values = rng.integers(info.min, info.max, size=shape, dtype=name, endpoint=True)
    if transposed and len(shape) >= 2:
        values = np.ascontiguousarray(np.swapaxes(values, -1, -2))
        ours = minigrad.tensor(values, device=device).transpose(-1, -2)
        return ours, torch.from_numpy(values).transpose(-1, -2)
    return minigrad.tensor(values, device=device), torch.from_numpy(values)


def _same(ours, theirs):
    assert ours.dtype is getattr(minigrad, str(theirs.dtype).removeprefix("torch."))
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy())


sizes = st.integers(0, 3)


@given(name=st.sampled_from(INTEGERS), pattern=st.sampled_from(sorted(PATTERNS)),
       n=sizes, k=sizes, m=sizes, b=st.integers(0, 2), transposed=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_integer_matmul_matches_torch(device, name, pattern, n, k, m, b, transposed, seed):
    rng = np.random.default_rng(seed)
    left, right = PATTERNS[pattern](n, k, m, b)
    a, ta = _pair(rng, left, name, device, transposed)
    c, tc = _pair(rng, right, name, device)
    _same(a @ c, ta @ tc)
    _same(minigrad.matmul(a, c), torch.matmul(ta, tc))
    named = {"dot": (minigrad.dot, torch.dot), "mv": (minigrad.mv, torch.mv),
             "mm": (minigrad.mm, torch.mm), "bmm": (minigrad.bmm, torch.bmm)}
    if pattern in named:
        ours_op, torch_op = named[pattern]
        _same(ours_op(a, c), torch_op(ta, tc))


@given(name=st.sampled_from(INTEGERS), rows=st.integers(0, 3), inputs=sizes, outputs=sizes,
       bias=st.booleans(), batched=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_integer_linear_matches_torch(device, name, rows, inputs, outputs, bias, batched, seed):
    rng = np.random.default_rng(seed)
    x, tx = _pair(rng, ((2,) if batched else ()) + (rows, inputs), name, device)
    w, tw = _pair(rng, (outputs, inputs), name, device)
    b, tb = _pair(rng, (outputs,), name, device) if bias else (None, None)
    _same(F.linear(x, w, b), torch.nn.functional.linear(tx, tw, tb))


def test_integer_products_are_not_differentiable_inputs(device):
    a = minigrad.ones(2, 2, dtype=minigrad.int32, device=device)
    out = a @ a
    assert not out.requires_grad and out.grad_fn is None
    with pytest.raises(RuntimeError):
        a.requires_grad_(True)  # only floating point tensors require gradients, as torch


@pytest.mark.parametrize("op", ["matmul", "mm", "linear"])
def test_mixed_and_bool_dtypes_still_raise(device, op):
    ints = minigrad.ones(2, 2, dtype=minigrad.int32, device=device)
    longs = minigrad.ones(2, 2, dtype=minigrad.int64, device=device)
    floats = minigrad.ones(2, 2, device=device)
    bools = minigrad.ones(2, 2, dtype=minigrad.bool, device=device)
    call = {"matmul": minigrad.matmul, "mm": minigrad.mm, "linear": F.linear}[op]
    for left, right in [(ints, longs), (ints, floats), (floats, longs)]:
        with pytest.raises(RuntimeError, match="dtype"):
            call(left, right)
    with pytest.raises(NotImplementedError, match="bool"):
        call(bools, bools)
    theirs = {"matmul": torch.matmul, "mm": torch.mm,
              "linear": torch.nn.functional.linear}[op]
    with pytest.raises(NotImplementedError):
        theirs(torch.ones(2, 2, dtype=torch.bool), torch.ones(2, 2, dtype=torch.bool))
