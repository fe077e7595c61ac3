"""Tensor printing and set_printoptions / get_printoptions, against PyTorch's text."""
import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
ARRAYS = [np.array([1.5, 2.25, -3.0]), np.array([[1e-5, 1.0], [3.0, 4.0]]),
          np.arange(12.0).reshape(3, 4) / 7, np.array([1e9, 1.0]), np.array([0.1, 123.456]),
          _RNG.standard_normal((2, 3, 4)), np.arange(2000.0), np.array(3.14159),
          np.array([np.nan, np.inf, 1.5]), np.array([100.5, 2000.25]), np.arange(10),
          np.array([True, False]), _RNG.standard_normal((3, 12)),
          _RNG.standard_normal((30, 40, 3)), np.array([[1, 2], [3, 400000]]),
          np.array([1e-10, 1e-12]), np.array([-0.0, 0.0]), np.zeros((0, 3)),
          np.arange(3000).reshape(30, 100), np.array([-np.inf, np.nan]),
          _RNG.standard_normal(50) * 1e5]
OPTIONS = [{}, {"precision": 2}, {"sci_mode": False}, {"sci_mode": True}, {"profile": "short"},
           {"profile": "full"}, {"linewidth": 120, "edgeitems": 1, "threshold": 10},
           {"edgeitems": 0, "threshold": 5}]


@pytest.fixture
def restore_printoptions():
    yield
    minigrad.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_repr_matches_torch_under_print_options(options, restore_printoptions):
    minigrad.set_printoptions(**options)
    torch.set_printoptions(**options)
    for array in ARRAYS:
        # float32 / int64 / bool print no dtype, so the text is PyTorch's exactly
        values = array.astype(np.float32) if array.dtype.kind == "f" else array
        for requires_grad in ([False, True] if values.dtype.kind == "f" else [False]):
            ours = minigrad.tensor(values, requires_grad=requires_grad)
            ref = torch.tensor(values, requires_grad=requires_grad)
            if requires_grad:
                ours, ref = ours * 2, ref * 2
            assert repr(ours) == repr(ref), (options, values)


def test_other_dtypes_print_their_name(restore_printoptions):
    x = np.array([[2e-5, 2.0], [6.0, 8.0]])
    assert repr(minigrad.tensor(x)) == repr(torch.tensor(x)).replace("torch.", "minigrad.")
    h = np.array([0.1, 0.25, 3.0], dtype=np.float16)
    assert repr(minigrad.tensor(h)) == repr(torch.tensor(h)).replace("torch.", "minigrad.")
    assert repr(minigrad.tensor([1, 2], dtype=minigrad.int8)) == \
        "tensor([1, 2], dtype=minigrad.int8)"


def test_set_and_get_printoptions(restore_printoptions):
    minigrad.set_printoptions(precision=2, sci_mode=False)
    options = minigrad.get_printoptions()
    assert options == {"precision": 2, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
                       "sci_mode": False}
    assert repr(minigrad.tensor([1e-6, 1.0])) == "tensor([0.00, 1.00])"
    minigrad.set_printoptions(precision=3)  # sci_mode is reset to None, as in PyTorch
    assert minigrad.get_printoptions()["sci_mode"] is None
    minigrad.set_printoptions(**options)
    assert minigrad.get_printoptions() == options
    with pytest.raises(ValueError, match="unknown profile"):
        minigrad.set_printoptions(profile="long")
