"""nansum / nanmean / nanmedian, quantile, isin, signbit, logit, heaviside, diff, select,
atleast_nd, cov, memory formats, mean(dtype=) and cat of 0-d tensors: against PyTorch on both
devices, float64 gradient checks, and the errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad

torch = pytest.importorskip("torch")


def _pair(a, device, grad=False):
    return (minigrad.tensor(a, device=device, requires_grad=grad),
            torch.tensor(a, requires_grad=grad))


CALLS = [
    lambda m, x: m.nansum(x, 1), lambda m, x: m.nanmean(x, 0, keepdim=True),
    lambda m, x: m.nanmedian(x, 1).values, lambda m, x: m.nanmedian(x, 0).indices,
    lambda m, x: m.nanmedian(x), lambda m, x: m.quantile(x, 0.25, 1),
    lambda m, x: m.quantile(x, m.tensor([0.0, 0.5, 1.0], dtype=m.float64), 0),
    lambda m, x: m.quantile(x, 0.7, interpolation="higher"),
]


@pytest.mark.parametrize("index", range(len(CALLS)))
def test_nan_reductions_and_quantile_match_torch(device, index):
    a = np.random.default_rng(index).normal(size=(3, 4))
    a[0, 1] = a[2, 2] = np.nan
    a[1] = np.nan  # a row of NaN only
    ours, theirs = _pair(a, device)
    got, expected = CALLS[index](minigrad, ours), CALLS[index](torch, theirs)
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_allclose(got.cpu().numpy(), expected.numpy(), rtol=1e-12,
                               equal_nan=True)


@pytest.mark.cpu_suffices
@given(seed=st.integers(0, 2**16), q=st.floats(0, 1))
def test_quantile_diff_cov_logit_gradcheck(device, seed, q):
    a = np.random.default_rng(seed).uniform(0.1, 0.9, size=(3, 4))
    x = minigrad.tensor(a, device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda t: minigrad.quantile(t, q, dim=1), [x])
    assert minigrad.gradcheck(lambda t: t.diff(2, prepend=t[:, :1]), [x])
    assert minigrad.gradcheck(minigrad.cov, [x])
    assert minigrad.gradgradcheck(lambda t: minigrad.logit(t), [x])


def test_shape_helpers_match_torch(device):
    a = np.arange(6.0).reshape(2, 3)
    ours, theirs = _pair(a, device)

    def calls(m, x):
        return [x.select(0, 1), m.select(x, -1, 0), m.atleast_3d(x), m.atleast_2d(x[0]),
                m.atleast_1d(x[0, 0]), m.diff(x, dim=0), m.atleast_2d(x[0], x)[0],
                m.atleast_3d(x[0])]
    for got, expected in zip(calls(minigrad, ours), calls(torch, theirs)):
        assert tuple(got.shape) == tuple(expected.shape)
        np.testing.assert_array_equal(got.cpu().numpy(), expected.numpy())


def test_comparisons_match_torch(device):
    a = np.array([-1.5, -0.0, 0.0, 2.0])
    ours, theirs = _pair(a, device)
    np.testing.assert_array_equal(minigrad.signbit(ours).cpu().numpy(),
                                  torch.signbit(theirs).numpy())
    v = np.array([0.5])
    np.testing.assert_array_equal(
        minigrad.heaviside(ours, minigrad.tensor(v, device=device)).cpu().numpy(),
        torch.heaviside(theirs, torch.tensor(v)).numpy())
    ints = np.array([[1, 5], [2, 7]])
    np.testing.assert_array_equal(
        minigrad.isin(minigrad.tensor(ints, device=device),
                      minigrad.tensor([5, 2], device=device)).cpu().numpy(),
        torch.isin(torch.tensor(ints), torch.tensor([5, 2])).numpy())


@pytest.mark.cpu_suffices
def test_everyday_errors(device):
    x = minigrad.ones(2, 3, device=device)
    with pytest.raises(RuntimeError, match="channels_last"):
        x.clone(memory_format=minigrad.channels_last)
    with pytest.raises(RuntimeError, match="zero-dimensional"):
        minigrad.cat([minigrad.tensor(1.0, device=device), minigrad.tensor(2.0, device=device)])
    with pytest.raises(IndexError):
        x.select(1, 3)
    with pytest.raises(RuntimeError, match="interpolation"):
        x.quantile(0.5, interpolation="cubic")
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        x.quantile(1.5)
    assert x.mean(dtype=minigrad.float64).dtype == minigrad.float64
    assert repr(minigrad.contiguous_format) == "minigrad.contiguous_format"


@pytest.mark.cpu_suffices
def test_scatter_family_refuses_a_src_of_another_dtype_like_torch(device):
    x = minigrad.zeros(2, 3, device=device)
    index = minigrad.zeros(2, 3, dtype=minigrad.int64, device=device)
    src = minigrad.ones(2, 3, dtype=minigrad.float64, device=device)
    for call in (lambda: x.scatter(1, index, src), lambda: x.scatter_add(1, index, src),
                 lambda: x.scatter_reduce(1, index, src, "amax")):
        with pytest.raises(RuntimeError, match="src.dtype"):
            call()
    np.testing.assert_array_equal(x.scatter(1, index, 2.5).cpu().numpy()[:, 0], [2.5, 2.5])
