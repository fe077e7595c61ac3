"""`Tensor.view(dtype)` against PyTorch: the bits, shape and strides of the result, the errors
(class and wording) where element sizes differ, storage sharing and non-differentiability."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad

torch = pytest.importorskip("torch")

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64"]
LAYOUTS = ["contiguous", "leading_slice", "last_slice", "transposed", "last_step"]


def _source(values, name, device):
    """(minigrad, torch) tensors of dtype `name` holding the float64 `values`."""
    ours = minigrad.tensor(values, device=device).to(getattr(minigrad, name))
    theirs = torch.tensor(values).to(getattr(torch, name))
    return ours, theirs


def _layout(t, layout):
    if layout == "leading_slice" and t.ndim >= 1 and t.shape[0] > 1:
        return t[1:]
    if layout == "last_slice" and t.ndim >= 1 and t.shape[-1] > 1:
        return t[..., 1:]
    if layout == "transposed" and t.ndim >= 2:
        return t.transpose(0, -1)
    if layout == "last_step" and t.ndim >= 1:
        return t[..., ::2]
    return t


def _bytes(ours):
    raw = ours._backend.to_numpy(ours._data)  # storage bits (uint16 for bfloat16)
    return np.ascontiguousarray(raw).tobytes()


def _torch_bytes(theirs):
    if theirs.numel() == 0:
        return b""
    bits = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
    return theirs.reshape(-1).view(bits[theirs.element_size()]).numpy().tobytes()


@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       source=st.sampled_from(NAMES), target=st.sampled_from(NAMES),
       layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 2 ** 16))
def test_view_dtype_matches_torch(device, shape, source, target, layout, seed):
    values = np.random.default_rng(seed).integers(-100, 100, size=shape).astype(np.float64)
    ours, theirs = _source(values, source, device)
    ours, theirs = _layout(ours, layout), _layout(theirs, layout)
    # empty tensors' strides depend on how they were made (numpy gives 0, torch.zeros 1)
    assume(ours.numel() or ours.stride() == theirs.stride())
    try:
        expected = theirs.view(getattr(torch, target))
    except RuntimeError as err:
        with pytest.raises(RuntimeError) as raised:
            ours.view(getattr(minigrad, target))
        assert str(raised.value) == str(err)
        return
    got = ours.view(getattr(minigrad, target))
    assert got.dtype is getattr(minigrad, target)
    assert got.device == ours.device
    assert tuple(got.shape) == tuple(expected.shape)
    if got.numel():
        assert got.stride() == expected.stride()
    ours_bytes, torch_bytes = _bytes(got), _torch_bytes(expected)
    if target == "bool":  # bytes other than 0 and 1 are all True; copies may normalise them
        ours_bytes, torch_bytes = [b != 0 for b in ours_bytes], [b != 0 for b in torch_bytes]
    assert ours_bytes == torch_bytes


@pytest.mark.parametrize("target", ["int32", "float32", "float16", "float64"])
def test_view_dtype_is_not_differentiable(device, target):
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], device=device, requires_grad=True)
    tx = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    got, expected = x.view(getattr(minigrad, target)), tx.view(getattr(torch, target))
    assert got.requires_grad is expected.requires_grad is False
    assert got.grad_fn is None


def test_view_dtype_shares_storage(device):
    x = minigrad.zeros(2, 4, device=device)
    bits = x.view(minigrad.int32)
    bits[0, 1] = 1065353216  # the bits of 1.0f
    assert x.tolist() == [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    halves = x[1].view(minigrad.bfloat16)
    halves[3] = 2.0  # the upper (little-endian: second) half of x[1, 1]: bfloat16 2.0
    assert x[1, 1].item() == 2.0


def test_view_dtype_keyword_and_shapes_still_view(device):
    x = minigrad.arange(6, dtype=minigrad.float32, device=device)
    assert x.view(dtype=minigrad.int32).dtype is minigrad.int32
    assert tuple(x.view(2, 3).shape) == (2, 3) and tuple(x.view((3, -1)).shape) == (3, 2)
    with pytest.raises(TypeError):
        x.view(2, 3, dtype=minigrad.int32)
