"""Reductions, scans and sorting (prod, logsumexp, var_mean/std_mean, cumsum, cumprod, cummax,
cummin, logcumsumexp, sort, argsort, topk, kthvalue, median, mode, unique, bincount, histc,
count_nonzero, isclose/allclose, aminmax, norms) against PyTorch on drawn shapes, dims and
non-contiguous inputs, with gradcheck and gradgradcheck in float64."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, shapes, tensors
from op_cases import compare_with_torch

torch = pytest.importorskip("torch")

ANY = dict(max_dims=3, max_side=4)
NONEMPTY = dict(min_dims=1, max_dims=3, max_side=4)


@st.composite
def along_dim(draw, device, name, fn, distinct=False, margin=None, **values):
    """fn(lib, t, dim) on a tensor with at least one dim and a drawn dim."""
    margin = margin or (0.05 if distinct else 0.01)
    x = draw(tensors(shapes(**NONEMPTY), device=device, distinct=distinct, margin=margin,
                     **values))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    return (lambda lib, t: fn(lib, t, dim)), [x]


@st.composite
def over_dims(draw, device, fn, min_side=1, **values):
    """fn(lib, t, dims, keepdim) with dims None, an int or a tuple."""
    x = draw(tensors(shapes(min_dims=int(min_side > 1), min_side=min_side, **ANY), device=device,
                     **values))
    dims = draw(st.none() | st.lists(st.integers(0, max(x.ndim - 1, 0)), min_size=1,
                                     max_size=max(x.ndim, 1), unique=True).map(tuple))
    if x.ndim == 0 and dims is not None:
        dims = (0,)
    keepdim = draw(st.booleans())
    return (lambda lib, t: fn(lib, t, dims, keepdim)), [x]


def _tuple_or_all(dims, ndim):
    return tuple(range(ndim)) if dims is None else dims


CASES = {
    "prod": lambda d: along_dim(d, "prod", lambda lib, t, dim: t.prod(dim)),
    "prod_all": lambda d: along_dim(d, "prod", lambda lib, t, dim: lib.prod(t), away_from=0,
                                    margin=0.1),
    "prod_with_zeros": lambda d: along_dim(
        d, "prod", lambda lib, t, dim: (t * (t > 0.5)).prod(dim, keepdim=True),
        away_from=0.5),
    "logsumexp": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.logsumexp(t, _tuple_or_all(dims, t.ndim), k)),
    "var_mean": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.var_mean(t, dims, keepdim=k, correction=0)),
    "std_mean": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.std_mean(t, dims, keepdim=k), min_side=2,
        distinct=True, margin=0.02),
    "cumsum": lambda d: along_dim(d, "cumsum", lambda lib, t, dim: t.cumsum(dim)),
    "cumprod": lambda d: along_dim(d, "cumprod", lambda lib, t, dim: lib.cumprod(t, dim),
                                   away_from=0, margin=0.1),
    "cumprod_with_zeros": lambda d: along_dim(
        d, "cumprod", lambda lib, t, dim: lib.cumprod(t * (t > 0.5), dim), away_from=0.5),
    "logcumsumexp": lambda d: along_dim(d, "lcse", lambda lib, t, dim: t.logcumsumexp(dim)),
    "cummax": lambda d: along_dim(d, "cummax", lambda lib, t, dim: t.cummax(dim),
                                  distinct=True),
    "cummin": lambda d: along_dim(d, "cummin", lambda lib, t, dim: lib.cummin(t, dim),
                                  distinct=True),
    "sort": lambda d: along_dim(d, "sort", lambda lib, t, dim: t.sort(dim), distinct=True),
    "sort_descending": lambda d: along_dim(
        d, "sort", lambda lib, t, dim: lib.sort(t, dim, descending=True), distinct=True),
    "argsort": lambda d: along_dim(d, "argsort", lambda lib, t, dim: t.argsort(dim, True),
                                   distinct=True),
    "topk": lambda d: along_dim(d, "topk", lambda lib, t, dim: t.topk(1, dim), distinct=True),
    "topk_smallest": lambda d: along_dim(
        d, "topk", lambda lib, t, dim: lib.topk(t, t.shape[dim], dim, largest=False),
        distinct=True),
    "kthvalue": lambda d: along_dim(d, "kth", lambda lib, t, dim: t.kthvalue(1, dim, True),
                                    distinct=True),
    "median": lambda d: along_dim(d, "median", lambda lib, t, dim: t.median(dim),
                                  distinct=True),
    "median_all": lambda d: along_dim(d, "median", lambda lib, t, dim: lib.median(t),
                                      distinct=True),
    "mode": lambda d: along_dim(d, "mode", lambda lib, t, dim: t.mode(dim), distinct=True),
    "aminmax": lambda d: along_dim(
        d, "aminmax", lambda lib, t, dim: lib.aminmax(t, dim=dim, keepdim=True),
        distinct=True),
    "vector_norm": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.linalg.vector_norm(t, 3, dims, k), away_from=0),
    "vector_norm_2": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.linalg.vector_norm(t, 2, dims, k), away_from=0),
    "vector_norm_1": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.linalg.vector_norm(t, 1, dims, k), away_from=0),
    "vector_norm_inf": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.linalg.vector_norm(t, math.inf, dims, k),
        distinct=True, margin=0.02, min_value=0.1),  # positive: no ties among |x|
    "vector_norm_0": lambda d: over_dims(
        d, lambda lib, t, dims, k: lib.linalg.vector_norm(t, 0, dims, k), away_from=0),
    "tensor_norm": lambda d: over_dims(
        d, lambda lib, t, dims, k: t.norm(dim=dims if dims is None else dims[:2], keepdim=k),
        away_from=0),
    "norm_p": lambda d: over_dims(d, lambda lib, t, dims, k: lib.norm(t, 1.5, dims, k),
                                  away_from=0, margin=0.1),
}


@st.composite
def matrix_norm_case(draw, device):
    x = draw(tensors(shapes(min_dims=2, max_dims=3, max_side=4), device=device, away_from=0,
                     margin=0.05, contiguous=True)).detach()
    # uneven offsets keep the row and column sums apart (the max of tied sums has no gradient)
    offsets = np.arange(x.numel()).reshape(tuple(x.shape)) ** 1.5 * 0.0137
    x = (x + minigrad.tensor(offsets, device=device)).requires_grad_()
    ord = draw(st.sampled_from(["fro", 1, -1, math.inf, -math.inf]))
    keepdim = draw(st.booleans())
    return (lambda lib, t: lib.linalg.matrix_norm(t, ord, keepdim=keepdim)), [x]


CASES["matrix_norm"] = matrix_norm_case
NO_GRAD = {"argsort"}  # integer output
NO_GRADGRAD = {"cumprod_with_zeros", "prod_with_zeros"}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_matches_torch(device, name, data):
    fn, inputs = data.draw(CASES[name](device))
    compare_with_torch(torch, fn, inputs, rtol=1e-9, atol=1e-11)


# On cuda, test_matches_torch compares values and gradients with torch already; the
# finite differences would only repeat the same Tensor-op gradients there, slowly.
@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(set(CASES) - NO_GRAD))
@given(data=st.data())
def test_gradcheck(device, name, data):
    fn, inputs = data.draw(CASES[name](device))
    assert minigrad.gradcheck(lambda *xs: fn(minigrad, *xs), inputs)


@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(set(CASES) - NO_GRAD - NO_GRADGRAD))
@given(data=st.data())
def test_gradgradcheck(device, name, data):
    fn, inputs = data.draw(CASES[name](device))
    assert minigrad.gradgradcheck(lambda *xs: fn(minigrad, *xs), inputs, fast_mode=True)


# ---- ties, NaN, integers, counting ops ---------------------------------------------------------

def _same(fn, values, device, dtype=None):
    ours = minigrad.tensor(values, device=device, dtype=dtype and getattr(minigrad, dtype))
    theirs = torch.tensor(values, dtype=dtype and getattr(torch, dtype))
    got, expected = fn(minigrad, ours), fn(torch, theirs)
    got = got if isinstance(got, tuple) else (got,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for g, e in zip(got, expected):
        if isinstance(e, bool):
            assert g == e
            continue
        assert str(g.dtype).split(".")[-1] == str(e.dtype).split(".")[-1]
        assert_close(g.cpu(), e)


def test_ties_and_nan(device):
    values = [[3.0, 1.0, math.nan, 1.0, 3.0], [2.0, 2.0, 2.0, -1.0, 2.0]]
    for fn in [lambda lib, t: t.sort(1), lambda lib, t: t.sort(1, descending=True),
               lambda lib, t: t.sort(stable=True, dim=0), lambda lib, t: t.argsort(1),
               lambda lib, t: t.cummax(1), lambda lib, t: t.cummin(1),
               lambda lib, t: lib.median(t), lambda lib, t: t.cumsum(1),
               lambda lib, t: t.logcumsumexp(1), lambda lib, t: t.nan_to_num().prod(1),
               lambda lib, t: lib.logsumexp(t, 1), lambda lib, t: t.topk(3, 1).values]:
        _same(fn, values, device)
    # torch leaves the index among equal values unspecified for these: values must agree, and
    # the index must point at the value
    for fn in [lambda lib, t: t.median(1), lambda lib, t: t.kthvalue(2, 1),
               lambda lib, t: t.mode(1), lambda lib, t: t.mode(1, keepdim=True)]:
        t = minigrad.tensor(values, device=device)
        got, expected = fn(minigrad, t), fn(torch, torch.tensor(values))
        assert_close(got.values.cpu(), expected.values)
        picked = t.gather(1, got.indices if got.indices.ndim == 2 else
                          got.indices.unsqueeze(1))
        assert_close(picked.reshape(tuple(got.values.shape)).cpu(), got.values.cpu())
    infinite = [[-math.inf, -math.inf], [math.inf, 1.0], [math.inf, math.inf]]
    _same(lambda lib, t: lib.logsumexp(t, 1), infinite, device)
    _same(lambda lib, t: t.logcumsumexp(1), infinite, device)


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_integer_and_bool_input(device, dtype):
    values = [[3, 0, 2, 1], [1, 1, 0, 5]]
    if dtype == "bool":
        values = [[bool(v) for v in row] for row in values]
    for fn in [lambda lib, t: t.cumsum(1), lambda lib, t: t.cumprod(0), lambda lib, t: t.prod(),
               lambda lib, t: t.prod(1), lambda lib, t: t.sort(1),
               lambda lib, t: lib.count_nonzero(t, 1), lambda lib, t: t.count_nonzero(),
               lambda lib, t: t.unique(), lambda lib, t: lib.unique(t, return_inverse=True,
                                                                    return_counts=True)]:
        _same(fn, values, device, dtype)
    if dtype == "int64":
        # (with ties, torch leaves median/mode/kthvalue's index unspecified: values only)
        for fn in [lambda lib, t: t.cummax(1), lambda lib, t: t.median(1).values,
                   lambda lib, t: t.mode(1).values, lambda lib, t: t.topk(2).values,
                   lambda lib, t: lib.aminmax(t), lambda lib, t: t.kthvalue(2, 1).values,
                   lambda lib, t: lib.unique(t, dim=1, return_inverse=True),
                   lambda lib, t: lib.isclose(t, t.flip(1))]:
            _same(fn, values, device, dtype)


def test_bincount_and_histc(device):
    counts = [0, 3, 1, 1, 7]
    _same(lambda lib, t: lib.bincount(t), counts, device)
    _same(lambda lib, t: t.bincount(minlength=10), counts, device)
    _same(lambda lib, t: lib.bincount(t, weights=(t * 0.5 - 1).to(lib.float64)), counts,
          device)
    _same(lambda lib, t: lib.bincount(t[:0]), counts, device)
    values = [-1.0, 0.0, 0.25, 0.5, 0.999, 1.0, 1.5, 3.0]
    for args in [(4, 0, 1), (3, 0, 0), (5, -1, 3), (1, 0, 1)]:
        _same(lambda lib, t: lib.histc(t, *args), values, device)
    with pytest.raises(ValueError):
        minigrad.bincount(minigrad.tensor([1, -1], device=device))


def test_isclose_and_allclose(device):
    a = [1.0, math.nan, math.inf, -math.inf, 1e-9, 100.0]
    b = [1.0 + 1e-6, math.nan, math.inf, math.inf, 0.0, 100.002]
    for kwargs in [{}, dict(equal_nan=True), dict(rtol=0, atol=1e-8), dict(rtol=1e-4)]:
        ours = minigrad.isclose(minigrad.tensor(a, device=device),
                                minigrad.tensor(b, device=device), **kwargs)
        assert_close(ours.cpu(), torch.isclose(torch.tensor(a), torch.tensor(b), **kwargs))
        assert minigrad.allclose(minigrad.tensor(a[:1], device=device),
                                 minigrad.tensor(b[:1], device=device), **kwargs) == \
            torch.allclose(torch.tensor(a[:1]), torch.tensor(b[:1]), **kwargs)


def test_norm_gradient_at_zero_is_zero(device):
    x = minigrad.zeros(3, dtype=minigrad.float64, device=device, requires_grad=True)
    for ord in [2, 3, 0.5]:
        x.grad = None
        minigrad.linalg.vector_norm(x, ord).backward()
        assert_close(x.grad.cpu(), np.zeros(3))


def test_errors(device):
    x = minigrad.ones(2, 3, device=device)
    with pytest.raises(ValueError):
        x.topk(4)
    with pytest.raises(ValueError):
        x.kthvalue(0)
    with pytest.raises(IndexError):
        x.cumsum(2)
    with pytest.raises(TypeError):
        minigrad.linalg.vector_norm(minigrad.ones(2, dtype=minigrad.int64, device=device))
    with pytest.raises(ValueError):
        minigrad.linalg.matrix_norm(x, "bad")
