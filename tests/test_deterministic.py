"""minigrad.use_deterministic_algorithms: the flag as PyTorch has it, and on every device the
kernels that accumulate with atomics on cuda (max pooling's gradient, index_put with
accumulate=True, index_add, the gradient of a gather with repeated indices) give, in that mode,
results that repeat bit for bit and equal float32 sums taken one by one in index order.

The values are chosen so that the order of the additions shows: in float32, 1e8 + 1 - 1e8 is 0
taken left to right and 1 in an order that subtracts first."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F

ORDER_SENSITIVE = np.array([1e8, 1.0, -1e8, 3.0, 0.5, -2.0, 7.0, 1e8, -1e8], np.float32)


@pytest.fixture
def deterministic():
    minigrad.use_deterministic_algorithms(True)
    yield
    minigrad.use_deterministic_algorithms(False)


def _sequential_add_at(shape, positions, values):
    """zeros(shape) with values[k] added at positions[k] one at a time, k ascending, in
    float32: the fixed order the deterministic kernels promise."""
    out = np.zeros(shape, np.float32)
    flat = out.reshape(-1)
    for at, v in zip(positions, values):
        flat[at] = np.float32(flat[at] + v)
    return out


def _bits(t):
    return t.numpy().tobytes()


def test_the_flag_and_warn_only_read_back_as_in_torch():
    assert minigrad.are_deterministic_algorithms_enabled() is False
    try:
        minigrad.use_deterministic_algorithms(True, warn_only=True)
        assert minigrad.are_deterministic_algorithms_enabled() is True
        assert minigrad.is_deterministic_algorithms_warn_only_enabled() is True
        minigrad.use_deterministic_algorithms(False)
        assert minigrad.are_deterministic_algorithms_enabled() is False
        assert minigrad.is_deterministic_algorithms_warn_only_enabled() is False
    finally:
        minigrad.use_deterministic_algorithms(False)


@pytest.mark.parametrize("mode,warn_only", [(1, False), ("yes", False), (None, False),
                                            (True, 1)])
def test_non_bool_arguments_are_refused_and_change_nothing(mode, warn_only):
    with pytest.raises(TypeError, match="must be bool"):
        minigrad.use_deterministic_algorithms(mode, warn_only=warn_only)
    assert minigrad.are_deterministic_algorithms_enabled() is False


def test_the_flag_matches_torch():
    torch = pytest.importorskip("torch")
    try:
        for mode, warn_only in [(True, False), (True, True), (False, True), (False, False)]:
            torch.use_deterministic_algorithms(mode, warn_only=warn_only)
            minigrad.use_deterministic_algorithms(mode, warn_only=warn_only)
            assert (minigrad.are_deterministic_algorithms_enabled()
                    == torch.are_deterministic_algorithms_enabled())
            assert (minigrad.is_deterministic_algorithms_warn_only_enabled()
                    == torch.is_deterministic_algorithms_warn_only_enabled())
    finally:
        torch.use_deterministic_algorithms(False)
        minigrad.use_deterministic_algorithms(False)


def test_max_pool_gradient_adds_in_order(device, deterministic):
    # every 3x3 window of a 5x5 plane holds its centre, the plane's maximum: its gradient is
    # the sum of all nine output gradients
    x = np.zeros((2, 3, 5, 5), np.float32)
    x[:, :, 2, 2] = 10.0
    grad = np.stack([np.roll(ORDER_SENSITIVE, k) for k in range(6)]).reshape(2, 3, 3, 3)
    results = []
    for _ in range(2):
        xt = minigrad.tensor(x, device=device, requires_grad=True)
        F.max_pool2d(xt, 3, stride=1).backward(minigrad.tensor(grad, device=device))
        results.append(xt.grad)
    expected = np.zeros_like(x)
    for plane in range(6):
        expected.reshape(6, 25)[plane] = _sequential_add_at(
            (25,), [12] * 9, grad.reshape(6, 9)[plane]).reshape(-1)
    assert expected[0, 0, 2, 2] != grad[0, 0].astype(np.float64).sum()  # the order shows
    assert _bits(results[0]) == _bits(results[1]) == expected.tobytes()


def test_index_put_accumulate_adds_in_order(device, deterministic):
    rows = np.array([1, 3, 1, 1, 3, 0, 3, 1, 1])
    values = np.stack([ORDER_SENSITIVE, np.roll(ORDER_SENSITIVE, 1)], axis=1)  # (9, 2)
    results = []
    for _ in range(2):
        x = minigrad.zeros(5, 2, device=device)
        x.index_put_((minigrad.tensor(rows, device=device),),
                     minigrad.tensor(values, device=device), accumulate=True)
        results.append(x)
    positions = [2 * r + col for r in rows for col in (0, 1)]
    expected = _sequential_add_at((5, 2), positions, values.reshape(-1))
    assert _bits(results[0]) == _bits(results[1]) == expected.tobytes()


def test_index_add_and_gather_gradient_add_in_order(device, deterministic):
    index = minigrad.tensor([2, 0, 2, 2, 1, 2, 0, 2, 2], device=device)
    source = minigrad.tensor(ORDER_SENSITIVE, device=device)
    out = minigrad.zeros(3, device=device).index_add(0, index, source)
    x = minigrad.zeros(3, device=device, requires_grad=True)
    x[index].backward(source)
    expected = _sequential_add_at((3,), index.numpy(), ORDER_SENSITIVE)
    assert _bits(out) == _bits(x.grad) == expected.tobytes()


def test_repeated_writes_keep_the_last_as_numpy(device, deterministic):
    rows = np.array([0, 2, 0, 2, 0])
    values = np.arange(10, dtype=np.float32).reshape(5, 2)
    x = minigrad.zeros(3, 2, device=device)
    x[minigrad.tensor(rows, device=device)] = minigrad.tensor(values, device=device)
    expected = np.zeros((3, 2), np.float32)
    expected[rows] = values
    np.testing.assert_array_equal(x.numpy(), expected)
