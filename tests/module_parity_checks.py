"""The comparisons behind tests/test_module_parity*.py: one module of torch.nn and its minigrad
twin, built with the same constructor arguments, compared in structure (repr, state_dict keys,
shapes and order, named parameters / buffers / modules), in default initialisation, and, after
the torch module's state is copied into minigrad's, in outputs, gradients of inputs and
parameters, and the buffers a forward pass updates.

A `Case` is what a spec draws: the constructor's arguments and the inputs of one forward call
(numpy arrays; floating ones require grad unless listed in `no_grad`).
"""
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import settings

import minigrad
import minigrad.nn

torch = pytest.importorskip("torch")


def examples(n):
    """n drawn cases per test under the default "ci" profile (the tests stay cheap); under
    another profile ("thorough"), that profile's count."""
    ci = settings.get_profile("ci").max_examples
    return n if settings.default.max_examples == ci else settings.default.max_examples


@dataclass
class Case:
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)
    no_grad: tuple = ()          # positions of floating inputs that must not require grad
    call_kwargs: dict = field(default_factory=dict)


def build(lib, name, case, builder=None):
    """`lib.nn.<name>(*case.args, **case.kwargs)`, or `builder(lib, case)` for containers."""
    if builder is not None:
        return builder(lib, case)
    kwargs = {k: _lib_tensor(lib, v) for k, v in case.kwargs.items()}
    return getattr(lib.nn, name)(*case.args, **kwargs)


def _lib_tensor(lib, value):
    """A numpy constructor argument (a loss's class weights) as `lib`'s float32 tensor."""
    if not isinstance(value, np.ndarray):
        return value
    return lib.tensor(value.astype(np.float32) if value.dtype.kind == "f" else value)


def pair(name, case, builder=None, dtype="float32"):
    """(torch module, minigrad module) with minigrad's state copied from torch's."""
    torch.manual_seed(0)
    t = build(torch, name, case, builder)
    m = build(minigrad, name, case, builder)
    if dtype == "float64":
        t.double()
        m.double()
    m.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return t, m


def structure(module):
    """Everything about a module's layout that a user or a checkpoint sees."""
    return {
        "repr": repr(module),
        "state_dict": [(k, tuple(v.shape)) for k, v in module.state_dict().items()],
        "parameters": [(k, tuple(p.shape)) for k, p in module.named_parameters()],
        "buffers": [(k, tuple(b.shape)) for k, b in module.named_buffers()],
        "modules": [(k, type(s).__name__) for k, s in module.named_modules()],
        "training": [s.training for s in module.modules()],
    }


def assert_same_structure(t, m):
    st, sm = structure(t), structure(m)
    for key in st:
        assert sm[key] == st[key], (key, sm[key], st[key])


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [y for x in out for y in _flat(x)]
    return [out]


def _tensors(case, dtype):
    """The case's inputs as (minigrad, torch) lists, tuples kept; also the flat list of
    (minigrad, torch) leaves."""
    leaves = []

    def convert(i, a):
        if a is None:
            return None, None
        if isinstance(a, tuple):
            pairs = [convert(i, b) for b in a]
            return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
        a = np.asarray(a)
        floating = a.dtype.kind == "f"
        if floating:
            a = a.astype(dtype)
        grad = floating and i not in case.no_grad
        pair_ = minigrad.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)
        leaves.append(pair_)
        return pair_

    converted = [convert(i, a) for i, a in enumerate(case.inputs)]
    return [c[0] for c in converted], [c[1] for c in converted], leaves


def _close(a, b, dtype, rtol, atol, what):
    tol = (rtol, atol) if dtype == "float32" else (1e-7, 1e-9)
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=tol[0], atol=tol[1], err_msg=what)


def assert_same_call(t, m, case, dtype, rtol=1e-4, atol=1e-5, grads=True):
    """One forward (and backward of a random weighting of the outputs) in both: outputs,
    dtypes, gradients of inputs and parameters, and the state afterwards must agree. Where
    torch refuses the call, minigrad must raise an instance of torch's class."""
    ms, ts, leaves = _tensors(case, dtype)
    try:
        out_t = _flat(t(*ts, **case.call_kwargs))
    except Exception as e:  # noqa: BLE001 - a drawn case torch refuses: minigrad must too
        with pytest.raises(type(e)):
            m(*ms, **case.call_kwargs)
        return
    out_m = _flat(m(*ms, **case.call_kwargs))
    assert len(out_m) == len(out_t)
    rng = np.random.default_rng(3)
    total_t, total_m = 0, 0
    for i, (a, b) in enumerate(zip(out_m, out_t)):
        if b is None:
            assert a is None
            continue
        assert tuple(a.shape) == tuple(b.shape), ("output", i, tuple(a.shape), tuple(b.shape))
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], (a.dtype, b.dtype)
        _close(a.detach().numpy(), b.detach().numpy(), dtype, rtol, atol, f"output {i}")
        if b.requires_grad and b.dtype.is_floating_point:
            assert a.requires_grad, f"output {i} lost requires_grad"
            w = rng.standard_normal(tuple(b.shape))
            total_t = total_t + (b * torch.tensor(w, dtype=b.dtype)).sum()
            total_m = total_m + (a * minigrad.tensor(w, dtype=a.dtype)).sum()
    if grads and not isinstance(total_t, int):
        total_t.backward()
        total_m.backward()
        for i, (a, b) in enumerate(leaves):
            if b.requires_grad:
                ga = None if a.grad is None else a.grad.numpy()
                if b.grad is None:
                    assert ga is None or not np.any(ga), f"input {i} grad"
                else:
                    _close(ga, b.grad.numpy(), dtype, 10 * rtol, 10 * atol, f"input {i} grad")
        params_m = dict(m.named_parameters())
        for k, p in t.named_parameters():
            g = params_m[k].grad
            if p.grad is None:
                assert g is None or not np.any(g.numpy()), f"param {k} grad"
            else:
                assert g is not None, f"param {k} has no grad"
                _close(g.numpy(), p.grad.numpy(), dtype, 10 * rtol, 10 * atol, f"param {k} grad")
    sd_m = m.state_dict()
    for k, v in t.state_dict().items():
        _close(sd_m[k].numpy(), v.detach().numpy(), dtype, rtol, atol, f"state {k}")


def assert_same_init(t, m):
    """Default initialisation: constants equal, random ones of the same spread and bound."""
    params_m = dict(m.named_parameters())
    params_m.update(dict(m.named_buffers()))
    for k, p in list(t.named_parameters()) + list(t.named_buffers()):
        a, b = params_m[k].detach().numpy().astype(np.float64), p.detach().numpy()
        b = b.astype(np.float64)
        if b.size == 0:
            continue
        if np.all(b == b.flat[0]) or b.size < 200:
            if np.all(b == b.flat[0]):
                np.testing.assert_array_equal(a, b, err_msg=k)
            continue
        bound_t, bound_m = np.abs(b).max(), np.abs(a).max()
        assert 0.8 * bound_t <= bound_m <= 1.25 * bound_t, (k, bound_m, bound_t)
        assert 0.85 * b.std() <= a.std() <= 1.15 * b.std(), (k, a.std(), b.std())
        assert abs(a.mean() - b.mean()) <= 0.2 * b.std() + 1e-12, (k, a.mean(), b.mean())


def error_class(fn_torch, fn_minigrad):
    """Whether torch raises; if so minigrad must raise an instance of torch's class."""
    try:
        fn_torch()
    except Exception as e:  # noqa: BLE001 - any class torch chooses is the contract
        expected = type(e)
    else:
        return None
    with pytest.raises(Exception) as info:  # noqa: B017 - compared just below
        fn_minigrad()
    assert isinstance(info.value, expected), (type(info.value), expected, str(info.value))
    return expected
