"""Tensor factories: zeros/ones/full/empty/arange/rand/randn/randint/randperm, the *_like forms,
and the one seeded generator behind every random op."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad

small_shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


@pytest.mark.parametrize("factory, value", [(minigrad.zeros, 0), (minigrad.ones, 1),
                                            (minigrad.empty, 0)])
@given(shape=small_shapes)
def test_constant_factories_take_sizes_as_args_or_one_sequence(device, factory, value, shape):
    for t in (factory(*shape, device=device), factory(shape, device=device),
              factory(list(shape), device=device)):
        assert t.shape == shape and t.dtype is minigrad.float32 and t.device == device
        np.testing.assert_array_equal(t.numpy(), np.full(shape, value, np.float32))


def test_factories_take_dtype_and_requires_grad(device):
    t = minigrad.zeros(2, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    assert t.dtype is minigrad.float64 and t.requires_grad and t.is_leaf and t.grad is None
    assert minigrad.ones(2, dtype=minigrad.int64, device=device).tolist() == [1, 1]
    assert minigrad.ones(2, dtype=minigrad.bool, device=device).tolist() == [True, True]
    assert minigrad.zeros(device=device).shape == ()
    with pytest.raises(TypeError, match="floating point"):
        minigrad.zeros(2, dtype=minigrad.int64, device=device, requires_grad=True)


@pytest.mark.parametrize("make", [
    lambda: minigrad.tensor([1.0], device=None), lambda: minigrad.Tensor([1.0], device=None),
    lambda: minigrad.zeros(2, device=None), lambda: minigrad.ones(2, device=None),
    lambda: minigrad.empty(2, device=None), lambda: minigrad.full((2,), 1.0, device=None),
    lambda: minigrad.arange(3, device=None), lambda: minigrad.linspace(0, 1, 3, device=None),
    lambda: minigrad.eye(2, device=None), lambda: minigrad.rand(2, device=None),
    lambda: minigrad.randn(2, device=None), lambda: minigrad.randint(0, 3, (2,), device=None),
    lambda: minigrad.randperm(3, device=None)])
def test_factories_take_device_none_as_the_default_device(make):
    # modules written `def __init__(self, ..., device=None)` pass their argument straight on
    assert make().device == minigrad.device("cpu")


@pytest.mark.parametrize("size", [(-1,), (2.5,), ("3",), ((2, -3),)])
def test_bad_sizes_are_rejected(size):
    with pytest.raises(ValueError, match="non-negative ints"):
        minigrad.zeros(*size)


@pytest.mark.parametrize("fill, dtype", [(2.5, minigrad.float32), (3, minigrad.int64),
                                         (True, minigrad.bool)])
def test_full_infers_dtype_from_the_fill_value(device, fill, dtype):
    for size in ((2, 3), [2, 3]):
        t = minigrad.full(size, fill, device=device)
        assert t.dtype is dtype and t.shape == (2, 3)
        assert t.tolist() == [[fill] * 3] * 2
    assert minigrad.full(3, 1.5).shape == (3,)
    assert minigrad.full((2,), 7, dtype=minigrad.float64).dtype is minigrad.float64


@pytest.mark.parametrize("args, kwargs", [
    ((5,), {}), ((2, 9), {}), ((1, 10, 3), {}), ((10, 0, -2), {}), ((0, 1, 0.25), {}),
    ((-1.5, 2.0), {}), ((4,), {"dtype": minigrad.float64}), ((0, 3), {"dtype": minigrad.float32}),
])
def test_arange_matches_torch(args, kwargs):
    torch = pytest.importorskip("torch")
    ours = minigrad.arange(*args, **kwargs)
    theirs = torch.arange(*args, **{k: getattr(torch, str(v).split(".")[1])
                                    for k, v in kwargs.items()})
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_arange_errors_and_grad(device):
    with pytest.raises(ValueError, match="step must be non-zero"):
        minigrad.arange(0, 3, 0)
    t = minigrad.arange(0.0, 1.0, 0.5, device=device, requires_grad=True)
    assert t.requires_grad and t.tolist() == [0.0, 0.5]


@pytest.mark.parametrize("like, kind", [(minigrad.zeros_like, "zeros"),
                                        (minigrad.ones_like, "ones"),
                                        (minigrad.randn_like, "randn"),
                                        (minigrad.rand_like, "rand"),
                                        (minigrad.empty_like, "zeros")])
def test_like_factories_keep_shape_dtype_device(device, like, kind):
    src = minigrad.tensor([[1.0, 2.0, 3.0]], dtype=minigrad.float64, device=device,
                          requires_grad=True)
    t = like(src)
    assert t.shape == (1, 3) and t.dtype is minigrad.float64 and t.device == src.device
    assert not t.requires_grad  # *_like never copies requires_grad, as in PyTorch
    if kind in ("zeros", "ones"):
        assert t.tolist() == [[float(kind == "ones")] * 3]
    assert like(src, dtype=minigrad.float32).dtype is minigrad.float32
    assert like(src, requires_grad=True).requires_grad
    assert minigrad.full_like(src, 4).tolist() == [[4.0] * 3]


def test_zeros_like_of_an_integer_tensor_stays_integer(device):
    t = minigrad.zeros_like(minigrad.arange(3, device=device))
    assert t.dtype is minigrad.int64 and t.tolist() == [0, 0, 0]


@pytest.mark.parametrize("factory", [minigrad.rand, minigrad.randn])
def test_random_factories_reproduce_under_manual_seed(device, factory):
    minigrad.manual_seed(123)
    a = factory(3, 4, device=device)
    b = factory(3, 4, device=device)
    minigrad.manual_seed(123)
    a_again = factory(3, 4, device=device)
    np.testing.assert_array_equal(a.numpy(), a_again.numpy())
    assert not np.array_equal(a.numpy(), b.numpy())  # the generator moves on between calls
    minigrad.manual_seed(124)
    assert not np.array_equal(factory(3, 4, device=device).numpy(), a.numpy())


def test_every_random_op_draws_from_the_one_generator(device):
    """Interleaving rand, randn, randint, randperm, randn_like: the whole sequence repeats."""
    def draw():
        return [minigrad.rand(2, device=device).tolist(),
                minigrad.randn(2, dtype=minigrad.float64, device=device).tolist(),
                minigrad.randint(0, 100, (3,), device=device).tolist(),
                minigrad.randperm(5, device=device).tolist(),
                minigrad.randn_like(minigrad.zeros(2, device=device)).tolist()]
    minigrad.manual_seed(7)
    first = draw()
    minigrad.manual_seed(7)
    assert draw() == first
    assert minigrad.initial_seed() == 7


def test_rng_state_round_trips():
    minigrad.manual_seed(5)
    state = minigrad.get_rng_state()
    a = minigrad.randn(4).tolist()
    minigrad.set_rng_state(state)
    assert minigrad.randn(4).tolist() == a


def test_random_values_do_not_depend_on_the_float_dtype():
    minigrad.manual_seed(0)
    a = minigrad.randn(5, dtype=minigrad.float64).numpy()
    minigrad.manual_seed(0)
    b = minigrad.randn(5, dtype=minigrad.float32).numpy()
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_random_value_ranges_and_moments(device):
    draws = 20000 if device == "cpu" else 4000  # simulated cuda draws are slow
    five_std = 5 / np.sqrt(draws)  # of a mean of draws with standard deviation 1 (or less)
    u = minigrad.rand(draws, device=device).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < five_std / np.sqrt(12)
    n = minigrad.randn(draws, dtype=minigrad.float64, device=device).numpy()
    assert abs(n.mean()) < five_std and abs(n.std() - 1) < five_std
    r = minigrad.randint(3, 6, (1000,), device=device).numpy()
    assert set(np.unique(r)) == {3, 4, 5}
    assert sorted(minigrad.randperm(6, device=device).tolist()) == list(range(6))


def test_randint_forms():
    assert minigrad.randint(5, (2, 3)).shape == (2, 3)  # randint(high, size), as PyTorch
    assert minigrad.randint(5, size=(4,)).numpy().max() < 5
    assert minigrad.randint(2, 4, size=(4,)).dtype is minigrad.int64
    with pytest.raises(ValueError, match="greater than low"):
        minigrad.randint(3, 3, (2,))


@pytest.mark.parametrize("factory", [minigrad.rand, minigrad.randn])
def test_random_factories_need_a_float_dtype(factory):
    with pytest.raises(TypeError, match="floating point dtype"):
        factory(2, dtype=minigrad.int64)


@pytest.mark.parametrize("seed", [True, 1.5, "1", None])
def test_manual_seed_wants_an_int(seed):
    with pytest.raises(TypeError, match="int"):
        minigrad.manual_seed(seed)


def test_manual_seed_accepts_negative_and_huge_ints():
    minigrad.manual_seed(-1)
    a = minigrad.rand(2).tolist()
    minigrad.manual_seed(2 ** 64 - 1)  # the same 64-bit seed
    assert minigrad.rand(2).tolist() == a


def test_linspace_and_eye():
    np.testing.assert_allclose(minigrad.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5))
    assert minigrad.linspace(0, 1, 5).dtype is minigrad.float32
    np.testing.assert_array_equal(minigrad.eye(2, 3).numpy(), np.eye(2, 3))
