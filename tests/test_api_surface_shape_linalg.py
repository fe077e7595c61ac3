"""PyTorch's surface of split, scatter and shape helpers, products and matrix functions,
summaries, factories and settings, compared with torch call by call."""
import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")

from api_surface_checks import as_numpy as _np  # noqa: E402  (after the torch skip)
from api_surface_checks import pair as _pair, randn as _randn, same as _same  # noqa: E402


SPLIT_CALLS = [
    lambda m, x: m.tensor_split(x, 3), lambda m, x: m.tensor_split(x, [1, 4], dim=1),
    lambda m, x: m.tensor_split(x, [-2, 3, 10], 1), lambda m, x: x.tensor_split(5, 0),
    lambda m, x: m.hsplit(x, 2), lambda m, x: m.hsplit(x, [1, 3]), lambda m, x: m.vsplit(x, 3),
    lambda m, x: m.dsplit(x.reshape(3, 2, 2), [1]), lambda m, x: m.split_with_sizes(x, [1, 3],
                                                                                     1),
    lambda m, x: x.split_with_sizes([2, 1]), lambda m, x: (m.ravel(x.t()),),
    lambda m, x: m.tensor_split(x, m.tensor(2)), lambda m, x: m.unravel_index(
        m.tensor([[-1, 5], [7, 0]]), (3, 4)),
]


@pytest.mark.parametrize("call", SPLIT_CALLS)
def test_splits_match_torch(device, call):
    x, tx = _pair(np.arange(12.0).reshape(3, 4), device=device)
    _same(call(minigrad, x), call(torch, tx))


def test_split_errors_match_torch():
    for m in (torch, minigrad):
        x = m.arange(8)
        with pytest.raises(RuntimeError, match="divisible"):
            m.hsplit(x, 3)
        with pytest.raises(RuntimeError, match="at least 2"):
            m.vsplit(x, 2)
        with pytest.raises(RuntimeError, match="sum exactly to 8"):
            m.split_with_sizes(x, [2, 2])
        with pytest.raises(RuntimeError, match="same number of dimensions"):
            m.take_along_dim(m.ones(2, 3), m.zeros(2, dtype=m.int64), 1)
        with pytest.raises(RuntimeError, match="expandable"):
            m.ones(3, 4).sum_to_size(2)


def test_take_along_dim_broadcasts_and_differentiates(device):
    x, tx = _pair(_randn(3, 4), device=device, requires_grad=True)
    order = np.argsort(_randn(3, 4, seed=1), 1)[:, :2]
    i, ti = minigrad.tensor(order, device=device), torch.tensor(order)
    _same(minigrad.take_along_dim(x, i, 1), torch.take_along_dim(tx, ti, 1))
    _same(x.take_along_dim(i[:1], 1), tx.take_along_dim(ti[:1], 1))
    _same(minigrad.take_along_dim(x, i), torch.take_along_dim(tx, ti))
    assert minigrad.gradcheck(lambda t: minigrad.take_along_dim(t, i[:1], 1), [x])


def test_broadcast_shapes_and_sum_to_size():
    assert minigrad.broadcast_shapes((2, 1), 3, [1, 3]) == torch.broadcast_shapes((2, 1), 3,
                                                                                   [1, 3])
    assert isinstance(minigrad.broadcast_shapes((2, 1)), minigrad.Size)
    with pytest.raises(RuntimeError, match="Shape mismatch"):
        minigrad.broadcast_shapes((2, 3), (4,))
    x, tx = _pair(_randn(2, 3, 4))
    _same(x.sum_to_size(3, 1), tx.sum_to_size(3, 1))
    _same(x.sum_to_size((1, 1, 4)), tx.sum_to_size((1, 1, 4)))


SCATTER_CALLS = [
    lambda m, x, s: m.slice_scatter(x, s[:, :2], 1, 1, 5, 2),
    lambda m, x, s: m.slice_scatter(x, s[:1], start=2),
    lambda m, x, s: m.select_scatter(x, s[0], 0, -1),
    lambda m, x, s: m.diagonal_scatter(x, s[0, :3]),
    lambda m, x, s: m.diagonal_scatter(x, s[0, :2], 2),
    lambda m, x, s: m.diagonal_scatter(x, s[0, :3], -1, 1, 0),
    lambda m, x, s: x.index_copy(1, m.tensor([3, 0]), s[:, :2]),
    lambda m, x, s: m.index_copy(x, 0, m.tensor([2]), s[:1]),
    lambda m, x, s: m.put(x, m.tensor([-1, 0, 5]), s[0, :3]),
    lambda m, x, s: x.put(m.tensor([1, 1]), s[1, :2], accumulate=True),
    lambda m, x, s: m.diagflat(s[0, :3], 1), lambda m, x, s: x.diagflat(-1),
    lambda m, x, s: m.rsub(x, s, alpha=2), lambda m, x, s: m.rsub(x, 2.5),
    lambda m, x, s: m.fill(x, 3.5), lambda m, x, s: m.fill(x, s[0, 0]),
]


@pytest.mark.parametrize("call", SCATTER_CALLS)
def test_scatters_match_torch_with_gradients(device, call):
    x, tx = _pair(_randn(3, 4), device=device, requires_grad=True)
    s, ts = _pair(_randn(3, 4, seed=1), device=device, requires_grad=True)
    out, expected = call(minigrad, x, s), call(torch, tx, ts)
    _same(out, expected)
    weights = _randn(*expected.shape, seed=2)
    (out * minigrad.tensor(weights, device=device)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for mine, theirs in ((x.grad, tx.grad), (s.grad, ts.grad)):
        if theirs is None:
            assert mine is None or not _np(mine).any()
        else:
            _same(mine, theirs)


def test_scatter_shape_errors():
    for m in (torch, minigrad):
        with pytest.raises(RuntimeError, match="expected src to have a size equal"):
            m.slice_scatter(m.zeros(4), m.ones(3), 0, 0, 2)
        with pytest.raises(IndexError, match="Number of indices"):
            m.index_copy(m.zeros(2, 3), 1, m.tensor([0]), m.ones(2, 2))


def test_inplace_scatters(device):
    x, tx = _pair(_randn(3, 4), device=device)
    s, ts = _pair(_randn(3, 2, seed=1), device=device)
    x.index_copy_(1, minigrad.tensor([3, 1], device=device), s)
    tx.index_copy_(1, torch.tensor([3, 1]), ts)
    _same(x, tx)
    x.put_(minigrad.tensor([0, 11], device=device), s[0])
    tx.put_(torch.tensor([0, 11]), ts[0])
    _same(x, tx)
    for wrap in (False, True):
        for shape in ((3, 4), (7, 3), (3, 3, 3)):
            a, ta = _pair(np.zeros(shape), device=device)
            a.fill_diagonal_(2.0, wrap)
            ta.fill_diagonal_(2.0, wrap)
            _same(a, ta)


@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True},
                                    {"dim": 0, "return_inverse": True, "return_counts": True},
                                    {"dim": 1, "return_counts": True}])
def test_unique_consecutive_matches_torch(device, kwargs):
    values = [[1, 1, 2], [1, 1, 2], [3, 1, 1], [3, 1, 1]]
    x, tx = _pair(values, "int64", device)
    _same(minigrad.unique_consecutive(x, **kwargs), torch.unique_consecutive(tx, **kwargs))
    _same(x.unique_consecutive(**kwargs), tx.unique_consecutive(**kwargs))


@pytest.mark.parametrize("r, replace", [(2, False), (3, False), (2, True), (0, False),
                                        (5, False)])
def test_combinations_and_vander(device, r, replace):
    x, tx = _pair([1.5, 2.0, -1.0, 4.0], device=device)
    _same(minigrad.combinations(x, r, replace), torch.combinations(tx, r, replace))
    for dtype in ("float32", "int32", "bool"):
        v, tv = _pair([1, 0, 3], dtype, device)
        _same(minigrad.vander(v), torch.vander(tv))
        _same(minigrad.vander(v, r, True), torch.vander(tv, r, True))


# ---- products, matrix functions, summaries -------------------------------------------------------

LINALG_CALLS = [
    lambda m, a, b: m.dist(a, b), lambda m, a, b: m.dist(a, b, 1), lambda m, a, b: a.dist(b, 3),
    lambda m, a, b: m.dist(a, b, float("inf")), lambda m, a, b: m.inner(a, b),
    lambda m, a, b: m.inner(a[0], b), lambda m, a, b: m.inner(a[0, 0], b),
    lambda m, a, b: m.addr(a, a[:, 0], b[0], beta=0.5, alpha=2),
    lambda m, a, b: a.addbmm(a.unsqueeze(0).expand(2, 3, 3), b.unsqueeze(0).expand(2, 3, 3),
                             alpha=0.5),
    lambda m, a, b: m.matrix_power(a, 3), lambda m, a, b: m.matrix_power(a, 0),
    lambda m, a, b: m.matrix_exp(a), lambda m, a, b: m.matrix_exp(a * 6),
    lambda m, a, b: m.renorm(a, 2, 0, 1.0), lambda m, a, b: a.renorm(1, 1, 0.5),
    lambda m, a, b: m.trapezoid(a), lambda m, a, b: m.trapezoid(a, b[0], dim=1),
    lambda m, a, b: m.trapz(a, dx=0.5, dim=0), lambda m, a, b: m.cumulative_trapezoid(a, dim=0),
    lambda m, a, b: m.cumulative_trapezoid(a, b[0]), lambda m, a, b: m.corrcoef(a),
]

# inverses and the SVD run on the cpu only (on cuda they raise, naming the cpu round trip)
CPU_LINALG_CALLS = [
    lambda m, a, b: m.matrix_power(a + 3 * m.eye(3, dtype=a.dtype, device=a.device), -2),
    lambda m, a, b: m.pinverse(a), lambda m, a, b: m.pinverse(a[:2]),
    lambda m, a, b: m.linalg.pinv(a.t()[:2]),
]


@pytest.mark.parametrize("call", LINALG_CALLS + CPU_LINALG_CALLS)
def test_products_and_matrix_functions_match_torch(device, call):
    if device != "cpu" and call in CPU_LINALG_CALLS:
        with pytest.raises(RuntimeError, match="no cuda kernel"):
            call(minigrad, minigrad.ones(3, 3, dtype=minigrad.float64, device=device), None)
        return
    a, ta = _pair(_randn(3, 3), device=device, requires_grad=True)
    b, tb = _pair(_randn(3, 3, seed=1), device=device, requires_grad=True)
    out, expected = call(minigrad, a, b), call(torch, ta, tb)
    _same(out, expected, rtol=1e-9, atol=1e-10)
    weights = _randn(*expected.shape, seed=2)
    (out * minigrad.tensor(weights, device=device)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    _same(a.grad, ta.grad, rtol=1e-7, atol=1e-9)


def test_integer_products_and_errors():
    a, ta = _pair([[1, 2], [3, 4]], "int64")
    _same(minigrad.matrix_power(a, 3), torch.matrix_power(ta, 3))
    _same(minigrad.addr(a, a[0], a[1], beta=0, alpha=2), torch.addr(ta, ta[0], ta[1], beta=0,
                                                                    alpha=2))
    for m, x in ((torch, ta), (minigrad, a)):
        with pytest.raises(RuntimeError, match="beta must not be a floating point"):
            m.addr(x, x[0], x[1], beta=0.5)
        with pytest.raises(RuntimeError):
            m.matrix_exp(x)
        with pytest.raises(RuntimeError, match="square"):
            m.matrix_power(m.zeros(2, 3), 2)


@pytest.mark.filterwarnings("ignore:torch.cholesky is deprecated")
def test_legacy_factorizations_return_torch_layouts():
    a, ta = _pair(_randn(4, 3))
    U, S, V = minigrad.svd(a)
    tU, tS, tV = torch.svd(ta)
    assert tuple(U.shape) == tuple(tU.shape) and tuple(V.shape) == tuple(tV.shape)
    _same(U @ minigrad.diag(S) @ V.t(), ta)  # V, not Vh
    _same(S, tS)
    U, S, V = a.svd(some=False)
    assert tuple(U.shape) == (4, 4) and tuple(V.shape) == (3, 3)
    U, S, V = minigrad.svd(a, compute_uv=False)
    _same((U, S, V), torch.svd(ta, compute_uv=False))
    Q, R = minigrad.qr(a, some=False)
    assert tuple(Q.shape) == (4, 4)
    _same(Q @ R, ta)
    spd, tspd = _pair(_randn(3, 3) @ _randn(3, 3).T + 3 * np.eye(3))
    _same(minigrad.cholesky(spd, upper=True), torch.cholesky(tspd, upper=True))
    _same(spd.cholesky(), tspd.cholesky())
    _same(minigrad.linalg.matrix_rank(a), torch.linalg.matrix_rank(ta))
    _same(minigrad.linalg.matrix_rank(a[:, :1] * minigrad.ones(1, 3, dtype=a.dtype)),
          torch.linalg.matrix_rank(ta[:, :1] * torch.ones(1, 3, dtype=ta.dtype)))


HISTOGRAM_CALLS = [
    lambda m, x: m.histogram(x, 4), lambda m, x: m.histogram(x, 3, range=(0.0, 1.0)),
    lambda m, x: m.histogram(x, 4, range=(-1.0, 1.0), density=True),
    lambda m, x: x.histogram(3, weight=x.abs()),
    lambda m, x: m.histogram(x, m.tensor([-2.0, 0.0, 0.5, 3.0], dtype=x.dtype)),
    lambda m, x: m.histogram(x[:1], 2),
]


@pytest.mark.parametrize("call", HISTOGRAM_CALLS)
def test_histogram_matches_torch(device, call):
    x, tx = _pair(_randn(20), device=device)
    _same(call(minigrad, x), call(torch, tx))


@pytest.mark.parametrize("kwargs", [{}, {"dim": 1}, {"dim": 0, "keepdim": True},
                                    {"keepdim": True}, {"interpolation": "nearest", "dim": 1}])
def test_nanquantile_matches_torch(kwargs):
    values = _randn(3, 5)
    values[0, 1] = values[2, 3] = np.nan
    values[1, :] = np.nan
    x, tx = _pair(values)
    for q in (0.3, minigrad.tensor([0.25, 0.9], dtype=minigrad.float64)):
        tq = q if isinstance(q, float) else torch.tensor(_np(q))
        _same(minigrad.nanquantile(x, q, **kwargs), torch.nanquantile(tx, tq, **kwargs))


# ---- factories and settings ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])
@pytest.mark.parametrize("length", [0, 1, 2, 7, 10])
def test_windows_match_torch(name, length):
    for periodic in (True, False):
        _same(getattr(minigrad, name)(length, periodic), getattr(torch, name)(length, periodic),
              rtol=1e-5, atol=1e-6)
        _same(getattr(minigrad, name)(length, periodic, dtype=minigrad.float64),
              getattr(torch, name)(length, periodic, dtype=torch.float64), rtol=1e-9,
              atol=1e-12)
    with pytest.raises(RuntimeError):
        getattr(minigrad, name)(4, dtype=minigrad.int64)


def test_factories_match_torch():
    with pytest.warns(UserWarning, match="deprecated"):
        made = minigrad.range(1, 4)
    with pytest.warns(UserWarning):
        _same(made, torch.range(1, 4))
    with pytest.warns(UserWarning):
        _same(minigrad.range(0, 1, 0.25, dtype=minigrad.float64),
              torch.range(0, 1, 0.25, dtype=torch.float64))
    _same(minigrad.scalar_tensor(3), torch.scalar_tensor(3))
    _same(minigrad.scalar_tensor(True, dtype=minigrad.int64),
          torch.scalar_tensor(True, dtype=torch.int64))
    array = np.arange(3.0)
    shared = minigrad.asarray(array)
    array[0] = 7.0
    assert shared[0].item() == 7.0 and shared.dtype is minigrad.float64
    assert minigrad.asarray(shared) is shared
    copied = minigrad.asarray(shared, copy=True)
    assert copied is not shared and copied.tolist() == shared.tolist()
    with pytest.raises(ValueError, match="copy=False"):
        minigrad.asarray(shared, dtype=minigrad.float32, copy=False)
    assert minigrad.asarray([1, 2], requires_grad=False).dtype is minigrad.int64


def test_samplers_are_reproducible_and_plausible():
    count, prob = minigrad.full((2000,), 10.0), minigrad.full((2000,), 0.3)
    minigrad.manual_seed(3)
    draws = minigrad.binomial(count, prob)
    minigrad.manual_seed(3)
    assert draws.tolist() == minigrad.binomial(count, prob).tolist()
    assert abs(draws.mean().item() - 3.0) < 0.2 and draws.dtype is minigrad.float32
    rates = minigrad.full((2000,), 4.0, dtype=minigrad.float64)
    samples = minigrad.poisson(rates)
    assert abs(samples.mean().item() - 4.0) < 0.25 and samples.dtype is minigrad.float64
    with pytest.raises(ValueError):
        minigrad.binomial(count, prob * 5)


def test_predicates_and_settings():
    x, tx = _pair([[1.0, 2.0]])
    for name in ("is_complex", "is_conj", "is_neg", "is_inference", "is_signed"):
        assert getattr(minigrad, name)(x) == getattr(torch, name)(tx)
        assert getattr(x, name)() == getattr(tx, name)()
    assert minigrad.is_signed(minigrad.tensor([1], dtype=minigrad.uint8)) is False
    assert minigrad.is_same_size(x, x[0:1]) and not minigrad.is_same_size(x, x[0])
    assert minigrad.is_nonzero(minigrad.tensor([0.5])) and not minigrad.tensor(0).is_nonzero()
    for m, t in ((torch, tx), (minigrad, x)):
        with pytest.raises(RuntimeError, match="more than one value"):
            m.is_nonzero(t)
    assert minigrad.typename(x) == "minigrad.DoubleTensor"
    assert minigrad.typename(1) == torch.typename(1) == "int"
    assert minigrad.typename(np.zeros(1)) == torch.typename(np.zeros(1))
    assert x.is_cpu and x.get_device() == tx.get_device() == -1
    assert minigrad.get_default_device() == minigrad.device("cpu")
    assert minigrad.get_float32_matmul_precision() == "highest"
    minigrad.set_float32_matmul_precision("high")
    assert minigrad.get_float32_matmul_precision() == "high"
    minigrad.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError):
        minigrad.set_float32_matmul_precision("low")
    threads = minigrad.get_num_interop_threads()
    minigrad.set_num_interop_threads(threads)
    assert minigrad.set_flush_denormal(False) is False
    minigrad.set_warn_always(True)
    assert minigrad.is_warn_always_enabled()
    minigrad.set_warn_always(False)
    first = minigrad.seed()
    assert minigrad.initial_seed() == first


def test_method_aliases_and_real_tensor_identities(device):
    x, tx = _pair([[0.25, -0.5], [0.75, 0.1]], device=device)
    for name in ("arccos", "arcsin", "arctan", "arcsinh", "arctanh", "absolute", "positive"):
        _same(getattr(x, name)(), getattr(tx, name)())
    _same((x.abs() + 1).arccosh(), (tx.abs() + 1).arccosh())
    for name, arg in (("eq_", 0.25), ("ne_", 0.25), ("lt_", 0.2), ("le_", 0.25), ("gt_", 0.2),
                      ("ge_", 0.25), ("greater_", 0.0), ("less_equal_", 0.1),
                      ("multiply_", 3.0), ("subtract_", 1.0), ("divide_", 2.0),
                      ("true_divide_", 4.0), ("clip_", 0.0)):
        a, ta = x.clone(), tx.clone()
        assert getattr(a, name)(arg) is a
        getattr(ta, name)(arg)
        _same(a, ta)
    a, ta = x.clone(), tx.clone()
    a.arctan2_(x.t())
    ta.arctan2_(tx.t())
    _same(a, ta)
    _same(x.dist(x.t(), 0), tx.dist(tx.t(), 0))
    i, ti = _pair([1, 2, 3], "int64", device)
    i.lt_(2.5)
    ti.lt_(2.5)
    _same(i, ti)
    assert x.conj() is x and x.resolve_conj() is x and x.resolve_neg() is x and x.real is x
    _same(x.H, tx.H)
    _same(x.mH, tx.mH)
    _same(x.adjoint(), tx.adjoint())
    if device == "cpu":
        assert x.pin_memory() is x
    assert not x.is_pinned() and x.share_memory_() is x


def test_data_ptr_and_storage_offset():
    x, tx = _pair(np.arange(12.0).reshape(3, 4))
    view, tview = x[1, 1:], tx[1, 1:]
    assert view.storage_offset() == tview.storage_offset() == 5
    assert x.storage_offset() == 0
    assert view.data_ptr() - x.data_ptr() == tview.data_ptr() - tx.data_ptr()
    assert x.data_ptr() == x.data_ptr()
