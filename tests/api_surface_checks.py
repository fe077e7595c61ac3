"""What the API-surface tests (tests/test_api_surface*.py) share: one value made on both
sides, and minigrad's result compared with torch's in shape, dtype and values."""
import numpy as np
import torch

import minigrad


def as_numpy(t):
    """A minigrad or torch tensor's values as a numpy array."""
    return t.detach().cpu().numpy() if isinstance(t, minigrad.Tensor) else t.detach().numpy()


def pair(values, dtype="float64", device="cpu", requires_grad=False):
    """(minigrad tensor on `device`, torch tensor) of the same values."""
    values = np.asarray(values, dtype=dtype)
    return (minigrad.tensor(values, device=device, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


def same(a, b, rtol=1e-6, atol=1e-7):
    """minigrad's `a` equals torch's `b` (or tuples/lists of them, element by element): shape,
    dtype name and values (NaN where torch has NaN)."""
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y, rtol, atol)
        return
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
    np.testing.assert_allclose(as_numpy(a), as_numpy(b), rtol=rtol, atol=atol, equal_nan=True)


def randn(*shape, seed=0):
    """float64 standard normal samples of `shape` from a seeded generator."""
    return np.random.default_rng(seed).standard_normal(shape)
