"""The per-op fast path (Function.apply, coerce_pair, the engine, quiet kernels) keeps every
check: these cases take the slow branches on purpose and compare with PyTorch where it has the
concept."""
import pickle
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import AutogradError, Function
from minigrad.backend.cpu import _quiet
from minigrad.device import Device


def test_devices_are_one_object_per_device():
    cpu = Device("cpu")
    assert Device("cpu") is cpu and Device(cpu) is cpu and mg.device("cpu") is cpu
    assert mg.zeros(2).device is cpu and mg.tensor([1.0]).device is cpu
    assert pickle.loads(pickle.dumps(cpu)) is cpu
    assert Device("cuda") is Device("cuda:0") is Device("cuda", 0)
    assert Device("cuda:1") is not Device("cuda:0") and Device("cuda:1") != Device("cuda:0")


@pytest.mark.parametrize("bad, error", [(3, TypeError), (["cpu"], TypeError),
                                        ("tpu", ValueError), ("cuda:x", ValueError),
                                        ("cpu:1", ValueError)])
def test_bad_device_names_still_raise(bad, error):
    with pytest.raises(error):
        Device(bad)


def test_binary_ops_off_the_fast_path_match_torch():
    torch = pytest.importorskip("torch")
    cases = [(np.ones((2, 3), np.float32), np.arange(3, dtype=np.float64)),   # promote
             (np.ones((2, 1), np.int64), np.full((1, 3), 2.5, np.float32)),    # broadcast
             (np.ones(3, np.float32), np.array(2.0, np.float64))]              # 0-d
    for x, y in cases:
        got = mg.tensor(x) + mg.tensor(y)
        want = torch.tensor(x) + torch.tensor(y)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_allclose(got.numpy(), want.numpy())
    with pytest.raises(ValueError, match="not broadcastable"):
        mg.ones(2, 3) + mg.ones(4)


def test_engine_still_checks_gradients_from_backward():
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.sum()

    class Float64Grad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.double() * 2

    x = mg.ones(3, requires_grad=True)
    with pytest.raises(AutogradError, match="shape"):
        WrongShape.apply(x).sum().backward()
    Float64Grad.apply(x).sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_quiet_kernels_ignore_and_restore_the_callers_error_state():
    before = np.geterr()
    with np.errstate(all="raise"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = mg.tensor([1.0, -1.0]) / mg.tensor([0.0, 0.0])
        assert np.geterr()["divide"] == "raise"
        with pytest.raises(FloatingPointError):
            np.float64(1.0) / np.float64(0.0)
    assert np.geterr() == before
    assert out.tolist() == [float("inf"), float("-inf")]


def test_quiet_kernels_keep_a_bounded_table_of_error_states():
    for _ in range(3 * _quiet._MAX_STATES):
        with np.errstate(over="warn"):
            mg.tensor([1.0]) + 1.0
    assert len(_quiet._quiet_version) <= _quiet._MAX_STATES
