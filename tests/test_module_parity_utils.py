"""Parity of minigrad.nn.init, minigrad.nn.utils, the containers, the lazy layers and the
dropout layers' training mode with torch, on drawn cases.

- nn.init: every initialiser on drawn shapes and arguments: deterministic ones (constant_,
  ones_, zeros_, eye_, dirac_, calculate_gain) exactly, random ones by their bound, spread,
  mean and, for orthogonal_, by W W^T; errors (a 1-d tensor has no fan) in torch's class.
- nn.utils: clip_grad_norm_ (every norm_type, error_if_nonfinite) and clip_grad_value_ on the
  same gradients, parameters_to_vector / vector_to_parameters, and the sequence helpers.
- containers (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict) and the lazy
  layers: structure (repr, state_dict, named_* order) before and after the first call.
- dropout layers in training: each element (or channel, for Dropout1d/2d/3d) is either zeroed
  or scaled by 1 / (1 - p), and the drop rate is near p.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from module_parity_checks import (assert_same_structure, error_class, examples, structure,
                                  torch)


# ---- nn.init -------------------------------------------------------------------------------------

def _pair_tensors(shape, dtype="float32"):
    return torch.empty(shape, dtype=getattr(torch, dtype)), minigrad.empty(
        shape, dtype=getattr(minigrad, dtype))


def _assert_like(a, b, what):
    """a (minigrad) and b (torch) drawn from the same distribution: bound, spread, mean."""
    a, b = a.numpy().astype(np.float64).ravel(), b.numpy().astype(np.float64).ravel()
    assert a.shape == b.shape
    if b.size < 400:
        return
    if "uniform" in what:  # a uniform's bound shows in its largest draw; a normal's does not
        assert 0.9 * np.abs(b).max() <= np.abs(a).max() <= 1.1 * np.abs(b).max(), what
    assert 0.85 * b.std() <= a.std() <= 1.15 * b.std(), (what, a.std(), b.std())
    assert abs(a.mean() - b.mean()) <= 0.15 * b.std() + 1e-12, (what, a.mean(), b.mean())


INIT_SHAPES = st.sampled_from([(40, 30), (64, 16, 3), (16, 8, 3, 3), (600,), (30, 40)])
NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("param", [None, 0.2, 3])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert minigrad.nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


@settings(max_examples=examples(15))
@given(shape=INIT_SHAPES, data=st.data())
def test_random_initialisers_match_torch(shape, data):
    name = data.draw(st.sampled_from(["uniform_", "normal_", "xavier_uniform_",
                                      "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                                      "trunc_normal_", "orthogonal_"]), label="init")
    kw = {}
    if name == "uniform_":
        kw = {"a": data.draw(st.sampled_from([-1.0, 0.0])), "b": data.draw(
            st.sampled_from([1.0, 3.0]))}
    elif name in ("normal_", "trunc_normal_"):
        kw = {"mean": data.draw(st.sampled_from([0.0, 1.0])),
              "std": data.draw(st.sampled_from([1.0, 0.02]))}
        if name == "trunc_normal_":
            kw.update(a=kw["mean"] - 2 * kw["std"], b=kw["mean"] + kw["std"])
    elif name.startswith("xavier") or name == "orthogonal_":
        kw = {"gain": data.draw(st.sampled_from([1.0, 2.0]))}
    elif name.startswith("kaiming"):
        kw = {"a": data.draw(st.sampled_from([0, math.sqrt(5), 0.1])),
              "mode": data.draw(st.sampled_from(["fan_in", "fan_out"])),
              "nonlinearity": data.draw(st.sampled_from(["leaky_relu", "relu", "tanh"]))}
    if len(shape) < 2 and name not in ("uniform_", "normal_", "trunc_normal_"):
        t, m = _pair_tensors(shape)
        error_class(lambda: getattr(torch.nn.init, name)(t, **kw),
                    lambda: getattr(minigrad.nn.init, name)(m, **kw))
        return
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    t, m = _pair_tensors(shape, dtype)
    out_t = getattr(torch.nn.init, name)(t, **kw)
    out_m = getattr(minigrad.nn.init, name)(m, **kw)
    assert out_m is m and out_t is t  # in place, returning the tensor
    assert m.dtype == getattr(minigrad, dtype)
    if name == "trunc_normal_":
        assert m.numpy().min() >= kw["a"] and m.numpy().max() <= kw["b"]
    if name == "orthogonal_":
        w = m.numpy().reshape(shape[0], -1).astype(np.float64)
        small = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
        np.testing.assert_allclose(small, kw["gain"] ** 2 * np.eye(len(small)), atol=1e-4)
        return
    _assert_like(m, t, name)


@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (4, 2, 3), (6, 2, 3, 3), (4, 4, 1, 2, 2)])
def test_deterministic_initialisers_match_torch(shape):
    cases = [("constant_", (0.3,)), ("ones_", ()), ("zeros_", ())]
    if len(shape) == 2:
        cases.append(("eye_", ()))
    if len(shape) >= 3:
        cases += [("dirac_", ()), ("dirac_", (2,))]
    for name, args in cases:
        t, m = _pair_tensors(shape)
        expected = error_class(lambda: getattr(torch.nn.init, name)(t, *args),
                               lambda: getattr(minigrad.nn.init, name)(m, *args))
        if expected is None:
            getattr(minigrad.nn.init, name)(m, *args)
            np.testing.assert_array_equal(m.numpy(), t.numpy(), err_msg=name)


@pytest.mark.parametrize("call", [
    lambda lib, t: lib.nn.init.xavier_uniform_(t),
    lambda lib, t: lib.nn.init.kaiming_normal_(t, mode="fan_middle"),
    lambda lib, t: lib.nn.init.kaiming_uniform_(t, nonlinearity="swish"),
    lambda lib, t: lib.nn.init.eye_(t),
    lambda lib, t: lib.nn.init.dirac_(t),
    lambda lib, t: lib.nn.init.orthogonal_(t),
])
def test_initialiser_errors_match_torch(call):
    expected = error_class(lambda: call(torch, torch.empty(5)),
                           lambda: call(minigrad, minigrad.empty(5)))
    assert expected is not None


# ---- nn.utils ------------------------------------------------------------------------------------

@settings(max_examples=examples(15))
@given(data=st.data())
def test_clip_grad_matches_torch(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16), label="seed"))
    shapes = data.draw(st.lists(st.sampled_from([(3,), (2, 2), (0,), ()]), min_size=1,
                                max_size=3), label="shapes")
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    grads = [rng.standard_normal(s).astype(dtype) * 3 for s in shapes]
    if data.draw(st.integers(0, 4), label="special") == 0 and grads[0].size:
        grads[0].flat[0] = data.draw(st.sampled_from([np.inf, np.nan]))
    tp = [torch.nn.Parameter(torch.zeros(s, dtype=getattr(torch, dtype))) for s in shapes]
    mp = [minigrad.nn.Parameter(minigrad.zeros(s, dtype=getattr(minigrad, dtype)))
          for s in shapes]
    for p, q, g in zip(tp, mp, grads):
        p.grad, q.grad = torch.tensor(g), minigrad.tensor(g)
    if data.draw(st.booleans(), label="by value"):
        clip = data.draw(st.sampled_from([0.5, 2.0]))
        torch.nn.utils.clip_grad_value_(tp, clip)
        minigrad.nn.utils.clip_grad_value_(mp, clip)
    else:
        kw = {"max_norm": data.draw(st.sampled_from([0.5, 1.0, 100.0])),
              "norm_type": data.draw(st.sampled_from([2.0, 1.0, 3.0, math.inf, 0.5])),
              "error_if_nonfinite": data.draw(st.booleans())}
        try:
            total_t = torch.nn.utils.clip_grad_norm_(tp, **kw)
        except Exception as e:  # noqa: BLE001 - torch's class is the contract
            with pytest.raises(type(e)):
                minigrad.nn.utils.clip_grad_norm_(mp, **kw)
        else:
            total_m = minigrad.nn.utils.clip_grad_norm_(mp, **kw)
            np.testing.assert_allclose(float(total_m), float(total_t), rtol=1e-5)
    for p, q in zip(tp, mp):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_parameter_vectors_match_torch():
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s) for s in [(2, 3), (4,), (1, 1, 2)]]
    tp = [torch.nn.Parameter(torch.tensor(v)) for v in values]
    mp = [minigrad.nn.Parameter(minigrad.tensor(v)) for v in values]
    vt = torch.nn.utils.parameters_to_vector(tp)
    vm = minigrad.nn.utils.parameters_to_vector(mp)
    np.testing.assert_array_equal(vm.detach().numpy(), vt.detach().numpy())
    new = rng.standard_normal(vt.shape)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tp)
    minigrad.nn.utils.vector_to_parameters(minigrad.tensor(new), mp)
    for p, q in zip(tp, mp):
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    error_class(lambda: torch.nn.utils.vector_to_parameters(torch.ones(3), tp),
                lambda: minigrad.nn.utils.vector_to_parameters(minigrad.ones(3), mp))


@settings(max_examples=examples(10))
@given(data=st.data())
def test_sequence_helpers_match_torch(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16), label="seed"))
    lengths = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3), label="lengths")
    seqs = [rng.standard_normal((n, 2)) for n in lengths]
    kw = {"batch_first": data.draw(st.booleans()),
          "padding_value": data.draw(st.sampled_from([0.0, -1.0])),
          "padding_side": data.draw(st.sampled_from(["right", "left"]))}
    pt = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], **kw)
    pm = minigrad.nn.utils.rnn.pad_sequence([minigrad.tensor(s) for s in seqs], **kw)
    np.testing.assert_array_equal(pm.numpy(), pt.numpy())
    enforce = data.draw(st.booleans(), label="enforce_sorted")
    if enforce:
        order = np.argsort(lengths, kind="stable")[::-1]
        seqs, lengths = [seqs[i] for i in order], [lengths[i] for i in order]
    kt = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce)
    km = minigrad.nn.utils.rnn.pack_sequence([minigrad.tensor(s) for s in seqs], enforce)
    np.testing.assert_array_equal(km.data.numpy(), kt.data.numpy())
    np.testing.assert_array_equal(np.asarray(km.batch_sizes), kt.batch_sizes.numpy())
    batch_first = kw["batch_first"]
    ut, lt = torch.nn.utils.rnn.pad_packed_sequence(kt, batch_first, total_length=5)
    um, lm = minigrad.nn.utils.rnn.pad_packed_sequence(km, batch_first, total_length=5)
    np.testing.assert_array_equal(um.numpy(), ut.numpy())
    np.testing.assert_array_equal(np.asarray(lm), lt.numpy())


# ---- containers and lazy layers ------------------------------------------------------------------

def _containers(lib):
    nn = lib.nn
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1)))
    seq.append(nn.Tanh())
    mlist = nn.ModuleList([nn.Linear(1, 2), nn.Identity()])
    mlist.insert(1, nn.ReLU())
    mdict = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.BatchNorm1d(2)})
    plist = nn.ParameterList([nn.Parameter(lib.ones(2)), nn.Parameter(lib.zeros(1, 3))])
    pdict = nn.ParameterDict({"w": nn.Parameter(lib.ones(2, 2))})
    root = nn.Module()
    for name, child in [("seq", seq), ("mlist", mlist), ("mdict", mdict), ("plist", plist),
                        ("pdict", pdict)]:
        root.add_module(name, child)
    return root


def _without_parameter_containers(text):
    """A repr less the lines of ParameterList / ParameterDict, whose entries torch prints in
    its own type names ("torch.FloatTensor") with an indentation of its own."""
    return [line for line in text.splitlines() if "Parameter" not in line and
            not line.startswith("  )")]


def test_containers_match_torch():
    t, m = _containers(torch), _containers(minigrad)
    assert _without_parameter_containers(repr(m)) == _without_parameter_containers(repr(t))
    del t.plist, m.plist, t.pdict, m.pdict
    assert_same_structure(t, m)
    t, m = _containers(torch), _containers(minigrad)
    assert_same_structure(t.seq[1:], m.seq[1:])
    assert [type(x).__name__ for x in m.mlist] == [type(x).__name__ for x in t.mlist]
    assert list(m.mdict.keys()) == list(t.mdict.keys())
    assert len(m.plist) == len(t.plist) and list(m.pdict.keys()) == list(t.pdict.keys())
    del t.seq[0], m.seq[0]
    for key in ("state_dict", "parameters", "buffers", "modules", "training"):
        assert structure(m)[key] == structure(t)[key], key


LAZY = [("LazyLinear", (3,), (2, 4)), ("LazyConv1d", (2, 3), (1, 2, 5)),
        ("LazyConv2d", (2, 3), (1, 3, 4, 4)), ("LazyConvTranspose1d", (2, 3), (1, 2, 4)),
        ("LazyConvTranspose2d", (2, 3), (1, 1, 3, 3)), ("LazyBatchNorm1d", (), (3, 2)),
        ("LazyBatchNorm2d", (), (2, 3, 2, 2)), ("LazyBatchNorm3d", (), (2, 3, 1, 2, 2)),
        ("LazyConv3d", (2, 2), (1, 2, 3, 3, 3)), ("LazyConvTranspose3d", (2, 2), (1, 1, 2, 2, 2)),
        ("LazyInstanceNorm1d", (), (2, 3, 4)),
        ("LazyInstanceNorm2d", (), (2, 3, 2, 2)),
        ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2))]


@pytest.mark.parametrize("name, args, shape", LAZY)
def test_lazy_layers_match_torch(name, args, shape):
    t, m = getattr(torch.nn, name)(*args), getattr(minigrad.nn, name)(*args)
    assert repr(m) == repr(t)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    yt, ym = t(torch.tensor(x)), m(minigrad.tensor(x))
    assert tuple(ym.shape) == tuple(yt.shape)
    assert type(m).__name__ == type(t).__name__ and type(t).__name__ != name  # became eager
    assert_same_structure(t, m)


# ---- dropout in training ------------------------------------------------------------------------

@pytest.mark.parametrize("name, shape", [("Dropout", (40, 50)), ("Dropout1d", (20, 40, 3)),
                                         ("Dropout2d", (10, 40, 2, 2)),
                                         ("Dropout3d", (10, 40, 1, 2, 2))])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_training_matches_torch(name, shape, p):
    x = np.random.default_rng(1).uniform(1, 2, shape).astype(np.float32)
    m = getattr(minigrad.nn, name)(p)
    y = m(minigrad.tensor(x)).numpy()
    kept = y != 0
    if p < 1:
        np.testing.assert_allclose(y[kept], x[kept] / (1 - p), rtol=1e-6)
    else:
        assert not kept.any()
    if name != "Dropout":  # whole channels: every element of a channel alike
        per_channel = kept.reshape(shape[0], shape[1], -1)
        assert (per_channel.all(-1) | ~per_channel.any(-1)).all()
    rate = 1 - kept.mean()
    assert abs(rate - p) < 0.08, (rate, p)
    ty = getattr(torch.nn, name)(p)(torch.tensor(x))
    assert tuple(y.shape) == tuple(ty.shape)


@pytest.mark.parametrize("name, args, kwargs", [
    ("RNNBase", ("LSTM", 2, 3), {"num_layers": 2, "bidirectional": True}),
    ("RNNBase", ("GRU", 2, 3), {"bias": False, "batch_first": True}),
    ("RNNBase", ("RNN_RELU", 2, 3), {}),
    ("RNNBase", ("LSTM", 4, 3), {"proj_size": 2}),
    ("RNNCellBase", (2, 3, True, 4), {}), ("RNNCellBase", (2, 3, False, 3), {}),
])
def test_recurrent_base_classes_match_torch(name, args, kwargs):
    torch.manual_seed(0)
    minigrad.manual_seed(0)
    t = getattr(torch.nn, name)(*args, **kwargs)
    m = getattr(minigrad.nn, name)(*args, **kwargs)
    assert_same_structure(t, m)
    for (k, a), (_, b) in zip(m.named_parameters(), t.named_parameters()):
        bound = 1 / math.sqrt(3)
        assert np.abs(a.detach().numpy()).max() <= bound, k
        assert np.abs(b.detach().numpy()).max() <= bound
