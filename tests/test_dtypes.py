"""The integer dtypes (uint8, int8, int16, int32 next to bool, int64 and the floats) against
PyTorch: the promotion table, result_type and can_cast, arithmetic with wrap-around and
PyTorch's division rules, comparisons, reductions, casts, factories, legacy types, pooling,
serialization and the limits (iinfo / finfo)."""
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"]
INTEGERS = ["uint8", "int8", "int16", "int32", "int64"]


def _ours(name):
    return getattr(minigrad, name)


def _theirs(name):
    return getattr(torch, name)


def _name(dtype):
    return str(dtype).split(".")[-1]


def _values(rng, name, shape, nonzero=False):
    """Small values of dtype `name` (numpy), spread over the dtype's range where it is narrow."""
    if name == "bool":
        return rng.random(shape) < 0.5
    if name.startswith("float"):
        values = rng.uniform(-100, 100, shape).astype(name)
    else:
        info = np.iinfo(name)
        values = rng.integers(max(info.min, -1000), min(info.max, 1000), shape,
                              endpoint=True).astype(name)
    if nonzero:
        values[values == 0] = 1
    return values


@given(a=st.sampled_from(NAMES), b=st.sampled_from(NAMES))
def test_promotion_table_and_can_cast_match_torch(a, b):
    assert _name(minigrad.promote_types(_ours(a), _ours(b))) == \
        _name(torch.promote_types(_theirs(a), _theirs(b)))
    assert minigrad.can_cast(_ours(a), _ours(b)) == torch.can_cast(_theirs(a), _theirs(b))


OPERAND_KINDS = ["dims", "zero-dim", "int", "float", "bool"]


def _operand(kind, name, library):
    if kind == "int":
        return 3
    if kind == "float":
        return 2.5
    if kind == "bool":
        return True
    shape = (2,) if kind == "dims" else ()
    if library is torch:
        return torch.ones(shape, dtype=_theirs(name))
    return minigrad.ones(shape, dtype=_ours(name))


@given(a=st.sampled_from(NAMES), b=st.sampled_from(NAMES), kind_a=st.sampled_from(OPERAND_KINDS),
       kind_b=st.sampled_from(OPERAND_KINDS[:2]))
def test_result_type_of_tensors_zero_dim_tensors_and_numbers_matches_torch(a, b, kind_a, kind_b):
    expected = torch.result_type(_operand(kind_a, a, torch), _operand(kind_b, b, torch))
    got = minigrad.result_type(_operand(kind_a, a, minigrad), _operand(kind_b, b, minigrad))
    assert _name(got) == _name(expected)
    # and the arithmetic itself lands on that dtype
    out = _operand(kind_a, a, minigrad) * _operand(kind_b, b, minigrad)
    assert _name(out.dtype) == _name(expected)


ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
              "truediv": operator.truediv, "floordiv": operator.floordiv,
              "mod": operator.mod, "eq": operator.eq, "lt": operator.lt, "ge": operator.ge,
              "maximum": None}


@pytest.mark.parametrize("op_name", sorted(ARITHMETIC))
@given(a=st.sampled_from(NAMES[1:]), b=st.sampled_from(NAMES[1:]), seed=st.integers(0, 2**16))
def test_arithmetic_and_comparisons_of_dtype_pairs_match_torch(device, op_name, a, b, seed):
    rng = np.random.default_rng(seed)
    divides = op_name in ("truediv", "floordiv", "mod")
    x, y = _values(rng, a, (2, 3)), _values(rng, b, (3,), nonzero=divides)
    op = ARITHMETIC[op_name] or (lambda p, q: p.maximum(q))
    expected = op(torch.from_numpy(x), torch.from_numpy(y))
    got = op(minigrad.tensor(x, device=device), minigrad.tensor(y, device=device))
    assert _name(got.dtype) == _name(expected.dtype)
    assert_close(got.cpu(), expected, rtol=1e-6 if divides else None)


@pytest.mark.parametrize("name", INTEGERS)
def test_integer_overflow_wraps_as_torch(device, name):
    info = np.iinfo(name)
    top = minigrad.tensor([info.max, info.min], dtype=_ours(name), device=device)
    ttop = torch.tensor([info.max, info.min], dtype=_theirs(name))
    for op in (lambda t: t + 1, lambda t: t - 1, lambda t: t * 3, lambda t: t + 300,
               lambda t: -t, lambda t: t + t):
        got, expected = op(top), op(ttop)
        assert _name(got.dtype) == name
        assert got.tolist() == expected.tolist()


def test_uint8_differences_wrap_and_division_rules_follow_torch(device):
    a = minigrad.tensor([1, 7, 200], dtype=minigrad.uint8, device=device)
    b = minigrad.tensor([2, 2, 100], dtype=minigrad.uint8, device=device)
    assert (a - b).tolist() == [255, 5, 100]
    assert (a / b).dtype is minigrad.float32 and (a / b).tolist() == [0.5, 3.5, 2.0]
    assert (a // b).dtype is minigrad.uint8 and (a // b).tolist() == [0, 3, 2]
    c = minigrad.tensor([-7, 7], dtype=minigrad.int8, device=device)
    assert (c // 2).tolist() == torch.tensor([-7, 7], dtype=torch.int8).floor_divide(2).tolist()
    assert (c % 3).tolist() == [2, 1]
    with pytest.raises(ZeroDivisionError):
        c // minigrad.zeros(2, dtype=minigrad.int8, device=device)


REDUCTIONS = {"sum": lambda t: t.sum(), "sum_dim": lambda t: t.sum(1),
              "prod": lambda t: t.prod(), "cumsum": lambda t: t.cumsum(0),
              "cumprod": lambda t: t.cumprod(1), "max": lambda t: t.max(),
              "amin_dim": lambda t: t.amin(0), "argmax": lambda t: t.argmax(1),
              "cummax": lambda t: t.cummax(1).values}


@pytest.mark.parametrize("reduction", sorted(REDUCTIONS))
@given(name=st.sampled_from(INTEGERS + ["bool"]), seed=st.integers(0, 2**16))
def test_reductions_of_integer_dtypes_match_torch(device, reduction, name, seed):
    if reduction in ("cummax", "argmax") and name == "bool":
        return  # torch refuses bool input to these
    x = _values(np.random.default_rng(seed), name, (3, 4))
    if reduction in ("prod", "cumprod") and name != "bool":
        x = (x % 4).astype(name)  # products of small factors stay exact in int64
    got = REDUCTIONS[reduction](minigrad.tensor(x, device=device))
    expected = REDUCTIONS[reduction](torch.from_numpy(x))
    assert _name(got.dtype) == _name(expected.dtype)
    assert_close(got.cpu(), expected)


def test_mean_of_an_integer_tensor_is_refused_as_torch(device):
    with pytest.raises(RuntimeError, match="floating point"):
        torch.ones(2, dtype=torch.int8).mean()
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.ones(2, dtype=minigrad.int8, device=device).mean()


@pytest.mark.parametrize("target", INTEGERS + ["bool", "float32", "float64"])
@given(source=st.sampled_from(NAMES), seed=st.integers(0, 2**16))
def test_casts_between_dtypes_match_torch(device, target, source, seed):
    x = _values(np.random.default_rng(seed), source, (5,))
    if source.startswith("float"):
        x[:2] = [-1.5, 2.75]  # truncation toward zero
    got = minigrad.tensor(x, device=device).to(_ours(target))
    expected = torch.from_numpy(x).to(_theirs(target))
    assert _name(got.dtype) == target
    assert_close(got.cpu(), expected)


def test_out_of_range_float_to_integer_casts_wrap_as_torch(device):
    # within int32's range: beyond it the conversion differs between devices (in torch too)
    values = [300.7, -1.5, 1e5, -129.0, 65536.0 + 3]
    x = minigrad.tensor(values, dtype=minigrad.float64, device=device)
    tx = torch.tensor(values, dtype=torch.float64)
    for name in ("int8", "uint8", "int16"):
        assert x.to(_ours(name)).tolist() == tx.to(_theirs(name)).tolist(), name
    assert x.to(minigrad.int32)[:2].tolist() == [300, -1]


@pytest.mark.parametrize("method, name", [("int", "int32"), ("short", "int16"),
                                          ("char", "int8"), ("byte", "uint8"),
                                          ("long", "int64")])
def test_conversion_methods_and_type_names_match_torch(device, method, name):
    t = getattr(minigrad.tensor([1.7, -2.2], device=device), method)()
    tt = getattr(torch.tensor([1.7, -2.2]), method)()
    assert t.dtype is _ours(name) and _name(tt.dtype) == name
    assert t.tolist() == tt.tolist()
    assert t.type().split(".")[-1] == tt.type().split(".")[-1]
    assert t.element_size() == tt.element_size()
    assert repr(t).endswith(f"dtype=minigrad.{name})") or name == "int64"


@pytest.mark.parametrize("name", INTEGERS)
def test_factories_take_integer_dtypes(device, name):
    dtype = _ours(name)
    for t in (minigrad.zeros(2, 3, dtype=dtype, device=device),
              minigrad.ones(4, dtype=dtype, device=device),
              minigrad.full((2,), 7, dtype=dtype, device=device),
              minigrad.arange(5, dtype=dtype, device=device),
              minigrad.tensor([1, 2], dtype=dtype, device=device),
              minigrad.empty(3, dtype=dtype, device=device),
              minigrad.randint(0, 5, (3,), dtype=dtype, device=device),
              minigrad.zeros_like(minigrad.ones(2, device=device), dtype=dtype)):
        assert t.dtype is dtype and t.numpy().dtype == np.dtype(name)
    assert minigrad.arange(5, dtype=dtype, device=device).tolist() == list(range(5))
    array = np.arange(3, dtype=name)
    shared = minigrad.from_numpy(array)
    array[0] = 9
    assert shared.dtype is dtype and shared.tolist() == [9, 1, 2]


@pytest.mark.parametrize("legacy, name", [("IntTensor", "int32"), ("ShortTensor", "int16"),
                                          ("CharTensor", "int8"), ("ByteTensor", "uint8")])
def test_legacy_integer_types(device, legacy, name):
    kind = minigrad if device == "cpu" else minigrad.cuda
    t = getattr(kind, legacy)([1, 2])
    assert t.dtype is _ours(name) and t.device.type == device
    assert isinstance(t, getattr(kind, legacy))
    assert not isinstance(t.long(), getattr(kind, legacy))
    assert getattr(kind, legacy)(2, 3).shape == (2, 3)
    assert minigrad.ones(2, device=device).type(getattr(kind, legacy)).dtype is _ours(name)
    assert getattr(torch, legacy)([1, 2]).dtype is _theirs(name)


@pytest.mark.parametrize("name", INTEGERS)
def test_integer_max_pool2d_matches_torch(device, name):
    x = _values(np.random.default_rng(0), name, (1, 2, 5, 5))
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 3, "padding": 1, "stride": 2}):
        out, idx = F.max_pool2d(minigrad.tensor(x, device=device), return_indices=True,
                                **kwargs)
        t_out, t_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), return_indices=True,
                                                      **kwargs)
        assert out.dtype is _ours(name)
        assert_close(out.cpu(), t_out)
        assert_close(idx.cpu(), t_idx)


def test_integer_pooling_torch_refuses_is_refused_with_its_error_class(device):
    x = minigrad.ones(1, 1, 4, 4, dtype=minigrad.int8, device=device)
    tx = torch.ones(1, 1, 4, 4, dtype=torch.int8)
    for call in (lambda f, t: f.max_pool1d(t[0], 2), lambda f, t: f.avg_pool2d(t, 2),
                 lambda f, t: f.max_pool2d(t.bool(), 2)):
        with pytest.raises(NotImplementedError):
            call(torch.nn.functional, tx)
        with pytest.raises(NotImplementedError):
            call(F, x)


@pytest.mark.parametrize("name", NAMES)
def test_save_and_load_keep_every_dtype(device, tmp_path, name):
    x = minigrad.tensor(_values(np.random.default_rng(1), name, (2, 3)), device=device)
    path = tmp_path / "t.mgc"
    minigrad.save({"x": x, "n": [x[0]]}, path)
    back = minigrad.load(path, map_location=device)
    assert back["x"].dtype is x.dtype and back["n"][0].dtype is x.dtype
    assert back["x"].tolist() == x.tolist()


@pytest.mark.parametrize("name", INTEGERS)
def test_iinfo_matches_torch(name):
    ours, theirs = minigrad.iinfo(_ours(name)), torch.iinfo(_theirs(name))
    assert (ours.bits, ours.min, ours.max) == (theirs.bits, theirs.min, theirs.max)
    with pytest.raises(TypeError):
        minigrad.iinfo(minigrad.float32)


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_finfo_matches_torch(name):
    ours, theirs = minigrad.finfo(_ours(name)), torch.finfo(_theirs(name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert minigrad.finfo().bits == torch.finfo().bits
    with pytest.raises(TypeError):
        minigrad.finfo(minigrad.int8)


def test_integer_dot_and_matrix_products_keep_their_dtype(device):
    a = minigrad.tensor([100, 100], dtype=minigrad.int8, device=device)
    ta = torch.tensor([100, 100], dtype=torch.int8)
    assert minigrad.dot(a, a).dtype is minigrad.int8
    assert minigrad.dot(a, a).item() == torch.dot(ta, ta).item()


def _index(x, values):
    return x.new_tensor(values, dtype=minigrad.int64 if isinstance(x, minigrad.Tensor)
                        else torch.int64)


def _library(x):
    return minigrad if isinstance(x, minigrad.Tensor) else torch


SHAPE_AND_SORT = {
    "sort": lambda x: x.sort(1).values, "argsort": lambda x: x.argsort(dim=1, stable=True),
    "topk": lambda x: x.topk(2, 1).values, "cummax": lambda x: x.cummax(1).values,
    "unique": lambda x: x.unique(), "nonzero": lambda x: x.nonzero(),
    "median": lambda x: x.median(), "kthvalue": lambda x: x.kthvalue(2, 1).values,
    "flip_roll": lambda x: x.flip(0).roll(1, 1), "tril": lambda x: x.tril(),
    "gather": lambda x: x.gather(1, _index(x, [[0, 1], [2, 0], [1, 1]])),
    "masked_select": lambda x: x[x > 2], "cat": lambda x: _library(x).cat([x, x]),
    "where": lambda x: _library(x).where(x > 2, x, x * 2),
    "index_fill": lambda x: x.clone().index_fill_(1, _index(x, [0]), 5),
    "scatter_add": lambda x: x.scatter_add(1, _index(x, [[0, 1], [2, 0], [1, 1]]), x[:, :2]),
    "div_floor": lambda x: x.div(2, rounding_mode="floor"), "clamp": lambda x: x.clamp(1, 3),
}


@pytest.mark.parametrize("op", sorted(SHAPE_AND_SORT))
@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "float16", "bfloat16"])
def test_shape_index_and_sort_ops_keep_every_dtype(device, op, name):
    values = np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]])
    x = minigrad.tensor(values, device=device).to(_ours(name))
    expected = SHAPE_AND_SORT[op](torch.tensor(values).to(_theirs(name)))
    got = SHAPE_AND_SORT[op](x)
    assert _name(got.dtype) == _name(expected.dtype)
    assert_close(got.cpu(), expected)


OUT_OF_RANGE = [
    lambda lib: lib.tensor([300], dtype=lib.int8),
    lambda lib: lib.tensor([127.9], dtype=lib.int8),
    lambda lib: lib.tensor([1.0, float("nan")], dtype=lib.int32),
    lambda lib: lib.tensor([2 ** 40], dtype=lib.int32),
    lambda lib: lib.tensor([-256], dtype=lib.uint8),
    lambda lib: lib.full((2,), 300, dtype=lib.int8),
    lambda lib: lib.zeros(2, dtype=lib.int16).fill_(-40000),
]
WRAPPING = [
    lambda lib: lib.tensor([-1, 255], dtype=lib.uint8),  # uint8 takes -255..255, as C
    lambda lib: lib.full((2,), -3, dtype=lib.uint8),
    lambda lib: lib.tensor(np.array([300, -129]), dtype=lib.int8),  # arrays wrap
    lambda lib: lib.tensor([300, -129]).to(lib.int8),
    lambda lib: lib.tensor(True, dtype=lib.int8),
]


@pytest.mark.parametrize("make", OUT_OF_RANGE)
def test_numbers_outside_an_integer_dtype_raise_as_torch(make):
    with pytest.raises(RuntimeError, match="without overflow"):
        make(torch)
    with pytest.raises(RuntimeError, match="without overflow"):
        make(minigrad)


@pytest.mark.parametrize("make", WRAPPING)
def test_arrays_and_casts_wrap_as_torch(make):
    expected, got = make(torch), make(minigrad)
    assert _name(got.dtype) == _name(expected.dtype) and got.tolist() == expected.tolist()
