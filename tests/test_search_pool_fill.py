"""searchsorted / bucketize, multinomial, cdist, unbind, adaptive max pooling, index_fill, the
in-place random fills, apply_ / map_, stride, ParameterList / ParameterDict and Unflatten:
against PyTorch on both devices, float64 gradient checks on drawn cases, and the errors."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")


def _mg(a, device, grad=False):
    return minigrad.tensor(a, device=device, requires_grad=grad)


def _np(t):
    return t.detach().cpu().numpy()


# ---- searchsorted / bucketize --------------------------------------------------------------

@given(seed=st.integers(0, 2**16), m=st.integers(1, 6), k=st.integers(0, 5), batched=st.booleans(),
       right=st.booleans(), with_nan=st.booleans())
def test_searchsorted_matches_torch(device, seed, m, k, batched, right, with_nan):
    rng = np.random.default_rng(seed)
    lead = (2,) if batched else ()
    seq = np.sort(rng.integers(-3, 4, lead + (m,)).astype(np.float64), axis=-1)
    values = rng.integers(-4, 5, lead + (k,)).astype(np.float64)
    if with_nan and k:
        values[..., 0] = np.nan
    got = minigrad.searchsorted(_mg(seq, device), _mg(values, device), right=right)
    expected = torch.searchsorted(torch.tensor(seq), torch.tensor(values), right=right)
    assert got.dtype == minigrad.int64
    np.testing.assert_array_equal(_np(got), expected.numpy())
    side = minigrad.searchsorted(_mg(seq, device), _mg(values, device),
                                 side="right" if right else "left")
    np.testing.assert_array_equal(_np(side), expected.numpy())
    if not batched:
        got = minigrad.bucketize(_mg(values, device), _mg(seq, device), right=right)
        expected = torch.bucketize(torch.tensor(values), torch.tensor(seq), right=right)
        np.testing.assert_array_equal(_np(got), expected.numpy())


def test_searchsorted_scalar_sorter_and_errors(device):
    seq = np.array([3.0, 1.0, 2.0])
    sorter = np.argsort(seq)
    got = minigrad.searchsorted(_mg(seq, device), 2.5, sorter=_mg(sorter, device))
    expected = torch.searchsorted(torch.tensor(seq), 2.5, sorter=torch.tensor(sorter))
    assert got.ndim == 0 and got.item() == expected.item()
    with pytest.raises(RuntimeError, match="side"):
        minigrad.searchsorted(_mg(seq, device), _mg(seq, device), side="middle")
    with pytest.raises(RuntimeError, match="leading dims"):
        minigrad.searchsorted(minigrad.zeros(2, 3, device=device), minigrad.zeros(3, 3,
                                                                                 device=device))
    with pytest.raises(RuntimeError, match="1-d"):
        minigrad.bucketize(minigrad.zeros(3, device=device), minigrad.zeros(2, 2, device=device))


# ---- multinomial ---------------------------------------------------------------------------

def test_multinomial_without_replacement_draws_distinct_nonzero_categories(device):
    minigrad.manual_seed(0)
    weights = _mg(np.array([[0.0, 1.0, 3.0, 0.0, 2.0]] * 4), device)
    out = minigrad.multinomial(weights, 3)
    assert out.shape == (4, 3) and out.dtype == minigrad.int64
    for row in _np(out):
        assert sorted(row) == [1, 2, 4]
    assert minigrad.multinomial(weights[0], 2).shape == (2,)


def test_multinomial_with_replacement_follows_the_weights(device):
    minigrad.manual_seed(1)
    weights = np.array([0.0, 1.0, 3.0, 0.0])
    out = _np(minigrad.multinomial(_mg(weights, device), 4000, replacement=True))
    assert set(np.unique(out)) <= {1, 2}
    assert abs((out == 2).mean() - 0.75) < 0.04


def test_multinomial_first_draw_without_replacement_follows_the_weights(device):
    minigrad.manual_seed(2)
    weights = _mg(np.tile([1.0, 0.0, 3.0], (2000, 1)), device)
    first = _np(minigrad.multinomial(weights, 1))[:, 0]
    assert abs((first == 2).mean() - 0.75) < 0.04


@pytest.mark.cpu_suffices
def test_multinomial_errors(device):
    with pytest.raises(RuntimeError, match="< 0"):
        minigrad.multinomial(_mg([1.0, -1.0], device), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        minigrad.multinomial(_mg([0.0, 0.0], device), 1)
    with pytest.raises(RuntimeError, match="without replacement"):
        minigrad.multinomial(_mg([1.0, 1.0], device), 3)
    with pytest.raises(RuntimeError, match="non-zero"):
        minigrad.multinomial(_mg([1.0, 0.0], device), 2)
    with pytest.raises(TypeError, match="floating point"):
        minigrad.multinomial(minigrad.tensor([1, 2], device=device), 1)


# ---- cdist ---------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.0, math.inf])
def test_cdist_matches_torch(device, p):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(1, 5, 4))
    b[0, 0] = a[0, 0]  # a zero distance: gradient 0 there, as torch
    x, y = _mg(a, device, True), _mg(b, device, True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    got, expected = minigrad.cdist(x, y, p=p), torch.cdist(tx, ty, p=p)
    np.testing.assert_allclose(_np(got), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    grads = minigrad.autograd.grad(got.sum(), [x, y])
    expected_grads = torch.autograd.grad(expected.sum(), [tx, ty])
    for g, e in zip(grads, expected_grads):
        np.testing.assert_allclose(_np(g), e.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.cpu_suffices
@given(seed=st.integers(0, 2**16), p=st.sampled_from([1.0, 2.0, 3.0]))
def test_cdist_gradcheck(device, seed, p):
    rng = np.random.default_rng(seed)
    x, y = _mg(rng.normal(size=(3, 2)), device, True), _mg(rng.normal(size=(2, 2)), device, True)
    assert minigrad.gradcheck(lambda a, b: minigrad.cdist(a, b, p=p), [x, y])


# ---- unbind ---------------------------------------------------------------------------------

def test_unbind_matches_torch(device):
    a = np.arange(24.0).reshape(2, 3, 4)
    for dim in (0, 1, -1):
        got = minigrad.unbind(_mg(a, device), dim)
        expected = torch.unbind(torch.tensor(a), dim)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_array_equal(_np(g), e.numpy())
    x = _mg(a, device, True)
    sum(t.sum() * i for i, t in enumerate(x.unbind(1))).backward()
    np.testing.assert_array_equal(_np(x.grad)[:, 2], 2.0)
    with pytest.raises(IndexError):
        minigrad.tensor(1.0, device=device).unbind()


# ---- adaptive max pooling -------------------------------------------------------------------

POOL_CASES = [((2, 3, 7, 5), (3, 2)), ((3, 6, 9), (4, None)), ((1, 2, 5, 7), 1),
              ((1, 1, 4, 4), (6, 6)), ((1, 2, 5, 7), (0, 3))]


@pytest.mark.parametrize("shape,size", POOL_CASES)
def test_adaptive_max_pool2d_matches_torch(device, shape, size):
    rng = np.random.default_rng(0)
    a = rng.normal(size=shape)
    a[..., 0, 0] = a[..., 0, 1]  # a tie: the first maximum wins, as torch
    x, tx = _mg(a, device, True), torch.tensor(a, requires_grad=True)
    out, idx = F.adaptive_max_pool2d(x, size, return_indices=True)
    t_out, t_idx = torch.nn.functional.adaptive_max_pool2d(tx, size, return_indices=True)
    np.testing.assert_array_equal(_np(out), t_out.detach().numpy())
    np.testing.assert_array_equal(_np(idx), t_idx.numpy())
    assert idx.dtype == minigrad.int64
    if out.numel():
        out.sum().backward()
        t_out.sum().backward()
        np.testing.assert_array_equal(_np(x.grad), tx.grad.numpy())


@pytest.mark.parametrize("size", [1, 3, 4, 10, 13])
def test_adaptive_max_pool1d_matches_torch(device, size):
    a = np.random.default_rng(size).normal(size=(2, 3, 10))
    out, idx = nn.AdaptiveMaxPool1d(size, return_indices=True)(_mg(a, device))
    t_out, t_idx = torch.nn.AdaptiveMaxPool1d(size, return_indices=True)(torch.tensor(a))
    np.testing.assert_array_equal(_np(out), t_out.numpy())
    np.testing.assert_array_equal(_np(idx), t_idx.numpy())
    assert _np(nn.AdaptiveMaxPool2d((2, 3))(_mg(a, device))).shape == (2, 2, 3)


def test_adaptive_max_pool_propagates_nan(device):
    out, idx = F.adaptive_max_pool2d(_mg([[[1.0, np.nan, 2.0]]], device), 1, return_indices=True)
    assert np.isnan(out.item()) and idx.item() == 1


@pytest.mark.cpu_suffices
@given(seed=st.integers(0, 2**16), h=st.integers(1, 5), w=st.integers(1, 5),
       oh=st.integers(1, 4), ow=st.integers(1, 4))
def test_adaptive_max_pool2d_gradcheck(device, seed, h, w, oh, ow):
    x = _mg(np.random.default_rng(seed).permutation(h * w * 2).reshape(1, 2, h, w) * 0.1,
            device, True)  # distinct values: no ties for finite differences to straddle
    assert minigrad.gradcheck(lambda t: F.adaptive_max_pool2d(t, (oh, ow)), [x])
    assert minigrad.gradgradcheck(lambda t: F.adaptive_max_pool2d(t, (oh, ow)), [x])


@pytest.mark.cpu_suffices
def test_adaptive_max_pool_errors(device):
    with pytest.raises(ValueError, match="expected a 3-D"):
        F.adaptive_max_pool2d(minigrad.zeros(4, 4, device=device), 2)
    with pytest.raises(TypeError, match="output_size"):
        F.adaptive_max_pool1d(minigrad.zeros(1, 4, device=device), (2, 2))


# ---- index_fill -----------------------------------------------------------------------------

@pytest.mark.parametrize("dim,index", [(0, [1]), (1, [0, -1]), (-1, [2, 2]), (1, [])])
def test_index_fill_matches_torch(device, dim, index):
    a = np.arange(12.0).reshape(3, 4)
    idx = np.array(index, dtype=np.int64)
    got = _mg(a, device).index_fill(dim, _mg(idx, device), -1.5)
    expected = torch.tensor(a).index_fill(dim, torch.tensor(idx), -1.5)
    np.testing.assert_array_equal(_np(got), expected.numpy())
    t = _mg(a, device)
    t.index_fill_(dim, _mg(idx, device), 7.0)
    np.testing.assert_array_equal(_np(t), torch.tensor(a).index_fill_(dim, torch.tensor(idx),
                                                                      7.0).numpy())


def test_index_fill_gradients(device):
    x = _mg(np.arange(6.0).reshape(2, 3), device, True)
    v = _mg(np.array(2.0), device, True)
    assert minigrad.gradcheck(lambda a, b: minigrad.index_fill(a, 1, _mg([0, 2], device), b),
                              [x, v])
    with pytest.raises(IndexError):
        x.index_fill(1, _mg([3], device), 0.0)
    with pytest.raises(TypeError, match="integer"):
        x.index_fill(1, _mg([0.0], device), 0.0)


# ---- in-place random fills, apply_ / map_, stride ----------------------------------------------

# 20,000 draws per fill, minutes in the cuda simulator: the fills transform the device's uniform
# and normal draws, whose moments on cuda test_creation's test_random_value_ranges_and_moments
# checks
@pytest.mark.cpu_suffices
def test_random_fills_have_the_right_distribution(device):
    minigrad.manual_seed(3)
    t = minigrad.empty(20000, dtype=minigrad.float64, device=device)
    a = _np(t.uniform_(2.0, 5.0))
    assert a.min() >= 2.0 and a.max() < 5.0 and abs(a.mean() - 3.5) < 0.05
    a = _np(t.uniform_(**{"from": -1.0, "to": 0.0}))
    assert a.min() >= -1.0 and a.max() < 0.0
    a = _np(t.normal_(1.0, 2.0))
    assert abs(a.mean() - 1.0) < 0.1 and abs(a.std() - 2.0) < 0.1
    a = _np(t.exponential_(4.0))
    assert a.min() > 0 and abs(a.mean() - 0.25) < 0.02
    a = _np(t.bernoulli_(0.3))
    assert set(np.unique(a)) == {0.0, 1.0} and abs(a.mean() - 0.3) < 0.02
    a = _np(t.geometric_(0.5))
    assert a.min() >= 1 and abs(a.mean() - 2.0) < 0.1
    a = _np(t.log_normal_(0.0, 0.5))
    assert a.min() > 0 and abs(np.log(a).std() - 0.5) < 0.03
    a = _np(t.cauchy_(1.0, 2.0))
    assert abs(np.median(a) - 1.0) < 0.15
    a = _np(t.random_(3, 7))
    assert set(np.unique(a)) == {3.0, 4.0, 5.0, 6.0}
    a = _np(t.random_(4))
    assert set(np.unique(a)) == {0.0, 1.0, 2.0, 3.0}


@pytest.mark.cpu_suffices
def test_random_fill_errors(device):
    t = minigrad.zeros(3, device=device)
    with pytest.raises(RuntimeError, match="from"):
        t.uniform_(2.0, 1.0)
    with pytest.raises(RuntimeError, match="lambda"):
        t.exponential_(0.0)
    with pytest.raises(RuntimeError, match="p in"):
        t.bernoulli_(1.5)
    leaf = minigrad.zeros(3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError):
        leaf.normal_()
    with minigrad.no_grad():
        leaf.normal_()
    assert leaf.requires_grad


def test_apply_and_map(device):
    t = _mg(np.arange(4.0), device)
    t.apply_(lambda v: v * v + 1)
    np.testing.assert_array_equal(_np(t), [1.0, 2.0, 5.0, 10.0])
    t.map_(_mg(np.array([1.0, 0.0, 1.0, 0.0]), device), lambda a, b: a * b)
    np.testing.assert_array_equal(_np(t), [1.0, 0.0, 5.0, 0.0])


def test_stride_matches_torch(device):
    a = np.zeros((2, 3, 4))
    x, tx = _mg(a, device), torch.tensor(a)
    assert x.stride() == tx.stride() and x.stride(1) == tx.stride(1)
    assert x.transpose(0, 2).stride() == tx.transpose(0, 2).stride()
    assert x[:, 1:, ::2].stride() == tx[:, 1:, ::2].stride()


# ---- nn containers and Unflatten -----------------------------------------------------------------

def test_parameter_list_and_dict(device):
    plist = nn.ParameterList([nn.Parameter(minigrad.zeros(2, device=device)),
                              minigrad.ones(3, device=device)])
    plist.append(minigrad.ones(1, device=device))
    assert [n for n, _ in plist.named_parameters()] == ["0", "1", "2"]
    assert all(isinstance(p, nn.Parameter) for p in plist) and len(plist) == 3
    assert plist[-1].shape == (1,)
    holder = nn.Module()
    holder.weights = nn.ParameterDict({"a": minigrad.zeros(2, device=device)})
    holder.weights["b"] = minigrad.ones(1, device=device)
    assert list(holder.state_dict()) == ["weights.a", "weights.b"]
    assert "a" in holder.weights and len(holder.weights) == 2
    with pytest.raises(IndexError):
        plist[3]


def test_unflatten_module(device):
    x = minigrad.zeros(2, 12, device=device)
    assert nn.Unflatten(1, (3, -1))(x).shape == torch.nn.Unflatten(1, (3, -1))(
        torch.zeros(2, 12)).shape
    assert repr(nn.Unflatten(1, (3, 4))) == repr(torch.nn.Unflatten(1, (3, 4)))


# ---- F.normalize with p <= 0, and error classes that follow PyTorch's ---------------------

@pytest.mark.parametrize("p", [0.0, -1.0, -math.inf])
def test_normalize_non_positive_p_matches_torch(device, p):
    a = np.random.default_rng(0).normal(size=(3, 4))
    x, tx = _mg(a, device, True), torch.tensor(a, requires_grad=True)
    got, expected = F.normalize(x, p=p), torch.nn.functional.normalize(tx, p=p)
    np.testing.assert_allclose(_np(got), expected.detach().numpy(), rtol=1e-10)
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(_np(x.grad), tx.grad.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.cpu_suffices
def test_bad_mode_strings_raise_runtime_error_like_torch(device):
    x = minigrad.ones(2, 3, device=device)
    index = minigrad.zeros(2, 3, dtype=minigrad.int64, device=device)
    with pytest.raises(RuntimeError, match="rounding_mode"):
        x.div(x, rounding_mode="typo")
    with pytest.raises(RuntimeError, match="reduce"):
        x.scatter_reduce(1, index, x, reduce="typo")
    with pytest.raises(RuntimeError, match="reduce"):
        x.scatter(1, index, x, reduce="typo")
    q = minigrad.zeros(1, 2, 3, device=device)
    with pytest.raises(RuntimeError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=minigrad.zeros(2, 2, device=device),
                                       is_causal=True)


@pytest.mark.cpu_suffices
def test_bitwise_of_floats_raises_not_implemented_like_torch(device):
    x = minigrad.tensor([1.0], device=device)
    with pytest.raises(NotImplementedError, match="integer"):
        x & x
    with pytest.raises(NotImplementedError, match="float"):
        minigrad.tensor([1], device=device) << 1.0
    with pytest.raises(TypeError):  # earlier minigrad's class still catches it
        x << 2
