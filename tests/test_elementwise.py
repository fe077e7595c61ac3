"""Elementwise ops: forward values against numpy, gradients (first and second order) against
finite differences, over broadcast shapes, non-contiguous inputs, Python scalars, and dtypes."""
import operator

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.testing import assert_close, broadcastable_shape_pairs, shapes, tensors

SMALL = dict(max_dims=3, max_side=4)  # gradcheck costs numel(inputs) forward passes
TINY = dict(max_dims=2, max_side=3)   # gradgradcheck costs about twice that, each with a backward

POSITIVE = dict(min_value=0.3, max_value=2)
NONZERO = dict(away_from=0, margin=0.3)

# name -> (minigrad op, numpy reference, value ranges of the first and second operand)
BINARY = {
    "add": (operator.add, np.add, {}, {}),
    "sub": (operator.sub, np.subtract, {}, {}),
    "mul": (operator.mul, np.multiply, {}, {}),
    "div": (operator.truediv, np.true_divide, {}, NONZERO),
    "pow": (operator.pow, np.power, POSITIVE, {}),
    "maximum": (minigrad.maximum, np.maximum, {}, {}),
    "minimum": (minigrad.minimum, np.minimum, {}, {}),
}


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (minigrad op, numpy reference, value range of the input)
UNARY = {
    "neg": (operator.neg, np.negative, {}),
    "exp": (minigrad.exp, np.exp, {}),
    "log": (minigrad.log, np.log, POSITIVE),
    "sqrt": (minigrad.sqrt, np.sqrt, POSITIVE),
    "abs": (minigrad.abs, np.abs, dict(away_from=0)),
    "tanh": (minigrad.tanh, np.tanh, {}),
    "sigmoid": (minigrad.sigmoid, _sigmoid, dict(min_value=-6, max_value=6)),
    "relu": (minigrad.relu, lambda x: np.maximum(x, 0), dict(away_from=0)),
    "sign": (minigrad.sign, np.sign, dict(away_from=0)),
    "clamp": (lambda x: x.clamp(-0.5, 1.0), lambda x: np.clip(x, -0.5, 1.0),
              dict(away_from=(-0.5, 1.0))),
    "clamp_min": (lambda x: minigrad.clamp(x, min=0.25), lambda x: np.maximum(x, 0.25),
                  dict(away_from=0.25)),
    "clamp_max": (lambda x: x.clip(max=-0.25), lambda x: np.minimum(x, -0.25),
                  dict(away_from=-0.25)),
    "square": (lambda x: x.square(), np.square, {}),
    "reciprocal": (lambda x: x.reciprocal(), np.reciprocal, NONZERO),
    "rsqrt": (lambda x: x.rsqrt(), lambda x: 1 / np.sqrt(x), POSITIVE),
}


@st.composite
def operand_pairs(draw, a_range, b_range, dims=SMALL, device="cpu"):
    """Two float64 tensors of broadcastable shapes (either may be non-contiguous)."""
    shape_a, shape_b = draw(broadcastable_shape_pairs(**dims))
    return (draw(tensors(shape_a, device=device, **a_range)),
            draw(tensors(shape_b, device=device, **b_range)))


def _no_ties(a, b, gap=1e-3):
    """For maximum/minimum: the gradient is not differentiable where a == b."""
    return bool(np.all(np.abs(np.subtract(minigrad.testing.to_numpy(a),
                                          minigrad.testing.to_numpy(b))) > gap))


# ---- binary ops with two tensors --------------------------------------------------------------

@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_forward_matches_numpy(device, name, data):
    op, ref, a_range, b_range = BINARY[name]
    a, b = data.draw(operand_pairs(a_range, b_range, dict(max_dims=4, max_side=5), device))
    out = op(a, b)
    expected = ref(a.numpy(), b.numpy())
    assert out.shape == expected.shape and out.dtype is minigrad.float64
    assert_close(out, expected)


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_gradcheck(device, name, data):
    op, _, a_range, b_range = BINARY[name]
    a, b = data.draw(operand_pairs(a_range, b_range, device=device))
    if name in ("maximum", "minimum"):
        assume(_no_ties(a, b))
    assert minigrad.gradcheck(op, (a, b))


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_gradgradcheck(device, name, data):
    op, _, a_range, b_range = BINARY[name]
    a, b = data.draw(operand_pairs(a_range, b_range, TINY, device))
    if name in ("maximum", "minimum"):
        assume(_no_ties(a, b))
    assert minigrad.gradgradcheck(op, (a, b))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
@given(data=st.data())
def test_binary_gradient_only_for_one_operand(device, name, data):
    """With one operand not requiring grad, the other's gradient is still right."""
    op, _, a_range, b_range = BINARY[name]
    a, b = data.draw(operand_pairs(a_range, b_range, device=device))
    a.requires_grad_(False)
    assert minigrad.gradcheck(op, (a, b))
    a.requires_grad_(True)
    b.requires_grad_(False)
    assert minigrad.gradcheck(op, (a, b))


def test_maximum_splits_the_gradient_at_ties(device):
    a = minigrad.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    b = minigrad.tensor([1.0, 5.0, 0.0], device=device, requires_grad=True)
    (minigrad.maximum(a, b) + minigrad.minimum(a, b) * 10).sum().backward()
    assert_close(a.grad, [5.5, 10.0, 1.0])
    assert_close(b.grad, [5.5, 1.0, 10.0])


# ---- binary ops with a Python scalar ----------------------------------------------------------

# name -> (op, numpy reference, tensor range, scalar strategy), for `tensor op scalar`
SCALAR_RIGHT = {
    "add": (operator.add, np.add, {}, st.floats(-3, 3)),
    "add_int": (operator.add, np.add, {}, st.integers(-3, 3)),
    "sub": (operator.sub, np.subtract, {}, st.floats(-3, 3)),
    "mul": (operator.mul, np.multiply, {}, st.floats(-3, 3)),
    "mul_int": (operator.mul, np.multiply, {}, st.integers(-3, 3)),
    "div": (operator.truediv, np.true_divide, {}, st.floats(0.25, 3)),
    "pow": (operator.pow, np.power, POSITIVE, st.floats(-2.5, 2.5)),
    "pow_int": (operator.pow, np.power, NONZERO, st.integers(-1, 3).filter(bool)),
    "pow_special": (operator.pow, np.power, POSITIVE, st.sampled_from([0, 1, 0.0, 1.0, 0.5])),
    "maximum": (minigrad.maximum, np.maximum, dict(away_from=0.5), st.just(0.5)),
    "minimum": (minigrad.minimum, np.minimum, dict(away_from=-1), st.just(-1)),
}

# name -> (op, numpy reference, tensor range, scalar strategy), for `scalar op tensor`
SCALAR_LEFT = {
    "radd": (operator.add, np.add, {}, st.floats(-3, 3)),
    "rsub": (operator.sub, np.subtract, {}, st.floats(-3, 3)),
    "rsub_int": (operator.sub, np.subtract, {}, st.integers(-3, 3)),
    "rmul": (operator.mul, np.multiply, {}, st.floats(-3, 3)),
    "rdiv": (operator.truediv, np.true_divide, NONZERO, st.floats(-3, 3)),
    "rdiv_int": (operator.truediv, np.true_divide, NONZERO, st.integers(-3, 3)),
    "rpow": (operator.pow, np.power, {}, st.floats(0.25, 3)),
    "rpow_int": (operator.pow, np.power, {}, st.integers(1, 3)),
}


def _scalar_case(table, name, data, dims=SMALL, device="cpu"):
    op, ref, value_range, scalars = table[name]
    x = data.draw(tensors(shapes(**dims), device=device, **value_range), label="x")
    s = data.draw(scalars, label="scalar")
    return op, ref, x, s


@pytest.mark.parametrize("name", SCALAR_RIGHT)
@given(data=st.data())
def test_tensor_op_scalar(device, name, data):
    op, ref, x, s = _scalar_case(SCALAR_RIGHT, name, data, device=device)
    out = op(x, s)
    assert out.dtype is minigrad.float64
    assert_close(out, ref(x.numpy(), s))
    assert minigrad.gradcheck(lambda t: op(t, s), (x,))


@pytest.mark.parametrize("name", SCALAR_LEFT)
@given(data=st.data())
def test_scalar_op_tensor(device, name, data):
    op, ref, x, s = _scalar_case(SCALAR_LEFT, name, data, device=device)
    out = op(s, x)
    assert out.dtype is minigrad.float64
    assert_close(out, ref(s, x.numpy()))
    assert minigrad.gradcheck(lambda t: op(s, t), (x,))


@pytest.mark.parametrize("name", ["pow", "pow_int", "div"])
@given(data=st.data())
def test_tensor_op_scalar_gradgradcheck(device, name, data):
    op, _, x, s = _scalar_case(SCALAR_RIGHT, name, data, TINY, device)
    assert minigrad.gradgradcheck(lambda t: op(t, s), (x,))


@pytest.mark.parametrize("name", ["rpow", "rdiv", "rsub"])
@given(data=st.data())
def test_scalar_op_tensor_gradgradcheck(device, name, data):
    op, _, x, s = _scalar_case(SCALAR_LEFT, name, data, TINY, device)
    assert minigrad.gradgradcheck(lambda t: op(s, t), (x,))


def test_pow_gradients_at_a_zero_base_follow_pytorch():
    x = minigrad.tensor([0.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (g,) = minigrad.grad((x ** 2.0).sum(), [x])
    assert_close(g, [0.0, 4.0])
    e = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (g,) = minigrad.grad((0.0 ** e).sum(), [e])  # d/de 0^e is taken as 0 for e >= 0
    assert_close(g, [0.0, 0.0])
    (g,) = minigrad.grad(((-2.0) ** e).sum(), [e])  # log of a negative base
    assert np.isnan(g.numpy()).all()


# ---- unary ops --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_forward_matches_numpy(device, name, data):
    op, ref, value_range = UNARY[name]
    x = data.draw(tensors(shapes(), device=device, **value_range))
    out = op(x)
    assert out.dtype is minigrad.float64
    assert_close(out, ref(x.numpy()))


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_gradcheck(device, name, data):
    op, _, value_range = UNARY[name]
    x = data.draw(tensors(shapes(**SMALL), device=device, **value_range))
    assert minigrad.gradcheck(op, (x,))


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_gradgradcheck(device, name, data):
    op, _, value_range = UNARY[name]
    x = data.draw(tensors(shapes(**TINY), device=device, **value_range))
    assert minigrad.gradgradcheck(op, (x,))


@pytest.mark.parametrize("name, method", [("exp", "exp"), ("log", "log"), ("sqrt", "sqrt"),
                                          ("abs", "abs"), ("tanh", "tanh"),
                                          ("sigmoid", "sigmoid"), ("relu", "relu"),
                                          ("sign", "sign")])
def test_unary_methods_match_functions(name, method):
    x = minigrad.rand(3, 4, dtype=minigrad.float64) + 0.1
    assert_close(getattr(x, method)(), UNARY[name][0](x))


def test_kinks_take_pytorch_subgradients(device):
    x = minigrad.tensor([-1.0, 0.0, 2.0], device=device, requires_grad=True)
    (g_abs,) = minigrad.grad(x.abs().sum(), [x])
    (g_relu,) = minigrad.grad(x.relu().sum(), [x])
    (g_clamp,) = minigrad.grad(x.clamp(0.0, 2.0).sum(), [x])  # bounds are inside the range
    assert_close(g_abs, [-1.0, 0.0, 1.0])
    assert_close(g_relu, [0.0, 0.0, 1.0])
    assert_close(g_clamp, [0.0, 1.0, 1.0])


def test_sigmoid_is_finite_for_large_inputs():
    x = minigrad.tensor([-800.0, 0.0, 800.0], dtype=minigrad.float64)
    assert_close(x.sigmoid(), [0.0, 0.5, 1.0])


def test_math_on_integers_gives_float32():
    x = minigrad.tensor([1, 2, 3])
    for op in (minigrad.exp, minigrad.log, minigrad.sqrt, minigrad.tanh, minigrad.sigmoid):
        assert op(x).dtype is minigrad.float32
    for op in (minigrad.abs, minigrad.relu, minigrad.sign, operator.neg):
        assert op(x).dtype is minigrad.int64


# ---- clamp with tensor bounds, where -----------------------------------------------------------

@given(data=st.data())
def test_clamp_with_tensor_bounds(device, data):
    sx, slo, shi = data.draw(broadcastable_shape_pairs(num_shapes=3, **SMALL))
    x = data.draw(tensors(sx, device=device))
    lo = data.draw(tensors(slo, device=device, min_value=-2, max_value=-0.1))
    hi = data.draw(tensors(shi, device=device, min_value=0.1, max_value=2))
    assume(_no_ties(x, lo) and _no_ties(x, hi))
    assert_close(x.clamp(lo, hi), np.clip(x.numpy(), lo.numpy(), hi.numpy()))
    assert_close(minigrad.clamp(x, min=lo), np.maximum(x.numpy(), lo.numpy()))
    assert minigrad.gradcheck(lambda a, b, c: a.clamp(b, c), (x, lo, hi))
    assert minigrad.gradcheck(lambda a, c: a.clamp(max=c), (x, hi))


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="min and max"):
        minigrad.ones(2).clamp()


def test_clamp_of_integers_with_a_float_bound_is_float():
    out = minigrad.tensor([0, 1, 2]).clamp(min=0.5)
    assert out.dtype is minigrad.float32
    assert_close(out, np.array([0.5, 1.0, 2.0], dtype=np.float32))


@given(data=st.data())
def test_where(device, data):
    sc, sa, sb = data.draw(broadcastable_shape_pairs(num_shapes=3, **SMALL))
    cond = data.draw(hnp.arrays(np.bool_, sc), label="condition")
    a = data.draw(tensors(sa, device=device))
    b = data.draw(tensors(sb, device=device))
    c = minigrad.tensor(cond, device=device)
    assert_close(minigrad.where(c, a, b), np.where(cond, a.numpy(), b.numpy()))
    assert minigrad.gradcheck(lambda x, y: minigrad.where(c, x, y), (a, b))
    assert minigrad.gradcheck(lambda x: minigrad.where(c, x, 0.5), (a,))
    assert minigrad.gradcheck(lambda y: minigrad.where(c, -1, y), (b,))


@given(data=st.data())
def test_where_gradgradcheck(device, data):
    sc, sa, sb = data.draw(broadcastable_shape_pairs(num_shapes=3, **TINY))
    c = minigrad.tensor(data.draw(hnp.arrays(np.bool_, sc)), device=device)
    a, b = data.draw(tensors(sa, device=device)), data.draw(tensors(sb, device=device))
    assert minigrad.gradgradcheck(lambda x, y: minigrad.where(c, x * y, y * y), (a, b))


def test_where_with_two_numbers():
    c = minigrad.tensor([True, False])
    out = minigrad.where(c, 1.0, 0)
    assert out.dtype is minigrad.float32
    assert_close(out, np.array([1.0, 0.0], dtype=np.float32))
    assert minigrad.where(c, 2, 3).dtype is minigrad.int64


def test_where_rejects_a_non_bool_condition():
    with pytest.raises(TypeError, match="bool"):
        minigrad.where(minigrad.ones(2), minigrad.ones(2), 0.0)


# ---- comparisons ------------------------------------------------------------------------------

COMPARISONS = {"eq": (operator.eq, np.equal), "ne": (operator.ne, np.not_equal),
               "lt": (operator.lt, np.less), "le": (operator.le, np.less_equal),
               "gt": (operator.gt, np.greater), "ge": (operator.ge, np.greater_equal)}


def _small_integers(shape):
    """Float arrays of small whole numbers, so that equal elements are common."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-2, 2).map(float))


@pytest.mark.parametrize("name", COMPARISONS)
@given(data=st.data())
def test_comparisons(device, name, data):
    op, ref = COMPARISONS[name]
    sa, sb = data.draw(broadcastable_shape_pairs())
    a_np, b_np = data.draw(_small_integers(sa)), data.draw(_small_integers(sb))
    a = minigrad.tensor(a_np, device=device, requires_grad=True)
    b = minigrad.tensor(b_np, dtype=minigrad.float32, device=device)
    s = data.draw(st.integers(-2, 2) | st.floats(-2, 2))
    for out, expected in [(op(a, b), ref(a_np, b_np)), (op(a, s), ref(a_np, s)),
                          (op(s, a), ref(s, a_np))]:
        assert out.dtype is minigrad.bool
        assert not out.requires_grad and out.grad_fn is None
        assert_close(out, expected)
    assert_close(getattr(a, name)(b), ref(a_np, b_np))


def test_logical_not():
    x = minigrad.tensor([1.0, 2.0, 3.0])
    assert_close(~(x > 1.5), [True, False, False])


# ---- dtype promotion (PyTorch's rules) ----------------------------------------------------------

def _t(values, dtype):
    return minigrad.tensor(values, dtype=dtype)


PROMOTIONS = [
    (lambda: _t([1, 2], "int64") + 1.5, minigrad.float32),
    (lambda: 2.5 * _t([1, 2], "int64"), minigrad.float32),
    (lambda: _t([1, 2], "int64") + 2, minigrad.int64),
    (lambda: _t([1.0], "float32") + _t([1.0], "float64"), minigrad.float64),
    (lambda: _t([1.0], "float64") * _t([1.0], "float32"), minigrad.float64),
    (lambda: _t([1.0], "float32") + 2.5, minigrad.float32),
    (lambda: _t([1.0], "float64") + 2, minigrad.float64),
    (lambda: _t([1, 2], "int64") / _t([2, 2], "int64"), minigrad.float32),
    (lambda: _t([1, 2], "int64") / 2, minigrad.float32),
    (lambda: 1 / _t([1, 2], "int64"), minigrad.float32),
    (lambda: _t([1, 2], "int64") + _t([1.0], "float32"), minigrad.float32),
    (lambda: _t([True], "bool") + _t([3], "int64"), minigrad.int64),
    (lambda: _t([True], "bool") + 1, minigrad.int64),
    (lambda: _t([True], "bool") + 1.5, minigrad.float32),
    # a 0-d tensor acts like a scalar: it widens only across categories
    (lambda: _t([1.0], "float32") + _t(1.0, "float64"), minigrad.float32),
    (lambda: _t(1.0, "float64") * _t([1.0], "float32"), minigrad.float32),
    (lambda: _t([1, 2], "int64") + _t(1.0, "float64"), minigrad.float64),
    (lambda: _t(1.0, "float32") + _t(1.0, "float64"), minigrad.float64),
    (lambda: minigrad.maximum(_t([1], "int64"), _t([1.5], "float32")), minigrad.float32),
    (lambda: _t([2], "int64") ** 2, minigrad.int64),
    (lambda: _t([2], "int64") ** 0.5, minigrad.float32),
    (lambda: 2.5 ** _t([2], "int64"), minigrad.float32),
]


@pytest.mark.parametrize("make, expected", PROMOTIONS)
def test_dtype_promotion(make, expected):
    assert make().dtype is expected


def test_mixed_precision_gradients_keep_each_inputs_dtype():
    a = minigrad.tensor([1.0, 2.0], dtype=minigrad.float32, requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], dtype=minigrad.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype is minigrad.float32 and b.grad.dtype is minigrad.float64
    assert_close(a.grad, np.array([3.0, 4.0], dtype=np.float32))
    assert_close(b.grad, [1.0, 2.0])


def test_integer_division_is_true_division():
    assert_close(minigrad.tensor([3, -3]) / 2, np.array([1.5, -1.5], dtype=np.float32))


# ---- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv,
                                operator.pow, minigrad.maximum, operator.lt])
@pytest.mark.parametrize("shape_a, shape_b", [((3, 4), (3, 5)), ((2, 3), (3, 2)),
                                              ((4,), (2, 3))])
def test_non_broadcastable_shapes_name_both(op, shape_a, shape_b):
    a, b = minigrad.ones(*shape_a), minigrad.ones(*shape_b)
    with pytest.raises(ValueError) as err:
        op(a, b)
    assert str(shape_a) in str(err.value) and str(shape_b) in str(err.value)


def test_non_number_operands_are_rejected():
    with pytest.raises(TypeError, match="str"):
        minigrad.ones(2) + "a"
    with pytest.raises(TypeError, match="list"):
        minigrad.maximum(minigrad.ones(2), [1.0, 2.0])
