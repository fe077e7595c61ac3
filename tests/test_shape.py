"""Shape ops: reshape/view flatten transpose permute .T .mT squeeze unsqueeze expand narrow
split chunk cat stack pad; forward against numpy, gradients against finite differences."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.functions import pad
from minigrad.testing import assert_close, shapes, tensors

SMALL = dict(max_dims=4, max_side=3)
TINY = dict(max_dims=3, max_side=2)


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def reshape_targets(draw, shape):
    """A shape with the same number of elements as `shape`, possibly with one -1."""
    remaining = int(np.prod(shape, dtype=np.int64))
    target = []
    while remaining > 1 and len(target) < 3:
        d = draw(st.sampled_from(_divisors(remaining)))
        target.append(d)
        remaining //= d
    target.append(remaining)
    target = draw(st.permutations(target + [1] * draw(st.integers(0, 1))))
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return tuple(target)


def _check(op, ref, x, second_order=False):
    """op(x) equals ref(x as numpy), and its gradients pass gradcheck (and gradgradcheck)."""
    out = op(x)
    outs = out if isinstance(out, tuple) else (out,)
    expected = ref(x.numpy())
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    assert len(outs) == len(expected)
    for o, e in zip(outs, expected):
        assert o.shape == np.shape(e)
        assert_close(o, e)
    assert minigrad.gradcheck(op, (x,))
    if second_order:
        assert minigrad.gradgradcheck(op, (x,))


@given(data=st.data())
def test_reshape_and_view(device, data):
    x = data.draw(tensors(shapes(**SMALL), device=device))
    target = data.draw(reshape_targets(tuple(x.shape)))
    _check(lambda t: t.reshape(target), lambda a: a.reshape(target), x)
    # (view of a non-contiguous tensor may raise, as in PyTorch: see test_edges_shapes.py)
    _check(lambda t: t.contiguous().view(*target), lambda a: a.reshape(target), x)
    _check(lambda t: minigrad.reshape(t, target), lambda a: a.reshape(target), x)


@given(data=st.data())
def test_flatten(device, data):
    x = data.draw(tensors(shapes(**SMALL), device=device))
    n = max(x.ndim, 1)
    start = data.draw(st.integers(-n, n - 1))
    end = data.draw(st.integers(start % n, n - 1))
    shape = tuple(x.shape)
    if x.ndim == 0:
        target = (1,)
    else:
        s, e = start % n, end % n
        target = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
    _check(lambda t: t.flatten(start, end), lambda a: a.reshape(target), x)
    _check(minigrad.flatten, lambda a: a.reshape(-1), x)


@given(data=st.data())
def test_transpose_permute_T_mT(device, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device))
    d0, d1 = data.draw(st.tuples(*[st.integers(-x.ndim, x.ndim - 1)] * 2))
    dims = data.draw(st.permutations(range(x.ndim)))
    _check(lambda t: t.transpose(d0, d1), lambda a: np.swapaxes(a, d0, d1), x)
    _check(lambda t: t.permute(*dims), lambda a: np.transpose(a, dims), x, second_order=True)
    _check(lambda t: t.T, lambda a: a.T, x)
    if x.ndim >= 2:
        _check(lambda t: t.mT, lambda a: np.swapaxes(a, -2, -1), x)


def test_t_rejects_more_than_two_dims():
    with pytest.raises(ValueError, match="<= 2 dims"):
        minigrad.ones(2, 3, 4).t()
    assert minigrad.ones(2, 3).t().shape == (3, 2)


@given(data=st.data())
def test_squeeze_unsqueeze(device, data):
    x = data.draw(tensors(shapes(max_dims=4, max_side=2), device=device))
    n = max(x.ndim, 1)
    dim = data.draw(st.integers(-n, n - 1))
    dims = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))

    def squeeze_ref(a, axes):
        axes = tuple(d % n for d in axes if a.ndim and a.shape[d] == 1)
        return np.squeeze(a, axes)
    _check(lambda t: t.squeeze(), np.squeeze, x)
    _check(lambda t: t.squeeze(dim), lambda a: squeeze_ref(a, (dim,)), x)
    _check(lambda t: minigrad.squeeze(t, tuple(dims)), lambda a: squeeze_ref(a, dims), x)
    new = data.draw(st.integers(-x.ndim - 1, x.ndim))
    _check(lambda t: t.unsqueeze(new), lambda a: np.expand_dims(a, new), x, second_order=True)


@st.composite
def expand_targets(draw, shape):
    """Sizes `expand` accepts for `shape`: new leading dims, size-1 dims stretched, -1 kept."""
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    sizes = [draw(st.integers(1, 3)) if n == 1 else n for n in shape]
    sizes = [-1 if draw(st.booleans()) else s for s in sizes]
    return tuple(lead + sizes)


@given(data=st.data())
def test_expand(device, data):
    x = data.draw(tensors(shapes(max_dims=3, max_side=3), device=device))
    sizes = data.draw(expand_targets(tuple(x.shape)))
    lead = len(sizes) - x.ndim
    target = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    _check(lambda t: t.expand(*sizes), lambda a: np.broadcast_to(a, target), x,
           second_order=True)
    _check(lambda t: minigrad.broadcast_to(t, target), lambda a: np.broadcast_to(a, target), x)
    other = minigrad.zeros(*target)
    _check(lambda t: t.expand_as(other), lambda a: np.broadcast_to(a, target), x)


@given(data=st.data())
def test_narrow(device, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[dim]
    start = data.draw(st.integers(-n, n))
    begin = start % n if start < 0 else start
    length = data.draw(st.integers(0, n - begin))
    index = [slice(None)] * (dim % x.ndim) + [slice(begin, begin + length)]
    _check(lambda t: t.narrow(dim, start, length), lambda a: a[tuple(index)], x)


@given(data=st.data())
def test_split_and_chunk(device, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[dim]
    size = data.draw(st.integers(1, n + 1))
    bounds = list(range(size, n, size))
    _check(lambda t: t.split(size, dim), lambda a: np.split(a, bounds, axis=dim), x)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    _check(lambda t: minigrad.split(t, sizes, dim), lambda a: np.split(a, cuts, axis=dim), x)
    chunks = data.draw(st.integers(1, n + 1))
    per = -(-n // chunks)
    _check(lambda t: t.chunk(chunks, dim),
           lambda a: np.split(a, list(range(per, n, per)), axis=dim), x)


@given(data=st.data())
def test_cat(device, data):
    base = data.draw(shapes(min_dims=1, **SMALL))
    dim = data.draw(st.integers(-len(base), len(base) - 1))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    parts = []
    for s in sizes:
        shape = list(base)
        shape[dim] = s
        parts.append(data.draw(tensors(tuple(shape), device=device)))
    out = minigrad.cat(parts, dim)
    assert_close(out, np.concatenate([p.numpy() for p in parts], axis=dim))
    assert minigrad.gradcheck(lambda *ts: minigrad.cat(ts, dim), parts)
    assert minigrad.gradgradcheck(lambda *ts: minigrad.cat(ts, dim) ** 2, parts[:1] + [
        p.detach() for p in parts[1:]])


@given(data=st.data())
def test_stack(device, data):
    shape = data.draw(shapes(**SMALL))
    count = data.draw(st.integers(1, 3))
    parts = [data.draw(tensors(shape, device=device)) for _ in range(count)]
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    out = minigrad.stack(parts, dim)
    assert_close(out, np.stack([p.numpy() for p in parts], axis=dim))
    assert minigrad.gradcheck(lambda *ts: minigrad.stack(ts, dim), parts)


def test_cat_promotes_dtypes_and_skips_grad_for_inputs_that_need_none():
    a = minigrad.tensor([1, 2])
    b = minigrad.tensor([0.5], dtype=minigrad.float64, requires_grad=True)
    out = minigrad.cat([a, b])
    assert out.dtype is minigrad.float64
    out.sum().backward()
    assert_close(b.grad, [1.0])


def _pad_reference(a, amounts, value):
    """numpy's pad for the positive amounts, then slicing for the negative ones."""
    widths = [(0, 0)] * a.ndim
    for i in range(len(amounts) // 2):
        widths[a.ndim - 1 - i] = (amounts[2 * i], amounts[2 * i + 1])
    grown = np.pad(a, [(max(b, 0), max(e, 0)) for b, e in widths], constant_values=value)
    crop = tuple(slice(max(-b, 0), n - max(-e, 0)) for (b, e), n in zip(widths, grown.shape))
    return grown[crop]


@st.composite
def pad_amounts(draw, shape):
    """(before, after) amounts for the last k dims, in F.pad order; negative ones crop, and no
    dim shrinks below size 1."""
    k = draw(st.integers(1, len(shape)))
    amounts = []
    for n in reversed(shape[-k:]):
        before = draw(st.integers(-(n - 1), 2))
        after = draw(st.integers(-(n - 1 + min(before, 0)), 2))
        amounts += [before, after]
    return tuple(amounts)


@given(data=st.data())
def test_pad(device, data):
    x = data.draw(tensors(shapes(min_dims=1, **SMALL), device=device))
    amounts = data.draw(pad_amounts(tuple(x.shape)))
    value = data.draw(st.sampled_from([0.0, -1.5]))
    _check(lambda t: pad(t, amounts, value=value),
           lambda a: _pad_reference(a, amounts, value), x, second_order=True)


# ---- views and errors ---------------------------------------------------------------------------

def test_writes_through_a_view_reach_the_base(device):
    x = minigrad.zeros(2, 3, device=device)
    with minigrad.no_grad():
        x.T[0] = 1.0
        x.reshape(6)[5] = 2.0
    assert_close(x, np.array([[1, 0, 0], [1, 0, 2]], dtype=np.float32))


def test_contiguous_makes_a_contiguous_copy_only_when_needed():
    x = minigrad.arange(6.0).reshape(2, 3)
    assert x.contiguous() is x
    y = x.T.contiguous()
    assert y.is_contiguous() and x.is_contiguous() and not x.T.is_contiguous()
    assert_close(y, np.arange(6.0, dtype=np.float32).reshape(2, 3).T)


@pytest.mark.parametrize("make, error, pattern", [
    (lambda x: x.reshape(4, 2), ValueError, r"\(4, 2\) is invalid for input of shape \(2, 3\)"),
    (lambda x: x.reshape(-1, -1), ValueError, "only one dimension can be -1"),
    (lambda x: x.permute(0, 0), ValueError, "not a permutation"),
    (lambda x: x.permute(0), ValueError, "not a permutation"),
    (lambda x: x.expand(4, 3), ValueError, "cannot be expanded"),
    (lambda x: x.expand(3), ValueError, "1 sizes"),
    (lambda x: x.narrow(1, 2, 2), ValueError, "do not fit"),
    (lambda x: x.narrow(0, -3, 1), IndexError, "out of range"),  # IndexError in PyTorch
    (lambda x: x.split([1, 1], dim=1), ValueError, "add up to 3"),
    (lambda x: x.split(0), ValueError, "positive"),
    (lambda x: minigrad.cat([x, minigrad.ones(2, 4)]), ValueError, r"\(2, 4\)"),
    (lambda x: minigrad.cat([]), ValueError, "non-empty"),
    (lambda x: minigrad.stack([x, x.T]), ValueError, "same shape"),
    (lambda x: pad(x, (1,)), ValueError, "even number"),
    (lambda x: pad(x, (0, 0, -2, -1)), ValueError, "negative size"),
    (lambda x: pad(x, (1, 1), mode="reflect"), ValueError, "constant"),
    (lambda x: x.transpose(0, 2), IndexError, "out of range"),
    (lambda x: x.unsqueeze(3), IndexError, "out of range"),
    (lambda x: x.flatten(1, 0), ValueError, "comes after"),
])
def test_bad_shape_arguments(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make(minigrad.ones(2, 3))
