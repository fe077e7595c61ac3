"""The multi-tensor optimizer steps: a parameter group is updated a few parameters per kernel
call (PyTorch's multi-tensor apply), with the same results as PyTorch's single-tensor loop,
whatever the number of parameters per call, the shapes (empty ones too), layouts, dtypes and
repeated parameters; and their operand checks, which run before anything is written."""
import numpy as np
import pytest

import minigrad
from launch_counter import count_launches
from minigrad import optim
from minigrad.backend import get_backend
from minigrad.backend.checks import KernelOperandError
from minigrad.backend.update_rules import SGDScalars

SHAPES = [(3, 2), (5,), (1,), (0,), (2, 2, 2), (4,), (2, 3)]
CONFIGS = [("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
           ("SGD", dict(lr=0.1)),
           ("Adam", dict(lr=0.05, amsgrad=True)),
           ("AdamW", dict(lr=0.05, weight_decay=0.1)),
           ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5))]


def _per_call(device, count):
    """Run the device's fused steps `count` parameters per kernel call."""
    if device == "cpu":
        from minigrad.backend.cpu import _config
        return _config.override(optim_tensors_per_call=count)
    from minigrad.backend.cuda import _launch
    return _launch.override(optimizer_tensors_per_launch=count)


def _run(torch, device, name, kwargs, inits, steps=3, dtype="float64", foreach=None):
    """Step minigrad's and torch's optimizer `name` with the same gradients; both params."""
    rng = np.random.default_rng(3)
    ours = [minigrad.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in inits]
    theirs = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True) for a in inits]
    opt = getattr(optim, name)(ours, **kwargs)
    reference = getattr(torch.optim, name)(theirs, foreach=foreach, **kwargs)
    for _ in range(steps):
        for p, q in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            p.grad = minigrad.tensor(g, dtype=dtype, device=device)
            q.grad = torch.tensor(g, dtype=getattr(torch, dtype))
        opt.step()
        reference.step()
    return [p.numpy() for p in ours], [q.detach().numpy() for q in theirs]


@pytest.mark.parametrize("per_call", [1, 3, 8])
@pytest.mark.parametrize("name,kwargs", CONFIGS)
def test_a_group_updated_in_chunks_matches_torch(device, per_call, name, kwargs):
    torch = pytest.importorskip("torch")
    inits = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate(SHAPES)]
    with _per_call(device, per_call):
        ours, theirs = _run(torch, device, name, kwargs, inits)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kwargs", CONFIGS[2::2])
def test_a_parameter_listed_twice_is_updated_twice_in_turn(device, name, kwargs):
    """(Not SGD: PyTorch's SGD reads every momentum buffer before updating any, so a repeated
    parameter's second update starts from no buffer there.)"""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(4)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        ours = [minigrad.tensor(x, dtype="float64", device=device, requires_grad=True)
                for x in (a, b)]
        opt = getattr(optim, name)([ours[0], ours[1], ours[0]], **kwargs)
    theirs = [torch.tensor(x, requires_grad=True) for x in (a, b)]
    with pytest.warns(UserWarning):
        reference = getattr(torch.optim, name)([theirs[0], theirs[1], theirs[0]],
                                               foreach=False, **kwargs)
    for _ in range(2):
        for p, q in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            p.grad = minigrad.tensor(g, device=device)
            q.grad = torch.tensor(g)
        opt.step()
        reference.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_float32_and_float64_parameters_of_one_group(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    inits = [rng.standard_normal(3), rng.standard_normal((2, 2))]
    ours = [minigrad.tensor(inits[0], dtype="float32", device=device, requires_grad=True),
            minigrad.tensor(inits[1], dtype="float64", device=device, requires_grad=True)]
    theirs = [torch.tensor(inits[0], dtype=torch.float32, requires_grad=True),
              torch.tensor(inits[1], dtype=torch.float64, requires_grad=True)]
    opt, reference = optim.Adam(ours, lr=0.1), torch.optim.Adam(theirs, lr=0.1)
    for p, q in zip(ours, theirs):
        g = rng.standard_normal(p.shape)
        p.grad = minigrad.tensor(g, dtype=p.dtype, device=device)
        q.grad = torch.tensor(g, dtype=q.dtype)
    opt.step()
    reference.step()
    np.testing.assert_allclose(ours[0].numpy(), theirs[0].detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours[1].numpy(), theirs[1].detach().numpy(), rtol=1e-12)


def test_non_contiguous_parameters_are_updated_through_copies(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    base = minigrad.tensor(rng.standard_normal((3, 4)), device=device)
    leaf = base.t().detach().requires_grad_()  # a transposed leaf: not contiguous
    other = minigrad.tensor(rng.standard_normal(5), device=device, requires_grad=True)
    theirs = [torch.tensor(leaf.numpy(), requires_grad=True),
              torch.tensor(other.numpy(), requires_grad=True)]
    opt = optim.SGD([leaf, other], lr=0.1, momentum=0.9)
    reference = torch.optim.SGD(theirs, lr=0.1, momentum=0.9)
    for _ in range(2):
        for p, q in zip((leaf, other), theirs):
            g = rng.standard_normal(p.shape)
            p.grad = minigrad.tensor(g, device=device)
            q.grad = torch.tensor(g)
        opt.step()
        reference.step()
    for p, q in zip((leaf, other), theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-12)


@pytest.mark.cuda_only
def test_one_launch_per_chunk_of_parameters_on_cuda(monkeypatch):
    if not minigrad.cuda.is_available():
        pytest.skip("needs the cuda device (a GPU or the simulator)")
    from minigrad.backend.cuda import _launch
    launched = count_launches(monkeypatch)
    params = [minigrad.zeros(2, device="cuda", requires_grad=True) for _ in range(10)]
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    for p in params:
        p.grad = minigrad.ones(2, device="cuda")
    opt.step()
    launched.clear()
    opt.step()
    per_launch = _launch.get_config().optimizer_tensors_per_launch
    assert launched == ["_sgd_kernel"] * -(-10 // per_launch)
    np.testing.assert_allclose(params[3].numpy(), [-0.29, -0.29])


def test_multi_tensor_step_checks_every_operand_before_writing(device):
    kernels = get_backend(device)
    scalars = SGDScalars(lr=0.1, momentum=0.9, dampening_complement=1.0, weight_decay=0.0,
                         nesterov=False, maximize=False, first_step=False)
    params = [minigrad.ones(3, device=device, dtype="float64"),
              minigrad.ones(4, device=device, dtype="float64")]
    grads = [minigrad.ones(3, device=device, dtype="float64"),
             minigrad.ones(5, device=device, dtype="float64")]
    buffers = [minigrad.zeros(3, device=device, dtype="float64"),
               minigrad.zeros(4, device=device, dtype="float64")]

    def arrays(tensors):
        return [t._data for t in tensors]

    with pytest.raises(KernelOperandError, match="grad has shape"):
        kernels.sgd_multi_tensor_step(arrays(params), arrays(grads), arrays(buffers), scalars)
    np.testing.assert_array_equal(params[0].numpy(), np.ones(3))
    with pytest.raises(KernelOperandError, match="grad must be a list of 2 arrays"):
        kernels.sgd_multi_tensor_step(arrays(params), arrays(grads[:1]), arrays(buffers),
                                      scalars)
    with pytest.raises(KernelOperandError, match="must share a dtype"):
        kernels.sgd_multi_tensor_step(
            arrays(params) + [minigrad.ones(2, device=device)._data],
            arrays(grads[:1]) + [minigrad.ones(4, device=device, dtype="float64")._data,
                                 minigrad.ones(2, device=device)._data],
            arrays(buffers) + [minigrad.ones(2, device=device)._data], scalars)
