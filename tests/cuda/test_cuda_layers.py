"""Layers on device="cuda" whose device-parametrized tests are cpu-only (folding, pixel
shuffling, attention, recurrent cells: tests/test_attention_rnn_fold.py runs for minutes in the
simulator): values and every input's gradient against the same op on the cpu, float64, tiny
shapes; and a gradcheck on the device for a few of them. (The other layers' values and
gradients on cuda are the cuda cases of tests/test_*.py, against torch.)"""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.functions import rnn as F_rnn

rng = np.random.default_rng(11)
X = rng.standard_normal((3, 4))
IMAGES = rng.standard_normal((2, 3, 2, 3))
UNIT = rng.uniform(-0.9, 0.9, (3, 4))

# name -> (function of the float leaves, leaf values, constant arrays passed after them)
CASES = {
    "prelu": (F.prelu, [IMAGES, rng.random(3)], []),
    "erfinv": (minigrad.erfinv, [UNIT], []),
    "unfold": (lambda x: F.unfold(x, 2, padding=1, stride=(1, 2)), [IMAGES], []),
    "fold": (lambda x: F.fold(x, (2, 3), (1, 2), padding=(0, 1)), [rng.standard_normal(
        (1, 4, 8))], []),
    "pixel_shuffle": (lambda x: F.pixel_unshuffle(F.pixel_shuffle(x.reshape(1, 4, 3, 3), 2),
                                                  1), [IMAGES[:, :, :, :3].copy()], []),
    "sdpa": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
             [X[:, :2], X[:, 1:3], X[:, 2:]], []),
    "lstm_cell": (lambda x, h, c, wi, wh: F_rnn.lstm_cell(x, (h, c), wi, wh),
                  [X[:2, :3], X[:2, :1], X[1:, :1], rng.standard_normal((4, 3)),
                   rng.standard_normal((4, 1))], []),
    "gru_cell": (lambda x, h, wi, wh, bi, bh: F_rnn.gru_cell(x, h, wi, wh, bi, bh),
                 [X[:2, :3], X[:2, :1], rng.standard_normal((3, 3)),
                  rng.standard_normal((3, 1)), rng.standard_normal(3), rng.standard_normal(3)],
                 []),
}


def _run(case, device):
    fn, leaves, constants = CASES[case]
    tensors = [minigrad.tensor(a, dtype=minigrad.float64, device=device, requires_grad=True)
               for a in leaves]
    fixed = [minigrad.tensor(c, device=device) for c in constants]
    out = fn(*tensors, *fixed)
    outs = out if isinstance(out, tuple) else (out,)
    total = 0
    for k, o in enumerate(outs):
        weights = np.linspace(-1.0, 1.0 + k, o.numel()).reshape(tuple(o.shape))
        total = total + (o * minigrad.tensor(weights, dtype=o.dtype, device=device)).sum()
    total.backward()
    return outs, [t.grad for t in tensors]


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_the_cpu(case):
    outs, grads = _run(case, "cuda")
    expected, expected_grads = _run(case, "cpu")
    assert all(o.device.type == "cuda" for o in outs)
    assert all(g.device.type == "cuda" for g in grads)
    for out, exp in zip(outs, expected):
        np.testing.assert_allclose(out.numpy(), exp.numpy(), rtol=1e-10, atol=1e-12)
    for grad, expected_grad in zip(grads, expected_grads):
        np.testing.assert_allclose(grad.numpy(), expected_grad.numpy(), rtol=1e-10,
                                   atol=1e-12)


@pytest.mark.parametrize("case", ["erfinv", "prelu", "fold", "lstm_cell"])
def test_gradcheck_on_the_device(case):
    fn, leaves, constants = CASES[case]
    tensors = [minigrad.tensor(a, dtype=minigrad.float64, device="cuda", requires_grad=True)
               for a in leaves]
    fixed = [minigrad.tensor(c, device="cuda") for c in constants]
    assert minigrad.gradcheck(lambda *t: fn(*t, *fixed), tensors)


def test_multihead_attention_and_lstm_modules_on_the_device():
    rng_ = np.random.default_rng(3)
    for make, args in ((lambda: minigrad.nn.MultiheadAttention(4, 2), (rng_.standard_normal(
            (2, 1, 4)),) * 3), (lambda: minigrad.nn.LSTM(2, 2, num_layers=2),
                                (rng_.standard_normal((2, 1, 2)),))):
        minigrad.manual_seed(0)
        cpu_layer = make().double()
        cuda_layer = make().double()
        cuda_layer.load_state_dict(cpu_layer.state_dict())
        cuda_layer.to("cuda")
        out_cpu = cpu_layer(*[minigrad.tensor(a) for a in args])[0]
        out_cuda = cuda_layer(*[minigrad.tensor(a, device="cuda") for a in args])[0]
        assert out_cuda.device.type == "cuda"
        np.testing.assert_allclose(out_cuda.detach().numpy(), out_cpu.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
