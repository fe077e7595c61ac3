"""Anomaly detection: the backward pass names the node that first returns NaN, as PyTorch's
does; the switches and context managers restore the previous state."""
import warnings

import pytest

import minigrad
from minigrad.autograd import detect_anomaly, set_detect_anomaly

CASES = {  # the first node to return NaN going backward: sqrt's at 0 (0 * inf)
    "sqrt": lambda lib, x: (x.sqrt() * 0).sum(),
    "log": lambda lib, x: (lib.log(x) * 0).sum() + x.sum(),
    "pow": lambda lib, x: ((x ** 0.5) * 0).mean(),
}


def _message(lib, case, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lib.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match="returned nan values") as info:
                CASES[case](lib, x).backward()
    return str(info.value)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_failing_node_is_named_as_in_torch(device, case):
    torch = pytest.importorskip("torch")
    x = minigrad.tensor([0.0, 1.0], device=device, requires_grad=True)
    got = _message(minigrad, case, x)
    assert x.grad is None  # the pass stopped before reaching the leaf
    assert got == _message(torch, case, torch.tensor([0.0, 1.0], requires_grad=True))


def test_switches_and_restoring():
    assert not minigrad.is_anomaly_enabled() and minigrad.is_anomaly_check_nan_enabled()
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        manager = detect_anomaly(check_nan=False)
    with manager:
        assert minigrad.is_anomaly_enabled() and not minigrad.is_anomaly_check_nan_enabled()
        x = minigrad.tensor([0.0], requires_grad=True)
        (x.sqrt() * 0).sum().backward()  # check_nan=False: NaN flows through
        assert x.grad.isnan().all()
    assert not minigrad.is_anomaly_enabled() and minigrad.is_anomaly_check_nan_enabled()
    set_detect_anomaly(True)
    try:
        assert minigrad.is_anomaly_enabled()
        with set_detect_anomaly(False):
            assert not minigrad.is_anomaly_enabled()
        assert minigrad.is_anomaly_enabled()
    finally:
        set_detect_anomaly(False)
    x = minigrad.tensor([0.0], requires_grad=True)
    (x.sqrt() * 0).sum().backward()  # off: no check
    assert x.grad.isnan().all()
