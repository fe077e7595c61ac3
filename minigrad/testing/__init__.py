"""Testing helpers for minigrad and code built on it: hypothesis strategies and comparisons.

    import minigrad
    from hypothesis import given, strategies as st
    from minigrad.testing import broadcastable_shape_pairs, tensors

    @given(st.data())
    def test_mul_gradient(data):
        shape_a, shape_b = data.draw(broadcastable_shape_pairs())
        a, b = data.draw(tensors(shape_a)), data.draw(tensors(shape_b))
        assert minigrad.gradcheck(lambda x, y: x * y, (a, b))

This package needs hypothesis, a test extra (`pip install minigrad[test]`); `import minigrad`
never imports it.
"""
try:
    import hypothesis  # noqa: F401  (only checked for here; the submodules import what they use)
except ImportError as err:
    raise ImportError("minigrad.testing needs hypothesis, which is not installed; install the "
                      "test extras with `pip install minigrad[test]`") from err

from .reference import assert_close, index_by_pytorch_rule, to_numpy
from .strategies import (broadcastable_shape_pairs, broadcastable_shapes, float_arrays, shapes,
                         tensors)

__all__ = ["assert_close", "broadcastable_shape_pairs", "broadcastable_shapes", "float_arrays",
           "index_by_pytorch_rule", "shapes", "tensors", "to_numpy"]
