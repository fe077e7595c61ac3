"""`nn.init`: gains and fans against PyTorch, the distributions each initialiser draws from
(bounds and moments), in-place semantics, reproducibility, and the layers' default init."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import nn
from minigrad.nn import init


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("conv_transpose1d", None), ("sigmoid", None),
    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
    ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_calculate_gain_matches_pytorch(nonlinearity, param):
    torch = pytest.importorskip("torch")
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity softsign"):
        init.calculate_gain("softsign")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=5))
def test_fan_in_and_fan_out_match_pytorch(shape):
    torch = pytest.importorskip("torch")
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(minigrad.empty(*shape)) == expected


def test_fan_needs_two_dims_and_a_valid_mode():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(minigrad.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minigrad.empty(3, 3), mode="fan_avg")


def _check_uniform(values, low, high):
    """All samples inside [low, high], spread over it: mean, std and extremes of U(low, high)
    within bounds that hold with overwhelming probability for >= 10^4 samples."""
    width = high - low
    assert values.min() >= low and values.max() <= high
    assert values.min() < low + 0.01 * width and values.max() > high - 0.01 * width
    assert abs(values.mean() - (low + high) / 2) < 0.02 * width
    assert abs(values.std() - width / math.sqrt(12)) < 0.02 * width


def _check_normal(values, mean, std):
    assert abs(values.mean() - mean) < 0.05 * std
    assert abs(values.std() - std) < 0.03 * std
    assert np.abs(values - mean).max() > 2.5 * std  # tails exist: not a uniform in disguise


# The statistics below need 10^4 draws or more, minutes in the cuda simulator; the initialisers
# only scale and shift the device's uniform and normal draws, whose moments on cuda
# test_creation's test_random_value_ranges_and_moments checks.
@pytest.mark.cpu_suffices
def test_uniform_and_normal(device):
    t = minigrad.empty(200, 100, device=device)
    assert init.uniform_(t, -2.0, 3.0) is t
    _check_uniform(t.numpy(), -2.0, 3.0)
    _check_uniform(init.uniform_(t).numpy(), 0.0, 1.0)
    _check_normal(init.normal_(t, 1.5, 0.5).numpy(), 1.5, 0.5)
    _check_normal(init.normal_(t).numpy(), 0.0, 1.0)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("a, nonlinearity", [(0, "relu"), (math.sqrt(5), "leaky_relu"),
                                             (0, "tanh")])
@pytest.mark.cpu_suffices
def test_kaiming(device, mode, a, nonlinearity):
    t = minigrad.empty(64, 32, 3, 3, device=device)  # fan_in 288, fan_out 576
    fan = 288 if mode == "fan_in" else 576
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nonlinearity)
    _check_uniform(t.numpy(), -math.sqrt(3) * std, math.sqrt(3) * std)
    init.kaiming_normal_(t, a=a, mode=mode, nonlinearity=nonlinearity)
    _check_normal(t.numpy(), 0.0, std)


@pytest.mark.cpu_suffices
def test_xavier(device):
    t = minigrad.empty(300, 100, device=device, dtype=minigrad.float64)
    bound = 2.0 * math.sqrt(6.0 / 400)
    _check_uniform(init.xavier_uniform_(t, gain=2.0).numpy(), -bound, bound)
    _check_normal(init.xavier_normal_(t).numpy(), 0.0, math.sqrt(2.0 / 400))
    assert t.dtype is minigrad.float64


def test_constant_ones_zeros(device):
    t = minigrad.empty(2, 3, device=device)
    assert init.constant_(t, 0.25) is t
    assert np.all(t.numpy() == 0.25)
    assert np.all(init.ones_(t).numpy() == 1) and np.all(init.zeros_(t).numpy() == 0)


def test_init_is_in_place_and_outside_autograd():
    p = nn.Parameter(minigrad.empty(4, 4))
    for fill in (init.kaiming_uniform_, init.xavier_normal_, init.ones_,
                 lambda t: init.normal_(t, 0, 1)):
        assert fill(p) is p
        assert p.is_leaf and p.grad_fn is None and p.requires_grad


def test_draws_from_the_global_generator_or_a_given_one():
    minigrad.manual_seed(7)
    first = init.kaiming_uniform_(minigrad.empty(5, 5)).numpy()
    minigrad.manual_seed(7)
    np.testing.assert_array_equal(init.kaiming_uniform_(minigrad.empty(5, 5)).numpy(), first)
    a = init.normal_(minigrad.empty(5), generator=np.random.default_rng(3)).numpy()
    b = init.normal_(minigrad.empty(5), generator=np.random.default_rng(3)).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="generator"):
        init.uniform_(minigrad.empty(2), generator=3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_init_draws_in_the_tensors_dtype(dtype):
    """nn.init draws in the parameter's dtype (float32 with numpy's float32 algorithms, no
    float64 buffer) and scales in that dtype: exactly numpy's stream of that dtype."""
    t = minigrad.empty(40, 30, dtype=getattr(minigrad, dtype))
    init.uniform_(t, -0.5, 1.5, generator=np.random.default_rng(11))
    u = np.random.default_rng(11).random((40, 30), dtype=dtype)
    np.testing.assert_array_equal(t.numpy(), u * u.dtype.type(2.0) + u.dtype.type(-0.5))
    assert t.numpy().dtype == np.dtype(dtype)


@pytest.mark.parametrize("dtype, rtol", [("float32", 2e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("shape", [(40, 30), (7,), (1,)])
def test_init_normal_is_box_muller_on_uniforms_of_the_dtype(dtype, rtol, shape):
    """normal_ pairs the uniforms u, v of the tensor's dtype: sqrt(-2 log(1 - u)) times
    cos(2 pi v) and sin(2 pi v) (an odd last sample pairs with v = 0), then std and mean."""
    t = minigrad.empty(*shape, dtype=getattr(minigrad, dtype))
    init.normal_(t, 0.25, 3.0, generator=np.random.default_rng(12))
    u = np.random.default_rng(12).random(shape, dtype=dtype).reshape(-1).astype(np.float64)
    u = np.append(u, 0.0) if u.size % 2 else u
    radius = np.sqrt(-2 * np.log(1 - u[0::2]))
    z = np.empty_like(u)
    z[0::2], z[1::2] = radius * np.cos(2 * np.pi * u[1::2]), radius * np.sin(2 * np.pi * u[1::2])
    expected = (z[:math.prod(shape)] * 3.0 + 0.25).reshape(shape)
    np.testing.assert_allclose(t.numpy(), expected, rtol=rtol, atol=rtol * 3)
    assert t.numpy().dtype == np.dtype(dtype)


def test_init_normal_has_the_moments_of_a_normal():
    """Mean, spread and tails of 200,000 float32 samples (a wrong transform fails this)."""
    z = init.normal_(minigrad.empty(200_000), generator=np.random.default_rng(5)).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert abs((np.abs(z) > 1.96).mean() - 0.05) < 0.003
    assert np.isfinite(z).all() and np.abs(z).max() < 6


def test_rand_keeps_one_stream_for_every_dtype_while_init_does_not():
    """rand/randn round float64 draws (a seed gives the same values in either dtype); init
    draws float32 itself, so a float32 layer is not the float64 one rounded."""
    minigrad.manual_seed(5)
    a = init.normal_(minigrad.empty(200)).numpy()
    minigrad.manual_seed(5)
    b = init.normal_(minigrad.empty(200, dtype=minigrad.float64)).numpy()
    assert not np.allclose(a, b)
    minigrad.manual_seed(5)
    c = minigrad.randn(200).numpy()
    minigrad.manual_seed(5)
    np.testing.assert_allclose(c, minigrad.randn(200, dtype=minigrad.float64).numpy(),
                               rtol=1e-6)


def test_errors_and_empty_tensors():
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.uniform_(np.zeros(3))
    with pytest.raises(TypeError, match="floating point"):
        init.normal_(minigrad.zeros(3, dtype=minigrad.int64))
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(minigrad.empty(0, 3))


@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Linear(50, 400), 50),
    (lambda: nn.Conv2d(4, 64, 5), 100),
    (lambda: nn.Conv1d(6, 1024, 3, groups=2), 9),
    (lambda: nn.ConvTranspose2d(16, 256, 3, groups=2), 1152),  # weight (16, 128, 3, 3)
])
def test_default_layer_init_is_pytorch_uniform(make, fan_in):
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    # kaiming_uniform_(a=sqrt(5)) on the weight is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) too
    _check_uniform(layer.weight.numpy().ravel(), -bound, bound)
    bias = layer.bias.numpy()
    assert bias.min() >= -bound and bias.max() <= bound and bias.std() > 0.4 * bound


def test_default_batch_norm_init():
    bn = nn.BatchNorm2d(5)
    assert np.all(bn.weight.numpy() == 1) and np.all(bn.bias.numpy() == 0)
    assert np.all(bn.running_mean.numpy() == 0) and np.all(bn.running_var.numpy() == 1)
    assert bn.num_batches_tracked.item() == 0 and bn.num_batches_tracked.dtype is minigrad.int64


@pytest.mark.parametrize("fill", [lambda t: init.uniform_(t, -2.0, 3.0),
                                  lambda t: init.normal_(t, 1.0, 0.5),
                                  lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)),
                                  lambda t: init.kaiming_normal_(t)])
def test_init_writes_in_place_views_included(device, fill):
    """A contiguous tensor is drawn into where it lies (the same memory, its version moves on,
    views of it see the values); a strided view is filled through a copy, leaving the rest of
    its base alone."""
    t = minigrad.zeros(6, 8, device=device)
    data, version = t._data, t._version.value
    view = t.view(48)
    assert fill(t) is t
    assert t._data is data and t._version.value > version
    assert t.abs().sum().item() > 0 and view.tolist() == t.reshape(48).tolist()
    base = minigrad.zeros(6, 8, device=device)
    column = base[:, 3]
    fill(base[:, 2:4])  # not contiguous
    assert base[:, :2].abs().sum().item() == 0 and base[:, 4:].abs().sum().item() == 0
    assert base[:, 2:4].abs().sum().item() > 0 and column.abs().sum().item() > 0
