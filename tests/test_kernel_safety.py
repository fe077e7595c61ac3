"""No Python call may crash the interpreter or corrupt memory through a compiled kernel: `.grad`
assignment checks shape, dtype and device as PyTorch does, and the fused optimizer kernels
check their operands before they run (a hypothesis sweep in a child process, where a signal
would show)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.backend import get_backend
from minigrad.backend.checks import KernelOperandError
from minigrad.backend.update_rules import SGDScalars

torch = pytest.importorskip("torch")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("make_grad,error,match", [
    (lambda m: m.ones(3), RuntimeError, r"gradient of shape \(3,\) to a tensor of shape \(4,\)"),
    (lambda m: m.ones(4, 1), RuntimeError, "same shape"),
    (lambda m: m.ones(4, dtype=m.float64), RuntimeError, "dtype float64"),
    (lambda m: m.ones(4, dtype=m.int64), RuntimeError, "same dtype"),
    (lambda m: 3.0, TypeError, "Tensor or None but got grad of type float"),
    (lambda m: np.ones(4, np.float32), TypeError, "Tensor or None"),
])
def test_grad_assignment_is_checked_as_torch_checks_it(make_grad, error, match):
    p = minigrad.zeros(4, requires_grad=True)
    with pytest.raises(error, match=match):
        p.grad = make_grad(minigrad)
    assert p.grad is None
    with pytest.raises(error):
        torch.zeros(4, requires_grad=True).grad = make_grad(torch)
    p.grad = minigrad.ones(4)
    assert p.grad.shape == (4,)
    p.grad = None
    assert p.grad is None


def test_a_tensor_cannot_be_its_own_grad():
    p = minigrad.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="its own grad"):
        p.grad = p
    del p.grad
    assert p.grad is None


def test_grad_on_another_device_is_refused():
    if not minigrad.cuda.is_available():
        pytest.skip("needs the cuda device (a GPU or the simulator)")
    p = minigrad.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="same device"):
        p.grad = minigrad.zeros(2, device="cuda")


def test_a_short_grad_no_longer_corrupts_a_large_parameter():
    """The reported case: a 3-element grad on a 1,000,000-element parameter was accepted, and
    SGD then read past it and wrote garbage into the weights."""
    p = minigrad.zeros(1_000_000, requires_grad=True)
    with pytest.raises(RuntimeError, match="same shape"):
        p.grad = minigrad.ones(3)
    optim.SGD([p], lr=0.1).step()  # no grad: nothing to do
    assert not p.numpy().any()


def test_int_data_on_a_tensor_that_requires_grad_is_refused_as_in_torch():
    p = minigrad.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        p.data = minigrad.zeros(3, dtype=minigrad.int64)
    with pytest.raises(RuntimeError, match="floating point"):
        torch.zeros(3, requires_grad=True).data = torch.zeros(3, dtype=torch.int64)
    assert p.dtype == minigrad.float32


def _state_copy(opt, p):
    return {k: v.numpy().copy() if isinstance(v, minigrad.Tensor) else v
            for k, v in opt.state[p].items()}


@pytest.mark.parametrize("make", [lambda p: optim.SGD([p], lr=0.1, momentum=0.9),
                                  lambda p: optim.Adam([p], amsgrad=True),
                                  lambda p: optim.AdamW([p]),
                                  lambda p: optim.RMSprop([p], momentum=0.5, centered=True)])
@pytest.mark.parametrize("new_shape", [(6,), (2,), (4, 1), ()])
def test_a_step_after_data_is_resized_raises_and_changes_nothing(make, new_shape, device):
    """torch raises RuntimeError here too (its state has the old shape); minigrad used to
    crash with a segmentation fault."""
    p = minigrad.ones(4, device=device, requires_grad=True)
    opt = make(p)
    p.grad = minigrad.ones(4, device=device)
    opt.step()
    before = _state_copy(opt, p)
    p.data = minigrad.zeros(*new_shape, device=device)
    p.grad = minigrad.ones(*new_shape, device=device)
    with pytest.raises(RuntimeError, match="has shape"):
        opt.step()
    assert not p.numpy().any()
    after = _state_copy(opt, p)
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value)


def test_a_grad_left_from_before_a_resize_is_refused_by_the_kernel():
    p = minigrad.ones(4, requires_grad=True)
    p.grad = minigrad.ones(4)
    p.data = minigrad.zeros(1000)
    with pytest.raises(KernelOperandError, match=r"grad has shape \(4,\), but param has shape"):
        optim.SGD([p], lr=0.1).step()
    assert not p.numpy().any()


def test_a_step_after_a_dtype_change_raises():
    p = minigrad.ones(3, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = minigrad.ones(3)
    opt.step()
    p.data = minigrad.zeros(3, dtype=minigrad.float64)
    p.grad = minigrad.ones(3, dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match="dtype float32, but param has dtype float64"):
        opt.step()


@pytest.mark.parametrize("operands,match", [
    ((np.ones(5), np.ones(4), np.ones(5)), "grad has shape"),
    ((np.ones(5), np.ones(5), np.ones(5, np.float32)), "momentum_buffer has dtype float32"),
    ((np.ones(5, np.int64), np.ones(5, np.int64), np.ones(5, np.int64)), "param has dtype int64"),
    ((np.ones(5), [1.0] * 5, np.ones(5)), "grad must be ndarray"),
    ((np.ones(5), np.ones(5), None), "momentum_buffer must be ndarray"),
    ((np.broadcast_to(np.ones(1), (5,)), np.ones(5), np.ones(5)), "param is read-only"),
])
def test_backend_steps_check_their_operands(operands, match):
    scalars = SGDScalars(lr=0.1, momentum=0.9, dampening_complement=1.0, weight_decay=0.0,
                         nesterov=False, maximize=False, first_step=False)
    with pytest.raises(KernelOperandError, match=match):
        get_backend("cpu").sgd_step(*operands, scalars)


def test_mismatched_operands_sweep_in_a_child_process_never_gets_a_signal():
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "kernel_operand_sweep.py"),
                             "40"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok"), result.stdout
