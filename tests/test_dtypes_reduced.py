"""float16 and bfloat16 against PyTorch: conversion (bfloat16's round to nearest even, NaN
kept), promotion with every other dtype, elementwise math computed in float32 and rounded once,
reductions, matmul / conv / pooling, autograd, factories, legacy types, numpy() and
serialization."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")

REDUCED = ["float16", "bfloat16"]
NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64"]
# one unit in the last place at 1.0: the tolerance of results built from several rounded steps
ULP = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7}


def _name(dtype):
    return str(dtype).split(".")[-1]


def _pair(values, name, device):
    """The numpy `values` as (minigrad tensor on device, torch tensor), both of dtype `name`."""
    ours = minigrad.tensor(values, device=device).to(getattr(minigrad, name))
    return ours, torch.from_numpy(np.asarray(values)).to(getattr(torch, name))


def _same(ours, theirs, rtol=0.0, atol=0.0):
    """Equal dtype and values (compared as float32; NaN equals NaN)."""
    assert _name(ours.dtype) == _name(theirs.dtype)
    assert_close(ours.float().cpu(), theirs.float(), rtol=rtol, atol=atol)


def _float_values(seed, shape, scale=10.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


@given(a=st.sampled_from(NAMES), b=st.sampled_from(NAMES))
def test_promotion_with_reduced_dtypes_matches_torch(a, b):
    ours, theirs = getattr(minigrad, a), getattr(torch, a)
    ours_b, theirs_b = getattr(minigrad, b), getattr(torch, b)
    assert _name(minigrad.promote_types(ours, ours_b)) == \
        _name(torch.promote_types(theirs, theirs_b))
    assert minigrad.can_cast(ours, ours_b) == torch.can_cast(theirs, theirs_b)
    for scalar in (2, 2.5, True):
        got = minigrad.ones(2, dtype=ours) * scalar
        assert _name(got.dtype) == _name((torch.ones(2, dtype=theirs) * scalar).dtype)
    zero_dim = minigrad.ones(2, dtype=ours) + minigrad.tensor(1, dtype=ours_b)
    assert _name(zero_dim.dtype) == _name((torch.ones(2, dtype=theirs) +
                                           torch.tensor(1, dtype=theirs_b)).dtype)


@given(values=st.lists(st.floats(width=32, allow_nan=True), min_size=1, max_size=20))
def test_conversion_from_float32_rounds_as_torch(device, values):
    host = np.array(values, np.float32)
    for name in REDUCED:
        ours, theirs = _pair(host, name, device)
        back, expected = ours.float().cpu().numpy(), theirs.float().numpy()
        np.testing.assert_array_equal(np.isnan(back), np.isnan(expected))
        finite = ~np.isnan(expected)
        np.testing.assert_array_equal(back[finite], expected[finite])  # bit-exact, signed zeros
        np.testing.assert_array_equal(np.signbit(back[finite]), np.signbit(expected[finite]))


def test_bfloat16_ties_round_to_even_and_overflow_to_infinity(device):
    # 1 + 2**-8 lies halfway between 1 and 1 + 2**-7 (even: 1); 1 + 3 * 2**-8 rounds up
    values = np.array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, -3.4e38, 1e-45], np.float32)
    ours, theirs = _pair(values, "bfloat16", device)
    assert ours.tolist() == theirs.tolist() == [1.0, 1.015625, float("inf"), float("-inf"), 0.0]


BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "pow": lambda a, b: a.abs() ** b,
          "maximum": lambda a, b: a.maximum(b), "atan2": lambda a, b: a.atan2(b),
          "lt": lambda a, b: a < b, "eq": lambda a, b: a == b}
UNARY = {"exp": lambda a: a.exp(), "log": lambda a: a.abs().log(), "sqrt": lambda a: a.abs().sqrt(),
         "tanh": lambda a: a.tanh(), "sigmoid": lambda a: a.sigmoid(), "relu": lambda a: a.relu(),
         "sin": lambda a: a.sin(), "neg": lambda a: -a, "floor": lambda a: a.floor(),
         "erf": lambda a: a.erf(), "reciprocal": lambda a: a.reciprocal(),
         "scalar": lambda a: a * 3.3 + 1, "isnan": lambda a: a.isnan()}


@pytest.mark.parametrize("op", sorted(BINARY))
@given(name=st.sampled_from(REDUCED), seed=st.integers(0, 2 ** 16))
def test_binary_ops_compute_in_float32_and_round_once_as_torch(device, op, name, seed):
    a, ta = _pair(_float_values(seed, (2, 3), 3.0), name, device)
    b, tb = _pair(_float_values(seed + 1, (3,), 3.0), name, device)
    _same(BINARY[op](a, b), BINARY[op](ta, tb))


@pytest.mark.parametrize("op", sorted(UNARY))
@given(name=st.sampled_from(REDUCED), seed=st.integers(0, 2 ** 16))
def test_unary_ops_compute_in_float32_and_round_once_as_torch(device, op, name, seed):
    a, ta = _pair(_float_values(seed, (2, 3), 3.0), name, device)
    _same(UNARY[op](a), UNARY[op](ta))


REDUCTIONS = {"sum": lambda a: a.sum(1), "mean": lambda a: a.mean(), "amax": lambda a: a.amax(0),
              "argmax": lambda a: a.argmax(1), "softmax": lambda a: a.softmax(1),
              "log_softmax": lambda a: a.log_softmax(0), "cumsum": lambda a: a.cumsum(1),
              "sort": lambda a: a.sort(1).values}


@pytest.mark.parametrize("reduction", sorted(REDUCTIONS))
@given(name=st.sampled_from(REDUCED), seed=st.integers(0, 2 ** 16))
def test_reductions_of_reduced_dtypes_match_torch(device, reduction, name, seed):
    a, ta = _pair(_float_values(seed, (3, 5), 2.0), name, device)
    # sums accumulate in another order than torch's: one unit in the last place apart at most
    _same(REDUCTIONS[reduction](a), REDUCTIONS[reduction](ta), rtol=ULP[name])


@pytest.mark.parametrize("name", REDUCED)
def test_matmul_conv_and_pooling_in_reduced_dtypes(device, name):
    x, tx = _pair(_float_values(0, (2, 3, 6, 6), 1.0), name, device)
    w, tw = _pair(_float_values(1, (4, 3, 3, 3), 0.5), name, device)
    m, tm = _pair(_float_values(2, (6, 5), 1.0), name, device)
    tolerance = {"rtol": 2 * ULP[name], "atol": 2 * ULP[name]}
    _same(F.conv2d(x, w, padding=1), torch.nn.functional.conv2d(tx, tw, padding=1), **tolerance)
    _same(x @ m, tx @ tm, **tolerance)
    _same(F.linear(x, m.T), torch.nn.functional.linear(tx, tm.T), **tolerance)
    _same(F.max_pool2d(x, 2), torch.nn.functional.max_pool2d(tx, 2))
    _same(F.avg_pool2d(x, 3, stride=2), torch.nn.functional.avg_pool2d(tx, 3, stride=2),
          **tolerance)
    with pytest.raises(RuntimeError, match="dtype"):
        x @ m.float()


@pytest.mark.parametrize("name", REDUCED)
def test_gradients_flow_in_reduced_dtypes(device, name):
    values = _float_values(3, (4, 3), 1.0)
    x, tx = _pair(values, name, device)
    x.requires_grad_()
    tx.requires_grad_()
    ((x * x).tanh().sum() * 2).backward()
    ((tx * tx).tanh().sum() * 2).backward()
    assert x.grad.dtype is x.dtype
    _same(x.grad, tx.grad, rtol=2 * ULP[name], atol=2 * ULP[name])
    layer = minigrad.nn.Linear(3, 2).to(device).to(getattr(minigrad, name))
    optimizer = minigrad.optim.Adam(layer.parameters(), lr=0.1)
    before = layer.weight.float().detach().clone()
    layer(x.detach()).sum().backward()
    optimizer.step()
    assert layer.weight.dtype is x.dtype
    assert (layer.weight.float().detach() - before).abs().max().item() > 0.05


@pytest.mark.parametrize("name", REDUCED)
def test_factories_and_conversions(device, name):
    dtype = getattr(minigrad, name)
    for t in (minigrad.zeros(2, dtype=dtype, device=device),
              minigrad.ones(2, 3, dtype=dtype, device=device),
              minigrad.full((2,), 1.1, dtype=dtype, device=device),
              minigrad.arange(4, dtype=dtype, device=device),
              minigrad.rand(3, dtype=dtype, device=device),
              minigrad.randn(3, dtype=dtype, device=device),
              minigrad.tensor([1.5, 2.0], dtype=dtype, device=device),
              minigrad.empty(2, dtype=dtype, device=device)):
        assert t.dtype is dtype and t.element_size() == 2
    full = minigrad.full((2,), 1.1, dtype=dtype, device=device)
    assert full.tolist() == torch.full((2,), 1.1, dtype=getattr(torch, name)).tolist()
    assert minigrad.arange(4, dtype=dtype, device=device).tolist() == [0.0, 1.0, 2.0, 3.0]
    method = "half" if name == "float16" else "bfloat16"
    x = getattr(minigrad.tensor([1.7, -2.2, 300.0], device=device), method)()
    tx = getattr(torch.tensor([1.7, -2.2, 300.0]), method)()
    assert x.dtype is dtype and x.tolist() == tx.tolist()
    assert x.int().tolist() == tx.int().tolist() and x.char().tolist() == tx.char().tolist()
    assert x.double().tolist() == tx.double().tolist()
    assert x.half().tolist() == tx.half().tolist()
    assert x.bfloat16().tolist() == tx.bfloat16().tolist()
    assert x[1].item() == tx[1].item()
    assert repr(x).endswith(f"dtype=minigrad.{name})")
    x[0] = 5.5
    assert x[0].item() == 5.5
    x.fill_(0.1)
    assert x.tolist() == tx.fill_(0.1).tolist()


def test_numpy_of_bfloat16_raises_as_torch_and_float16_gives_numpy_half(device):
    with pytest.raises(TypeError, match="BFloat16"):
        torch.ones(2, dtype=torch.bfloat16).numpy()
    with pytest.raises(TypeError, match="BFloat16"):
        minigrad.ones(2, dtype=minigrad.bfloat16, device=device).numpy()
    assert minigrad.ones(2, dtype=minigrad.bfloat16, device=device).float().numpy().dtype == \
        np.float32
    half = minigrad.ones(2, dtype=minigrad.float16, device=device).cpu().numpy()
    assert half.dtype == np.float16
    shared = minigrad.from_numpy(np.ones(2, np.float16))
    assert shared.dtype is minigrad.float16
    with pytest.raises(TypeError, match="uint16"):
        minigrad.from_numpy(np.ones(2, np.uint16))
    # a uint16 array holds numbers: as bfloat16 they are converted, not read as bit patterns
    assert minigrad.tensor(np.array([1, 300], np.uint16), dtype=minigrad.bfloat16).tolist() == \
        torch.tensor(np.array([1, 300], np.uint16), dtype=torch.bfloat16).tolist()


@pytest.mark.parametrize("legacy, name", [("HalfTensor", "float16"),
                                          ("BFloat16Tensor", "bfloat16")])
def test_legacy_reduced_types(device, legacy, name):
    kind = minigrad if device == "cpu" else minigrad.cuda
    t = getattr(kind, legacy)([1.5, 2])
    assert t.dtype is getattr(minigrad, name) and isinstance(t, getattr(kind, legacy))
    assert t.type().split(".")[-1] == getattr(torch, legacy)([1.5, 2]).type().split(".")[-1]


@pytest.mark.parametrize("name", REDUCED)
def test_finfo_of_reduced_dtypes_matches_torch(name):
    ours, theirs = minigrad.finfo(getattr(minigrad, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, field) == getattr(theirs, field), field


@pytest.mark.parametrize("name", REDUCED)
def test_save_load_and_pickle_keep_reduced_values(device, tmp_path, name):
    import pickle
    values = np.array([1.1, -2.5, np.inf, 1e-3, np.nan], np.float32)
    x, _ = _pair(values, name, device)
    path = tmp_path / "x.mgc"
    minigrad.save({"x": x}, path)
    back = minigrad.load(path, map_location=device)["x"]
    assert back.dtype is x.dtype and back.device == x.device
    np.testing.assert_array_equal(back.float().cpu().numpy(), x.float().cpu().numpy())
    again = pickle.loads(pickle.dumps(x))
    np.testing.assert_array_equal(again.float().cpu().numpy(), x.float().cpu().numpy())


MIXED = {
    "masked_fill": lambda lib, x: x.masked_fill(x > 1, 1.25),
    "where": lambda lib, x: lib.where(x > 0, x, 0.5),
    "where_scalar_first": lambda lib, x: lib.where(x > 0, 2.0, x),
    "cross_entropy": lambda lib, x: lib.nn.functional.cross_entropy(
        x.reshape(3, 4), x.new_tensor([0, 3, 1], dtype=lib.int64)),
    "layer_norm": lambda lib, x: lib.nn.functional.layer_norm(x.reshape(3, 4), (4,)),
    "index_put": lambda lib, x: x.clone().index_put_((x.new_tensor([0, 2], dtype=lib.int64),),
                                                     x.new_tensor(7.5)),
    "copy_from_float32": lambda lib, x: x.clone().copy_(x.new_ones(12, dtype=lib.float32) / 3),
    "add_float32_in_place": lambda lib, x: x.clone().add_(
        x.new_ones(12, dtype=lib.float32) / 3),
    "cat": lambda lib, x: lib.cat([x, x * 2]),
}


@pytest.mark.parametrize("op", sorted(MIXED))
@pytest.mark.parametrize("name", REDUCED)
def test_ops_mixing_reduced_tensors_with_others_match_torch(device, op, name):
    x, tx = _pair(_float_values(4, (12,), 2.0), name, device)
    tolerance = {"rtol": 2 * ULP[name], "atol": 2 * ULP[name]}
    with torch.no_grad():
        expected = MIXED[op](torch, tx)
    ours = MIXED[op](minigrad, x)
    assert ours.device == x.device
    _same(ours, expected, **tolerance)


@pytest.mark.parametrize("name", REDUCED)
def test_module_half_and_bfloat16_cast_floating_parameters_only(device, name):
    model = minigrad.nn.Sequential(minigrad.nn.Conv2d(2, 3, 3), minigrad.nn.BatchNorm2d(3),
                                   minigrad.nn.ReLU()).to(device)
    tmodel = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3),
                                 torch.nn.ReLU())
    tmodel.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in
                            model.cpu().state_dict().items()})
    model.to(device)
    method = "half" if name == "float16" else "bfloat16"
    assert getattr(model, method)() is model
    getattr(tmodel, method)()
    for (key, ours), theirs in zip(model.state_dict().items(), tmodel.state_dict().values()):
        assert _name(ours.dtype) == _name(theirs.dtype), key
    x, tx = _pair(_float_values(5, (2, 2, 5, 5), 1.0), name, device)
    _same(model(x), tmodel(tx).detach(), rtol=4 * ULP[name], atol=4 * ULP[name])
