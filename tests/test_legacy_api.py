"""Legacy names still common in published PyTorch code: Variable, FloatTensor and friends,
Tensor.type, from_numpy, format() of 0-d tensors, and .data. Each compared with PyTorch."""
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Variable

torch = pytest.importorskip("torch")


def test_variable_returns_a_detached_tensor_sharing_storage():
    x = minigrad.randn(3, requires_grad=True)
    tx = torch.randn(3, requires_grad=True)
    v, tv = Variable(x), torch.autograd.Variable(tx)
    assert type(v) is minigrad.Tensor and v is not x
    assert (v.requires_grad, v.is_leaf) == (tv.requires_grad, tv.is_leaf) == (False, True)
    w = Variable(minigrad.ones(2), requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with minigrad.no_grad():
        v[0] = 7.0
    assert x[0].item() == 7.0  # shares storage
    assert isinstance(minigrad.ones(2), Variable) and isinstance(tx, torch.autograd.Variable)
    assert not isinstance(np.ones(2), Variable)
    with pytest.warns(UserWarning, match="volatile"):
        assert not Variable(minigrad.ones(2), volatile=True).requires_grad
    with pytest.raises(TypeError, match="has to be a tensor"):
        torch.autograd.Variable([1.0])
    with pytest.raises(TypeError, match="has to be a tensor"):
        Variable([1.0])


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "BoolTensor"])
def test_legacy_constructors_match_torch(name):
    ours, theirs = getattr(minigrad, name), getattr(torch, name)
    for args in [(2, 3), ([1, 0, 2],), ((1.0, 0.0),), (np.array([1, 0]),), ()]:
        a, b = ours(*args), theirs(*args)
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
        if args and not isinstance(args[0], int):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert tuple(ours(minigrad.Size([2, 1])).shape) == (2, 1)
    assert repr(ours) == f"<class 'minigrad.{name}'>"
    with pytest.raises(TypeError, match="sequence"):
        theirs(2.5) if name != "BoolTensor" else theirs(2.5)
    with pytest.raises(TypeError, match="sequence"):
        ours(2.5)


def test_legacy_isinstance_matches_torch():
    pairs = [(minigrad.ones(2), torch.ones(2)), (minigrad.ones(2).double(),
                                                 torch.ones(2).double()),
             (minigrad.arange(3), torch.arange(3)), (minigrad.ones(2) > 0, torch.ones(2) > 0)]
    names = ["FloatTensor", "DoubleTensor", "LongTensor", "BoolTensor"]
    for ours, theirs in pairs:
        for name in names:
            assert isinstance(ours, getattr(minigrad, name)) == \
                isinstance(theirs, getattr(torch, name)), name
        assert not isinstance(ours, minigrad.cuda.FloatTensor)


def test_legacy_constructor_of_a_tensor():
    t = minigrad.ones(2)
    shared = minigrad.FloatTensor(t)
    with minigrad.no_grad():
        shared[0] = 3.0
    assert t[0].item() == 3.0
    with pytest.raises(TypeError, match="expects a minigrad.float32 tensor"):
        minigrad.FloatTensor(t.double())
    with pytest.raises(TypeError):
        torch.FloatTensor(torch.ones(2).double())


def test_tensor_type_names_and_conversions():
    x, tx = minigrad.ones(2), torch.ones(2)
    assert x.type() == tx.type().replace("torch", "minigrad") == "minigrad.FloatTensor"
    assert minigrad.arange(2).type() == "minigrad.LongTensor"
    for target, ttarget in [(minigrad.DoubleTensor, torch.DoubleTensor),
                            (minigrad.float64, torch.float64),
                            ("minigrad.LongTensor", "torch.LongTensor"),
                            (minigrad.BoolTensor, torch.BoolTensor)]:
        a, b = x.type(target), tx.type(ttarget)
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert x.type(minigrad.FloatTensor).dtype == minigrad.float32
    assert x.type("minigrad.HalfTensor").dtype is minigrad.float16
    with pytest.raises(ValueError, match="invalid type"):
        x.type("minigrad.ComplexFloatTensor")
    if minigrad.cuda.is_available():
        moved = x.type(minigrad.cuda.FloatTensor)
        assert moved.is_cuda and moved.type() == "minigrad.cuda.FloatTensor"
        assert isinstance(moved, minigrad.cuda.FloatTensor)


def test_from_numpy_shares_memory_like_torch():
    a, b = np.zeros(3), np.zeros(3)
    t, tt = minigrad.from_numpy(a), torch.from_numpy(b)
    assert t.dtype == minigrad.float64 and tt.dtype == torch.float64
    t += 1
    tt += 1
    a[0] = b[0] = 5
    np.testing.assert_array_equal(t.numpy(), tt.numpy())
    np.testing.assert_array_equal(a, b)
    for dtype in (np.float32, np.int64, np.bool_):
        assert minigrad.from_numpy(np.ones(2, dtype)).dtype.numpy == dtype
    view = np.arange(6.0).reshape(2, 3).T
    np.testing.assert_array_equal(minigrad.from_numpy(view).numpy(), view)
    with pytest.raises(TypeError, match="expected np.ndarray"):
        torch.from_numpy([1.0])
    with pytest.raises(TypeError, match="expected np.ndarray"):
        minigrad.from_numpy([1.0])
    with pytest.raises(TypeError, match="uint16"):
        minigrad.from_numpy(np.ones(2, np.uint16))  # uint16 holds no bfloat16 bit patterns
    with pytest.raises(ValueError, match="negative"):
        torch.from_numpy(np.arange(3.0)[::-1])
    with pytest.raises(ValueError, match="negative"):
        minigrad.from_numpy(np.arange(3.0)[::-1])


@pytest.mark.parametrize("value, spec", [(3.14159, ".4f"), (2.0, ".1e"), (7, "d"),
                                         (7, ">5"), (0.5, "")])
def test_format_of_0d_tensors_matches_torch(value, spec):
    assert format(minigrad.tensor(value), spec) == format(torch.tensor(value), spec)
    assert f"{minigrad.tensor(value):{spec}}" == f"{torch.tensor(value):{spec}}"


def test_format_of_nd_tensors_takes_no_spec_like_torch():
    with pytest.raises(TypeError, match="unsupported format string"):
        format(torch.ones(2), ".4f")
    with pytest.raises(TypeError, match="unsupported format string"):
        format(minigrad.ones(2), ".4f")
    assert format(minigrad.ones(2)) == str(minigrad.ones(2))


def test_data_is_detached_shares_storage_and_bypasses_version_checks():
    x = minigrad.ones(3, requires_grad=True)
    tx = torch.ones(3, requires_grad=True)
    y, ty = (x * x).sum(), (tx * tx).sum()
    d, td = x.data, tx.data
    assert (d.requires_grad, d.is_leaf) == (td.requires_grad, td.is_leaf) == (False, True)
    d.mul_(2)
    td.mul_(2)
    y.backward()
    ty.backward()  # torch does not see writes through .data: neither does minigrad
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_array_equal(x.detach().numpy(), tx.detach().numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d[0] = 5.0
    assert x[0].item() == 5.0


def test_unknown_module_attributes_raise_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        getattr(minigrad, "no_such_name")
    with pytest.raises(AttributeError, match="no_such_name"):
        getattr(minigrad.cuda, "no_such_name")
