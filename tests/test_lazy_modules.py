"""Lazy modules as in PyTorch: materialised on the first call into the non-lazy layer, with the
same initialisation, UninitializedParameter entries in the state_dict before that, loading a
state_dict, and training after a dry run (losses compared with torch from the same weights)."""
import copy

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.parameter import UninitializedBuffer, UninitializedParameter

torch = pytest.importorskip("torch")

# (lazy layer, its arguments, an input shape, the layer it becomes, that layer's arguments)
LAYERS = [
    ("LazyLinear", (3,), (2, 5), "Linear", (5, 3)),
    ("LazyLinear", (3, False), (4, 2, 5), "Linear", (5, 3, False)),
    ("LazyConv1d", (4, 3), (2, 2, 7), "Conv1d", (2, 4, 3)),
    ("LazyConv2d", (4, 3), (2, 2, 6, 6), "Conv2d", (2, 4, 3)),
    ("LazyConv2d", (4, 3), (2, 6, 6), "Conv2d", (2, 4, 3)),
    ("LazyConvTranspose2d", (4, 2, 2), (1, 3, 3, 3), "ConvTranspose2d", (3, 4, 2, 2)),
    ("LazyConvTranspose1d", (4, 3, 2), (2, 3, 5), "ConvTranspose1d", (3, 4, 3, 2)),
    ("LazyBatchNorm1d", (), (4, 3), "BatchNorm1d", (3,)),
    ("LazyBatchNorm2d", (), (4, 3, 2, 2), "BatchNorm2d", (3,)),
]
IDS = [f"{lazy}{shape}" for lazy, _, shape, _, _ in LAYERS]


def _values(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("lazy, args, shape, plain, plain_args", LAYERS, ids=IDS)
def test_materialises_into_the_plain_layer_as_torch(lazy, args, shape, plain, plain_args):
    described = []
    for lib in (minigrad, torch):
        module = getattr(lib.nn, lazy)(*args)
        before = repr(module), {k: type(v).__name__ for k, v in module.state_dict().items()}
        out = module(lib.ones(*shape))
        described.append((before, repr(module), type(module).__name__, tuple(out.shape),
                          {k: tuple(v.shape) for k, v in module.state_dict().items()}))
    assert described[0] == described[1]
    assert described[0][2] == plain


@pytest.mark.parametrize("lazy, args, shape, plain, plain_args", LAYERS, ids=IDS)
def test_initialised_as_the_plain_layer(lazy, args, shape, plain, plain_args):
    minigrad.manual_seed(3)
    module = getattr(nn, lazy)(*args)
    module(minigrad.ones(*shape))
    minigrad.manual_seed(3)
    reference = getattr(nn, plain)(*plain_args)
    reference(minigrad.ones(*shape))  # BatchNorm's running statistics move in both
    got, expected = _values(module), _values(reference)
    assert got.keys() == expected.keys()
    for key in got:
        np.testing.assert_array_equal(got[key], expected[key])


def test_conv_transpose1d_matches_torch():
    t_layer = torch.nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1)
    layer = nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1)
    layer.load_state_dict({k: minigrad.tensor(v.detach().numpy())
                           for k, v in t_layer.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3, 5)).astype(np.float32)
    np.testing.assert_allclose(layer(minigrad.tensor(x)).detach().numpy(),
                               t_layer(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert repr(layer) == repr(t_layer)
    assert tuple(layer(minigrad.tensor(x), output_size=[10]).shape) == (2, 4, 10)
    with pytest.raises(ValueError, match="ConvTranspose1d: requested an output size"):
        layer(minigrad.tensor(x), output_size=[20])


def test_state_dict_before_materialisation_holds_uninitialized_entries():
    sd = nn.LazyBatchNorm2d().state_dict()
    assert isinstance(sd["weight"], UninitializedParameter)
    assert isinstance(sd["running_mean"], UninitializedBuffer)
    assert sd["num_batches_tracked"].item() == 0
    assert repr(sd["weight"]) == "<UninitializedParameter>"
    assert nn.LazyLinear(2).has_uninitialized_params()


def test_using_an_uninitialized_parameter_says_what_to_do():
    layer = nn.LazyLinear(2)
    with pytest.raises(RuntimeError, match="dry run"):
        layer.weight + 1
    with pytest.raises(RuntimeError, match="uninitialized"):
        sum(p.numel() for p in layer.parameters())


def test_bad_first_input_is_refused_and_the_module_stays_lazy():
    conv = nn.LazyConv2d(4, 3)
    with pytest.raises(ValueError, match="3-D \\(unbatched\\) or 4-D"):
        conv(minigrad.ones(5))
    assert type(conv).__name__ == "LazyConv2d" and conv.has_uninitialized_params()
    conv(minigrad.ones(1, 2, 4, 4))
    assert type(conv) is nn.Conv2d


def test_load_state_dict_materialises_with_the_loaded_shapes():
    source = nn.Linear(4, 3)
    lazy = nn.LazyLinear(3)
    lazy.load_state_dict(source.state_dict())
    assert tuple(lazy.weight.shape) == (3, 4) and type(lazy.weight) is nn.Parameter
    x = minigrad.ones(2, 4)
    np.testing.assert_allclose(lazy(x).detach().numpy(), source(x).detach().numpy())
    assert type(lazy) is nn.Linear and lazy.in_features == 4


def test_an_optimizer_made_before_the_dry_run_keeps_its_parameters():
    layer = nn.LazyLinear(1)
    params = list(layer.parameters())
    opt = minigrad.optim.SGD(layer.parameters(), lr=0.5)
    layer(minigrad.ones(2, 3)).sum().backward()
    before = layer.weight.detach().numpy().copy()
    opt.step()
    assert all(a is b for a, b in zip(params, layer.parameters()))
    np.testing.assert_allclose(layer.weight.detach().numpy(), before - 0.5 * 2)


def test_moved_and_copied_before_the_dry_run():
    layer = nn.LazyConv2d(2, 1).double()
    twin = copy.deepcopy(layer)
    for module in (layer, twin):
        out = module(minigrad.ones(1, 3, 2, 2, dtype=minigrad.float64))
        assert module.weight.dtype is minigrad.float64 and out.dtype is minigrad.float64
    assert layer.weight is not twin.weight


def _d2l_style_net(lib):
    return lib.nn.Sequential(
        lib.nn.LazyConv2d(4, kernel_size=3, padding=1), lib.nn.LazyBatchNorm2d(), lib.nn.ReLU(),
        lib.nn.MaxPool2d(2), lib.nn.Flatten(), lib.nn.LazyLinear(8), lib.nn.LazyBatchNorm1d(),
        lib.nn.Sigmoid(), lib.nn.LazyLinear(3))


def test_training_after_a_dry_run_matches_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 1, 6, 6)).astype(np.float32)
    y = np.array([0, 2, 1, 2])
    losses = []
    t_net = _d2l_style_net(torch)
    t_net(torch.zeros(2, 1, 6, 6))  # the dry run
    initial = {k: v.numpy().copy() for k, v in t_net.state_dict().items()}
    for lib, net in ((torch, t_net), (minigrad, _d2l_style_net(minigrad))):
        if lib is minigrad:
            net(minigrad.zeros(2, 1, 6, 6))
            net.load_state_dict({k: minigrad.tensor(v) for k, v in initial.items()})
        opt = lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        run = []
        for _ in range(3):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(net(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)


def test_materialises_on_the_module_device(device):
    net = nn.Sequential(nn.LazyConv2d(2, 3), nn.LazyBatchNorm2d(), nn.Flatten(),
                        nn.LazyLinear(1)).to(device)
    out = net(minigrad.ones(2, 1, 4, 4, device=device))
    assert out.device == minigrad.device(device) and tuple(out.shape) == (2, 1)
    assert all(p.device == minigrad.device(device) for p in net.parameters())
    assert net[1].running_mean.device == minigrad.device(device)
