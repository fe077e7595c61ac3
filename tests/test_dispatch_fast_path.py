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


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_unrecorded_binary_ops_take_the_short_path_and_match_torch(op, dtype):
    """Two float tensors of one dtype, shape and device with nothing to record go straight to
    the kernel: the values, dtype, overflow, NaN and the absent history are torch's."""
    torch = pytest.importorskip("torch")
    x = np.array([[1.5, -2.0, np.nan], [6e4, np.inf, 0.0]])
    y = np.array([[0.25, 3.0, 1.0], [6e4, -np.inf, -0.0]])
    tx, ty = (torch.tensor(v, dtype=getattr(torch, dtype)) for v in (x, y))
    want = getattr(torch, op)(tx, ty)
    for grad_on, needs in ((False, True), (True, False)):
        a = mg.tensor(x, dtype=getattr(mg, dtype), requires_grad=needs)
        b = mg.tensor(y, dtype=getattr(mg, dtype))
        with mg.set_grad_enabled(grad_on):
            got = {"add": a + b, "sub": a - b, "mul": a * b}[op]
        assert got.dtype == getattr(mg, dtype) and got.grad_fn is None
        assert not got.requires_grad and got.is_leaf
        np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())
        got.add_(1.0)  # a new tensor: writing it leaves both operands alone
        assert a._version.value == 0 and b._version.value == 0
        np.testing.assert_array_equal(a.detach().float().numpy(),
                                      mg.tensor(x, dtype=getattr(mg, dtype)).float().numpy())


def test_recorded_binary_ops_still_record():
    a = mg.ones(3, requires_grad=True)
    b = mg.full((3,), 2.0)
    out = a * b - b + a
    assert out.grad_fn is not None and out.grad_fn.name() == "AddBackward0"
    out.sum().backward()
    assert a.grad.tolist() == [3.0, 3.0, 3.0]
