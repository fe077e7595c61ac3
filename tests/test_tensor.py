"""The Tensor class: construction and dtype inference, supported and unsupported dtypes,
properties, host copies, conversions (`to`, `float`, `double`), repr, and device errors."""
import sys
import types

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad


@pytest.mark.parametrize("data, dtype", [
    (1.5, minigrad.float32), ([1.0, 2.0], minigrad.float32), ([1, 2.5], minigrad.float32),
    (3, minigrad.int64), ([[1, 2], [3, 4]], minigrad.int64), (True, minigrad.bool),
    ([True, False], minigrad.bool), ([], minigrad.float32),
    (np.array([1.0], np.float64), minigrad.float64),
    (np.array([1.0], np.float32), minigrad.float32),
    (np.array([1], np.int32), minigrad.int32), (np.float64(2.0), minigrad.float64),
])
def test_dtype_inference_follows_pytorch(device, data, dtype):
    t = minigrad.tensor(data, device=device)
    assert t.dtype is dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(data, dtype=dtype.numpy))


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64, minigrad.int64,
                                   minigrad.bool, "float64", "int64", float, int, bool,
                                   np.float64, np.dtype("float32"), np.int32])
def test_supported_dtypes_are_accepted_in_every_spelling(dtype):
    t = minigrad.tensor([0, 1], dtype=dtype)
    assert t.dtype in (minigrad.float32, minigrad.float64, minigrad.int64, minigrad.int32,
                       minigrad.bool)
    assert minigrad.zeros(2, dtype=dtype).dtype is t.dtype


@pytest.mark.parametrize("dtype", [np.uint16, "uint32", complex, np.complex64, "complex128",
                                   str, object, "object", np.longdouble])
def test_unsupported_dtypes_raise_type_error_naming_the_supported_ones(dtype):
    for make in (lambda: minigrad.tensor([1.0], dtype=dtype),
                 lambda: minigrad.zeros(2, dtype=dtype),
                 lambda: minigrad.ones(2).to(dtype=dtype)):
        with pytest.raises(TypeError) as info:
            make()
        for name in ("float32", "float64", "int64", "bool"):
            assert name in str(info.value)


@pytest.mark.parametrize("data", [np.array([1j]), [1 + 2j],
                                  np.array(["a"]), ["a", "b"], [object()], 2 ** 70])
def test_unsupported_data_raises_type_error(data):
    with pytest.raises(TypeError, match="supports minigrad.bool|must be numbers|fit in int64"):
        minigrad.tensor(data)


def test_ragged_data_is_rejected():
    with pytest.raises((ValueError, TypeError), match="ragged|unequal"):
        minigrad.tensor([[1.0, 2.0], [3.0]])


def test_properties(device):
    t = minigrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    assert t.shape == (2, 3) and isinstance(t.shape, minigrad.Size)
    assert t.size() == (2, 3) and t.size(0) == 2 and t.size(-1) == 3
    assert t.ndim == 2 and t.dim() == 2 and t.numel() == 6 and len(t) == 2
    assert t.device == device and str(t.device) == str(minigrad.device(device))
    assert t.is_leaf and not t.requires_grad and t.grad is None and t.grad_fn is None
    assert t.is_floating_point() and t.is_cuda == (device.startswith("cuda"))
    assert minigrad.tensor(2.0).shape == () and minigrad.tensor(2.0).numel() == 1
    with pytest.raises(IndexError, match="out of range"):
        t.size(2)
    with pytest.raises(TypeError, match="0-d"):
        len(minigrad.tensor(1.0))


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
                  elements=st.floats(-1e3, 1e3)))
def test_numpy_and_tolist_round_trip(device, values):
    t = minigrad.tensor(values, dtype=minigrad.float64, device=device)
    np.testing.assert_array_equal(t.numpy(), values)
    assert t.tolist() == values.tolist()
    np.testing.assert_array_equal(np.asarray(t), values)


def test_numpy_shares_memory_on_the_cpu_and_copies_from_cuda(device):
    # PyTorch's tensors tutorial: "changes in the tensor reflect in the NumPy array"
    t = minigrad.tensor([1.0, 2.0], device=device)
    host = t.numpy()
    t.add_(1)
    host[0] = 100.0
    if t.device.type == "cpu":
        assert host.tolist() == [100.0, 3.0] and t.tolist() == [100.0, 3.0]
        assert np.shares_memory(np.asarray(t), host)
        assert not np.shares_memory(np.array(t), host)  # np.array copies, as for torch
    else:
        assert host.tolist() == [100.0, 2.0] and t.tolist() == [2.0, 3.0]
    source = np.array([1.0, 2.0])
    copied = minigrad.tensor(source, device=device)
    source[1] = -1.0  # tensor() copies its input too
    assert copied.tolist() == [1.0, 2.0]


def test_item_and_number_conversions(device):
    assert minigrad.tensor(2.5, device=device).item() == 2.5
    assert isinstance(minigrad.tensor([3], device=device).item(), int)
    assert minigrad.tensor([[True]], device=device).item() is True
    assert float(minigrad.tensor(1.5)) == 1.5 and int(minigrad.tensor(7)) == 7
    assert bool(minigrad.tensor([1.0]))
    with pytest.raises(ValueError, match=r"one element, got shape \(2,\)"):
        minigrad.tensor([1.0, 2.0], device=device).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(minigrad.tensor([1.0, 2.0]))


def test_detach_shares_storage_without_history(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert y.grad_fn is not None  # the original keeps its history
    with minigrad.no_grad():
        y.add_(1.0)
    assert d.tolist() == [3.0, 5.0]  # same storage, as in PyTorch


def test_requires_grad_(device):
    t = minigrad.zeros(2, device=device)
    assert t.requires_grad_() is t and t.requires_grad and t.is_leaf
    t.requires_grad_(False)
    assert not t.requires_grad
    with pytest.raises(TypeError, match="floating point"):
        minigrad.arange(3, device=device).requires_grad_()
    y = minigrad.ones(2, requires_grad=True) * 3
    assert not y.is_leaf and y.requires_grad_() is y
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_to_accepts_positional_and_keyword_forms(device):
    t = minigrad.tensor([1.5, 2.5], device=device)
    assert t.to(minigrad.float64).dtype is minigrad.float64
    assert t.to(dtype=minigrad.float64).dtype is minigrad.float64
    assert t.to(device).device == device and t.to(device=device).device == device
    both = t.to(device, minigrad.int64)
    assert both.dtype is minigrad.int64 and both.tolist() == [1, 2]
    assert t.to(device=device, dtype=minigrad.float64).dtype is minigrad.float64
    assert t.to(np.float64).dtype is minigrad.float64
    assert t.to(np.dtype("float64")).dtype is minigrad.float64
    other = minigrad.zeros(1, dtype=minigrad.float64, device=device)
    assert t.to(other).dtype is minigrad.float64
    assert t.to(minigrad.float32) is t  # nothing to change: no copy, as in PyTorch
    assert t.to(minigrad.float32, copy=True) is not t


def test_float_double_long_bool(device):
    t = minigrad.tensor([0, 1, 2], device=device)
    assert t.float().dtype is minigrad.float32 and t.float().tolist() == [0.0, 1.0, 2.0]
    assert t.double().dtype is minigrad.float64
    assert t.float().long().dtype is minigrad.int64 and t.bool().tolist() == [False, True, True]


def test_to_is_differentiable(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x.double() * minigrad.tensor([3.0, 4.0], dtype=minigrad.float64, device=device)
    y.sum().backward()
    assert x.grad.dtype is minigrad.float32 and x.grad.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("make", [
    lambda: minigrad.tensor([0.65, 0.9475]), lambda: minigrad.tensor([0.0, 0.25, 0.5]),
    lambda: minigrad.tensor([1.0, 2.0]), lambda: minigrad.tensor([-4.04, 1.1355]),
    lambda: minigrad.tensor([1e-5, 1.0]), lambda: minigrad.tensor(3.0),
    lambda: minigrad.tensor([float("nan"), float("inf"), 1.5]), lambda: minigrad.tensor(5),
    lambda: minigrad.tensor([True, False]), lambda: minigrad.tensor([True]),
    lambda: minigrad.zeros(0), lambda: minigrad.zeros(0, dtype=minigrad.int64),
    lambda: minigrad.zeros(2, 0), lambda: minigrad.zeros(2, dtype=minigrad.float64),
    lambda: minigrad.tensor(3.5, dtype=minigrad.float64, requires_grad=True),
    lambda: minigrad.tensor([[1.0, -2.5], [3.0, 4.25]]),
    lambda: minigrad.tensor([[[1.5, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]),
])
def test_repr_matches_pytorch(make):
    torch = pytest.importorskip("torch")
    t = make()
    expected = repr(torch.tensor(t.numpy(), requires_grad=t.requires_grad))
    assert repr(t) == expected.replace("torch.", "minigrad.")


def test_repr_names_grad_fn_and_device():
    y = minigrad.ones(2, requires_grad=True) * 2
    assert repr(y) == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    big = repr(minigrad.arange(5000))
    assert "..." in big and len(big) < 200
    assert repr(minigrad.zeros(2).shape) == "minigrad.Size([2])"
    assert repr(minigrad.float64) == "minigrad.float64"
    assert repr(minigrad.device("cuda:1")) == "device(type='cuda', index=1)"


@pytest.fixture
def registry(monkeypatch):
    """The backend registry, restored after the test."""
    from minigrad import backend
    monkeypatch.setattr(backend, "_MODULES", dict(backend._MODULES))
    monkeypatch.setattr(backend, "_loaded", dict(backend._loaded))
    return backend


CUDA_USES = [
    lambda: minigrad.tensor([1.0], device="cuda"), lambda: minigrad.zeros(2, device="cuda"),
    lambda: minigrad.randn(2, device="cuda:0"), lambda: minigrad.ones(2).to("cuda"),
    lambda: minigrad.ones(2).cuda(),
]


@pytest.mark.parametrize("make", CUDA_USES)
def test_cuda_without_a_cuda_backend_is_a_clear_runtime_error(registry, make):
    registry.register_backend("cuda", "minigrad.backend.not_installed")
    with pytest.raises(RuntimeError) as info:
        make()
    message = str(info.value)
    assert "device 'cuda' is not available: this installation has no 'cuda' backend" in message
    assert "'cpu'" in message and "is_available('cuda')" in message  # says how to proceed
    assert not registry.is_available("cuda")


def test_cuda_without_a_gpu_is_a_clear_runtime_error(registry, monkeypatch):
    module = types.ModuleType("minigrad_test_gpuless_backend")

    def check_available():
        raise RuntimeError("no CUDA GPU was found")

    module.check_available = check_available
    monkeypatch.setitem(sys.modules, module.__name__, module)
    registry.register_backend("cuda", module.__name__)
    for make in CUDA_USES:
        with pytest.raises(RuntimeError, match=r"device 'cuda' is not available: no CUDA GPU "
                                               r"was found\. Create tensors on 'cpu'"):
            make()


@pytest.mark.parametrize("spec, error", [("tpu", ValueError), ("cuda:x", ValueError),
                                         ("cpu:1", ValueError), (3.0, TypeError)])
def test_bad_device_names(spec, error):
    with pytest.raises(error, match="device|cpu"):
        minigrad.device(spec)


def test_device_equality_and_defaults():
    assert minigrad.device("cuda") == minigrad.device("cuda:0") == "cuda:0"
    assert minigrad.device("cpu") == "cpu" and minigrad.device("cpu") != "cuda"
    assert minigrad.device("cpu") != "not a device"
    assert len({minigrad.device("cuda"), minigrad.device("cuda:0")}) == 1
