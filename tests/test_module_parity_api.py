"""Parity of the Module API with torch.nn.Module on the cases where module trees differ from
the plain one: shared (tied) parameters and submodules, non-persistent buffers, parameters set
to None, prefixes and recurse=False, load_state_dict(strict=False)'s report, in-place
activations, from_pretrained, and the default initialisation of the normalisation layers."""
import numpy as np
import pytest

import minigrad
from module_parity_checks import (Case, assert_same_init, assert_same_structure, build,
                                  error_class, torch)


def _tree(lib):
    nn = lib.nn

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(5, 3)
            self.body = nn.Sequential(nn.Linear(3, 3), nn.ReLU(inplace=True))
            self.again = self.body  # the same submodule under two names
            self.head = nn.Linear(3, 5, bias=False)
            self.head.weight = self.embed.weight  # tied weights
            self.register_buffer("scale", lib.ones(3))
            self.register_buffer("cache", lib.zeros(2), persistent=False)
            self.register_parameter("unused", None)
            self.register_buffer("empty", None)

        def forward(self, idx):
            return self.head(self.again(self.body(self.embed(idx))) * self.scale)
    return Tied()


def _names(pairs):
    return [(k, tuple(v.shape)) for k, v in pairs]


def test_shared_parameters_and_modules_match_torch():
    t, m = _tree(torch), _tree(minigrad)
    assert_same_structure(t, m)
    for kw in ({}, {"prefix": "model"}, {"recurse": False}, {"remove_duplicate": False}):
        assert _names(m.named_parameters(**kw)) == _names(t.named_parameters(**kw)), kw
        assert _names(m.named_buffers(**kw)) == _names(t.named_buffers(**kw)), kw
    assert [k for k, _ in m.named_modules(remove_duplicate=False)] == \
        [k for k, _ in t.named_modules(remove_duplicate=False)]
    assert [k for k, _ in m.named_modules(prefix="x")] == [k for k, _ in
                                                            t.named_modules(prefix="x")]
    assert [k for k, _ in m.named_children()] == [k for k, _ in t.named_children()]
    assert len(list(m.parameters())) == len(list(t.parameters()))
    sd_t = t.state_dict()
    assert list(m.state_dict(prefix="p.")) == list(t.state_dict(prefix="p."))
    m.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in sd_t.items()})
    idx = np.array([[0, 4], [2, 2]])
    out_t, out_m = t(torch.tensor(idx)), m(minigrad.tensor(idx))
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    out_t.sum().backward()
    out_m.sum().backward()
    np.testing.assert_allclose(m.embed.weight.grad.numpy(), t.embed.weight.grad.numpy(),
                               rtol=1e-5, atol=1e-6)
    assert m.head.weight is m.embed.weight


def test_load_state_dict_reports_keys_as_torch():
    t, m = _tree(torch), _tree(minigrad)
    sd = {k: v for k, v in t.state_dict().items() if not k.startswith("body")}
    sd["extra.weight"] = torch.ones(1)
    rt = t.load_state_dict(sd, strict=False)
    rm = m.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in sd.items()},
                           strict=False)
    assert sorted(rm.missing_keys) == sorted(rt.missing_keys)
    assert sorted(rm.unexpected_keys) == sorted(rt.unexpected_keys)
    with pytest.raises(RuntimeError):
        m.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in sd.items()})
    bad = {k: minigrad.tensor(v.numpy()) for k, v in t.state_dict().items()}
    bad["scale"] = minigrad.ones(4)
    with pytest.raises(RuntimeError):
        m.load_state_dict(bad)


@pytest.mark.parametrize("name, kwargs", [
    ("ReLU", {}), ("ReLU6", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {}),
    ("CELU", {}), ("SELU", {}), ("SiLU", {}), ("Mish", {}), ("Hardswish", {}),
    ("Hardsigmoid", {}), ("Hardtanh", {}), ("Threshold", {"threshold": 0.1, "value": -1.0}),
    ("RReLU", {}), ("Dropout", {"p": 0.0}), ("Dropout2d", {"p": 0.0}),
])
def test_inplace_layers_match_torch(name, kwargs):
    t = getattr(torch.nn, name)(inplace=True, **kwargs).eval()
    m = getattr(minigrad.nn, name)(inplace=True, **kwargs).eval()
    assert repr(m) == repr(t)
    x = np.random.default_rng(0).standard_normal((2, 3, 2)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    xm = minigrad.tensor(x, requires_grad=True)
    yt, ym = xt * 1, xm * 1  # a non-leaf, which an in-place layer may overwrite
    out_t, out_m = t(yt), m(ym)
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), rtol=1e-5,
                               atol=1e-7)
    assert (out_m is ym) == (out_t is yt)
    out_t.sum().backward()
    out_m.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kwargs", [{}, {"freeze": False}, {"padding_idx": 1},
                                    {"max_norm": 1.0}])
def test_embedding_from_pretrained_matches_torch(kwargs):
    w = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w), **kwargs)
    m = minigrad.nn.Embedding.from_pretrained(minigrad.tensor(w), **kwargs)
    assert_same_structure(t, m)
    assert m.weight.requires_grad == t.weight.requires_grad
    idx = np.array([0, 1, 3])
    np.testing.assert_allclose(m(minigrad.tensor(idx)).detach().numpy(),
                               t(torch.tensor(idx)).detach().numpy(), rtol=1e-6)
    bag_t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="sum")
    bag_m = minigrad.nn.EmbeddingBag.from_pretrained(minigrad.tensor(w), mode="sum")
    assert_same_structure(bag_t, bag_m)


NORM_INITS = [
    ("BatchNorm1d", Case((300,))), ("BatchNorm2d", Case((300,), {"affine": False})),
    ("BatchNorm3d", Case((300,), {"track_running_stats": False})),
    ("InstanceNorm1d", Case((300,), {"affine": True})),
    ("InstanceNorm2d", Case((300,), {"affine": True, "track_running_stats": True})),
    ("InstanceNorm3d", Case((300,))), ("GroupNorm", Case((3, 300))),
    ("LayerNorm", Case(((20, 15),))), ("LayerNorm", Case((300,), {"bias": False})),
    ("RMSNorm", Case((300,))), ("PReLU", Case(())),
    ("TransformerEncoderLayer", Case((32, 2), {"dim_feedforward": 40})),
    ("Transformer", Case((), {"d_model": 16, "nhead": 2, "num_encoder_layers": 1,
                              "num_decoder_layers": 1, "dim_feedforward": 30})),
]


@pytest.mark.parametrize("name, case", NORM_INITS, ids=[n for n, _ in NORM_INITS])
def test_more_default_initialisations_match_torch(name, case):
    torch.manual_seed(0)
    minigrad.manual_seed(0)
    t, m = build(torch, name, case), build(minigrad, name, case)
    assert_same_structure(t, m)
    assert_same_init(t, m)


DTYPE_LAYERS = [("Linear", (2, 3)), ("Bilinear", (2, 2, 3)), ("Conv1d", (2, 2, 3)),
                ("Conv2d", (2, 2, 3)), ("Conv3d", (1, 2, 2)), ("ConvTranspose2d", (2, 2, 3)),
                ("BatchNorm1d", (3,)), ("InstanceNorm2d", (3,)), ("GroupNorm", (1, 3)),
                ("LayerNorm", (3,)), ("RMSNorm", (3,)), ("Embedding", (4, 3)),
                ("EmbeddingBag", (4, 3)), ("PReLU", ()), ("LSTM", (2, 3)), ("GRUCell", (2, 3)),
                ("MultiheadAttention", (4, 2)), ("TransformerEncoderLayer", (4, 2))]


@pytest.mark.parametrize("name, args", DTYPE_LAYERS, ids=[n for n, _ in DTYPE_LAYERS])
def test_dtype_argument_and_conversions_match_torch(name, args):
    """dtype= at construction, then .float() / .double() / .to(dtype): the same dtype for
    every parameter and buffer as torch's (integer buffers such as num_batches_tracked kept)."""
    def dtypes(module):
        return [(k, str(v.dtype).split(".")[-1]) for k, v in module.state_dict().items()]
    t = getattr(torch.nn, name)(*args, dtype=torch.float64)
    m = getattr(minigrad.nn, name)(*args, dtype=minigrad.float64)
    assert dtypes(m) == dtypes(t)
    for convert in (lambda mod, lib: mod.float(), lambda mod, lib: mod.double(),
                    lambda mod, lib: mod.to(lib.float32), lambda mod, lib: mod.to(
                        dtype=lib.float64)):
        assert convert(m, minigrad) is m and convert(t, torch) is t
        assert dtypes(m) == dtypes(t)


def _on_device(t, m, device, inputs):
    """Copy t's state into m, move m to `device`, and compare one forward and backward."""
    m.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    m.to(device)
    xs_t = [torch.tensor(a, requires_grad=True) for a in inputs]
    xs_m = [minigrad.tensor(a, device=device, requires_grad=True) for a in inputs]
    out_t, out_m = t(*xs_t), m(*xs_m)
    out_t, out_m = (out_t[0], out_m[0]) if isinstance(out_t, tuple) else (out_t, out_m)
    np.testing.assert_allclose(out_m.detach().cpu().numpy(), out_t.detach().numpy(),
                               rtol=1e-9, atol=1e-12)
    out_t.sum().backward()
    out_m.sum().backward()
    for a, b in zip(xs_m, xs_t):
        np.testing.assert_allclose(a.grad.cpu().numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_padding_modes_on_each_device(device, mode):
    """Conv1d/Conv2d/Conv3d with a padding_mode other than zeros pad through F.pad, on every
    device (tiny shapes: the cuda simulator runs them)."""
    rng = np.random.default_rng(0)
    for name, shape in (("Conv1d", (1, 1, 4)), ("Conv2d", (1, 1, 3, 4)),
                        ("Conv3d", (1, 1, 2, 2, 3))):
        torch.manual_seed(0)
        t = getattr(torch.nn, name)(1, 2, 2, padding=1, padding_mode=mode).double()
        m = getattr(minigrad.nn, name)(1, 2, 2, padding=1, padding_mode=mode).double()
        _on_device(t, m, device, [rng.standard_normal(shape)])


def test_lstm_projection_on_each_device(device):
    torch.manual_seed(0)
    t = torch.nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=1).double()
    m = minigrad.nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=1).double()
    _on_device(t, m, device, [np.random.default_rng(0).standard_normal((2, 1, 2))])


def test_module_methods_match_torch():
    t, m = _tree(torch), _tree(minigrad)
    for name in ("body.0", "again", "embed", ""):
        assert type(m.get_submodule(name)).__name__ == type(t.get_submodule(name)).__name__
    assert tuple(m.get_parameter("body.0.bias").shape) == tuple(
        t.get_parameter("body.0.bias").shape)
    assert tuple(m.get_buffer("scale").shape) == tuple(t.get_buffer("scale").shape)
    assert error_class(lambda: t.get_submodule("body.7"),
                       lambda: m.get_submodule("body.7")) is not None
    assert error_class(lambda: t.get_parameter("scale"),
                       lambda: m.get_parameter("scale")) is not None
    for mod in (t, m):
        mod.requires_grad_(False)
        mod.head.requires_grad_()
        mod.train(False)
    assert [p.requires_grad for p in m.parameters()] == [p.requires_grad for p in t.parameters()]
    assert [s.training for s in m.modules()] == [s.training for s in t.modules()]
    idx = np.array([1, 2])
    t(torch.tensor(idx)).sum().backward()
    m(minigrad.tensor(idx)).sum().backward()
    assert [p.grad is None for p in m.parameters()] == [p.grad is None for p in t.parameters()]
    t.zero_grad()
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    visited_t, visited_m = [], []
    t.apply(lambda s: visited_t.append(type(s).__name__))
    m.apply(lambda s: visited_m.append(type(s).__name__))
    assert visited_m == visited_t


def test_load_state_dict_assign_matches_torch():
    """assign=True: the loaded tensors become the parameters (their dtype, their storage, the
    module's requires_grad) and buffers."""
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    m = minigrad.nn.Sequential(minigrad.nn.Linear(2, 3), minigrad.nn.BatchNorm1d(3))
    t[0].bias.requires_grad_(False)
    m[0].bias.requires_grad_(False)
    sd_t = {k: v.detach().double() for k, v in t.state_dict().items()}
    sd_m = {k: minigrad.tensor(v.numpy()) for k, v in sd_t.items()}
    t.load_state_dict(sd_t, assign=True)
    m.load_state_dict(sd_m, assign=True)
    assert_same_structure(t, m)
    for (k, a), (_, b) in zip(m.state_dict(keep_vars=True).items(),
                              t.state_dict(keep_vars=True).items()):
        assert type(a).__name__ == type(b).__name__, k
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], k
        assert a.requires_grad == b.requires_grad, k
    sd_m["0.weight"].add_(1.0)  # the parameter shares the loaded tensor's storage, as torch's
    np.testing.assert_allclose(m[0].weight.detach().numpy(), sd_m["0.weight"].numpy())
