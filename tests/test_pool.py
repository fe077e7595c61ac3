"""Pooling: values and indices against numpy references and PyTorch, ties, gradients of first and
second order, max unpooling, and argument errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close, tensors
from minigrad.testing.pool import (
    adaptive_avg_pool_reference,
    adaptive_pool_cases,
    avg_pool_reference,
    max_pool_reference,
    max_unpool_reference,
    pool_cases,
)

MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d}
ADAPTIVE = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d}
UNPOOL = {1: F.max_unpool1d, 2: F.max_unpool2d}


def _batched(array, dims):
    """An (N, C, *spatial) view of an array that may be unbatched (C, *spatial)."""
    return array if array.ndim == dims + 2 else array[None]


def _like_input(array, x, dims):
    """A reference result in the input's layout (batch dim dropped for an unbatched input)."""
    return array if x.ndim == dims + 2 else array[0]


def _torch():
    torch = pytest.importorskip("torch")
    return torch, torch.nn.functional


def _to_torch(torch, x, requires_grad=False):
    return torch.tensor(x.numpy(), requires_grad=requires_grad)


# ---- forward values ---------------------------------------------------------------------------

@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_max_pool_matches_reference(device, dims, data):
    case = data.draw(pool_cases("max", dims))
    x = data.draw(tensors(case.shape, requires_grad=False, device=device))
    out, indices = MAX_POOL[dims](x, **case.kwargs, return_indices=True)
    expected, expected_indices = max_pool_reference(_batched(x.numpy(), dims), **case.kwargs)
    assert out.dtype is x.dtype and indices.dtype is minigrad.int64
    assert_close(out, _like_input(expected, x, dims))
    # a window over padding only has no position in the input; PyTorch's index there is arbitrary
    real = expected_indices >= 0
    got = _batched(indices.numpy(), dims)
    np.testing.assert_array_equal(got[real], expected_indices[real])


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_avg_pool_matches_reference(device, dims, data):
    case = data.draw(pool_cases("avg", dims))
    x = data.draw(tensors(case.shape, requires_grad=False, device=device))
    out = AVG_POOL[dims](x, **case.kwargs)
    expected = avg_pool_reference(_batched(x.numpy(), dims), **case.kwargs)
    assert_close(out, _like_input(expected, x, dims), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_adaptive_avg_pool_matches_reference(device, dims, data):
    case = data.draw(adaptive_pool_cases(dims))
    x = data.draw(tensors(case.shape, requires_grad=False, device=device))
    out = ADAPTIVE[dims](x, **case.kwargs)
    expected = adaptive_avg_pool_reference(_batched(x.numpy(), dims), **case.kwargs)
    assert_close(out, _like_input(expected, x, dims), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_pool_matches_torch_in_float32(device, kind, dims, data):
    torch, tf = _torch()
    case = data.draw(pool_cases(kind, dims))
    x = data.draw(tensors(case.shape, dtype=minigrad.float32, requires_grad=False,
                          device=device))
    if kind == "max":
        out, indices = MAX_POOL[dims](x, **case.kwargs, return_indices=True)
        expected, expected_indices = getattr(tf, f"max_pool{dims}d")(
            _to_torch(torch, x), **case.kwargs, return_indices=True)
        np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
    else:
        out = AVG_POOL[dims](x, **case.kwargs)
        expected = getattr(tf, f"avg_pool{dims}d")(_to_torch(torch, x), **case.kwargs)
    assert out.dtype is minigrad.float32
    assert_close(out, expected)


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_adaptive_avg_pool_matches_torch_in_float32(device, dims, data):
    torch, tf = _torch()
    case = data.draw(adaptive_pool_cases(dims))
    x = data.draw(tensors(case.shape, dtype=minigrad.float32, requires_grad=False,
                          device=device))
    expected = getattr(tf, f"adaptive_avg_pool{dims}d")(_to_torch(torch, x), **case.kwargs)
    assert_close(ADAPTIVE[dims](x, **case.kwargs), expected)


def test_avg_pool_divisors_at_ceil_mode_overhang(device):
    # 4x4 ones, kernel 3, stride 2, ceil_mode: the last window row/column starts at 2 and is cut
    # at the input's end (no padding), so it divides by the 2 positions it keeps
    x = minigrad.ones(1, 1, 4, 4, device=device)
    np.testing.assert_allclose(F.avg_pool2d(x, 3, 2, ceil_mode=True).numpy(), np.ones((1, 1, 2, 2)))
    # with padding 1 each window counts the padding it covers (count_include_pad): along an
    # axis the windows are [-1, 2), [1, 4) and [3, 6) cut to [3, 5) at the padding's end, so
    # they hold 2 of 3, 3 of 3 and 1 of 2 counted positions
    out = F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True).numpy()[0, 0]
    fraction = np.array([2 / 3, 1, 1 / 2])
    np.testing.assert_allclose(out, np.outer(fraction, fraction), rtol=1e-6)


def test_empty_batch(device):
    x = minigrad.zeros(0, 2, 5, 5, device=device, requires_grad=True)
    for pooled in (F.max_pool2d(x, 2), F.avg_pool2d(x, 2), F.adaptive_avg_pool2d(x, 3)):
        assert tuple(pooled.shape)[:2] == (0, 2)
        pooled.sum().backward()
        assert tuple(x.grad.shape) == (0, 2, 5, 5)


def test_adaptive_output_size_none_keeps_input_size(device):
    x = minigrad.randn(2, 3, 5, 4, device=device)
    assert tuple(F.adaptive_avg_pool2d(x, (None, 2)).shape) == (2, 3, 5, 2)
    assert tuple(F.adaptive_avg_pool2d(x, (3, None)).shape) == (2, 3, 3, 4)


# ---- ties, NaN and overlapping windows --------------------------------------------------------

TIE_CASES = [
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1)),
    dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True),
    # windows inside the plane (the cpu's unrolled 2x2 and unit-step kernels)
    dict(kernel_size=2, stride=2),
    dict(kernel_size=3, stride=3),
    dict(kernel_size=(3, 2), stride=(2, 1)),
    dict(kernel_size=2, stride=2, ceil_mode=True),
]


@pytest.mark.parametrize("kwargs", TIE_CASES)
def test_ties_pick_and_route_like_torch(device, kwargs):
    torch, tf = _torch()
    rng = np.random.default_rng(1)
    values = rng.integers(0, 3, size=(2, 2, 7, 6)).astype(np.float64)
    x = minigrad.tensor(values, device=device, requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    out, indices = F.max_pool2d(x, **kwargs, return_indices=True)
    t_out, t_indices = tf.max_pool2d(tx, **kwargs, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    np.testing.assert_array_equal(out.detach().numpy(), t_out.detach().numpy())
    seed = rng.standard_normal(tuple(out.shape))
    out.backward(minigrad.tensor(seed, device=device))
    t_out.backward(torch.tensor(seed))
    assert_close(x.grad, tx.grad, rtol=1e-12, atol=1e-12)


def test_nan_wins_like_torch(device):
    torch, tf = _torch()
    values = np.array([[[1.0, np.nan, 3.0, np.nan, -1.0, 2.0]]])
    out, indices = F.max_pool1d(minigrad.tensor(values, device=device), 3, 1, 1,
                                return_indices=True)
    t_out, t_indices = tf.max_pool1d(torch.tensor(values), 3, 1, 1, return_indices=True)
    assert_close(out, t_out)
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2, stride=2),
                                    dict(kernel_size=3, stride=2),
                                    dict(kernel_size=2, stride=2, padding=1)])
def test_nan_and_infinities_in_2d_windows_like_torch(device, kwargs):
    """NaN wins wherever it sits in the window (the last NaN's index, as torch), -inf ties
    keep the first position."""
    torch, tf = _torch()
    rng = np.random.default_rng(3)
    values = rng.choice(np.array([np.nan, -np.inf, np.inf, 0.0, 1.0], dtype=np.float32),
                        size=(2, 3, 6, 8), p=[0.15, 0.35, 0.1, 0.2, 0.2])
    out, indices = F.max_pool2d(minigrad.tensor(values, device=device), **kwargs,
                                return_indices=True)
    t_out, t_indices = tf.max_pool2d(torch.tensor(values), **kwargs, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())


def test_overlapping_windows_accumulate_gradient(device):
    # the maximum sits at the centre of a 5x5 input: all nine 3x3 windows (stride 1) pick it
    values = -np.abs(np.arange(25.0) - 12).reshape(1, 1, 5, 5)
    x = minigrad.tensor(values, device=device, requires_grad=True)
    F.max_pool2d(x, 3, stride=1).sum().backward()
    expected = np.zeros((1, 1, 5, 5))
    expected[0, 0, 2, 2] = 9.0
    np.testing.assert_array_equal(x.grad.numpy(), expected)


# ---- gradients --------------------------------------------------------------------------------

@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_max_pool_gradcheck_and_gradgradcheck(device, dims, data):
    case = data.draw(pool_cases("max", dims, max_side=6, padding_only_windows=False))
    # distinct values: no ties, so the maxima do not move under the finite-difference steps
    x = data.draw(tensors(case.shape, distinct=True, device=device))

    def pool(t):
        return MAX_POOL[dims](t, **case.kwargs)
    assert minigrad.gradcheck(pool, x)
    assert minigrad.gradgradcheck(pool, x)


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_avg_pool_gradcheck_and_gradgradcheck(device, dims, data):
    case = data.draw(pool_cases("avg", dims, max_side=6))
    x = data.draw(tensors(case.shape, device=device))

    def pool(t):
        return AVG_POOL[dims](t, **case.kwargs)
    assert minigrad.gradcheck(pool, x)
    assert minigrad.gradgradcheck(pool, x)


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_adaptive_avg_pool_gradcheck_and_gradgradcheck(device, dims, data):
    case = data.draw(adaptive_pool_cases(dims, max_side=6, max_output=7))
    x = data.draw(tensors(case.shape, device=device))

    def pool(t):
        return ADAPTIVE[dims](t, **case.kwargs)
    assert minigrad.gradcheck(pool, x)
    assert minigrad.gradgradcheck(pool, x)


@pytest.mark.parametrize("kind", ["max", "avg", "adaptive"])
def test_gradients_match_torch(device, kind):
    torch, tf = _torch()
    rng = np.random.default_rng(2)
    values = rng.standard_normal((2, 3, 7, 7))
    x = minigrad.tensor(values, device=device, requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    if kind == "max":
        out, t_out = F.max_pool2d(x, 3, 2, 1), tf.max_pool2d(tx, 3, 2, 1)
    elif kind == "avg":
        args = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        out, t_out = F.avg_pool2d(x, **args), tf.avg_pool2d(tx, **args)
    else:
        out, t_out = F.adaptive_avg_pool2d(x, (3, 5)), tf.adaptive_avg_pool2d(tx, (3, 5))
    seed = rng.standard_normal(tuple(out.shape))
    out.backward(minigrad.tensor(seed, device=device))
    t_out.backward(torch.tensor(seed))
    assert_close(x.grad, tx.grad, rtol=1e-12, atol=1e-12)


# ---- max unpooling ----------------------------------------------------------------------------

@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data())
def test_max_unpool_round_trip(device, dims, data):
    case = data.draw(pool_cases("max", dims, max_dilation=1))
    x = data.draw(tensors(case.shape, requires_grad=False, distinct=True, device=device))
    kwargs = {k: v for k, v in case.kwargs.items() if k in ("kernel_size", "stride", "padding")}
    out, indices = MAX_POOL[dims](x, **case.kwargs, return_indices=True)
    # without dilation, unpooling to the input's own size is always a valid output_size
    size = list(x.shape[-dims:])
    unpooled = UNPOOL[dims](out, indices, **kwargs, output_size=size)
    expected = max_unpool_reference(_batched(out.numpy(), dims),
                                    _batched(indices.numpy(), dims), size)
    assert_close(unpooled, _like_input(expected, x, dims))
    # every pooled value sits at its argmax position, which holds the same value in the input
    flat = unpooled.numpy().reshape(unpooled.shape[:-dims] + (-1,))
    picked = np.take_along_axis(flat, indices.numpy().reshape(flat.shape[:-1] + (-1,)), -1)
    np.testing.assert_array_equal(picked.reshape(out.shape), out.numpy())


@pytest.mark.parametrize("dims", [1, 2])
def test_max_unpool_matches_torch(device, dims):
    torch, tf = _torch()
    rng = np.random.default_rng(3)
    values = rng.standard_normal((2, 3) + (4,) * dims)
    x = minigrad.tensor(values, device=device)
    out, indices = MAX_POOL[dims](x, 2, return_indices=True)
    t_out, t_indices = getattr(tf, f"max_pool{dims}d")(torch.tensor(values), 2,
                                                       return_indices=True)
    for size in (None, [5] * dims, [2, 3] + [5] * dims):
        got = UNPOOL[dims](out, indices, 2, output_size=size)
        expected = getattr(tf, f"max_unpool{dims}d")(t_out, t_indices, 2, output_size=size)
        assert_close(got, expected)


def test_max_unpool_repeated_index_keeps_the_last_value(device):
    # PyTorch leaves the winner undefined (its kernel is nondeterministic there); minigrad
    # writes in order, so the last value at a repeated position stays
    values, index = np.array([[[[1.0, 2.0, 3.0]]]]), np.array([[[[4, 1, 4]]]])
    got = F.max_unpool2d(minigrad.tensor(values, device=device),
                         minigrad.tensor(index, device=device), 2, output_size=(2, 6))
    expected = np.zeros((1, 1, 2, 6))
    expected[0, 0, 0, 1], expected[0, 0, 0, 4] = 2.0, 3.0
    np.testing.assert_array_equal(got.numpy(), expected)
    np.testing.assert_array_equal(max_unpool_reference(values, index, (2, 6)), expected)


def test_max_unpool_gradcheck_and_gradgradcheck(device):
    planes = (2, 2) if device == "cpu" else (1, 1)  # one plane on cuda: simulated, it is slow
    x = minigrad.randn(*planes, 6, 5, dtype=minigrad.float64, device=device)
    pooled, indices = F.max_pool2d(x, 2, 2, padding=1, return_indices=True)
    values = pooled.detach().requires_grad_()

    def unpool(v):
        return F.max_unpool2d(v, indices, 2, 2, padding=1, output_size=(6, 5))
    assert minigrad.gradcheck(unpool, values)
    assert minigrad.gradgradcheck(unpool, values)


# ---- bad arguments ----------------------------------------------------------------------------

def _x(*shape):
    return minigrad.zeros(*shape)


BAD_CALLS = [
    (lambda: F.max_pool2d(_x(5, 5), 2), ValueError, r"3-D \(C, H, W\) or 4-D .* got shape"),
    (lambda: F.max_pool1d(_x(1, 1, 5, 5), 2), ValueError, r"2-D \(C, L\) or 3-D"),
    (lambda: F.avg_pool2d(_x(1, 0, 5, 5), 2), ValueError, "non-zero sizes"),
    (lambda: F.max_pool1d(_x(1, 1, 5).long(), 2), TypeError, "floating point input"),
    (lambda: F.max_pool2d([[1.0]], 2), TypeError, "Tensor"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), 2.0), TypeError, "kernel_size must be an int"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), (2, 2, 2)), TypeError, "sequence of 2 ints"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), 0), ValueError, "kernel_size must be greater"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), 2, stride=0), ValueError, "stride must be greater"),
    (lambda: F.avg_pool1d(_x(1, 5), 2, stride=-1), ValueError, "stride must be greater"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), 2, dilation=0), ValueError, "dilation must be"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), 2, padding=-1), ValueError, "non-negative"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), 2, padding=2), ValueError, "at most half"),
    (lambda: F.avg_pool2d(_x(1, 1, 5, 5), (3, 2), padding=(1, 2)), ValueError, "at most half"),
    (lambda: F.max_pool2d(_x(1, 1, 5, 5), 6), ValueError, r"too small .* output size"),
    (lambda: F.max_pool1d(_x(1, 4), 3, dilation=2), ValueError, "too small"),
    (lambda: F.avg_pool2d(_x(1, 1, 5, 5), 2, divisor_override=0), ValueError, "not be zero"),
    (lambda: F.adaptive_avg_pool2d(_x(1, 1, 5, 5), (2, 3, 4)), TypeError, "sequence of 2"),
    (lambda: F.adaptive_avg_pool1d(_x(1, 5), None), TypeError, "output_size"),
    (lambda: F.adaptive_avg_pool2d(_x(1, 1, 5, 5), -1), ValueError, "non-negative"),
    (lambda: F.max_unpool2d(_x(1, 1, 2, 2), _x(1, 1, 2, 2), 2), TypeError, "int64"),
    (lambda: F.max_unpool2d(_x(1, 1, 2, 2), _x(1, 1, 2, 1).long(), 2), ValueError,
     "input's shape"),
    (lambda: F.max_unpool2d(_x(1, 1, 2, 2), _x(1, 1, 2, 2).long(), 2, stride=0), ValueError,
     "stride > 0"),
    (lambda: F.max_unpool2d(_x(1, 1, 2, 2), _x(1, 1, 2, 2).long(), 2, output_size=(9, 4)),
     ValueError, r"dim 0 must be strictly between 2 and 6"),
    (lambda: F.max_unpool2d(_x(1, 1, 2, 2), _x(1, 1, 2, 2).long(), 2, output_size=(1, 4, 4)),
     ValueError, "2 or 4 entries"),
    (lambda: F.max_unpool1d(_x(1, 2), _x(1, 2).long(), 2, output_size=5), TypeError,
     "sequence of ints"),
    (lambda: F.max_unpool1d(_x(1, 2), _x(1, 2).long() + 4, 2), ValueError,
     r"index 4 .* outside the output plane"),
    (lambda: F.max_unpool1d(_x(1, 2), _x(1, 2).long() - 1, 2), ValueError, "index -1"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS)
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
