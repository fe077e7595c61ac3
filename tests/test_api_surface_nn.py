"""The rest of torch.nn's everyday functional forms and layers (Gumbel softmax, alpha dropout,
LP/fractional/3-d adaptive max pooling, unpooling, the *_with_indices forms, the triplet loss
with a custom distance, the adaptive softmax, lazy 3-d layers, the recurrent base classes),
compared with torch."""
import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")

from api_surface_checks import as_numpy as _np  # noqa: E402  (after the torch skip)
from api_surface_checks import pair as _pair, randn as _randn, same  # noqa: E402


TF = torch.nn.functional


def _same(a, b, rtol=1e-6, atol=1e-8):  # a tighter atol than the other surface tests
    same(a, b, rtol, atol)


def _check_with_grad(device, call, shape, *, index_output=False):
    x, tx = _pair(_randn(*shape), device=device, requires_grad=True)
    out, expected = call(F, x), call(TF, tx)
    _same(out, expected)
    values, tvalues = (out[0], expected[0]) if index_output else (out, expected)
    weights = _randn(*tvalues.shape, seed=5)
    (values * minigrad.tensor(weights, device=device)).sum().backward()
    (tvalues * torch.tensor(weights)).sum().backward()
    _same(x.grad, tx.grad)


POOL_CALLS = [
    (lambda f, x: f.lp_pool1d(x.abs(), 2, 3), (2, 3, 8)),
    (lambda f, x: f.lp_pool1d(x, 3.0, 2, 1, True), (2, 3, 7)),
    (lambda f, x: f.lp_pool2d(x.abs(), 1.5, (2, 3)), (2, 2, 6, 7)),
    (lambda f, x: f.lp_pool3d(x.abs(), 2, 2), (1, 2, 4, 4, 5)),
    (lambda f, x: f.max_pool1d_with_indices(x, 3, 2), (2, 3, 9)),
    (lambda f, x: f.max_pool2d_with_indices(x, 2), (1, 2, 6, 6)),
    (lambda f, x: f.max_pool3d_with_indices(x, 2, 1), (1, 1, 3, 4, 4)),
    (lambda f, x: f.adaptive_max_pool1d_with_indices(x, 4), (2, 3, 9)),
    (lambda f, x: f.adaptive_max_pool2d_with_indices(x, (3, 2)), (2, 6, 7)),
    (lambda f, x: f.adaptive_max_pool3d(x, (2, None, 3), True), (2, 2, 5, 3, 7)),
    (lambda f, x: f.adaptive_max_pool3d_with_indices(x, 2), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("call, shape", POOL_CALLS)
def test_pools_match_torch_with_gradients(device, call, shape):
    probe = call(F, minigrad.ones(*shape, device=device))
    _check_with_grad(device, call, shape, index_output=isinstance(probe, tuple))


def test_adaptive_max_pool3d_values_only(device):
    _check_with_grad(device, lambda f, x: f.adaptive_max_pool3d(x, 1), (1, 2, 3, 3, 3))


def test_max_unpool3d_inverts_max_pool3d(device):
    x = torch.tensor(_randn(2, 2, 5, 6, 7))
    values, indices = TF.max_pool3d(x, 2, return_indices=True)
    v = minigrad.tensor(values.numpy(), device=device, requires_grad=True)
    i = minigrad.tensor(indices.numpy(), device=device)
    out = F.max_unpool3d(v, i, 2, output_size=(5, 6, 7))
    _same(out, TF.max_unpool3d(values, indices, 2, output_size=(5, 6, 7)))
    out.sum().backward()
    _same(v.grad, torch.ones_like(values))
    with pytest.raises(RuntimeError, match="outside"):
        F.max_unpool3d(v, i, 2)  # the default size (4, 6, 6) is too small for these indices
    unpool = nn.MaxUnpool3d(2)
    assert repr(unpool) == repr(torch.nn.MaxUnpool3d(2)).replace("torch.", "")
    _same(unpool(v, i, (5, 6, 7)), torch.nn.MaxUnpool3d(2)(values, indices, (5, 6, 7)))


@pytest.mark.parametrize("kwargs", [{"output_size": (4, 5)}, {"output_size": 3},
                                    {"output_ratio": (0.5, 0.6)}, {"output_size": (1, 1)}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fractional_max_pool2d_matches_torch_given_samples(device, kwargs, dtype):
    x, tx = _pair(_randn(2, 3, 9, 11), dtype, device, requires_grad=True)
    samples = np.random.default_rng(1).uniform(size=(2, 3, 2)).astype(dtype)
    out = F.fractional_max_pool2d(x, 3, return_indices=True,
                                  _random_samples=minigrad.tensor(samples, device=device),
                                  **kwargs)
    expected = TF.fractional_max_pool2d(tx, 3, return_indices=True,
                                        _random_samples=torch.tensor(samples), **kwargs)
    _same(out, expected)
    out[0].sum().backward()
    expected[0].sum().backward()
    _same(x.grad, tx.grad)


def test_fractional_max_pool2d_module_draws_its_samples():
    pool = nn.FractionalMaxPool2d(2, output_ratio=0.5)
    out = pool(minigrad.randn(1, 2, 8, 10))
    assert tuple(out.shape) == (1, 2, 4, 5)
    with pytest.raises(ValueError):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError):
        nn.FractionalMaxPool2d(2, output_ratio=1.5)


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_triplet_margin_with_distance_loss_matches_torch(device, swap, reduction):
    tensors = [_pair(_randn(4, 5, seed=s), device=device, requires_grad=True) for s in range(3)]
    mine, theirs = [t[0] for t in tensors], [t[1] for t in tensors]
    for distance, tdistance in ((None, None),
                                (lambda a, b: 1 - F.cosine_similarity(a, b),
                                 lambda a, b: 1 - TF.cosine_similarity(a, b))):
        out = F.triplet_margin_with_distance_loss(*mine, distance_function=distance, margin=0.7,
                                                  swap=swap, reduction=reduction)
        expected = TF.triplet_margin_with_distance_loss(*theirs, distance_function=tdistance,
                                                        margin=0.7, swap=swap,
                                                        reduction=reduction)
        _same(out, expected)
        out.sum().backward()
        expected.sum().backward()
        for a, b in zip(mine, theirs):
            _same(a.grad, b.grad)
    module = nn.TripletMarginWithDistanceLoss(swap=swap, reduction=reduction)
    _same(module(*mine), torch.nn.TripletMarginWithDistanceLoss(swap=swap,
                                                                reduction=reduction)(*theirs))


def test_gumbel_softmax_soft_and_hard(device):
    minigrad.manual_seed(0)
    logits = minigrad.tensor(_randn(6, 4), device=device, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(_np(soft.sum(-1)), 1.0)
    hard = F.gumbel_softmax(logits, hard=True, dim=1)
    assert set(np.unique(_np(hard))) <= {0.0, 1.0}
    np.testing.assert_allclose(_np(hard.sum(1)), 1.0)
    (grad,) = minigrad.autograd.grad((hard * minigrad.arange(4.0, device=device)).sum(), [logits])
    assert np.abs(_np(grad)).sum() > 0  # straight-through: the soft sample's gradient
    minigrad.manual_seed(1)
    picks = F.gumbel_softmax(minigrad.tensor([[0.0, np.log(3.0)]]).expand(4000, 2), hard=True)
    assert abs(_np(picks)[:, 1].mean() - 0.75) < 0.03  # samples follow softmax(logits)


def test_alpha_dropout_keeps_mean_and_variance():
    x = minigrad.randn(40000, dtype=minigrad.float64)
    assert F.alpha_dropout(x, 0.3) is x  # training=False by default, as PyTorch
    minigrad.manual_seed(0)
    y = _np(F.alpha_dropout(x, 0.3, training=True))
    assert abs(y.mean()) < 0.03 and abs(y.std() - 1) < 0.03
    # dropped units all take one value, -alpha' * a * (1 - p)
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha ** 2 * 0.3 + 1) * 0.7)
    dropped = np.isclose(y, -alpha * a * 0.7)
    assert 0.28 < dropped.mean() < 0.32
    z = _np(F.feature_alpha_dropout(minigrad.randn(50, 8, 6), 0.5, training=True))
    a = 1 / np.sqrt((alpha ** 2 * 0.5 + 1) * 0.5)
    channel_dropped = np.isclose(z, -alpha * a * 0.5).reshape(400, 6)
    assert set(channel_dropped.sum(1)) <= {0, 6}  # whole channels dropped together
    assert 0.4 < channel_dropped[:, 0].mean() < 0.6
    layer = nn.AlphaDropout(0.2)
    assert repr(layer) == "AlphaDropout(p=0.2, inplace=False)"
    layer.eval()
    assert layer(x) is x
    p1 = F.alpha_dropout(minigrad.ones(4), 1.0, training=True)
    _same(p1, TF.alpha_dropout(torch.ones(4), 1.0, training=True))


def test_module_reprs_match_torch():
    pairs = [(nn.LPPool2d(2, 3), torch.nn.LPPool2d(2, 3)),
             (nn.LPPool1d(1.5, 2, 1), torch.nn.LPPool1d(1.5, 2, 1)),
             (nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)),
             (nn.MaxUnpool1d(3, 2, 1), torch.nn.MaxUnpool1d(3, 2, 1)),
             (nn.AdaptiveMaxPool3d(2), torch.nn.AdaptiveMaxPool3d(2)),
             (nn.FeatureAlphaDropout(0.1), torch.nn.FeatureAlphaDropout(0.1))]
    for mine, theirs in pairs:
        assert repr(mine) == repr(theirs)


def test_lp_pool_modules_match_torch(device):
    x, tx = _pair(np.abs(_randn(2, 3, 6, 6, 6)), device=device)
    _same(nn.LPPool3d(2, 2)(x), torch.nn.LPPool3d(2, 2)(tx))
    _same(nn.LPPool2d(3, 2, 1)(x[0]), torch.nn.LPPool2d(3, 2, 1)(tx[0]))
    _same(nn.AdaptiveMaxPool3d((1, 2, 3), True)(x), torch.nn.AdaptiveMaxPool3d((1, 2, 3),
                                                                              True)(tx))


def test_adaptive_log_softmax_matches_torch(device):
    torch.manual_seed(0)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0,
                                                 head_bias=True).double()
    mine = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=True,
                                         dtype=minigrad.float64, device=device)
    mine.load_state_dict({k: minigrad.tensor(v.numpy(), device=device)
                          for k, v in theirs.state_dict().items()})
    x, tx = _pair(_randn(7, 8), device=device, requires_grad=True)
    target = [0, 9, 4, 2, 6, 7, 3]
    out = mine(x, minigrad.tensor(target, device=device))
    expected = theirs(tx, torch.tensor(target))
    _same(out.output, expected.output)
    _same(out.loss, expected.loss)
    out.loss.backward()
    expected.loss.backward()
    _same(x.grad, tx.grad)
    for (name, p), tp in zip(mine.named_parameters(), theirs.parameters()):
        _same(p.grad, tp.grad)
    _same(mine.log_prob(x), theirs.log_prob(tx))
    _same(mine.predict(x), theirs.predict(tx))
    single = mine(x[0], minigrad.tensor(9, device=device))
    _same(single.output, theirs(tx[0], torch.tensor(9)).output)
    assert repr(mine).replace("minigrad.", "") == repr(theirs)
    with pytest.raises(ValueError, match="cutoffs"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3])
    with pytest.raises(RuntimeError, match="Target values"):
        mine(x, minigrad.tensor([10] * 7, device=device))


def test_recurrent_base_classes_and_aliases():
    for layer in (nn.RNN(3, 4), nn.LSTM(3, 4), nn.GRU(3, 4)):
        assert isinstance(layer, nn.RNNBase)
    for cell in (nn.RNNCell(3, 4), nn.LSTMCell(3, 4), nn.GRUCell(3, 4)):
        assert isinstance(cell, nn.RNNCellBase)
    assert issubclass(nn.NLLLoss2d, nn.NLLLoss)
    logp, tlogp = _pair(np.log(np.full((2, 3, 2, 2), 1 / 3)))
    target = np.array([[[0, 1], [2, 0]], [[1, 1], [0, 2]]])
    _same(nn.NLLLoss2d()(logp, minigrad.tensor(target)),
          torch.nn.NLLLoss()(tlogp, torch.tensor(target)))


def test_lazy_3d_layers_take_their_sizes_from_the_first_input():
    x = minigrad.randn(2, 3, 4, 5, 6)
    conv = nn.LazyConv3d(5, 3, padding=1)
    assert tuple(conv(x).shape) == (2, 5, 4, 5, 6) and type(conv) is nn.Conv3d
    assert tuple(conv.weight.shape) == (5, 3, 3, 3, 3)
    transposed = nn.LazyConvTranspose3d(2, 2, stride=2)
    assert tuple(transposed(x).shape) == (2, 2, 8, 10, 12)
    assert type(transposed) is nn.ConvTranspose3d
    norm = nn.LazyBatchNorm3d()
    assert tuple(norm(x).shape) == tuple(x.shape) and norm.num_features == 3
    for lazy, eager in ((nn.LazyInstanceNorm1d(), nn.InstanceNorm1d),
                        (nn.LazyInstanceNorm2d(), nn.InstanceNorm2d),
                        (nn.LazyInstanceNorm3d(), nn.InstanceNorm3d)):
        dims = {nn.InstanceNorm1d: 3, nn.InstanceNorm2d: 4, nn.InstanceNorm3d: 5}[eager]
        sample = minigrad.randn(*(2, 3, 4, 5, 6)[:dims])
        lazy(sample)
        assert type(lazy) is eager and lazy.num_features == 3
        assert lazy.affine and lazy.track_running_stats  # PyTorch's lazy defaults
