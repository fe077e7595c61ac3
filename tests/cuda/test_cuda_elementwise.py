"""Elementwise kernels of the cuda backend against the naive references of
minigrad.testing.kernels: broadcasting, strided views, Python scalars on either side, dtypes and
their promotion, NaN handling."""
import numpy as np
import pytest

from cuda_helpers import check, dev, strided_copy

BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt",
          "ge"]
UNARY = ["neg", "abs", "sign", "relu", "exp", "log", "sqrt", "tanh", "sigmoid", "logical_not"]
LAYOUTS = ["contiguous", "transposed", "sliced"]

rng = np.random.default_rng(0)


def _values(shape, dtype, positive=False):
    if np.dtype(dtype).kind == "b":
        return rng.random(shape) < 0.5
    values = rng.uniform(0.5, 2.0, shape) if positive else rng.uniform(-2.0, 2.0, shape)
    if np.dtype(dtype).kind == "i":
        values = np.round(values * 3)
    return values.astype(dtype)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_broadcasting(cu, ref, name, dtype):
    a, b = _values((2, 1, 3), dtype, positive=True), _values((4, 1), dtype, positive=True)
    check(getattr(cu, name)(dev(a), dev(b)), getattr(ref, name)(a, b))


@pytest.mark.parametrize("layout_a", LAYOUTS)
@pytest.mark.parametrize("layout_b", LAYOUTS)
def test_binary_strided_operands(cu, ref, layout_a, layout_b):
    a, b = _values((3, 4), np.float32), _values((3, 4), np.float32)
    out = cu.sub(strided_copy(a, layout_a), strided_copy(b, layout_b))
    check(out, ref.sub(a, b))
    assert cu.is_contiguous(out)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "maximum", "lt", "ge"])
@pytest.mark.parametrize("scalar", [2, 0.5, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_binary_with_a_scalar_on_either_side(cu, ref, name, scalar, dtype):
    a = _values((2, 3), dtype, positive=True)
    if name == "pow" and dtype == np.int64:
        scalar = 2  # numpy refuses negative and fractional integer powers alike
    check(getattr(cu, name)(dev(a), scalar), getattr(ref, name)(a, scalar))
    check(getattr(cu, name)(scalar, strided_copy(a, "transposed")), getattr(ref, name)(scalar, a))


@pytest.mark.parametrize("a_dtype,b_dtype", [(np.float32, np.float64), (np.int64, np.float32),
                                             (np.bool_, np.int64), (np.bool_, np.bool_)])
def test_mixed_dtypes_promote_as_numpy(cu, ref, a_dtype, b_dtype):
    a, b = _values((3,), a_dtype), _values((2, 3), b_dtype)
    for name in ["add", "mul", "maximum", "eq", "gt"]:
        check(getattr(cu, name)(dev(a), dev(b)), getattr(ref, name)(a, b))


def test_integer_division_and_exact_int64_arithmetic(cu, ref):
    a = np.array([7, -7, 2 ** 60 + 1], np.int64)
    b = np.array([2, 2, 1], np.int64)
    check(cu.div(dev(a), dev(b)), ref.div(a, b))
    check(cu.add(dev(a), dev(b)), ref.add(a, b))  # no rounding through float64
    check(cu.mul(dev(a), 3), ref.mul(a, 3))


def test_nan_propagates_through_maximum_and_minimum(cu, ref):
    a = np.array([np.nan, 1.0, 2.0, np.nan], np.float32)
    b = np.array([0.0, np.nan, 1.0, np.nan], np.float32)
    for name in ["maximum", "minimum", "eq", "ne", "lt"]:
        check(getattr(cu, name)(dev(a), dev(b)), getattr(ref, name)(a, b))


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary(cu, ref, name, dtype):
    positive = name in ("log", "sqrt")
    a = _values((2, 3), dtype, positive=positive)
    check(getattr(cu, name)(strided_copy(a, "sliced")), getattr(ref, name)(a))


def test_unary_ieee_special_values(cu, ref):
    a = np.array([0.0, -1.0, np.inf, -np.inf, np.nan, 1000.0, -1000.0], np.float64)
    for name in ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sign", "abs"]:
        check(getattr(cu, name)(dev(a)), getattr(ref, name)(a))


def test_integer_unary_ops_keep_the_dtype_and_float_ops_give_float64(cu, ref):
    a = np.array([[-3, 0, 2]], np.int64)
    for name in ["neg", "abs", "sign", "relu", "exp", "logical_not"]:
        check(getattr(cu, name)(dev(a)), getattr(ref, name)(a))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_and_loss_kernels(cu, ref, dtype):
    a = np.array([[-30.0, -1.5, -1e-4, 0.0], [1e-4, 0.7, 2.0, 40.0]], dtype)
    check(cu.erf(dev(a)), ref.erf(a))
    check(cu.elu(dev(a), 0.7), ref.elu(a, 0.7))
    for beta, threshold in [(1.0, 20.0), (2.0, 1.0), (0.5, 5.0)]:
        check(cu.softplus(dev(a), beta, threshold), ref.softplus(a, beta, threshold))
    p = np.array([0.0, 1e-50, 0.25, 1.0], dtype)
    check(cu.clamped_log(dev(p), -100.0), ref.clamped_log(p, -100.0))


def test_where_broadcasts_and_takes_scalars(cu, ref):
    cond = _values((2, 1, 3), np.bool_)
    a, b = _values((4, 1), np.float64), _values((3,), np.float64)
    check(cu.where(dev(cond), dev(a), dev(b)), ref.where(cond, a, b))
    check(cu.where(dev(cond), dev(a), 0.0), ref.where(cond, a, 0.0))
    check(cu.where(dev(cond), 1.5, strided_copy(b, "sliced")), ref.where(cond, 1.5, b))


def test_a_host_array_is_refused_by_the_kernels(cu):
    with pytest.raises(TypeError, match="host"):
        cu.add(dev(np.ones(3)), np.ones(3))
