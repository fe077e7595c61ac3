"""The fused optimizer updates of the cuda backend against the cpu backend's, flag by flag, on
contiguous and strided parameters and state; their operand checks; and SGD / Adam / AdamW /
RMSprop on device="cuda" against the same optimizers on the cpu over a few steps of a real
model."""
import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
from cuda_helpers import check, dev, host, strided_copy
from minigrad import optim
from minigrad.backend.checks import KernelOperandError
from minigrad.backend.update_rules import RMSpropScalars, SGDScalars
from minigrad.optim.adam import adam_scalars

rng = np.random.default_rng(11)

SGD_FLAGS = [dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False),
             dict(momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False),
             dict(momentum=0.9, dampening=0.3, weight_decay=0.01, nesterov=False, maximize=True),
             dict(momentum=0.8, dampening=0.0, weight_decay=0.1, nesterov=True, maximize=False)]
ADAM_FLAGS = [dict(weight_decay=0.0, decoupled_weight_decay=False, amsgrad=False, maximize=False),
              dict(weight_decay=0.1, decoupled_weight_decay=False, amsgrad=True, maximize=False),
              dict(weight_decay=0.5, decoupled_weight_decay=True, amsgrad=True, maximize=True),
              dict(weight_decay=0.01, decoupled_weight_decay=True, amsgrad=False, maximize=False)]


RMSPROP_FLAGS = [dict(momentum=0.0, centered=False, weight_decay=0.0, maximize=False),
                 dict(momentum=0.9, centered=True, weight_decay=0.1, maximize=False),
                 dict(momentum=0.5, centered=False, weight_decay=0.0, maximize=True)]


def _sgd_scalars(lr, momentum, dampening, weight_decay, nesterov, maximize, first_step):
    return SGDScalars(lr, momentum, 1 - dampening, weight_decay, nesterov, maximize, first_step)


def _rmsprop_scalars(lr, alpha, eps, **flags):
    return RMSpropScalars(lr=lr, alpha=alpha, alpha_complement=1 - alpha, eps=eps, **flags)


def _tolerance(dtype):
    return dict(rtol=1e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("flags", SGD_FLAGS)
@pytest.mark.parametrize("first_step", [True, False])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_step_matches_the_cpu(cu, cpu, flags, first_step, layout, dtype):
    param, grad, buf = (rng.standard_normal((3, 2)).astype(dtype) for _ in range(3))
    param_dev, buf_dev = strided_copy(param, layout), strided_copy(buf, layout)
    grad_dev = strided_copy(grad, "contiguous")
    scalars = _sgd_scalars(lr=0.05, first_step=first_step, **flags)
    cu.sgd_step(param_dev, grad_dev, buf_dev, scalars)
    cpu.sgd_step(param, grad, buf, scalars)
    check(param_dev, param, **_tolerance(dtype))
    check(buf_dev, buf, **_tolerance(dtype))


@pytest.mark.parametrize("flags", ADAM_FLAGS)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_step_matches_the_cpu(cu, cpu, flags, layout, dtype):
    param, grad, exp_avg = (rng.standard_normal((2, 3)).astype(dtype) for _ in range(3))
    exp_avg_sq, max_sq = (rng.random((2, 3)).astype(dtype) for _ in range(2))
    on_device = [strided_copy(a, layout) for a in (param, exp_avg, exp_avg_sq, max_sq)]
    scalars = adam_scalars(dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, **flags), step=3)
    cu.adam_step(on_device[0], dev(grad), *on_device[1:], scalars)
    cpu.adam_step(param, grad, exp_avg, exp_avg_sq, max_sq, scalars)
    for got, expected in zip(on_device, (param, exp_avg, exp_avg_sq, max_sq)):
        check(got, expected, **_tolerance(dtype))


@pytest.mark.parametrize("flags", RMSPROP_FLAGS)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rmsprop_step_matches_the_cpu(cu, cpu, flags, layout, dtype):
    param, grad, grad_avg, buf = (rng.standard_normal((2, 3)).astype(dtype) for _ in range(4))
    square_avg = rng.random((2, 3)).astype(dtype) + 1
    on_device = [strided_copy(a, layout) for a in (param, square_avg, grad_avg, buf)]
    scalars = _rmsprop_scalars(lr=0.01, alpha=0.9, eps=1e-8, **flags)
    cu.rmsprop_step(on_device[0], dev(grad), *on_device[1:], scalars)
    cpu.rmsprop_step(param, grad, square_avg, grad_avg, buf, scalars)
    for got, expected in zip(on_device, (param, square_avg, grad_avg, buf)):
        check(got, expected, **_tolerance(dtype))


def test_steps_check_their_operands_before_launching(cu):
    param = dev(np.zeros((2, 3), np.float32))
    scalars = _sgd_scalars(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0,
                           nesterov=False, maximize=False, first_step=False)
    bad = [((dev(np.ones(5, np.float32)), dev(np.ones((2, 3), np.float32))), "grad has shape"),
           ((dev(np.ones((2, 3), np.float32)), dev(np.ones((2, 3)))), "dtype float64"),
           ((dev(np.ones((2, 3), np.float32)), np.ones((2, 3), np.float32)), "another device"),
           ((dev(np.ones((2, 3), np.float32)), None), "momentum_buffer must be")]
    for operands, match in bad:
        with pytest.raises(KernelOperandError, match=match):
            cu.sgd_step(param, *operands, scalars)
    assert not host(param).any()
    expanded = cu.broadcast_to(dev(np.zeros((1, 3), np.float32)), (2, 3))
    with pytest.raises(KernelOperandError, match="param is read-only or a broadcast"):
        cu.sgd_step(expanded, dev(np.ones((2, 3), np.float32)), param, scalars)


def test_updates_of_an_empty_parameter_do_nothing(cu):
    empty = dev(np.zeros((0, 3), np.float32))
    cu.sgd_step(empty, empty, empty, _sgd_scalars(lr=0.1, momentum=0.9, dampening=0.0,
                                                  weight_decay=0.0, nesterov=False,
                                                  maximize=False, first_step=True))
    assert host(empty).shape == (0, 3)


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                                  lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
                                  lambda p: optim.AdamW(p, lr=0.01),
                                  lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5,
                                                          centered=True)])
def test_optimizers_on_cuda_follow_the_cpu(make):
    models = {}
    for device in ("cpu", "cuda"):
        minigrad.manual_seed(0)
        models[device] = nn.Linear(3, 2).to(device)
    models["cuda"].load_state_dict(models["cpu"].state_dict())
    x = rng.standard_normal((4, 3)).astype(np.float32)
    optimizers = {device: make(model.parameters()) for device, model in models.items()}
    for _ in range(3):
        for device, model in models.items():
            optimizers[device].zero_grad()
            (model(minigrad.tensor(x, device=device)) ** 2).mean().backward()
            optimizers[device].step()
    for name, param in models["cuda"].named_parameters():
        assert param.device.type == "cuda"
        np.testing.assert_allclose(param.numpy(), dict(models["cpu"].named_parameters())[
            name].numpy(), rtol=1e-5, atol=1e-6)
