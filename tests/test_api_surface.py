"""PyTorch's everyday surface beyond the core ops, compared with torch call by call: the
top-level layer forms (torch.conv2d, torch.dropout, torch.kl_div with an int reduction, ...),
the extra elementwise math and special functions, and their gradients."""
import math

import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")

from api_surface_checks import as_numpy as _np  # noqa: E402  (after the torch skip)
from api_surface_checks import pair as _pair, randn as _randn, same as _same  # noqa: E402


# ---- top-level layer forms: torch's argument orders and defaults --------------------------------

LAYER_CALLS = [
    ("conv1d", lambda m, x, w: m.conv1d(x, w, None, 1, 1), (2, 3, 7), (4, 3, 3)),
    ("conv2d", lambda m, x, w: m.conv2d(x, w, stride=2), (1, 3, 6, 6), (2, 3, 3, 3)),
    ("conv3d", lambda m, x, w: m.conv3d(x, w, padding=1), (1, 2, 4, 4, 4), (2, 2, 3, 3, 3)),
    ("conv_transpose2d", lambda m, x, w: m.conv_transpose2d(x, w, None, 2), (1, 3, 4, 4),
     (3, 2, 3, 3)),
    ("max_pool1d", lambda m, x, w: m.max_pool1d(x, 2), (2, 3, 8), None),
    ("max_pool2d", lambda m, x, w: m.max_pool2d(x, 3, 2, 1), (2, 3, 8, 8), None),
    ("max_pool3d", lambda m, x, w: m.max_pool3d(x, 2), (1, 2, 4, 4, 4), None),
    ("avg_pool1d", lambda m, x, w: m.avg_pool1d(x, 3, 2, 1, False, False), (2, 3, 8), None),
    ("adaptive_avg_pool1d", lambda m, x, w: m.adaptive_avg_pool1d(x, 3), (2, 3, 8), None),
    ("adaptive_max_pool1d", lambda m, x, w: m.adaptive_max_pool1d(x, 3)[0], (2, 3, 8), None),
    ("max_pool1d_with_indices", lambda m, x, w: m.max_pool1d_with_indices(x, 2)[1], (2, 3, 8),
     None),
    ("layer_norm", lambda m, x, w: m.layer_norm(x, (5,), None, None, 1e-5, True), (3, 5), None),
    ("group_norm", lambda m, x, w: m.group_norm(x, 2), (2, 4, 3), None),
    ("pixel_shuffle", lambda m, x, w: m.pixel_shuffle(x, 2), (1, 8, 2, 3), None),
    ("pixel_unshuffle", lambda m, x, w: m.pixel_unshuffle(x, 2), (1, 2, 4, 6), None),
    ("channel_shuffle", lambda m, x, w: m.channel_shuffle(x, 2), (1, 4, 2, 2), None),
    ("pdist", lambda m, x, w: m.pdist(x), (4, 3), None),
    ("dropout eval", lambda m, x, w: m.dropout(x, 0.5, False), (3, 4), None),
    ("bilinear", lambda m, x, w: m.bilinear(x, x, w), (2, 3), (4, 3, 3)),
]


@pytest.mark.parametrize("name, call, shape, wshape", LAYER_CALLS, ids=[c[0] for c in LAYER_CALLS])
def test_top_level_layer_forms_match_torch(device, name, call, shape, wshape):
    x, tx = _pair(_randn(*shape), device=device)
    w, tw = _pair(_randn(*wshape, seed=1), device=device) if wshape else (None, None)
    _same(call(minigrad, x, w), call(torch, tx, tw))


def test_top_level_norms_take_weight_before_running_stats(device):
    x, tx = _pair(_randn(4, 3, 5), device=device)
    w, tw = _pair([1.0, 2.0, 0.5], device=device)
    b, tb = _pair([0.0, 0.1, -0.1], device=device)
    rm, trm = _pair([0.1, 0.2, 0.3], device=device)
    rv, trv = _pair([1.0, 2.0, 3.0], device=device)
    _same(minigrad.batch_norm(x, w, b, rm, rv, False, 0.1, 1e-5, True),
          torch.batch_norm(tx, tw, tb, trm, trv, False, 0.1, 1e-5, True))
    _same(minigrad.batch_norm(x, w, b, rm, rv, True, 0.1, 1e-5, True),
          torch.batch_norm(tx, tw, tb, trm, trv, True, 0.1, 1e-5, True))
    _same(rm, trm)  # the running statistics were updated the same way
    _same(minigrad.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, True),
          torch.instance_norm(tx, tw, tb, None, None, True, 0.1, 1e-5, True))


def test_top_level_embedding_takes_weight_first():
    w, tw = _pair(_randn(5, 3), requires_grad=True)
    idx = [[0, 2, 2], [4, 1, 2]]
    out = minigrad.embedding(w, minigrad.tensor(idx), 2)
    expected = torch.embedding(tw, torch.tensor(idx), 2)
    _same(out, expected)
    out.sum().backward()
    expected.sum().backward()
    _same(w.grad, tw.grad)  # row 2 (the padding index) gets no gradient


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_top_level_losses_take_an_int_reduction(device, reduction):
    a, ta = _pair(_randn(4, 3), device=device)
    b, tb = _pair(_randn(4, 3, seed=1), device=device)
    y, ty = _pair([1.0, -1.0, 1.0, -1.0], device=device)
    p, tp = _pair(np.abs(_randn(4, 3, seed=2)), device=device)
    s, ts = _pair(1 / (1 + np.exp(-_randn(4, 3, seed=3))), device=device)
    calls = [
        lambda m, a, b, y, p, s: m.kl_div(a, s, reduction),
        lambda m, a, b, y, p, s: m.kl_div(a, b, reduction, log_target=True),
        lambda m, a, b, y, p, s: m.binary_cross_entropy_with_logits(a, s, None, p[0], reduction),
        lambda m, a, b, y, p, s: m.cosine_embedding_loss(a, b, y, 0.1, reduction),
        lambda m, a, b, y, p, s: m.margin_ranking_loss(a[:, 0], b[:, 0], y, 0.2, reduction),
        lambda m, a, b, y, p, s: m.hinge_embedding_loss(a, y.unsqueeze(1).expand(4, 3), 1.0,
                                                        reduction),
        lambda m, a, b, y, p, s: m.triplet_margin_loss(a, b, p, 1.0, 2, 1e-6, True, reduction),
        lambda m, a, b, y, p, s: m.poisson_nll_loss(a, p, True, True, 1e-8, reduction),
    ]
    for call in calls:
        _same(call(minigrad, a, b, y, p, s), call(torch, ta, tb, ty, tp, ts))


def test_top_level_forms_refuse_what_torch_refuses():
    x = minigrad.randn(3, 4)
    with pytest.raises(TypeError):
        torch.kl_div(torch.randn(3), torch.randn(3), "mean")
    with pytest.raises(TypeError, match="reduction"):
        minigrad.kl_div(x, x, "mean")
    with pytest.raises(TypeError):
        torch.dropout(torch.randn(3), 0.5)
    with pytest.raises(TypeError):
        minigrad.dropout(x, 0.5)


def test_dropout_training_masks_and_scales():
    minigrad.manual_seed(0)
    x = minigrad.ones(2000)
    y = minigrad.dropout(x, 0.25, True)
    kept = _np(y) != 0
    assert np.allclose(_np(y)[kept], 1 / 0.75)
    assert 0.65 < kept.mean() < 0.85
    z = minigrad.ones(4, 50, 6)
    minigrad.feature_dropout_(z, 0.5, True)
    channels = _np(z).reshape(200, 6)
    assert all(len(set(row)) == 1 for row in channels)  # whole channels kept or dropped
    assert 0 < (channels[:, 0] == 0).mean() < 1


def test_inplace_top_level_functions_forward_to_methods(device):
    x, tx = _pair([-1.5, 0.25, 2.0], device=device)
    for name in ("relu_", "sigmoid_", "exp_", "abs_", "neg_", "negative_", "sinc_", "fix_",
                 "deg2rad_", "arctan_"):
        a, ta = x.clone(), tx.clone()
        assert getattr(minigrad, name)(a) is a
        getattr(torch, name)(ta)
        _same(a, ta)
    a, ta = x.clone(), tx.clone()
    minigrad.clamp_min_(a, 0.0)
    torch.clamp_min_(ta, 0.0)
    _same(a, ta)
    minigrad.clip_(a, 0.5, 1.0)
    torch.clip_(ta, 0.5, 1.0)
    _same(a, ta)
    minigrad.zero_(a)
    _same(a, torch.zeros(3, dtype=torch.float64))


# ---- elementwise math ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("name", ["deg2rad", "rad2deg", "sinc"])
def test_unary_math_promotes_like_torch(device, name, dtype):
    a, ta = _pair([0, 1, 0, 1] if dtype == "bool" else [0, -3, 1, 7], dtype, device)
    _same(getattr(minigrad, name)(a), getattr(torch, name)(ta), rtol=1e-6, atol=1e-6)


def test_float_power_is_float64(device):
    a, ta = _pair([1, 2, 3], "int64", device)
    _same(minigrad.float_power(a, 2), torch.float_power(ta, 2))
    _same(minigrad.float_power(2, a), torch.float_power(2, ta))
    _same(a.float_power(a.float()), ta.float_power(ta.float()))
    f, tf = _pair([1.5, 2.0], "float64", device)
    f.float_power_(2.5)
    tf.float_power_(2.5)
    _same(f, tf)
    with pytest.raises(RuntimeError, match="float_power_"):
        minigrad.ones(2).float_power_(2)


def test_gcd_lcm_ldexp_nextafter(device):
    a, ta = _pair([0, -4, 6, 7, 12], "int64", device)
    b, tb = _pair([0, 6, -9, 0, 18], "int64", device)
    _same(minigrad.gcd(a, b), torch.gcd(ta, tb))
    _same(minigrad.lcm(a, b), torch.lcm(ta, tb))
    c, tc = _pair([3, 1, 2, 1, 2], "int32", device)
    _same(minigrad.gcd(a, c), torch.gcd(ta, tc))
    with pytest.raises(NotImplementedError):
        minigrad.gcd(a.float(), b.float())
    _same(minigrad.ldexp(a, c), torch.ldexp(ta, tc))
    f, tf = _pair([1.0, 0.0, -2.0, 0.0, np.nan], "float32", device)
    g, tg = _pair([2.0, -1.0, -3.0, 0.0, 1.0], "float32", device)
    for x, y, tx, ty in ((f, g, tf, tg), (f.double(), g.double(), tf.double(), tg.double())):
        np.testing.assert_array_equal(_np(minigrad.nextafter(x, y)), _np(torch.nextafter(tx, ty)))


def test_frexp_matches_torch(device):
    values = [0.0, -3.0, np.inf, -np.inf, np.nan, 1e-310, 8.0, 0.1, -1e300, 0.75]
    a, ta = _pair(values, "float64", device)
    mantissa, exponent = minigrad.frexp(a)
    expected = torch.frexp(ta)
    _same(mantissa, expected.mantissa)
    _same(exponent, expected.exponent)
    with pytest.raises(TypeError, match="floating"):
        minigrad.frexp(minigrad.tensor([1, 2]))


def test_logaddexp2_values_and_dtype(device):
    a, ta = _pair([1.0, -np.inf, np.inf, 30.0, -5.0], "float32", device)
    b, tb = _pair([1.0, -np.inf, np.inf, -2.0, 0.5], "float32", device)
    _same(minigrad.logaddexp2(a, b), torch.logaddexp2(ta, tb), rtol=1e-6)
    with pytest.raises(NotImplementedError):
        minigrad.logaddexp2(minigrad.tensor([1]), minigrad.tensor([1]))


_SPECIAL_POINTS = [0.0, -0.0, -1.0, -2.0, 1.0, 2.0, 0.5, -0.5, -1.5, 1e-8, 3.7, 25.5, 171.3,
                   -17.3, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("name", ["lgamma", "digamma", "i0"])
def test_special_functions_match_torch(device, name):
    points = _SPECIAL_POINTS + list(np.linspace(-30, 60, 23))
    a, ta = _pair(points, "float64", device)
    _same(getattr(minigrad, name)(a), getattr(torch, name)(ta), rtol=1e-10, atol=1e-12)
    b, tb = _pair([1, 2, 5], "int64", device)
    _same(getattr(minigrad, name)(b), getattr(torch, name)(tb), rtol=1e-6)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_polygamma_matches_torch(device, n):
    points = [0.5, 1.0, 2.0, 3.7, 25.5, -0.5, -1.5, -17.3, np.nan, 0.0, -np.inf, np.inf]
    a, ta = _pair(points, "float64", device)
    # torch's trigamma is accurate to ~1e-9 relative; minigrad's to a few ulps
    _same(minigrad.polygamma(n, a), torch.polygamma(n, ta), rtol=1e-8, atol=1e-12)
    _same(a.polygamma(n), ta.polygamma(n), rtol=1e-8, atol=1e-12)


def test_mvlgamma_matches_torch(device):
    a, ta = _pair([0.5, 2.0, 2.5, 7.25], "float64", device)
    for p in (1, 2, 3):
        _same(minigrad.mvlgamma(a, p), torch.mvlgamma(ta, p), rtol=1e-10)


@pytest.mark.parametrize("fn", [
    minigrad.lgamma, minigrad.digamma, lambda t: minigrad.polygamma(2, t), minigrad.i0,
    minigrad.sinc, lambda t: minigrad.logaddexp2(t, t * 0.5), minigrad.deg2rad,
    lambda t: minigrad.mvlgamma(t + 3, 2), lambda t: minigrad.frexp(t)[0],
    lambda t: minigrad.float_power(t.abs() + 0.5, 1.5), lambda t: minigrad.ldexp(t, t.long()),
], ids=["lgamma", "digamma", "polygamma", "i0", "sinc", "logaddexp2", "deg2rad", "mvlgamma",
        "frexp", "float_power", "ldexp"])
def test_new_math_gradcheck(device, fn):
    x = minigrad.tensor([0.7, 1.3, 2.9, -0.4, 16.5], dtype=minigrad.float64, device=device,
                        requires_grad=True)
    assert minigrad.gradcheck(fn, [x])


def test_special_gradients_match_torch():
    a, ta = _pair([0.3, 1.7, 4.2, -2.5, 20.0], requires_grad=True)
    for name in ("lgamma", "digamma", "i0", "sinc"):
        (grad,) = minigrad.autograd.grad(getattr(minigrad, name)(a).sum(), [a])
        (expected,) = torch.autograd.grad(getattr(torch, name)(ta).sum(), [ta])
        _same(grad, expected, rtol=1e-8)
    assert math.isclose(minigrad.sinc(minigrad.tensor(0.0, requires_grad=True)).item(), 1.0)


# ---- *_copy functions, unsafe splits, and small top-level forms ----------------------------

COPY_CALLS = [
    lambda m, x: m.alias_copy(x), lambda m, x: m.detach_copy(x),
    lambda m, x: m.diagonal_copy(x, 1), lambda m, x: m.expand_copy(x[:1], (3, 4)),
    lambda m, x: m.permute_copy(x, (1, 0)), lambda m, x: m.select_copy(x, 1, -1),
    lambda m, x: m.slice_copy(x, 1, 1, None, 2), lambda m, x: m.split_copy(x, 2, 1),
    lambda m, x: m.split_with_sizes_copy(x, [1, 2]), lambda m, x: m.squeeze_copy(x[:1]),
    lambda m, x: m.squeeze_copy(x[:1], 0), lambda m, x: m.t_copy(x),
    lambda m, x: m.transpose_copy(x, 0, 1), lambda m, x: m.unbind_copy(x, 1),
    lambda m, x: m.unfold_copy(x, 1, 2, 1), lambda m, x: m.unsqueeze_copy(x, 1),
    lambda m, x: m.view_copy(x, (4, 3)), lambda m, x: m.unsafe_chunk(x, 2, 1),
    lambda m, x: m.unsafe_split(x, 2), lambda m, x: m.unsafe_split_with_sizes(x, [3, 1], 1),
    lambda m, x: m.constant_pad_nd(x, (1, 2), 0.5), lambda m, x: m.isreal(x),
    lambda m, x: m.rms_norm(x, (4,)),
]


@pytest.mark.parametrize("call", COPY_CALLS)
def test_copy_functions_match_torch_and_own_their_storage(device, call):
    x, tx = _pair(_randn(3, 4), device=device)
    out, expected = call(minigrad, x), call(torch, tx)
    for a, b in zip(out, expected) if isinstance(out, tuple) else [(out, expected)]:
        _same(a, b)


def test_copies_do_not_alias():
    x = minigrad.zeros(2, 3)
    y = minigrad.t_copy(x)
    y += 1
    assert x.sum().item() == 0


def test_chain_matmul_and_ctc_loss_and_debug_mode():
    a, ta = _pair(_randn(2, 3))
    b, tb = _pair(_randn(3, 4, seed=1))
    with pytest.warns(UserWarning, match="deprecated"):
        made = minigrad.chain_matmul(a, b, b.t())
    with pytest.warns(UserWarning):
        _same(made, torch.chain_matmul(ta, tb, tb.t()))
    logp = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=(6, 2)))
    lp, tlp = _pair(logp)
    targets = [[1, 2], [3, 3]]
    for reduction in (0, 1, 2):
        _same(minigrad.ctc_loss(lp, minigrad.tensor(targets), [6, 5], [2, 2], 0, reduction),
              torch.ctc_loss(tlp, torch.tensor(targets), [6, 5], [2, 2], 0, reduction))
    for mode in (1, "error", 0):
        minigrad.set_deterministic_debug_mode(mode)
        torch.set_deterministic_debug_mode(mode)
        assert minigrad.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
    with pytest.raises(RuntimeError):
        minigrad.set_deterministic_debug_mode("loud")
    assert minigrad.is_storage(a) is torch.is_storage(ta) is False


@pytest.mark.parametrize("fn", [
    minigrad.lgamma, minigrad.digamma, lambda t: minigrad.polygamma(1, t), minigrad.i0,
    minigrad.sinc, lambda t: minigrad.logaddexp2(t, t * 0.5),
    lambda t: minigrad.matrix_exp(t.reshape(2, 2)), lambda t: minigrad.renorm(
        t.reshape(2, 2), 2, 0, 1.0),
    lambda t: minigrad.float_power(t, 1.5), minigrad.deg2rad, lambda t: minigrad.ldexp(t, t.long()),
    lambda t: minigrad.frexp(t)[0], lambda t: minigrad.mvlgamma(t + 2, 2),
    lambda t: minigrad.take_along_dim(t, minigrad.tensor([3, 0, 0])),
    lambda t: minigrad.slice_scatter(t * t, t[:2] ** 3, 0, 1, 3),
    lambda t: minigrad.index_copy(t * t, 0, minigrad.tensor([2, 0]), t[1:3] ** 2),
    lambda t: minigrad.put(t * t, minigrad.tensor([-1]), t[:1] ** 3),
    lambda t: minigrad.diagonal_scatter(t.reshape(2, 2) ** 2, t[:2] ** 3),
    lambda t: minigrad.dist(t, t.flip(0)), lambda t: minigrad.inner(t, t.flip(0)),
    lambda t: minigrad.addr(t.reshape(2, 2), t[:2], t[2:]),
    lambda t: minigrad.matrix_power(t.reshape(2, 2), 3), lambda t: minigrad.trapezoid(t * t),
    lambda t: minigrad.cumulative_trapezoid(t * t, t), lambda t: minigrad.vander(t, 3),
    lambda t: minigrad.corrcoef(t.reshape(2, 2) ** 2),
    lambda t: minigrad.nanquantile(t * t, 0.3), lambda t: minigrad.fill(t, t[0] ** 2),
], ids=["lgamma", "digamma", "polygamma", "i0", "sinc", "logaddexp2", "matrix_exp", "renorm",
        "float_power", "deg2rad", "ldexp", "frexp", "mvlgamma", "take_along_dim",
        "slice_scatter", "index_copy", "put", "diagonal_scatter", "dist", "inner", "addr",
        "matrix_power", "trapezoid", "cumulative_trapezoid", "vander", "corrcoef",
        "nanquantile", "fill"])
def test_new_ops_gradgradcheck(fn):
    x = minigrad.tensor([0.7, 1.3, 2.9, 3.4], dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradgradcheck(fn, [x])


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch: frobenius_norm is deprecated
def test_more_top_level_forms_match_torch(device):
    x, tx = _pair(_randn(3, 3) * 0.5, device=device)
    for name in ("arcsinh", "arctanh", "positive", "conj", "resolve_conj", "resolve_neg",
                 "adjoint", "real"):
        _same(getattr(minigrad, name)(x), getattr(torch, name)(tx))
    _same(minigrad.arccosh(x.abs() + 1), torch.arccosh(tx.abs() + 1))
    assert minigrad.get_device(x) == (-1 if device == "cpu" else 0)
    assert x.layout is minigrad.strided and repr(minigrad.strided) == "minigrad.strided"
    assert minigrad.newaxis is torch.newaxis is None
    _same(minigrad.frobenius_norm(x, (0, 1)), torch.frobenius_norm(tx, (0, 1)))
    _same(minigrad.frobenius_norm(x, [1], True), torch.frobenius_norm(tx, [1], True))
    v, tv = _pair([1.0, -2.0, 0.5], device=device)
    a, ta = x.clone(), tx.clone()
    minigrad.addmv_(a[0], x, v, beta=0.5)
    torch.addmv_(ta[0], tx, tv, beta=0.5)
    _same(a, ta)
    assert minigrad.alpha_dropout(x, 0.5, False) is x
    with pytest.raises(TypeError, match="train"):
        minigrad.feature_alpha_dropout(x, 0.5, 1)


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch: nuclear_norm is deprecated
def test_nuclear_norm_and_functional_cells():
    x, tx = _pair(_randn(2, 3, 4))
    _same(minigrad.nuclear_norm(x[0]), torch.nuclear_norm(tx[0]))
    _same(minigrad.nuclear_norm(x, (1, 2), True), torch.nuclear_norm(tx, (1, 2), True))
    inp, tinp = _pair(_randn(2, 3))
    h, th = _pair(_randn(2, 4, seed=1))
    w_ih, tw_ih = _pair(_randn(16, 3, seed=2))
    w_hh, tw_hh = _pair(_randn(16, 4, seed=3))
    _same(minigrad.lstm_cell(inp, (h, h), w_ih, w_hh),
          torch.lstm_cell(tinp, (th, th), tw_ih, tw_hh))
    _same(minigrad.gru_cell(inp, h, w_ih[:12], w_hh[:12]),
          torch.gru_cell(tinp, th, tw_ih[:12], tw_hh[:12]))
    _same(minigrad.rnn_tanh_cell(inp, h, w_ih[:4], w_hh[:4]),
          torch.rnn_tanh_cell(tinp, th, tw_ih[:4], tw_hh[:4]))
    _same(minigrad.rnn_relu_cell(inp, h, w_ih[:4], w_hh[:4]),
          torch.rnn_relu_cell(tinp, th, tw_ih[:4], tw_hh[:4]))


def test_nextafter_gradient_is_torchs(device):
    a, ta = _pair([1.0, 2.0, 2.5, -1.3], device=device, requires_grad=True)
    b, tb = _pair([2.0, 0.0, 2.5, 4.0], device=device, requires_grad=True)
    weights = [1.3, 0.7, 2.0, -1.0]
    grads = minigrad.autograd.grad(
        (minigrad.nextafter(a, b) * minigrad.tensor(weights, device=device)).sum(), [a, b])
    expected = torch.autograd.grad((torch.nextafter(ta, tb) * torch.tensor(weights)).sum(),
                                   [ta, tb], allow_unused=True)
    _same(grads[0], expected[0])  # the incoming gradient where input != other
    assert not _np(expected[1]).any()
    assert grads[1] is None or not _np(grads[1]).any()
