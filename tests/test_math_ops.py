"""Elementwise math (trigonometric, hyperbolic, rounding, logs and exps of other bases, division
with rounding, remainders, NaN handling, predicates, logical ops, lerp/addcmul/addcdiv, clamp
with tensor bounds) against PyTorch: values, dtypes, broadcasting, non-contiguous inputs,
gradients (gradcheck and gradgradcheck in float64) and in-place forms."""
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close
from math_cases import CASES
from op_cases import TINY, case_inputs, compare_with_torch, no_ties

torch = pytest.importorskip("torch")

def _draw(data, case, dims, device):
    inputs = data.draw(case_inputs(case, dims, device))
    if case.no_ties:
        assume(no_ties(inputs))
    return inputs


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_matches_torch(device, name, data):
    case = CASES[name]
    compare_with_torch(torch, case.fn, _draw(data, case, dict(max_dims=3, max_side=4), device),
                       grads=case.grad)


# On cuda, test_matches_torch compares values and gradients with torch already; the
# finite differences would only repeat the same Tensor-op gradients there, slowly.
@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n].grad))
@given(data=st.data())
def test_gradcheck(device, name, data):
    case = CASES[name]
    inputs = _draw(data, case, TINY, device)
    assert minigrad.gradcheck(lambda *xs: case.fn(minigrad, *xs), inputs)


@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n].gradgrad))
@given(data=st.data())
def test_gradgradcheck(device, name, data):
    case = CASES[name]
    inputs = _draw(data, case, TINY, device)
    assert minigrad.gradgradcheck(lambda *xs: case.fn(minigrad, *xs), inputs, fast_mode=True)


# ---- dtypes: integers, bools, float32, Python scalars -----------------------------------------

INT_VALUES = [[-7, -4, -1, 0], [1, 3, 5, 8]]
DIVISORS = [[2, -3, 4, -5], [3, 2, -2, 7]]


def _same(fn, *arrays, dtype="int64", device="cpu"):
    ours = [minigrad.tensor(a, dtype=getattr(minigrad, dtype), device=device) for a in arrays]
    theirs = [torch.tensor(a, dtype=getattr(torch, dtype)) for a in arrays]
    out, expected = fn(minigrad, *ours), fn(torch, *theirs)
    assert str(out.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    assert_close(out.cpu(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["sin", "exp2", "log1p", "atan", "floor", "round", "trunc",
                                  "ceil", "sgn", "square", "reciprocal", "rsqrt", "nan_to_num",
                                  "abs", "neg", "exp", "sqrt"])
@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_unary_dtypes(device, name, dtype):
    _same(lambda lib, x: getattr(lib, name)(x), np.abs(INT_VALUES) + 1, dtype=dtype,
          device=device)


@pytest.mark.parametrize("op", ["floor_divide", "remainder", "fmod", "atan2", "hypot",
                                "copysign", "logaddexp", "xlogy", "fmax", "fmin", "div",
                                "true_divide"])
@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_binary_dtypes(device, op, dtype):
    if op in ("hypot", "logaddexp") and dtype == "int64":  # floating point only, as in torch
        with pytest.raises(TypeError):
            getattr(minigrad, op)(minigrad.tensor(INT_VALUES), minigrad.tensor(DIVISORS))
        return
    _same(lambda lib, a, b: getattr(lib, op)(a, b), INT_VALUES, DIVISORS, dtype=dtype,
          device=device)


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_div_rounding_modes(device, mode, dtype):
    _same(lambda lib, a, b: lib.div(a, b, rounding_mode=mode), INT_VALUES, DIVISORS,
          dtype=dtype, device=device)
    _same(lambda lib, a: a.div(-3, rounding_mode=mode), INT_VALUES, dtype=dtype,
          device=device)


@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_operators_with_python_scalars(device, dtype):
    for fn in [lambda lib, a: a // 3, lambda lib, a: 7 // (a + 10), lambda lib, a: a % -3,
               lambda lib, a: 5 % (a + 10), lambda lib, a: a // 2.5, lambda lib, a: a % 1.5,
               lambda lib, a: lib.fmod(a, 3), lambda lib, a: lib.remainder(a, 2.5),
               lambda lib, a: lib.clamp(a, min=torch.tensor(0) if lib is torch else
                                        minigrad.tensor(0, device=a.device))]:
        _same(fn, INT_VALUES, dtype=dtype, device=device)


def test_floor_divide_has_a_zero_gradient(device):
    a = minigrad.tensor([1.5, -2.5], dtype=minigrad.float64, device=device, requires_grad=True)
    b = minigrad.tensor([0.7, 2.0], dtype=minigrad.float64, device=device, requires_grad=True)
    (a // b).sum().backward()
    assert_close(a.grad.cpu(), [0.0, 0.0])
    assert_close(b.grad.cpu(), [0.0, 0.0])


def test_integer_division_by_zero_raises(device):
    a = minigrad.tensor([1, 2], device=device)
    for fn in [lambda: a // 0, lambda: a % minigrad.tensor([1, 0], device=device),
               lambda: minigrad.fmod(a, 0), lambda: a.div(0, rounding_mode="trunc")]:
        with pytest.raises(ZeroDivisionError):
            fn()
    assert_close(a.double() // 0, [math.inf, math.inf])


def test_round_decimals_and_half_to_even(device):
    values = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1.2345, -0.04, 1234.5]
    for decimals in [0, 1, 2, -1, -2]:
        _same(lambda lib, x: lib.round(x, decimals=decimals), values, dtype="float64",
              device=device)
    with pytest.raises(TypeError):
        minigrad.round(minigrad.tensor([1, 2], device=device), decimals=1)


def test_special_values(device):
    values = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1e300, -2.5]
    for name in ["floor", "ceil", "trunc", "round", "isnan", "isinf", "isfinite", "isposinf",
                 "isneginf", "nan_to_num", "sgn", "exp2", "expm1", "log1p", "frac"]:
        _same(lambda lib, x: getattr(lib, name)(x), values, dtype="float64", device=device)
    _same(lambda lib, x: lib.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0), values,
          dtype="float32", device=device)
    _same(lambda lib, x, y: lib.logaddexp(x, y), values, values[::-1], dtype="float64",
          device=device)
    _same(lambda lib, x, y: lib.fmax(x, y), values, values[::-1], dtype="float64", device=device)
    _same(lambda lib, x, y: lib.fmin(x, y), values, values[1:] + values[:1], dtype="float64",
          device=device)
    _same(lambda lib, x, y: lib.xlogy(x, y), [0.0, 0.0, 2.0, 0.0], [math.nan, 0.0, 0.0, -1.0],
          dtype="float64", device=device)
    _same(lambda lib, x: x // 2, values, dtype="float64", device=device)
    _same(lambda lib, x: x % -2, values, dtype="float64", device=device)


def test_predicates_of_integers(device):
    for name in ["isnan", "isinf", "isfinite", "isposinf", "isneginf"]:
        _same(lambda lib, x: getattr(lib, name)(x), INT_VALUES, device=device)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops(device, name):
    a, b = [[0.0, 1.5, -2.0, 0.0]], [[0], [3]]
    ours = getattr(minigrad, name)(minigrad.tensor(a, device=device),
                                   minigrad.tensor(b, device=device))
    expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    assert ours.dtype is minigrad.bool
    assert_close(ours.cpu(), expected)


def test_clamp_with_min_above_max_gives_max_and_its_gradients(device):
    x = minigrad.tensor([0.0, 1.0, 5.0], dtype=minigrad.float64, device=device,
                        requires_grad=True)
    lo = minigrad.tensor([2.0, 0.5, 1.0], dtype=minigrad.float64, device=device,
                         requires_grad=True)
    hi = minigrad.tensor([1.0, 3.0, 3.0], dtype=minigrad.float64, device=device,
                         requires_grad=True)
    compare_with_torch(torch, lambda lib, x, lo, hi: lib.clamp(x, lo, hi), [x, lo, hi])


# ---- in-place forms ---------------------------------------------------------------------------

INPLACE = {
    "sin_": (), "cos_": (), "tan_": (), "atan_": (), "sinh_": (), "floor_": (), "ceil_": (),
    "trunc_": (), "round_": (), "frac_": (), "expm1_": (), "exp2_": (), "log1p_": (),
    "square_": (), "sgn_": (), "nan_to_num_": (), "atan2_": (2.0,), "hypot_": (2.0,),
    "copysign_": (-1.0,), "fmod_": (0.75,), "remainder_": (0.75,), "floor_divide_": (0.5,),
    "clamp_min_": (0.1,), "clamp_max_": (0.1,), "xlogy_": (2.0,),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_forms_match_torch(device, name):
    values = np.linspace(0.05, 0.95, 6).reshape(2, 3)
    ours = minigrad.tensor(values, device=device)
    theirs = torch.tensor(values, dtype=torch.float32)
    args = INPLACE[name]
    assert getattr(ours, name)(*(minigrad.tensor(a, device=device) for a in args)) is ours
    getattr(theirs, name)(*(torch.tensor(a) for a in args))
    assert_close(ours.cpu(), theirs)


def test_inplace_keeps_the_gradient(device):
    x = minigrad.tensor([0.3, 1.2], dtype=minigrad.float64, device=device, requires_grad=True)
    y = x * 1
    y.sin_()
    y.sum().backward()
    assert_close(x.grad.cpu(), np.cos([0.3, 1.2]))


def test_integer_inplace_operators(device):
    ours = minigrad.tensor([7, -7, 5], device=device)
    theirs = torch.tensor([7, -7, 5])
    for op in ["__ifloordiv__", "__imod__", "__iand__", "__ior__", "__ixor__", "__ilshift__",
               "__irshift__"]:
        ours = getattr(ours, op)(2)
        theirs = getattr(theirs, op)(2)
        assert_close(ours.cpu(), theirs)


def test_in_place_float_result_into_integer_tensor_is_refused(device):
    with pytest.raises(TypeError):
        minigrad.tensor([1, 2], device=device).sin_()
