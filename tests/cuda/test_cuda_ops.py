"""The op-breadth ops on device="cuda": elementwise math and bitwise against the same ops on
the cpu (values and every input's gradient, tiny broadcast shapes, one fixed draw per case);
shape and indexing ops against PyTorch on a few drawn cases. The full hypothesis-driven
comparisons run device-parametrized in tests/."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from math_cases import CASES as MATH
from op_cases import compare_devices, compare_with_torch, fixed_values

# a broadcast pattern per arity: the first input full, the others missing or stretched dims
SHAPES = {1: [(2, 3)], 2: [(2, 3), (3,)], 3: [(2, 3), (1, 3), (2, 1)]}


@pytest.mark.parametrize("name", sorted(MATH))
def test_elementwise_math(name):
    case = MATH[name]
    rng = np.random.default_rng(sorted(MATH).index(name))
    arrays = [fixed_values(rng, s, **r) for s, r in zip(SHAPES[len(case.ranges)], case.ranges)]
    compare_devices(case.fn, arrays, grads=case.grad)


def test_integer_math_and_bitwise():
    a = np.array([[-7, -4, -1, 0], [1, 3, 5, 8]])
    b = np.array([2, -3, 4, -5])
    ops = [lambda x, y: x // y, lambda x, y: x % y, minigrad.fmod, lambda x, y: x & y,
           lambda x, y: x | y, lambda x, y: x ^ y, lambda x, y: x << y.abs(),
           lambda x, y: x >> y.abs(), lambda x, y: x.div(y, rounding_mode="trunc"),
           lambda x, y: ~(x > 0) & (y > 0), lambda x, y: minigrad.logical_xor(x, y > 0)]
    for op in ops:
        cpu = op(minigrad.tensor(a), minigrad.tensor(b))
        cuda = op(minigrad.tensor(a, device="cuda"), minigrad.tensor(b, device="cuda"))
        assert cuda.dtype is cpu.dtype
        np.testing.assert_array_equal(cuda.cpu().numpy(), cpu.numpy())


# ---- shape and indexing: the drawn cases of tests/test_shape_index_ops.py, on the device ------

torch = pytest.importorskip("torch")
from test_shape_index_ops import CASES as SHAPE_CASES  # noqa: E402  (needs torch)


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
@settings(max_examples=3)
@given(data=st.data())
def test_shape_and_indexing_ops_match_torch(name, data):
    fn, inputs = data.draw(SHAPE_CASES[name]("cuda"))
    assert all(t.device.type == "cuda" for t in inputs)
    compare_with_torch(torch, fn, inputs)


# ---- reductions, scans, sorting -----------------------------------------------------------------

from test_reduce_scan_sort_ops import CASES as REDUCE_CASES  # noqa: E402  (needs torch)


@pytest.mark.parametrize("name", sorted(REDUCE_CASES))
@settings(max_examples=3)
@given(data=st.data())
def test_reductions_scans_and_sorting_match_torch(name, data):
    fn, inputs = data.draw(REDUCE_CASES[name]("cuda"))
    assert all(t.device.type == "cuda" for t in inputs)
    compare_with_torch(torch, fn, inputs, rtol=1e-9, atol=1e-11)


def test_sort_and_scans_with_ties_and_nan():
    values = np.array([[3.0, 1.0, np.nan, 1.0, 3.0, 0.5], [2.0, 2.0, 2.0, -1.0, 2.0, 7.0]])
    for fn in [lambda t: t.sort(1), lambda t: t.sort(1, descending=True), lambda t: t.sort(0),
               lambda t: t.cummax(1), lambda t: t.cummin(1), lambda t: t.cumsum(1),
               lambda t: t.cumprod(1), lambda t: t.logcumsumexp(1), lambda t: t.topk(2),
               lambda t: t.median(1)]:
        cpu = fn(minigrad.tensor(values))
        cuda = fn(minigrad.tensor(values, device="cuda"))
        for a, b in zip(cuda, cpu):
            np.testing.assert_allclose(a.cpu().numpy(), b.numpy(), rtol=1e-12, equal_nan=True)


# ---- linear algebra -------------------------------------------------------------------------------

from test_linalg_ops import CASES as LINALG_CASES, CPU_ONLY  # noqa: E402  (needs torch)


@pytest.mark.parametrize("name", sorted(LINALG_CASES))
@settings(max_examples=3)
@given(data=st.data())
def test_linear_algebra_on_the_device(name, data):
    """Products and einsum match torch; the LAPACK-backed functions raise and name .cpu()."""
    fn, inputs = data.draw(LINALG_CASES[name]("cuda"))
    if name in CPU_ONLY:
        with pytest.raises(RuntimeError, match=r"\.cpu\(\)"):
            fn(minigrad, *inputs)
        return
    compare_with_torch(torch, fn, inputs, rtol=1e-8, atol=1e-10)


def test_linalg_through_the_cpu_keeps_the_gradient():
    a = minigrad.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=minigrad.float64, device="cuda",
                        requires_grad=True)
    minigrad.linalg.inv(a.cpu()).cuda().sum().backward()
    assert a.grad.device.type == "cuda"
    expected = -(np.linalg.inv(a.detach().cpu().numpy()).T @ np.ones((2, 2)) @
                 np.linalg.inv(a.detach().cpu().numpy()).T)
    np.testing.assert_allclose(a.grad.cpu().numpy(), expected, rtol=1e-12)
