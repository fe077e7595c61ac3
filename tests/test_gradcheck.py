"""Tests of gradcheck and gradgradcheck themselves.

User Functions with deliberately planted errors (a gradient off by a factor of 2, a mean where
a broadcast input needs a sum, gradients swapped between two inputs, a wrong second derivative)
must each be caught, in full and in fast mode; their correct twins must pass. Hypothesis draws
the inputs, and its shrinking must leave a minimal failing case.
"""
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.autograd import Function, GradcheckError

MODES = [False, True]
MODE_IDS = ["full", "fast"]


def f64(values, requires_grad=True, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=requires_grad)


# ---- planted errors and their correct twins ---------------------------------------------------

class Exp(Function):
    """exp(x), correct."""

    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class DoubledExp(Exp):
    """exp(x) with a backward off by a factor of 2."""

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return 2 * grad * out


class BroadcastAdd(Function):
    """x + b with x of shape (m, n) and b of shape (n,): b's gradient sums over the rows."""

    reduce = staticmethod(lambda g: g.sum(dim=0))

    @classmethod
    def forward(cls, ctx, x, b):
        return x + b

    @classmethod
    def backward(cls, ctx, grad):
        return grad, cls.reduce(grad)


class MeanInsteadOfSum(BroadcastAdd):
    """The planted error: the right shape, but the mean over the rows (wrong for m > 1)."""

    reduce = staticmethod(lambda g: g.mean(dim=0))


class Mul(Function):
    """a * b, correct."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class SwappedMul(Mul):
    """a * b with the two gradients swapped (wrong wherever a != b)."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * a, grad * b


class ThreeSquared(Function):
    """3 x^2, with a derivative that is `slope` x instead of 6 x when slope != 6."""

    slope = 6.0

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        return 3 * x * x

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * cls.slope * x


class WrongThreeSquared(ThreeSquared):
    slope = 3.0


class Cube(Function):
    """x^3, whose backward uses `square` (a Function) for 3 x^2: its first derivative is right
    either way, its second derivative only if `square` differentiates correctly."""

    square = ThreeSquared

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * cls.square.apply(x)


class CubeWithWrongSecondDerivative(Cube):
    square = WrongThreeSquared


class CubeWithDetachedBackward(Cube):
    """Another classic: a backward computed off the graph has no second derivative."""

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (3 * x * x).detach()


def check(fn, inputs, fast_mode, second_order=False, **kwargs):
    checker = minigrad.gradgradcheck if second_order else minigrad.gradcheck
    return checker(fn, inputs, fast_mode=fast_mode, **kwargs)


# ---- strategies ---------------------------------------------------------------------------

def arrays(shape, low=-2.0, high=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high))


small_shapes = hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)


@st.composite
def exp_inputs(draw):
    return (f64(draw(arrays(draw(small_shapes)))),)


@st.composite
def broadcast_inputs(draw, min_rows=1):
    m, n = draw(st.integers(min_rows, 3)), draw(st.integers(1, 3))
    return f64(draw(arrays((m, n)))), f64(draw(arrays((n,))))


@st.composite
def mul_inputs(draw, distinct=True):
    shape = draw(small_shapes)
    a = draw(arrays(shape))
    b = draw(arrays(shape))
    if distinct:  # the swap is invisible where a == b
        b = a + draw(arrays(shape, 0.5, 2.0)) * np.where(draw(arrays(shape)) < 0, -1, 1)
    return f64(a), f64(b)


@st.composite
def cube_inputs(draw, nonzero=True):
    values = draw(arrays(draw(small_shapes), 0.25, 2.0))
    signs = np.where(draw(arrays(values.shape)) < 0, -1.0, 1.0)
    return (f64(values * signs if nonzero else draw(arrays(values.shape))),)


PLANTED = {
    # name: (wrong fn, correct fn, inputs that expose the error, second order?)
    "factor_of_two": (DoubledExp.apply, Exp.apply, exp_inputs(), False),
    "mean_instead_of_sum": (MeanInsteadOfSum.apply, BroadcastAdd.apply,
                            broadcast_inputs(min_rows=2), False),
    "swapped_gradients": (SwappedMul.apply, Mul.apply, mul_inputs(), False),
    "wrong_second_derivative": (CubeWithWrongSecondDerivative.apply, Cube.apply,
                                cube_inputs(), True),
    "detached_backward": (CubeWithDetachedBackward.apply, Cube.apply, cube_inputs(), True),
}


@pytest.mark.parametrize("fast_mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("name", PLANTED)
@given(data=st.data())
def test_planted_errors_are_caught(name, fast_mode, data):
    wrong, _, inputs, second_order = PLANTED[name]
    inputs = data.draw(inputs)
    with pytest.raises(GradcheckError, match="mismatch|disagrees"):
        check(wrong, inputs, fast_mode, second_order)
    assert check(wrong, inputs, fast_mode, second_order, raise_exception=False) is False


@pytest.mark.parametrize("fast_mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("name", PLANTED)
@given(data=st.data())
def test_correct_twins_pass(name, fast_mode, data):
    _, right, inputs, second_order = PLANTED[name]
    inputs = data.draw(inputs)
    assert check(right, inputs, fast_mode, second_order) is True
    if second_order:
        assert minigrad.gradcheck(right, inputs, fast_mode=fast_mode)


@pytest.mark.parametrize("fast_mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("wrong", [CubeWithWrongSecondDerivative, CubeWithDetachedBackward])
@given(inputs=cube_inputs())
def test_a_wrong_second_derivative_passes_gradcheck_but_not_gradgradcheck(fast_mode, wrong,
                                                                           inputs):
    assert minigrad.gradcheck(wrong.apply, inputs, fast_mode=fast_mode)
    assert not minigrad.gradgradcheck(wrong.apply, inputs, fast_mode=fast_mode,
                                      raise_exception=False)


# ---- shrinking leaves a minimal failing case ----------------------------------------------------

SHRINK = settings(database=None, max_examples=200, deadline=None,
                  phases=[Phase.generate, Phase.shrink],  # no "explain": it reruns a lot
                  suppress_health_check=list(HealthCheck))


@st.composite
def any_broadcast_inputs(draw):
    return draw(broadcast_inputs(min_rows=1))


@pytest.mark.parametrize("fast_mode", MODES, ids=MODE_IDS)
def test_shrinking_finds_the_minimal_shape_that_exposes_a_mean_instead_of_a_sum(fast_mode):
    """The error only shows with two or more rows: the minimal case is x (2, 1), b (1,)."""
    x, b = find(any_broadcast_inputs(),
                lambda args: not minigrad.gradcheck(MeanInsteadOfSum.apply, args,
                                                    fast_mode=fast_mode,
                                                    raise_exception=False),
                settings=SHRINK)
    assert tuple(x.shape) == (2, 1) and tuple(b.shape) == (1,)


@pytest.mark.parametrize("fast_mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("name, strategy", [
    ("factor_of_two", exp_inputs()),
    ("swapped_gradients", mul_inputs(distinct=False)),
    ("wrong_second_derivative", cube_inputs(nonzero=False)),
])
def test_shrinking_leaves_a_one_element_failing_case(fast_mode, name, strategy):
    wrong, _, _, second_order = PLANTED[name]
    inputs = find(strategy, lambda args: not check(wrong, args, fast_mode, second_order,
                                                   raise_exception=False),
                  settings=SHRINK)
    assert all(t.numel() == 1 for t in inputs)
    if name == "swapped_gradients":
        assert inputs[0].item() != inputs[1].item()  # the swap needs a != b to show
    if name == "wrong_second_derivative":
        assert inputs[0].item() != 0  # 3 x and 6 x agree at 0


def test_a_failing_given_test_reports_the_shrunk_case():
    """Run as a property test, the failure hypothesis reports is a minimal one."""
    seen = []

    @SHRINK
    @given(inputs=mul_inputs(distinct=False))
    def property_swapped_mul_passes(inputs):
        seen.append(tuple(tuple(t.shape) for t in inputs))
        minigrad.gradcheck(SwappedMul.apply, inputs)

    with pytest.raises(GradcheckError, match=r"input 0, at input element \(0,\)"):
        property_swapped_mul_passes()
    assert seen[-1] == ((1,), (1,))  # the last run replays the shrunk example


# ---- the failure message ------------------------------------------------------------------------

def test_failure_message_names_input_element_values_and_difference():
    x = f64([[0.0, 1.0], [2.0, -1.0]])
    y = f64([[0.5, -0.5], [1.0, 3.0]])
    with pytest.raises(GradcheckError) as info:
        minigrad.gradcheck(lambda a, b: Exp.apply(a) + DoubledExp.apply(b), (x, y))
    message = str(info.value)
    assert "with respect to input 1" in message
    assert "at input element (0, 0) and output element (0, 0)" in message
    numbers = dict(re.findall(r"(numerical|analytical|difference) (-?[\d.e+-]+)", message))
    expected = np.exp(0.5)
    assert np.isclose(float(numbers["numerical"]), expected, rtol=1e-6)
    assert np.isclose(float(numbers["analytical"]), 2 * expected, rtol=1e-6)
    assert np.isclose(float(numbers["difference"]), expected, rtol=1e-2)


def test_fast_mode_failure_also_names_the_element():
    x = f64([1.0, -0.5, 0.25])
    b = f64([0.5, 0.5, 0.5])
    with pytest.raises(GradcheckError) as info:
        minigrad.gradcheck(lambda a, c: Exp.apply(a) * SwappedMul.apply(c, a), (b, x),
                           fast_mode=True)
    message = str(info.value)
    assert "fast gradcheck" in message and "v^T J u" in message
    assert re.search(r"input [01], at input element \(\d,\)", message)
    assert "numerical" in message and "analytical" in message and "difference" in message


def test_raise_exception_false_returns_false_and_true():
    x = (f64([0.5]),)
    assert minigrad.gradcheck(DoubledExp.apply, x, raise_exception=False) is False
    assert minigrad.gradcheck(Exp.apply, x, raise_exception=False) is True
    assert minigrad.gradgradcheck(CubeWithWrongSecondDerivative.apply, x,
                                  raise_exception=False) is False


def test_nan_gradients_never_pass():
    class NanGrad(Exp):
        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")

    for fast_mode in MODES:
        assert not minigrad.gradcheck(NanGrad.apply, (f64([0.5, 1.0]),), fast_mode=fast_mode,
                                      raise_exception=False)


def test_a_missing_gradient_is_caught():
    class NoGradForB(Mul):
        @staticmethod
        def backward(ctx, grad):
            _, b = ctx.saved_tensors
            return grad * b, None

    with pytest.raises(GradcheckError, match="input 1"):
        minigrad.gradcheck(NoGradForB.apply, (f64([1.0]), f64([2.0])))


# ---- float32, tolerances and arguments ----------------------------------------------------------

@pytest.mark.parametrize("fast_mode", MODES, ids=MODE_IDS)
def test_float32_inputs_get_a_larger_step_and_looser_tolerances(fast_mode):
    x = f64([0.3, -1.2, 2.0], dtype=minigrad.float32)
    assert x.dtype is minigrad.float32
    # With the float64 defaults (eps=1e-6, atol=1e-5), float32 rounding alone would fail this.
    assert minigrad.gradcheck(lambda t: (t * t).tanh() * 3, (x,), fast_mode=fast_mode)
    assert minigrad.gradcheck(Exp.apply, (x,), fast_mode=fast_mode)
    assert not minigrad.gradcheck(DoubledExp.apply, (x,), fast_mode=fast_mode,
                                  raise_exception=False)


def test_tolerances_are_honoured():
    class SlightlyOff(Exp):
        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved_tensors
            return grad * out * 1.01

    x = (f64([0.1, 0.2]),)
    assert not minigrad.gradcheck(SlightlyOff.apply, x, raise_exception=False)
    assert minigrad.gradcheck(SlightlyOff.apply, x, rtol=0.02)
    assert minigrad.gradcheck(SlightlyOff.apply, x, rtol=0, atol=0.05)


def test_non_tensor_and_constant_inputs_are_left_alone():
    x, c = f64([0.5, 1.5]), f64([2.0, 3.0], requires_grad=False)
    assert minigrad.gradcheck(lambda a, k, b: a * b * k, (x, 2.5, c))


def test_several_outputs_and_integer_outputs():
    x = f64([0.5, -1.5, 2.0])
    assert minigrad.gradcheck(lambda t: (t.exp(), t.argmax(), t * t), (x,))
    assert minigrad.gradgradcheck(lambda t: (t.exp(), t * t * t), (x,))


def test_checker_argument_errors():
    with pytest.raises(ValueError, match="no input requires grad"):
        minigrad.gradcheck(lambda t: t * 2, (f64([1.0], requires_grad=False),))
    with pytest.raises(ValueError, match="no floating point output"):
        minigrad.gradcheck(lambda t: t.argmax(), (f64([1.0, 2.0]),))


def test_gradgradcheck_with_given_grad_outputs():
    x = f64([0.5, 1.5])
    v = f64([1.0, -2.0])
    assert minigrad.gradgradcheck(Cube.apply, (x,), grad_outputs=(v,))
    assert not minigrad.gradgradcheck(CubeWithWrongSecondDerivative.apply, (x,),
                                      grad_outputs=(v,), raise_exception=False)


def test_the_checker_agrees_with_torch_on_a_composite_function():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a_np, b_np = rng.standard_normal((2, 3)), rng.standard_normal((3,))

    def fn(lib, a, b):
        return lib.tanh(a * b).sum(dim=0) * lib.exp(b)

    assert minigrad.gradcheck(lambda a, b: fn(minigrad, a, b), (f64(a_np), f64(b_np)))
    ta = torch.tensor(a_np, requires_grad=True)
    tb = torch.tensor(b_np, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: fn(torch, a, b), (ta, tb))
