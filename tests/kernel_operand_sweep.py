"""A hypothesis sweep of mismatched operands through compiled kernels, run as a child process
by tests/test_kernel_safety.py: a kernel that read or wrote past a buffer would kill this
process with a signal (or corrupt memory) instead of raising, which the parent sees.

Each optimizer case hands a backend step, and an optimizer through its Python API, operands
that differ from the parameter in shape, size, dtype, layout or writability, and checks that a
clean KernelOperandError comes back and that nothing was written. The conv, pool, linear and
matmul cases call the public functions with shapes, dtypes and geometry drawn without regard
to fit; any exception is fine, a signal is not. Prints "ok <cases>" at the end.

    python tests/kernel_operand_sweep.py [max_examples]
"""
import sys

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import optim
from minigrad.backend import get_backend
from minigrad.backend.checks import KernelOperandError
from minigrad.backend.update_rules import AdamScalars, RMSpropScalars, SGDScalars

SGD = SGDScalars(lr=0.1, momentum=0.9, dampening_complement=1.0, weight_decay=0.1,
                 nesterov=False, maximize=False, first_step=False)
ADAM = AdamScalars(lerp_weight=0.1, beta2=0.999, beta2_complement=0.001, eps=1e-8,
                   weight_decay=0.0, decay_factor=1.0, decoupled_weight_decay=False,
                   amsgrad=True, maximize=False, step_size=0.01, bias_correction2_sqrt=0.1)
RMSPROP = RMSpropScalars(lr=0.01, alpha=0.99, alpha_complement=0.01, eps=1e-8,
                         weight_decay=0.0, momentum=0.5, centered=True, maximize=False)
STEPS = {"sgd_step": (2, SGD), "adam_step": (4, ADAM), "rmsprop_step": (4, RMSPROP)}

settings.register_profile("sweep", deadline=None, database=None,
                          max_examples=int(sys.argv[1]) if len(sys.argv) > 1 else 60,
                          suppress_health_check=list(HealthCheck))
settings.load_profile("sweep")

shapes = st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple)
cases = {"count": 0, "ran": 0}


def _operand(draw, shape, dtype):
    """An array that fits (shape, dtype) or, when hypothesis picks a fault, does not."""
    fault = draw(st.sampled_from(["none", "none", "shape", "dtype", "transposed", "read-only",
                                  "broadcast", "list"]))
    if fault == "shape":
        other = draw(shapes.filter(lambda s: s != shape))
        return np.ones(other, dtype), True
    if fault == "dtype":
        return np.ones(shape, draw(st.sampled_from([np.int64, np.bool_, np.float16,
                                                    np.complex64]))), True
    if fault == "transposed":  # a layout, not a fault: it is updated through a copy
        return np.ones(shape[::-1], dtype).T, False
    if fault == "read-only":
        array = np.ones(shape, dtype)
        array.flags.writeable = False
        return array, "write"
    if fault == "broadcast":
        return np.broadcast_to(np.ones((1,) * len(shape), dtype), shape), "write"
    if fault == "list":
        return np.ones(shape, dtype).tolist(), True
    return np.ones(shape, dtype), False


@st.composite
def kernel_calls(draw):
    name = draw(st.sampled_from(sorted(STEPS)))
    count, scalars = STEPS[name]
    shape = draw(shapes)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    param = np.ones(shape, dtype)
    operands, faults = [], []
    for i in range(count):
        array, fault = _operand(draw, shape, dtype)
        if i == 0 and fault == "write":  # grad is read only: read-only or broadcast is fine
            fault = False
        operands.append(array)
        faults.append(fault)
    return name, param, operands, any(faults), scalars


@given(call=kernel_calls())
def sweep_backend(call):
    name, param, operands, bad, scalars = call
    cases["count"] += 1
    before = param.copy()
    step = getattr(get_backend("cpu"), name)
    try:
        step(param, *operands, scalars)
    except KernelOperandError:
        assert bad, f"{name} refused fitting operands"
        np.testing.assert_array_equal(param, before)  # nothing was written
        return
    described = [(np.shape(a), getattr(a, "dtype", None)) for a in operands]
    assert not bad, f"{name} accepted {described}"


def _optimizers(p):
    return [optim.SGD([p], lr=0.1, momentum=0.9), optim.Adam([p], amsgrad=True),
            optim.RMSprop([p], momentum=0.5, centered=True)]


@given(old=shapes.filter(lambda s: 0 not in s), new=shapes, kind=st.integers(0, 2),
       dtype=st.sampled_from(["float32", "float64"]))
def sweep_resized_parameters(old, new, kind, dtype):
    """Step, then replace `p.data` with another shape (and dtype), then step again."""
    cases["count"] += 1
    p = minigrad.ones(*old, requires_grad=True)
    opt = _optimizers(p)[kind]
    p.grad = minigrad.ones(*old)
    opt.step()
    p.data = minigrad.zeros(*new, dtype=dtype)
    if tuple(new) != tuple(old) or dtype != "float32":
        try:
            p.grad = minigrad.ones(*new, dtype=dtype)
        except RuntimeError:
            raise AssertionError("a grad of the new shape must be accepted") from None
        try:
            opt.step()
        except KernelOperandError:
            np.testing.assert_array_equal(p.numpy(), np.zeros(new, dtype))
            return
        raise AssertionError("a step with state of the old shape or dtype must raise")


small = st.integers(0, 4)
geometry = st.sampled_from([1, 1, 1, 2, 3, 0, -1])  # strides, windows: mostly valid
dtypes = st.sampled_from(["float32", "float64", "int64"])


def _tensor(shape, dtype):
    return minigrad.ones(*shape, dtype=dtype)


def _near(draw, shape):
    """`shape`, or (sometimes) a shape one change away: a dim altered, dropped or added."""
    shape = list(shape)
    change = draw(st.sampled_from(["none", "none", "none", "dim", "drop", "add"]))
    if change == "dim" and shape:
        shape[draw(st.integers(0, len(shape) - 1))] = draw(small)
    elif change == "drop" and shape:
        shape.pop()
    elif change == "add":
        shape.append(draw(small))
    return shape


@st.composite
def public_kernel_calls(draw):
    """A call to a public kernel-backed function: mostly well-formed, sometimes not."""
    kind = draw(st.sampled_from(["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
                                 "linear", "matmul"]))
    n, c, h, w_, out, k = (draw(small) for _ in range(6))
    dtype = draw(dtypes)
    x = _tensor(_near(draw, (n, c, h, w_)), dtype)
    weight = _tensor(_near(draw, (out, c, k, k) if kind == "conv2d" else
                           (c, out, k, k) if kind == "conv_transpose2d" else (out, w_)),
                     draw(st.sampled_from([dtype, dtype, "float64"])))
    bias = _tensor(_near(draw, (out,)), dtype) if draw(st.booleans()) else None
    g = {"stride": draw(geometry), "padding": draw(st.sampled_from([0, 0, 1, 2, -1])),
         "dilation": draw(geometry)}
    groups, window = draw(st.integers(0, 3)), draw(geometry)
    if kind == "conv2d":
        return lambda: F.conv2d(x, weight, bias, groups=groups, **g)
    if kind == "conv_transpose2d":
        return lambda: F.conv_transpose2d(x, weight, bias, stride=g["stride"],
                                          padding=g["padding"], dilation=g["dilation"])
    if kind == "max_pool2d":
        return lambda: F.max_pool2d(x, window, **g)
    if kind == "avg_pool2d":
        return lambda: F.avg_pool2d(x, window, stride=g["stride"], padding=g["padding"])
    if kind == "linear":
        return lambda: F.linear(x, weight, bias)
    return lambda: x @ weight


@given(call=public_kernel_calls())
def sweep_public_kernels(call):
    cases["count"] += 1
    try:
        call()
    except Exception:  # noqa: BLE001 (a clean exception of any kind is the expected outcome)
        return
    cases["ran"] += 1


if __name__ == "__main__":
    sweep_backend()
    sweep_resized_parameters()
    sweep_public_kernels()
    print("ok", cases["count"], "cases,", cases["ran"], "public calls ran a kernel")
