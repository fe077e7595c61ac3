"""Reductions: sum mean amax amin max min var std argmax argmin over dim None / int / tuple, with
and without keepdim; forward values against numpy, gradients against finite differences."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.testing import assert_close, shapes, tensors

SMALL = dict(max_dims=3, max_side=4)
TINY = dict(max_dims=2, max_side=3)


@st.composite
def dims_of(draw, ndim):
    """A `dim` argument for a tensor with `ndim` dims: None, an int, or a tuple of distinct ints
    (negative ones included)."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    as_int = st.integers(-ndim, ndim - 1)
    as_tuple = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
        lambda axes: st.tuples(*(st.sampled_from([a, a - ndim]) for a in axes)))
    return draw(st.none() | as_int | as_tuple)


def _axis(a, dim):
    """`dim` as numpy's axis argument for array `a` (dim 0 of a 0-d array reduces nothing)."""
    if a.ndim == 0 and dim is not None:
        return ()
    return tuple(dim) if isinstance(dim, (tuple, list)) else dim


@st.composite
def reduce_cases(draw, dims=SMALL, device="cpu", **value_range):
    """(tensor, dim, keepdim) for a reduction; tensors have at least one dim when dim is an int."""
    x = draw(tensors(shapes(**dims), device=device, **value_range))
    return x, draw(dims_of(x.ndim)), draw(st.booleans())


# name -> (reduction called as op(x, dim, keepdim), numpy reference with the same arguments)
REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k),
            lambda a, d, k: np.sum(a, _axis(a, d), keepdims=k)),
    "mean": (lambda x, d, k: minigrad.mean(x, d, k),
             lambda a, d, k: np.mean(a, _axis(a, d), keepdims=k)),
    "amax": (lambda x, d, k: x.amax(() if d is None else d, k),
             lambda a, d, k: np.amax(a, _axis(a, d), keepdims=k)),
    "amin": (lambda x, d, k: minigrad.amin(x, () if d is None else d, keepdim=k),
             lambda a, d, k: np.amin(a, _axis(a, d), keepdims=k)),
    "var": (lambda x, d, k: x.var(d, keepdim=k),
            lambda a, d, k: np.var(a, _axis(a, d), keepdims=k, ddof=1)),
    "var_biased": (lambda x, d, k: minigrad.var(x, d, unbiased=False, keepdim=k),
                   lambda a, d, k: np.var(a, _axis(a, d), keepdims=k)),
    "std": (lambda x, d, k: x.std(d, keepdim=k),
            lambda a, d, k: np.std(a, _axis(a, d), keepdims=k, ddof=1)),
    "std_correction": (lambda x, d, k: minigrad.std(x, d, keepdim=k, correction=0),
                       lambda a, d, k: np.std(a, _axis(a, d), keepdims=k)),
}


def _reduced_count(x, dim):
    axes = range(x.ndim) if dim is None else np.atleast_1d(dim)
    return int(np.prod([x.shape[a] for a in axes])) if x.ndim else 1


def _valid(name, x, dim):
    """var needs more elements per result than the correction (else inf / NaN), and std also
    a nonzero variance (its derivative is infinite at 0), so both get at least 2."""
    return not name.startswith(("var", "std")) or _reduced_count(x, dim) > 1


def _spread(name):
    """Value options: the gradients of amax/amin need no ties, those of std no zero spread."""
    return dict(distinct=name.startswith(("amax", "amin", "var", "std")), margin=0.05)


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction_forward_matches_numpy(device, name, data):
    op, ref = REDUCTIONS[name]
    x, dim, keepdim = data.draw(reduce_cases(dict(max_dims=4, max_side=5), device))
    if not _valid(name, x, dim):
        return
    out = op(x, dim, keepdim)
    expected = ref(x.numpy(), dim, keepdim)
    assert out.dtype is minigrad.float64
    assert_close(out, expected)


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction_gradcheck(device, name, data):
    op, _ = REDUCTIONS[name]
    x, dim, keepdim = data.draw(reduce_cases(SMALL, device, **_spread(name)))
    if _valid(name, x, dim):
        assert minigrad.gradcheck(lambda t: op(t, dim, keepdim), (x,))


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "var", "std"])
@given(data=st.data())
def test_reduction_gradgradcheck(device, name, data):
    op, _ = REDUCTIONS[name]
    x, dim, keepdim = data.draw(reduce_cases(TINY, device, **_spread(name)))
    if _valid(name, x, dim):
        assert minigrad.gradgradcheck(lambda t: op(t, dim, keepdim), (x,))


# ---- max / min ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_min_along_a_dim_return_values_and_indices(device, name, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device, distinct=True))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    keepdim = data.draw(st.booleans())
    out = getattr(x, name)(dim, keepdim)
    values, indices = out
    assert out.values is values and out.indices is indices and type(out).__name__ == name
    a = x.numpy()
    ref, arg = (np.max, np.argmax) if name == "max" else (np.min, np.argmin)
    assert_close(values, ref(a, dim, keepdims=keepdim))
    assert_close(indices, arg(a, dim, keepdims=keepdim), check_dtype=True)
    assert indices.dtype is minigrad.int64 and not indices.requires_grad
    assert minigrad.gradcheck(lambda t: getattr(t, name)(dim, keepdim).values, (x,))
    assert minigrad.gradgradcheck(lambda t: getattr(t, name)(dim, keepdim)[0] ** 2, (x,))


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_min_without_dim(device, name, data):
    x = data.draw(tensors(shapes(**SMALL), device=device, distinct=True))
    out = getattr(minigrad, name)(x)
    assert out.shape == ()
    assert_close(out, getattr(np, name)(x.numpy()))
    assert minigrad.gradcheck(getattr(minigrad, name), (x,))


def test_max_min_of_a_0d_tensor_along_dim_0():
    x = minigrad.tensor(2.5, requires_grad=True)
    values, indices = x.max(0)
    assert values.item() == 2.5 and indices.item() == 0 and indices.dtype is minigrad.int64
    values.backward()
    assert x.grad.item() == 1.0
    assert minigrad.min(x, dim=-1, keepdim=True).values.shape == ()


@pytest.mark.parametrize("reduce", [minigrad.max, minigrad.amax,
                                    lambda t: t.amax(dim=(0, 1))])
def test_tied_maxima_share_the_gradient_evenly(device, reduce):
    x = minigrad.tensor([[1.0, 3.0], [3.0, 3.0]], device=device, requires_grad=True)
    reduce(x).backward()
    assert_close(x.grad, np.array([[0.0, 1.0], [1.0, 1.0]], dtype=np.float32) / 3)


def test_tied_minima_along_a_dim_share_evenly_in_amin():
    x = minigrad.tensor([[0.0, 0.0, 1.0], [2.0, -1.0, -1.0]], requires_grad=True)
    x.amin(dim=1).sum().backward()
    assert_close(x.grad, np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]], dtype=np.float32))


def test_max_along_a_dim_sends_the_gradient_to_the_returned_index():
    x = minigrad.tensor([[3.0, 1.0, 3.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    assert indices.tolist() == [0]  # the first of tied maxima, as PyTorch and numpy
    assert_close(x.grad, np.array([[1.0, 0.0, 0.0]], dtype=np.float32))


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "amax", "amin"])
@pytest.mark.parametrize("empty", [(), []])
def test_an_empty_dim_list_reduces_everything_as_pytorch(name, empty):
    x = minigrad.arange(6, dtype=minigrad.float64).reshape(2, 3)
    out = getattr(x, name)(empty)
    assert out.shape == ()
    assert_close(out, getattr(x, name)())


def test_max_over_several_dims_gives_the_values_only():
    x = minigrad.arange(24, dtype=minigrad.float64).reshape(2, 3, 4)
    assert_close(x.max(dim=(0, 2)), np.arange(24.0).reshape(2, 3, 4).max(axis=(0, 2)))


# ---- argmax / argmin ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(data=st.data())
def test_argmax_argmin_match_numpy_with_ties(device, name, data):
    shape = data.draw(shapes(**SMALL))
    # small whole numbers: ties are common, and the first index must win
    a = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(-2, 2).map(float)))
    x = minigrad.tensor(a, device=device)
    dim = data.draw(st.none() | st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))
    keepdim = data.draw(st.booleans())
    out = getattr(minigrad, name)(x, dim, keepdim)
    if dim is None:
        expected = getattr(np, name)(a)
        expected = np.reshape(expected, (1,) * a.ndim if keepdim else ())
    elif a.ndim == 0:
        expected = np.array(0)
    else:
        expected = getattr(np, name)(a, dim, keepdims=keepdim)
    assert out.dtype is minigrad.int64
    assert_close(out, expected)


# ---- dtypes and errors -------------------------------------------------------------------------

def test_sum_dtypes():
    assert minigrad.tensor([True, True, False]).sum().dtype is minigrad.int64
    assert minigrad.tensor([True, True, False]).sum().item() == 2
    assert minigrad.tensor([1, 2]).sum().dtype is minigrad.int64
    assert minigrad.tensor([1, 2]).sum(dtype=minigrad.float64).dtype is minigrad.float64
    assert minigrad.ones(2, dtype=minigrad.float32).sum().dtype is minigrad.float32


def test_var_std_of_integers_raise_as_pytorch():
    # PyTorch: "std and var only support floating point and complex dtypes" (RuntimeError)
    x = minigrad.tensor([1, 2, 4])
    for reduce in (x.var, x.std):
        with pytest.raises(RuntimeError, match="floating point"):
            reduce()
    assert_close(x.float().std(), np.float32(np.std([1, 2, 4], ddof=1)))


def test_var_with_too_few_elements_is_nan_or_inf_as_pytorch():
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(minigrad.tensor([1.0]).var().item())
        assert np.isinf(minigrad.tensor([1.0, 2.0]).var(correction=2).item())


def test_var_rejects_unbiased_and_correction_together():
    with pytest.raises(ValueError, match="unbiased or correction"):
        minigrad.ones(3).var(unbiased=True, correction=1)


def test_mean_of_integers_is_rejected():
    with pytest.raises(TypeError, match="floating point"):
        minigrad.tensor([1, 2]).mean()


@pytest.mark.parametrize("make", [lambda x: x.sum(2), lambda x: x.mean(-3), lambda x: x.max(5),
                                  lambda x: x.argmax(2), lambda x: x.amax((0, 2))])
def test_out_of_range_dims_are_rejected(make):
    with pytest.raises(IndexError, match="out of range"):
        make(minigrad.ones(2, 3))


def test_repeated_dims_are_rejected():
    with pytest.raises(ValueError, match="more than once"):
        minigrad.ones(2, 3).sum(dim=(1, -1))


@pytest.mark.parametrize("make", [lambda x: x.max(), lambda x: x.amax(0), lambda x: x.argmin(),
                                  lambda x: x.min(dim=0)])
def test_extremes_of_empty_tensors_are_rejected(make):
    with pytest.raises(ValueError, match="empty"):
        make(minigrad.ones(0, 2))


def test_all_any():
    x = minigrad.tensor([[1.0, 0.0], [2.0, 3.0]])
    assert x.all().item() is False and x.any().item() is True
    assert x.all(dim=1).tolist() == [False, True]
    assert x.any(dim=0, keepdim=True).tolist() == [[True, True]]


def test_max_and_min_with_a_tensor_are_elementwise_as_in_torch(device):
    # torch.max(input, other): the PPO clipped objective's torch.min(surr1, surr2)
    torch = pytest.importorskip("torch")
    a = [[1.0, 5.0, -2.0], [0.5, 0.5, 3.0]]
    b = [[3.0, 2.0, -2.0], [1.0, 0.0, 4.0]]
    for name in ("max", "min"):
        x = minigrad.tensor(a, device=device, requires_grad=True)
        y = minigrad.tensor(b, device=device, requires_grad=True)
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        got, want = getattr(minigrad, name)(x, y), getattr(torch, name)(tx, ty)
        assert got.tolist() == want.tolist()
        assert getattr(x, name)(y).tolist() == getattr(tx, name)(ty).tolist()
        assert getattr(minigrad, name)(x, other=y).tolist() == want.tolist()
        got.sum().backward()
        want.sum().backward()
        assert x.grad.tolist() == tx.grad.tolist() and y.grad.tolist() == ty.grad.tolist()
        with pytest.raises(TypeError, match="keepdim"):
            getattr(minigrad, name)(x, y, keepdim=True)
