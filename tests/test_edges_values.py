"""Edge cases where a wrong number would pass silently: `~`, pow at a zero base or exponent,
integer pow, factories of bool, cross_entropy with every target ignored. Each case is compared
with PyTorch where it is installed, and with the values PyTorch gives otherwise."""
import math

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs torch")


# ---- ~ ----------------------------------------------------------------------------------------

def test_invert_is_bitwise_on_integers_and_logical_on_bool(device):
    ints = minigrad.tensor([0, 1, -3, 7, 2**62], device=device)
    out = ~ints
    assert out.dtype is minigrad.int64
    assert out.tolist() == [~v for v in [0, 1, -3, 7, 2**62]]
    assert ints.bitwise_not().tolist() == out.tolist()
    flags = minigrad.tensor([True, False], device=device)
    assert (~flags).dtype is minigrad.bool and (~flags).tolist() == [False, True]


def test_invert_of_float_raises_type_error(device):
    with pytest.raises(TypeError, match="integer and bool"):
        ~minigrad.tensor([1.0, 0.0], device=device)


@needs_torch
def test_invert_matches_torch():
    values = [[0, 5], [-1, -(2**63)]]
    assert (~minigrad.tensor(values)).tolist() == (~torch.tensor(values)).tolist()


# ---- pow at zero ----------------------------------------------------------------------------

# (base, exponent) -> (d/d base, d/d exponent), as PyTorch gives them
POW_GRADIENTS = {
    (0.0, 0.0): (0.0, 0.0),
    (0.0, -0.3): (-math.inf, -math.inf),
    (0.0, 0.5): (math.inf, 0.0),
    (0.0, 1.0): (1.0, 0.0),
    (0.0, 2.0): (0.0, 0.0),
    (0.0, -1.0): (-math.inf, -math.inf),
    (0.0, -2.0): (-math.inf, -math.inf),
    (2.0, 0.0): (0.0, math.log(2.0)),
    (-1.0, 0.5): (math.nan, math.nan),
    (-2.0, 2.0): (-4.0, math.nan),
    (0.0, math.nan): (math.nan, math.nan),
}


def _pow_gradients(base, exponent, device, base_is_tensor=True, exponent_is_tensor=True):
    def operand(v, is_tensor):
        if not is_tensor:
            return v
        return minigrad.tensor(v, dtype=minigrad.float64, device=device, requires_grad=True)
    a, b = operand(base, base_is_tensor), operand(exponent, exponent_is_tensor)
    with np.errstate(all="ignore"):
        (a ** b).backward()
    return (a.grad.item() if base_is_tensor else None,
            b.grad.item() if exponent_is_tensor else None)


@pytest.mark.parametrize("base, exponent", list(POW_GRADIENTS))
def test_pow_gradients_at_zero_base_and_exponent(base, exponent, device):
    expected_base, expected_exponent = POW_GRADIENTS[(base, exponent)]
    got_base, got_exponent = _pow_gradients(base, exponent, device)
    np.testing.assert_equal([got_base, got_exponent], [expected_base, expected_exponent])
    # a Python number on the other side follows the same formula
    np.testing.assert_equal(_pow_gradients(base, exponent, device, exponent_is_tensor=False)[0],
                            expected_base)
    np.testing.assert_equal(_pow_gradients(base, exponent, device, base_is_tensor=False)[1],
                            expected_exponent)


@needs_torch
@pytest.mark.parametrize("base, exponent", list(POW_GRADIENTS))
def test_pow_gradient_table_is_torchs(base, exponent):
    a = torch.tensor(base, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(exponent, dtype=torch.float64, requires_grad=True)
    (a ** b).backward()
    np.testing.assert_equal([a.grad.item(), b.grad.item()], POW_GRADIENTS[(base, exponent)])


def test_pow_gradient_is_twice_differentiable_away_from_zero():
    # (at b == 0 exactly, PyTorch's masked d/da has a zero derivative in b; so does minigrad's)
    a = minigrad.tensor([0.5, 1.5, 2.0], dtype=minigrad.float64, requires_grad=True)
    b = minigrad.tensor([0.3, -1.5, 2.5], dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradgradcheck(lambda x, y: x ** y, (a, b))


def test_integer_pow_with_negative_integer_exponents(device):
    base = minigrad.tensor([1, 2, 3, 0, -1, -1, -2, 5], device=device)
    exponent = minigrad.tensor([-2, -3, -4, -2, -3, -4, -1, 2], device=device)
    out = base ** exponent
    assert out.dtype is minigrad.int64
    assert out.tolist() == [1, 0, 0, 0, -1, 1, 0, 25]
    assert (2 ** minigrad.tensor([-1, 2], device=device)).tolist() == [0, 4]
    assert (1 ** minigrad.tensor([-1, 2], device=device)).tolist() == [1, 1]
    assert (minigrad.tensor(-1, device=device) ** minigrad.tensor([-1, -2], device=device)
            ).tolist() == [-1, 1]


@needs_torch
def test_integer_pow_matches_torch():
    base, exponent = [1, 2, 3, 0, -1, -1, -2, 5, 7], [-2, -3, -4, -2, -3, -4, -1, 2, 0]
    ours = minigrad.tensor(base) ** minigrad.tensor(exponent)
    assert ours.tolist() == (torch.tensor(base) ** torch.tensor(exponent)).tolist()


def test_integer_tensor_to_negative_scalar_power_raises_runtime_error(device):
    x = minigrad.tensor([1, 2, 3], device=device)
    for catch in (RuntimeError, ValueError):
        with pytest.raises(catch, match="negative integer powers"):
            x ** -2
    with pytest.raises(RuntimeError, match="negative integer powers"):
        x.pow(-1)
    assert_close(x ** -2.0, [1.0, 0.25, 1 / 9])  # a float exponent is fine, as in PyTorch


# ---- factories of bool ----------------------------------------------------------------------

UNSUPPORTED_FACTORIES = {
    "linspace": lambda lib, dt: lib.linspace(5, 10, 3, dtype=dt),
    "arange": lambda lib, dt: lib.arange(5, dtype=dt),
    "arange_range": lambda lib, dt: lib.arange(0, 1, dtype=dt),
    "randperm": lambda lib, dt: lib.randperm(3, dtype=dt),
    "rand": lambda lib, dt: lib.rand(2, dtype=dt),
    "randn": lambda lib, dt: lib.randn(2, dtype=dt),
    "randn_like": lambda lib, dt: lib.randn_like(lib.ones(2), dtype=dt),
}
SUPPORTED_BOOL_FACTORIES = {
    "zeros": lambda lib, dt: lib.zeros(2, dtype=dt),
    "ones": lambda lib, dt: lib.ones(2, dtype=dt),
    "full": lambda lib, dt: lib.full((2,), 3, dtype=dt),
    "eye": lambda lib, dt: lib.eye(2, dtype=dt),
    "zeros_like": lambda lib, dt: lib.zeros_like(lib.ones(2), dtype=dt),
}


@pytest.mark.parametrize("name", list(UNSUPPORTED_FACTORIES))
def test_factories_without_a_bool_implementation_raise(name):
    with pytest.raises(NotImplementedError):
        UNSUPPORTED_FACTORIES[name](minigrad, minigrad.bool)
    with pytest.raises(TypeError):  # what minigrad raised before: still caught that way
        UNSUPPORTED_FACTORIES[name](minigrad, minigrad.bool)
    if name in ("rand", "randn", "randn_like"):
        with pytest.raises(NotImplementedError):
            UNSUPPORTED_FACTORIES[name](minigrad, minigrad.int64)


@needs_torch
@pytest.mark.parametrize("name", list(UNSUPPORTED_FACTORIES))
def test_torch_raises_for_the_same_bool_factories(name):
    with pytest.raises(NotImplementedError):
        UNSUPPORTED_FACTORIES[name](torch, torch.bool)


@needs_torch
@pytest.mark.parametrize("name", list(SUPPORTED_BOOL_FACTORIES))
def test_bool_factories_that_torch_has_agree(name):
    ours = SUPPORTED_BOOL_FACTORIES[name](minigrad, minigrad.bool)
    theirs = SUPPORTED_BOOL_FACTORIES[name](torch, torch.bool)
    assert ours.dtype is minigrad.bool and ours.tolist() == theirs.tolist()


# ---- cross_entropy with every target ignored --------------------------------------------------

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.1}, {"weight": True}])
def test_cross_entropy_with_every_target_ignored(reduction, options, device):
    x = minigrad.randn(3, 4, device=device, requires_grad=True)
    target = minigrad.full((3,), -100, device=device)
    if options.get("weight"):
        options = {"weight": minigrad.rand(4, device=device) + 0.5}
    loss = F.cross_entropy(x, target, reduction=reduction, **options)
    expected = {"mean": math.nan, "sum": 0.0, "none": [0.0, 0.0, 0.0]}[reduction]
    assert_close(loss, expected)
    loss.sum().backward()
    assert_close(x.grad, np.zeros((3, 4)))


def test_nll_loss_with_every_target_ignored_has_zero_gradient(device):
    x = minigrad.randn(2, 3, 2, device=device, requires_grad=True)
    loss = F.nll_loss(x, minigrad.full((2, 2), 7, device=device), ignore_index=7)
    assert math.isnan(loss.item())
    loss.backward()
    assert_close(x.grad, np.zeros((2, 3, 2)))


@needs_torch
def test_cross_entropy_all_ignored_matches_torch():
    values = np.random.default_rng(0).standard_normal((3, 4))
    for reduction in ("mean", "sum"):
        x = torch.tensor(values, requires_grad=True)
        loss = torch.nn.functional.cross_entropy(x, torch.full((3,), -100), reduction=reduction)
        loss.backward()
        ours = minigrad.tensor(values, requires_grad=True)
        our_loss = F.cross_entropy(ours, minigrad.full((3,), -100), reduction=reduction)
        our_loss.backward()
        assert_close(our_loss, loss.detach())
        assert_close(ours.grad, x.grad)


def test_cross_entropy_float_column_target_raises_runtime_error():
    x = minigrad.randn(3, 4)
    for catch in (RuntimeError, TypeError):
        with pytest.raises(catch, match="int64"):
            F.cross_entropy(x, minigrad.zeros(3, 1))
    with pytest.raises(RuntimeError):
        F.cross_entropy(x, minigrad.zeros(3, 1, dtype=minigrad.int64))


# ---- NaN in gradients -----------------------------------------------------------------------

NAN = math.nan
VALUES = [1.0, NAN, 3.0, NAN]
# name -> (function of a tensor (minigrad or torch), input, the gradient of its sum in PyTorch)
NAN_GRADIENTS = {
    "relu": (lambda x: x.relu(), [NAN, -1.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]),
    "abs": (lambda x: x.abs(), [NAN, -1.0, 1.0, 0.0], [0.0, -1.0, 1.0, 0.0]),
    "max": (lambda x: x.max(), VALUES, [0.0, 0.5, 0.0, 0.5]),
    "min": (lambda x: x.min(), VALUES, [0.0, 0.5, 0.0, 0.5]),
    "amax": (lambda x: x.amax(), VALUES, [NAN] * 4),
    "amin": (lambda x: x.amin(), VALUES, [NAN] * 4),
    "max_dim": (lambda x: x.reshape(2, 2).max(1)[0], VALUES, [0.0, 1.0, 0.0, 1.0]),
    "amax_dim0": (lambda x: x.reshape(2, 2).amax(0), VALUES, [0.0, NAN, 1.0, NAN]),
    "max_ties": (lambda x: x.max(), [3.0, 1.0, 3.0], [0.5, 0.0, 0.5]),
    "hardtanh": (lambda x: F.hardtanh(x), [NAN, 0.5, 1.0], [1.0, 1.0, 0.0]),
    "relu6": (lambda x: F.relu6(x), [NAN, 0.5, 7.0], [1.0, 1.0, 0.0]),
    "clamp": (lambda x: x.clamp(0, 1), [NAN, 0.5], [0.0, 1.0]),
    "sign": (lambda x: x.sign(), [NAN, 0.0], [0.0, 0.0]),
}


def _torch_functional(name):
    if name == "hardtanh":
        return lambda x: torch.nn.functional.hardtanh(x)
    if name == "relu6":
        return lambda x: torch.nn.functional.relu6(x)
    return NAN_GRADIENTS[name][0]


@pytest.mark.parametrize("name", list(NAN_GRADIENTS))
def test_gradients_at_nan(name, device):
    fn, values, expected = NAN_GRADIENTS[name]
    x = minigrad.tensor(values, device=device, requires_grad=True)
    with np.errstate(all="ignore"):
        fn(x).sum().backward()
    np.testing.assert_equal(x.grad.tolist(), expected)


@needs_torch
@pytest.mark.parametrize("name", list(NAN_GRADIENTS))
def test_nan_gradient_table_is_torchs(name):
    _, values, expected = NAN_GRADIENTS[name]
    x = torch.tensor(values, requires_grad=True)
    _torch_functional(name)(x).sum().backward()
    np.testing.assert_equal(x.grad.tolist(), expected)


def test_sign_of_nan_is_zero_as_torch(device):
    assert minigrad.tensor([NAN, -2.0, 0.0, 3.0], device=device).sign().tolist() == \
        [0.0, -1.0, 0.0, 1.0]


@pytest.mark.parametrize("op", [minigrad.maximum, minigrad.minimum])
def test_maximum_and_minimum_gradients_with_nan(op, device):
    a = minigrad.tensor([NAN, 0.5, 2.0, 1.0], device=device, requires_grad=True)
    b = minigrad.tensor([0.0, NAN, 1.0, 1.0], device=device, requires_grad=True)
    op(a, b).sum().backward()
    wins = [1.0, 1.0, 1.0, 0.5] if op is minigrad.maximum else [1.0, 1.0, 0.0, 0.5]
    assert a.grad.tolist() == wins
    assert b.grad.tolist() == [1.0, 1.0, 1.0 - wins[2], 0.5]
    if torch is not None:
        ta = torch.tensor(a.numpy(), requires_grad=True)
        tb = torch.tensor(b.numpy(), requires_grad=True)
        getattr(torch, op.__name__)(ta, tb).sum().backward()
        assert ta.grad.tolist() == a.grad.tolist() and tb.grad.tolist() == b.grad.tolist()
