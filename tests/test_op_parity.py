"""Every case of tests/op_parity_cases.py run twice, once with `torch` and once with `minigrad`
as the module, on the same float32 (or int64) inputs: the outputs must agree in shape, dtype and
value, and the gradients of their sum with respect to every floating point input must agree
(None where torch's is None). Each op's own test file checks it on cuda; this one is about the
breadth of PyTorch's surface, so the cpu suffices. The edge cases (empty tensors, NaN and inf,
negative dims, keepdim, 0-d tensors, promotion) must agree in value, or both raise with
minigrad's error an instance of torch's class."""
import zlib

import numpy as np
import pytest

import minigrad
from op_parity_cases import CASES, EDGE_CASES

torch = pytest.importorskip("torch")


def _inputs(case_id, shapes, options):
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    arrays = []
    for shape in shapes:
        if options.get("ints"):
            arrays.append(rng.integers(options.get("low", -5), options.get("high", 5), shape))
        elif options.get("pos"):
            arrays.append(rng.uniform(0.5, 2.0, shape).astype(np.float32))
        else:
            arrays.append(rng.uniform(options.get("low", -2), options.get("high", 2),
                                      shape).astype(np.float32))
    return arrays


def _dtype_name(dtype):
    return str(dtype).split(".")[-1]


def _compare(ours, theirs, rtol, atol, what):
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape"
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype), \
        f"{what}: dtype {ours.dtype} vs torch {theirs.dtype}"
    got, expected = ours.detach().cpu().numpy(), theirs.detach().numpy()
    if np.issubdtype(expected.dtype, np.floating):
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


@pytest.mark.cpu_suffices
@pytest.mark.parametrize("case_id,shapes,call,options", CASES, ids=[c[0] for c in CASES])
def test_op_matches_torch(device, case_id, shapes, call, options):
    arrays = _inputs(case_id, shapes, options)
    differentiable = not options.get("forward") and not options.get("ints")
    ref = [torch.tensor(a, requires_grad=differentiable) for a in arrays]
    ours = [minigrad.tensor(a, device=device, requires_grad=differentiable) for a in arrays]
    expected = call(torch, *ref)
    got = call(minigrad, *ours)
    _compare(got, expected, 1e-4, 1e-5, "forward")
    if not differentiable or not expected.requires_grad:
        return
    expected_grads = torch.autograd.grad(expected.sum(), ref, allow_unused=True)
    grads = minigrad.autograd.grad(got.sum(), ours, allow_unused=True)
    for i, (g, e) in enumerate(zip(grads, expected_grads)):
        if e is None:
            assert g is None or not np.any(g.cpu().numpy()), f"input {i}: torch has no gradient"
            continue
        assert g is not None, f"input {i}: no gradient"
        _compare(g, e, 1e-3, 1e-4, f"gradient of input {i}")


def _outcome(call, m):
    try:
        return call(m), None
    except Exception as err:  # the comparison below decides whether the error matches
        return None, err


@pytest.mark.parametrize("case_id,call", EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_matches_torch(case_id, call):
    expected, torch_error = _outcome(call, torch)
    got, error = _outcome(call, minigrad)  # built on the default device, the cpu
    if torch_error is not None:
        assert error is not None, f"torch raises {type(torch_error).__name__}, minigrad not"
        assert isinstance(error, type(torch_error)), \
            f"minigrad raises {type(error).__name__}, torch {type(torch_error).__name__}"
        return
    assert error is None, f"minigrad raises {error!r}"
    _compare(got, expected, 1e-6, 1e-7, "forward")
