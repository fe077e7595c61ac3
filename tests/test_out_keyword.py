"""`out=` on the minigrad.* functions that take it in PyTorch: written in place and returned,
resized (with PyTorch's warning), cast where PyTorch casts, refused where PyTorch refuses."""
import warnings

import numpy as np
import pytest

import minigrad
from minigrad._out import OUT_FUNCTIONS

torch = pytest.importorskip("torch")

A = np.arange(6, dtype=np.float32).reshape(2, 3) / 4 + 0.5
B = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)

CALLS = {  # name: call(lib, a, b, out)
    "add": lambda lib, a, b, out: lib.add(a, b, alpha=2, out=out),
    "mul": lambda lib, a, b, out: lib.mul(a, b, out=out),
    "matmul": lambda lib, a, b, out: lib.matmul(a, b.T, out=out),
    "cat": lambda lib, a, b, out: lib.cat([a, b], dim=1, out=out),
    "stack": lambda lib, a, b, out: lib.stack([a, b], out=out),
    "sum": lambda lib, a, b, out: lib.sum(a, 1, out=out),
    "exp": lambda lib, a, b, out: lib.exp(b, out=out),
    "clamp": lambda lib, a, b, out: lib.clamp(b, -0.5, 0.5, out=out),
    "where": lambda lib, a, b, out: lib.where(b > 0, a, b, out=out),
    "eq_float_out": lambda lib, a, b, out: lib.eq(a, 1.0, out=out),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_results_written_into_out_match_torch(device, name):
    call = CALLS[name]
    ref_out = torch.empty(0)
    ref = call(torch, torch.tensor(A), torch.tensor(B), ref_out)
    out = minigrad.empty(0, device=device)
    got = call(minigrad, minigrad.tensor(A, device=device), minigrad.tensor(B, device=device), out)
    assert got is out and got.dtype is minigrad.float32
    np.testing.assert_allclose(out.cpu().numpy(), ref.numpy(), rtol=1e-6)


def test_tuple_outputs_and_factories(device):
    values = minigrad.empty(0, device=device)
    indices = minigrad.empty(0, dtype=minigrad.int64, device=device)
    result = minigrad.max(minigrad.tensor(A, device=device), 1, out=(values, indices))
    assert result.values is values and result.indices is indices
    assert values.tolist() == torch.tensor(A).max(1).values.tolist()
    assert indices.tolist() == [2, 2]
    ints = minigrad.empty(0, dtype=minigrad.int64, device=device)
    assert minigrad.arange(4, out=ints) is ints and ints.dtype is minigrad.int64
    assert ints.tolist() == [0, 1, 2, 3]
    doubles = minigrad.empty(3, dtype=minigrad.float64, device=device)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # factories resize without the warning
        minigrad.zeros(2, 2, out=doubles)
    assert doubles.shape == (2, 2) and doubles.dtype is minigrad.float64


def test_resizing_casting_and_refusals():
    out = minigrad.empty(2)
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        minigrad.add(minigrad.ones(3), 1, out=out)
    assert out.tolist() == [2.0, 2.0, 2.0]
    as_double = minigrad.empty(3, dtype=minigrad.float64)
    minigrad.add(minigrad.ones(3), 1, out=as_double)
    assert as_double.dtype is minigrad.float64 and as_double.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Long"):
        minigrad.add(minigrad.ones(3), 1.5, out=minigrad.empty(3, dtype=minigrad.int64))
    with pytest.raises(RuntimeError, match="Float can't be cast to the desired output type Bool"):
        minigrad.add(minigrad.ones(3), 1, out=minigrad.empty(3, dtype=minigrad.bool))
    x = minigrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add\(\): functions with out=\.\.\. arguments don't "
                                           "support automatic differentiation"):
        minigrad.add(x, 1, out=minigrad.empty(3))
    with minigrad.no_grad():
        assert minigrad.add(x, 1, out=minigrad.empty(3)).tolist() == [2.0, 2.0, 2.0]
    assert minigrad.add(minigrad.ones(1), 1).tolist() == [2.0]  # without out: unchanged


def test_the_out_list_names_functions_torch_takes_out_for():
    for name in OUT_FUNCTIONS:
        if hasattr(minigrad, name):
            assert hasattr(torch, name), name
            assert getattr(getattr(minigrad, name), "accepts_out", False), name
