"""The op-breadth ops (elementwise math and bitwise so far) on device="cuda" against the same
ops on the cpu: values and every input's gradient, tiny broadcast shapes, one fixed draw per
case. The full hypothesis-driven PyTorch comparisons run device-parametrized in tests/."""
import numpy as np
import pytest

import minigrad
from math_cases import CASES as MATH
from op_cases import compare_devices, fixed_values

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
