"""CPU kernels give inf/nan where PyTorch does, without leaking numpy RuntimeWarnings."""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import IntegerDivisionByZeroError

torch = pytest.importorskip("torch")

INF, NAN = math.inf, math.nan

# (name, call taking a module (minigrad or torch)): each produces inf or nan somewhere.
CASES = [
    ("log of negative and zero", lambda m: m.log(m.tensor([-1.0, 0.0, 2.0]))),
    ("log2/log10 of zero",
     lambda m: m.log2(m.tensor([0.0, -1.0])) + m.log10(m.tensor([0.0, 1.0]))),
    ("sqrt of negative", lambda m: m.sqrt(m.tensor([-2.0, 4.0]))),
    ("float division by zero", lambda m: m.tensor([1.0, 0.0, -1.0]) / m.tensor([0.0, 0.0, 0.0])),
    ("floor_divide by zero",
     lambda m: m.floor_divide(m.tensor([1.0, -1.0, 0.0]), m.tensor([0.0, 0.0, 0.0]))),
    ("exp2 overflow", lambda m: m.exp2(m.tensor([1e4, 1.0]))),
    ("expm1 overflow", lambda m: m.expm1(m.tensor([1e4, 0.5]))),
    ("exp overflow", lambda m: m.exp(m.tensor([1e4, -1e4]))),
    ("log1p below -1", lambda m: m.log1p(m.tensor([-2.0, -1.0, 1.0]))),
    ("remainder by zero",
     lambda m: m.remainder(m.tensor([1.0, 0.0, -3.0]), m.tensor([0.0, 0.0, 2.0]))),
    ("fmod by zero", lambda m: m.fmod(m.tensor([1.0, 0.0]), m.tensor([0.0, 0.0]))),
    ("inf - inf", lambda m: m.tensor([INF, 1.0]) - m.tensor([INF, 1.0])),
    ("inf * 0", lambda m: m.tensor([INF, 2.0]) * m.tensor([0.0, 3.0])),
    ("power of negative base", lambda m: m.tensor([-1.0, 4.0]) ** 0.5),
    ("acos out of domain", lambda m: m.acos(m.tensor([2.0, 0.5]))),
    ("atanh at one", lambda m: m.atanh(m.tensor([1.0, 2.0, 0.0]))),
    ("float64 overflow in pow", lambda m: m.tensor([1e300], dtype=m.float64) ** 2),
    ("inf/nan cast to int64",
     lambda m: m.tensor([INF, -INF, NAN, 1e30, 2.5]).to(m.int64)),
    ("cumprod overflow", lambda m: m.cumprod(m.tensor([1e300, 1e300], dtype=m.float64), 0)),
    ("cumsum of inf and -inf", lambda m: m.cumsum(m.tensor([INF, -INF]), 0)),
    ("sum of inf and -inf", lambda m: m.sum(m.tensor([INF, -INF])).reshape(1)),
    ("prod overflow", lambda m: m.prod(m.tensor([1e30, 1e30])).reshape(1)),
    ("logcumsumexp of -inf", lambda m: m.logcumsumexp(m.tensor([-INF, -INF, 1.0]), 0)),
]


@pytest.mark.parametrize("name, call", CASES, ids=[c[0] for c in CASES])
def test_no_runtime_warning_and_torch_values(name, call):
    expected = call(torch).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = call(mg).numpy()
    np.testing.assert_array_equal(got, expected)


def test_gradients_through_inf_and_nan_do_not_warn():
    x = mg.tensor([0.0, -1.0, 2.0], requires_grad=True)
    tx = torch.tensor([0.0, -1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (mg.log(x) + mg.sqrt(x)).sum().backward()
    (torch.log(tx) + torch.sqrt(tx)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_inf_written_into_int_tensor_does_not_warn():
    t = mg.zeros(3, dtype=mg.int64)
    tt = torch.zeros(3, dtype=torch.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.copy_(mg.tensor([INF, NAN, 1.0]))
    tt.copy_(torch.tensor([INF, NAN, 1.0]))
    np.testing.assert_array_equal(t.numpy(), tt.numpy())


def test_warnings_stay_on_outside_the_kernels():
    """The kernels' errstate is local: numpy code of the caller still warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mg.log(mg.tensor([0.0]))
        with pytest.raises(RuntimeWarning):
            np.log(np.array([0.0]))


@pytest.mark.parametrize("op", ["floor_divide", "remainder", "fmod"])
def test_integer_division_by_zero_is_catchable_as_torch_does(op):
    a, b = [5, 3], [0, 2]
    with pytest.raises(RuntimeError) as torch_error:
        getattr(torch, op)(torch.tensor(a), torch.tensor(b))
    with pytest.raises(IntegerDivisionByZeroError, match="division by zero") as error:
        getattr(mg, op)(mg.tensor(a), mg.tensor(b))
    assert isinstance(error.value, type(torch_error.value))
    assert isinstance(error.value, ZeroDivisionError)
