"""The fused optimizer kernels of the cuda backend: their operand checks before any launch, and
empty parameters. (SGD, Adam, AdamW and RMSprop on cuda, flag by flag, in float64 and float32
and on non-contiguous parameters, are the cuda cases of tests/test_optim.py, against torch.)"""
import numpy as np
import pytest

from cuda_helpers import dev, host
from minigrad.backend.checks import KernelOperandError
from minigrad.backend.update_rules import SGDScalars


def _sgd_scalars(lr, momentum, dampening, weight_decay, nesterov, maximize, first_step):
    return SGDScalars(lr, momentum, 1 - dampening, weight_decay, nesterov, maximize, first_step)


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
