"""unfold/fold, pixel_shuffle/unshuffle, ConvTranspose1d, scaled_dot_product_attention,
MultiheadAttention and the recurrent cells and layers: values and gradients against PyTorch
(the modules from the same state_dict), gradcheck / gradgradcheck in float64, and errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import tensors

from layer_checks import assert_matches_torch

# these run once per mode or activation: half the profile's examples each keeps the file
# within seconds
HALF = settings(max_examples=max(3, settings().max_examples // 2))

# whole programs or layers that tests/cuda already runs on the device: a cuda pass skips them
pytestmark = pytest.mark.cpu_suffices

TOL = dict(rtol=1e-10, atol=1e-10)


def _copy_state(mine, theirs):
    """Load torch module `theirs`'s state_dict into `mine`; names must agree."""
    assert list(mine.state_dict()) == list(theirs.state_dict())
    mine.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in
                          theirs.state_dict().items()})


@HALF
@given(data=st.data(), k=st.tuples(st.integers(1, 2), st.integers(1, 3)),
       d=st.tuples(st.integers(1, 2), st.integers(1, 2)), p=st.integers(0, 1),
       s=st.tuples(st.integers(1, 2), st.integers(1, 2)))
def test_unfold_and_fold_match_torch(device, data, k, d, p, s):
    torch = pytest.importorskip("torch")
    size = (data.draw(st.integers(d[0] * (k[0] - 1) + 1, 5)),
            data.draw(st.integers(d[1] * (k[1] - 1) + 1, 5)))
    x = data.draw(tensors(st.just((data.draw(st.integers(1, 2)), 1) + size), device=device))
    assert_matches_torch(lambda t: F.unfold(t, k, d, p, s),
                         lambda t: torch.nn.functional.unfold(t, k, d, p, s), [x], **TOL)
    cols = F.unfold(x.detach(), k, d, p, s)
    y = data.draw(tensors(st.just(tuple(cols.shape)), device=device))
    assert_matches_torch(lambda t: F.fold(t, size, k, d, p, s),
                         lambda t: torch.nn.functional.fold(t, size, k, d, p, s), [y], **TOL)
    assert minigrad.gradcheck(lambda t: F.unfold(t, k, d, p, s), [x])
    assert minigrad.gradcheck(lambda t: F.fold(t, size, k, d, p, s), [y])


def test_unfold_and_fold_second_derivatives(device):
    x = minigrad.randn(1, 1, 3, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    y = minigrad.randn(1, 4, 4, dtype=minigrad.float64, device=device, requires_grad=True)
    assert minigrad.gradgradcheck(lambda t: F.unfold(t, 2, padding=1, stride=2) ** 2, [x])
    assert minigrad.gradgradcheck(lambda t: F.fold(t, (3, 3), 2) ** 2, [y])


def test_unfold_of_an_unbatched_input_and_the_modules(device):
    torch = pytest.importorskip("torch")
    x = minigrad.randn(2, 4, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    assert_matches_torch(nn.Unfold(2, padding=1), torch.nn.Unfold(2, padding=1), [x], **TOL)
    y = minigrad.randn(8, 6, dtype=minigrad.float64, device=device, requires_grad=True)
    assert_matches_torch(nn.Fold((3, 4), 2), torch.nn.Fold((3, 4), 2), [y], **TOL)
    assert repr(nn.Fold((3, 4), 2)) == repr(torch.nn.Fold((3, 4), 2))
    assert repr(nn.Unfold(2, padding=1)) == repr(torch.nn.Unfold(2, padding=1))


@given(data=st.data(), r=st.integers(1, 2), lead=st.integers(0, 2))
def test_pixel_shuffle_and_unshuffle_match_torch(device, data, r, lead):
    torch = pytest.importorskip("torch")
    shape = (1,) * lead
    x = data.draw(tensors(st.just(shape + (2 * r * r, 2, 3)), device=device))
    assert_matches_torch(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), [x], **TOL)
    y = data.draw(tensors(st.just(shape + (2, 2 * r, r)), device=device))
    assert_matches_torch(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), [y], **TOL)
    assert minigrad.gradcheck(lambda t: F.pixel_unshuffle(F.pixel_shuffle(t, r), r), [x])


@pytest.mark.parametrize("options", [{}, {"stride": 2, "padding": 1, "output_padding": 1},
                                     {"groups": 2, "dilation": 2, "bias": False}])
def test_conv_transpose1d_module_matches_torch(device, options):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ConvTranspose1d(4, 6, 3, **options).double()
    mine = nn.ConvTranspose1d(4, 6, 3, **options).double()
    assert repr(mine) == repr(theirs)
    _copy_state(mine, theirs)
    mine.to(device)
    x = minigrad.randn(2, 4, 5, dtype=minigrad.float64, device=device, requires_grad=True)
    assert_matches_torch(mine, theirs, [x], **TOL)
    out = mine(x, output_size=(theirs(torch.randn(2, 4, 5).double()).shape[-1],))
    assert out.shape[-1] == theirs(torch.randn(2, 4, 5).double()).shape[-1]


@given(data=st.data(), mask=st.sampled_from(["none", "bool", "float", "causal"]),
       scale=st.sampled_from([None, 0.7]))
def test_scaled_dot_product_attention_matches_torch(device, data, mask, scale):
    torch = pytest.importorskip("torch")
    lead = tuple(data.draw(st.lists(st.integers(1, 2), max_size=2)))
    length, source, e, ev = (data.draw(st.integers(1, 3)) for _ in range(4))
    if mask == "causal":
        source = length
    q, k, v = (data.draw(tensors(st.just(lead + shape), device=device))
               for shape in ((length, e), (source, e), (source, ev)))
    kwargs, torch_kwargs = {"scale": scale}, {"scale": scale}
    if mask == "causal":
        kwargs["is_causal"] = torch_kwargs["is_causal"] = True
    elif mask != "none":
        values = np.random.default_rng(0).random((length, source))
        chosen = values > 0.3 if mask == "bool" else values
        chosen[:, 0] = True if mask == "bool" else chosen[:, 0]  # no fully masked row
        kwargs["attn_mask"] = minigrad.tensor(chosen, device=device)
        torch_kwargs["attn_mask"] = torch.tensor(chosen)
    assert_matches_torch(lambda *a: F.scaled_dot_product_attention(*a, **kwargs),
                         lambda *a: torch.nn.functional.scaled_dot_product_attention(
                             *a, **torch_kwargs), [q, k, v], **TOL)
    assert minigrad.gradgradcheck(lambda *a: F.scaled_dot_product_attention(*a, **kwargs),
                                  [q, k, v])


def test_scaled_dot_product_attention_grouped_heads_and_dropout(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    q = minigrad.tensor(rng.standard_normal((2, 4, 3, 2)), device=device, requires_grad=True)
    k, v = (minigrad.tensor(rng.standard_normal((2, 2, 5, 2)), device=device,
                            requires_grad=True) for _ in range(2))
    assert_matches_torch(
        lambda *a: F.scaled_dot_product_attention(*a, enable_gqa=True),
        lambda *a: torch.nn.functional.scaled_dot_product_attention(*a, enable_gqa=True),
        [q, k, v], **TOL)
    dropped = F.scaled_dot_product_attention(q, k[:, :1].expand(2, 4, 5, 2),
                                             minigrad.ones(2, 4, 5, 1, dtype=minigrad.float64,
                                                           device=device), dropout_p=0.5)
    # with value all ones each output is the kept attention mass, rescaled by 1 / (1 - p)
    assert not np.allclose(dropped.detach().numpy(), 1.0)
    assert abs(dropped.detach().numpy().mean() - 1.0) < 0.35


@pytest.mark.parametrize("options", [{}, {"batch_first": True},
                                     {"add_bias_kv": True, "add_zero_attn": True},
                                     {"kdim": 3, "vdim": 5, "bias": False}])
@pytest.mark.parametrize("average", [True, False])
def test_multihead_attention_matches_torch_from_the_same_state_dict(device, options, average):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.MultiheadAttention(4, 2, dtype=torch.float64, **options)
    mine = nn.MultiheadAttention(4, 2, **options).double()
    _copy_state(mine, theirs)
    mine.to(device)
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((3, 2, 4)), rng.standard_normal((5, 2, options.get("kdim", 4))),
              rng.standard_normal((5, 2, options.get("vdim", 4)))]
    if options.get("batch_first"):
        arrays = [a.transpose(1, 0, 2).copy() for a in arrays]
    inputs = [minigrad.tensor(a, device=device, requires_grad=True) for a in arrays]
    padding = np.array([[False, False, False, False, True], [False] * 5])
    attn = rng.random((3, 5)) > 0.8
    masks = dict(key_padding_mask=minigrad.tensor(padding, device=device),
                 attn_mask=minigrad.tensor(attn, device=device),
                 average_attn_weights=average)
    torch_masks = dict(key_padding_mask=torch.tensor(padding), attn_mask=torch.tensor(attn),
                       average_attn_weights=average)
    assert_matches_torch(lambda *a: mine(*a, **masks), lambda *a: theirs(*a, **torch_masks),
                         inputs, **TOL)
    out, weights = mine(*inputs, need_weights=False)
    assert weights is None
    params = dict(mine.named_parameters())
    grads = minigrad.grad(out.sum(), list(params.values()))
    expected = torch.autograd.grad(theirs(*[torch.tensor(a) for a in arrays],
                                          need_weights=False)[0].sum(),
                                   [dict(theirs.named_parameters())[n] for n in params])
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), **TOL)


def test_multihead_attention_unbatched_and_float_masks(device):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.MultiheadAttention(4, 4, dtype=torch.float64)
    mine = nn.MultiheadAttention(4, 4).double()
    _copy_state(mine, theirs)
    mine.to(device)
    x = minigrad.randn(3, 4, dtype=minigrad.float64, device=device, requires_grad=True)
    bias = np.random.default_rng(3).standard_normal((3, 3))
    assert_matches_torch(
        lambda t: mine(t, t, t, attn_mask=minigrad.tensor(bias, device=device)),
        lambda t: theirs(t, t, t, attn_mask=torch.tensor(bias)), [x], **TOL)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch_and_gradcheck(device, cls, batched):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, cls)(3, 2).double()
    mine = getattr(nn, cls)(3, 2).double()
    assert repr(mine) == repr(theirs)
    _copy_state(mine, theirs)
    mine.to(device)
    shape = (4, 3) if batched else (3,)
    state = (4, 2) if batched else (2,)
    x = minigrad.randn(*shape, dtype=minigrad.float64, device=device, requires_grad=True)
    h = minigrad.randn(*state, dtype=minigrad.float64, device=device, requires_grad=True)
    if cls == "LSTMCell":
        c = minigrad.randn(*state, dtype=minigrad.float64, device=device, requires_grad=True)
        assert_matches_torch(lambda a, b, d: mine(a, (b, d)), lambda a, b, d: theirs(a, (b, d)),
                             [x, h, c], **TOL)
        assert minigrad.gradgradcheck(lambda a, b, d: mine(a, (b, d)), [x, h, c])
    else:
        assert_matches_torch(mine, theirs, [x, h], **TOL)
        assert minigrad.gradgradcheck(mine, [x, h])
    assert_matches_torch(mine, theirs, [x], **TOL)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "batch_first": True},
                                     {"num_layers": 2, "bidirectional": True, "bias": False}])
def test_sequence_layers_match_torch_from_the_same_state_dict(device, cls, options):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, cls)(3, 2, **options).double()
    mine = getattr(nn, cls)(3, 2, **options).double()
    assert repr(mine) == repr(theirs)
    _copy_state(mine, theirs)
    mine.to(device)
    x = minigrad.randn(2, 4, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    flat = lambda out: (out[0], *out[1]) if cls == "LSTM" else out  # noqa: E731
    assert_matches_torch(lambda t: flat(mine(t)), lambda t: flat(theirs(t)), [x], **TOL)
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    h0 = minigrad.randn(layers, 2 if options.get("batch_first") else 4, 2,
                        dtype=minigrad.float64, device=device, requires_grad=True)
    if cls == "LSTM":
        c0 = minigrad.randn(*h0.shape, dtype=minigrad.float64, device=device,
                            requires_grad=True)
        assert_matches_torch(lambda t, a, b: flat(mine(t, (a, b))),
                             lambda t, a, b: flat(theirs(t, (a, b))), [x, h0, c0], **TOL)
    else:
        assert_matches_torch(lambda t, a: mine(t, a), lambda t, a: theirs(t, a), [x, h0], **TOL)
    small = minigrad.randn(2, 1, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    if not options.get("batch_first"):
        assert minigrad.gradcheck(lambda t: flat(mine(t))[0], [small])


def test_sequence_layer_unbatched_input_and_dropout_between_layers(device):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.GRU(3, 2, num_layers=2).double()
    mine = nn.GRU(3, 2, num_layers=2, dropout=0.5).double()
    _copy_state(mine, theirs)
    mine.to(device)
    x = minigrad.randn(4, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    mine.eval()
    assert_matches_torch(mine, theirs, [x], **TOL)
    mine.train()
    out_a, out_b = mine(x)[0].detach().numpy(), mine(x)[0].detach().numpy()
    assert not np.allclose(out_a, out_b)  # a fresh dropout mask between the layers each call


def test_errors_name_what_was_wrong():
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="divisible"):
        F.fold(minigrad.randn(1, 5, 4), (3, 3), 2)
    with pytest.raises(ValueError, match="expected size"):
        F.fold(minigrad.randn(1, 4, 3), (3, 3), 2)
    with pytest.raises(ValueError, match="divisible"):
        F.pixel_shuffle(minigrad.randn(1, 3, 2, 2), 2)
    with pytest.raises(ValueError, match="h_0"):
        nn.GRU(3, 2)(minigrad.randn(4, 2, 3), minigrad.randn(2, 2, 2))
    with pytest.raises(ValueError, match="input"):
        nn.LSTM(3, 2)(minigrad.randn(4, 2, 5))
    with pytest.raises(ValueError, match="either"):
        q = minigrad.randn(2, 2)
        F.scaled_dot_product_attention(q, q, q, attn_mask=minigrad.ones(2, 2), is_causal=True)
