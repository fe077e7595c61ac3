"""Every tensor holds a real backend array (numpy reductions give numpy scalars, which in-place
ops cannot write into), so the in-place ops and the accumulation patterns of training loops
work on the 0-d results of reductions, with PyTorch's result dtypes."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close

X = np.arange(12, dtype=np.float32).reshape(3, 4) / 7 - 0.5

# ops whose result is (or may be) 0-d
ZERO_DIM_RESULTS = {
    "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(),
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "amax": lambda x: x.amax(),
    "amin": lambda x: x.amin(),
    "argmax": lambda x: x.argmax(),
    "argmin": lambda x: x.argmin(),
    "var": lambda x: x.var(),
    "std": lambda x: x.std(),
    "all": lambda x: (x > 0).all(),
    "any": lambda x: (x > 0).any(),
    "count": lambda x: (x > 0).sum(),
    "element": lambda x: x[1, 2],
    "dot": lambda x: x[0] @ x[1],
    "scalar_math": lambda x: (x.sum() * 2 + 1).exp().log().sqrt().tanh().sigmoid().abs(),
    "neg": lambda x: -x.sum(),
    "pow": lambda x: x.sum() ** 2,
    "relu": lambda x: x.sum().relu(),
    "clamp": lambda x: x.sum().clamp(0, 1),
    "compare": lambda x: x.sum() > 0,
    "where": lambda x: minigrad.where(x.sum() > 0, x.sum(), 1.0),
    "maximum": lambda x: minigrad.maximum(x.sum(), x.mean()),
    "cross_entropy": lambda x: F.cross_entropy(x, minigrad.tensor([0, 1, 2], device=x.device)),
    "mse_loss": lambda x: F.mse_loss(x, x * 0),
    "l1_loss": lambda x: F.l1_loss(x, x * 0),
    "bce": lambda x: F.binary_cross_entropy(x.sigmoid(), x.sigmoid() * 0),
    "bce_logits": lambda x: F.binary_cross_entropy_with_logits(x, x * 0),
    "softmax": lambda x: F.softmax(x.sum(), 0),
    "to_double": lambda x: x.sum().double(),
    "clone": lambda x: x.sum().clone(),
    "reshape": lambda x: x[0:1, 0:1].reshape(()),
    "squeeze": lambda x: x[0:1, 0:1].squeeze(),
}


def _is_backend_array(t):
    if t.device.type == "cpu":
        return type(t._data) is np.ndarray
    return bool(getattr(t._data, "__cuda_ndarray__", False))


@pytest.mark.parametrize("name", list(ZERO_DIM_RESULTS))
def test_every_result_holds_a_backend_array(name, device):
    x = minigrad.tensor(X, device=device, requires_grad=True)
    out = ZERO_DIM_RESULTS[name](x)
    assert _is_backend_array(out), type(out._data)
    assert _is_backend_array(out.data) and _is_backend_array(out.detach())
    if out.requires_grad:
        out.sum().backward()
        assert _is_backend_array(x.grad)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "element", "cross_entropy", "var"])
def test_in_place_ops_on_zero_dim_results(name, device):
    with minigrad.no_grad():
        out = ZERO_DIM_RESULTS[name](minigrad.tensor(X, device=device))
    start = out.item()
    out += 1
    assert out.item() == pytest.approx(start + 1)
    out.add_(2).mul_(2)
    assert out.item() == pytest.approx((start + 3) * 2)
    out.copy_(minigrad.tensor(5.0, device=device))
    assert out.item() == 5.0
    out.fill_(7)
    assert out.item() == 7.0
    out.zero_()
    assert out.item() == 0.0
    assert _is_backend_array(out)


def test_training_loop_accumulations_keep_torchs_dtypes(device):
    x = minigrad.tensor(X, device=device)
    total = 0.0
    total += F.cross_entropy(x, minigrad.tensor([0, 1, 2], device=device)).data
    assert isinstance(total, minigrad.Tensor) and total.dtype is minigrad.float32
    correct = 0
    correct += (x.argmax(1) == minigrad.tensor([3, 3, 0], device=device)).sum()
    assert correct.dtype is minigrad.int64 and correct.item() == 2
    correct += (x > 0).sum()
    assert correct.dtype is minigrad.int64 and correct.item() == 2 + int((X > 0).sum())


def test_gradients_of_zero_dim_leaves_accumulate_into_arrays(device):
    w = minigrad.tensor(2.0, device=device, requires_grad=True)
    for _ in range(3):
        (w * 3).backward()
    assert _is_backend_array(w.grad)
    assert_close(w.grad, 9.0)
    w.grad.zero_()
    assert w.grad.item() == 0.0


# methods that need arguments to mean anything, or move or register things
_SKIPPED_METHODS = {"backward", "cuda", "register_hook", "register_post_accumulate_grad_hook",
                    "retain_grad", "share_memory_", "pin_memory", "to"}


@pytest.mark.filterwarnings("ignore")
def test_every_tensor_method_that_takes_no_argument_gives_arrays():
    """A sweep over Tensor's public methods and properties, called on 0-d, 0-d integer and
    2-d tensors: every tensor they return holds a numpy array (calls that raise are skipped:
    they need arguments)."""
    checked = 0
    for name in sorted(n for n in dir(minigrad.Tensor) if not n.startswith("_")):
        if name in _SKIPPED_METHODS:
            continue
        for x in (minigrad.tensor(0.7), minigrad.tensor(3), minigrad.tensor([[0.5, 2.0]])):
            try:
                attr = getattr(x, name)
                result = attr() if callable(attr) else attr
            except Exception:  # a method that needs arguments
                continue
            for t in result if isinstance(result, tuple) else (result,):
                if isinstance(t, minigrad.Tensor):
                    checked += 1
                    assert type(t._data) is np.ndarray, (name, type(t._data))
    assert checked > 100
