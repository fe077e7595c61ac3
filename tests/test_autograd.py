"""The autograd engine: backward and grad, accumulation, freed graphs, grad modes, user-defined
Functions, higher-order gradients, diamonds, device checks, and the engine's own cost."""
import sys
import time
import types

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import backend
from minigrad.autograd import AutogradError, Function, InplaceModificationError


def f64(values, device="cpu", requires_grad=True):
    return minigrad.tensor(values, dtype=minigrad.float64, device=device,
                           requires_grad=requires_grad)


# ---- backward ------------------------------------------------------------------------------

def test_backward_of_a_scalar_fills_leaf_grads(device):
    x = f64([1.0, -2.0, 3.0], device)
    w = f64([0.5, 0.25, 2.0], device)
    (x * w).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 0.25, 2.0])
    np.testing.assert_allclose(w.grad.numpy(), [1.0, -2.0, 3.0])
    assert x.grad.dtype is minigrad.float64 and x.grad.device == device
    assert not x.grad.requires_grad and x.grad.is_leaf


def test_backward_with_an_explicit_gradient(device):
    x = f64([[1.0, 2.0], [3.0, 4.0]], device)
    y = x * x
    y.backward(f64([[1.0, 0.0], [0.5, 2.0]], device, requires_grad=False))
    np.testing.assert_allclose(x.grad.numpy(), [[2.0, 0.0], [3.0, 16.0]])


def test_gradient_of_the_wrong_shape_or_type_is_rejected(device):
    y = f64([1.0, 2.0], device) * 2
    with pytest.raises(AutogradError, match=r"shape \(3,\), expected \(2,\)"):
        y.backward(f64([1.0, 1.0, 1.0], device, requires_grad=False))
    with pytest.raises(TypeError, match="must be a Tensor"):
        y.backward([1.0, 1.0])


@pytest.mark.parametrize("shape", [(2,), (2, 3), (1, 2)])
def test_backward_on_a_non_scalar_needs_a_gradient_and_names_the_shape(device, shape):
    y = minigrad.ones(*shape, device=device, requires_grad=True) * 2
    with pytest.raises(AutogradError, match=f"shape {tuple(shape)}".replace("(", r"\(")
                       .replace(")", r"\)")) as info:
        y.backward()
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)


def test_a_one_element_output_needs_no_gradient(device):
    x = f64([[2.0]], device)
    (x * 3).backward()
    assert x.grad.tolist() == [[3.0]]


def test_backward_of_something_without_history_is_a_clear_error(device):
    with pytest.raises(AutogradError, match="does not require grad"):
        minigrad.ones(2, device=device).sum().backward()


def test_backward_on_a_leaf_itself(device):
    x = f64(2.0, device)
    x.backward()
    assert x.grad.item() == 1.0


@given(st.integers(1, 4), st.integers(1, 3))
def test_gradients_accumulate_across_backward_calls(repeats, scale):
    x = f64([1.0, 2.0])
    for _ in range(repeats):
        (x * x * scale).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), repeats * scale * 2 * np.array([1.0, 2.0]))


def test_accumulation_keeps_the_grad_tensor_and_zeroing_works(device):
    x = f64([1.0, 2.0], device)
    (x * 3).sum().backward()
    first = x.grad
    (x * 3).sum().backward()
    assert x.grad is first and x.grad.tolist() == [6.0, 6.0]  # in place, as in PyTorch
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]


def test_grad_of_a_broadcast_sum_is_writable(device):
    x = f64([1.0, 2.0], device)
    x.sum().backward()
    x.grad.mul_(2)  # sum's backward broadcasts; the stored grad must own its storage
    assert x.grad.tolist() == [2.0, 2.0]


def test_float32_leaves_get_float32_grads_from_a_float64_graph(device):
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype is minigrad.float32 and x.grad.tolist() == [3.0, 3.0]


# ---- long graphs and the engine's cost -----------------------------------------------------

@pytest.mark.cpu_suffices  # the engine's traversal is the same on every device
def test_a_chain_of_ten_thousand_ops_needs_no_recursion(device):
    x = f64([1.0, 2.0], device)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # the engine must not recurse per node
    try:
        y.sum().backward()
    finally:
        sys.setrecursionlimit(limit)
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10_000] * 2)
    del y  # freeing a deep graph must not recurse either


def _chain_seconds(n):
    """CPU seconds of this process (other processes on a busy machine do not count), best of
    three, to build and run backward through a chain of `n` adds."""
    best = float("inf")
    for _ in range(3):
        x = minigrad.tensor([1.0], requires_grad=True)
        start = time.process_time()
        y = x
        for _ in range(n):
            y = y + x  # every node also feeds the leaf: a wide, deep graph
        y.backward()
        best = min(best, time.process_time() - start)
    assert x.grad.item() == n + 1
    return best


def test_engine_cost_grows_linearly_with_graph_size():
    small, large = _chain_seconds(800), _chain_seconds(6400)
    # Linear: per-node cost stays about the same. Quadratic would make it 8 times larger.
    assert large / 6400 < 3 * small / 800, (small, large)
    assert large < 2.0  # about 40 µs per op and its backward here


# ---- freed graphs ----------------------------------------------------------------------------

def test_a_second_backward_through_a_freed_graph_raises(device):
    x = f64([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(AutogradError, match="retain_graph=True"):
        y.backward()


def test_a_graph_that_saved_no_tensors_can_be_run_again(device):
    """As in PyTorch: only freed saved tensors stop a second backward (nodes such as add, sum
    and expand keep what they need in plain attributes)."""
    x = f64([1.0, 2.0], device)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    shared = x.expand(3, 2)
    (shared * 2).sum().backward()
    (shared * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [17.0, 17.0])


def test_retain_graph_allows_a_second_backward(device):
    x = f64([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_grad_frees_the_graph_unless_retained(device):
    x = f64([1.0, 2.0], device)
    y = (x * x).sum()
    minigrad.grad(y, x, retain_graph=True)
    minigrad.grad(y, x)
    with pytest.raises(AutogradError, match="second time"):
        minigrad.grad(y, x)


# ---- grad modes ------------------------------------------------------------------------------

def test_no_grad_and_enable_grad_as_context_managers(device):
    x = f64([1.0], device)
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2
        with minigrad.enable_grad():
            z = x * 2
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert z.requires_grad and z.grad_fn is not None


def test_grad_modes_as_decorators_with_and_without_parentheses(device):
    x = f64([1.0], device)

    @minigrad.no_grad()
    def called():
        return (x * 2).requires_grad

    @minigrad.no_grad
    def bare():
        return (x * 2).requires_grad

    @minigrad.enable_grad()
    def enabled():
        return (x * 2).requires_grad

    @minigrad.set_grad_enabled(False)
    def disabled():
        return (x * 2).requires_grad

    assert minigrad.is_grad_enabled()  # decorating changes nothing by itself
    assert called() is False and bare() is False and disabled() is False
    assert bare.__name__ == "bare"
    with minigrad.no_grad():
        assert enabled() is True
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()


def test_set_grad_enabled_as_call_and_context_manager(device):
    x = f64([1.0], device)
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minigrad.is_grad_enabled()
    minigrad.set_grad_enabled(False)
    try:
        assert not minigrad.is_grad_enabled()
    finally:
        minigrad.set_grad_enabled(True)
    with minigrad.no_grad(), minigrad.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_grad_mode_is_restored_when_an_exception_escapes():
    with pytest.raises(KeyError):
        with minigrad.no_grad():
            raise KeyError

    @minigrad.no_grad
    def fails():
        raise KeyError

    with pytest.raises(KeyError):
        fails()
    assert minigrad.is_grad_enabled()


def test_one_no_grad_object_can_be_reentered():
    mode = minigrad.no_grad()
    with mode:
        with minigrad.enable_grad():
            with mode:
                assert not minigrad.is_grad_enabled()
            assert minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()


# ---- user-defined Functions ------------------------------------------------------------------

class ScaledCube(Function):
    """k * x**3 with a non-tensor argument k; saves x."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        ctx.save_for_backward(x)
        return x * x * x * k

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * ctx.k * x * x, None


def test_user_function_with_saved_tensors_and_a_non_tensor_argument(device):
    x = f64([1.0, -2.0], device)
    y = ScaledCube.apply(x, 2.0)
    assert y.grad_fn.name() == "ScaledCubeBackward" and not y.is_leaf
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 24.0])
    assert minigrad.gradcheck(lambda t: ScaledCube.apply(t, 0.5), (f64([0.3, -1.2], device),))
    assert minigrad.gradgradcheck(lambda t: ScaledCube.apply(t, 0.5), (f64([0.3, -1.2], device),))


def test_needs_input_grad_reports_which_inputs_need_a_gradient(device):
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b, scale):
            seen.append(ctx.needs_input_grad)
            return a * b * scale

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            return grad, grad, None

    a, b = f64([1.0], device), f64([2.0], device, requires_grad=False)
    Probe.apply(a, b, 3.0).sum().backward()
    assert seen == [(True, False, False)] * 2
    assert a.grad.tolist() == [1.0] and b.grad is None


class SortWithIndices(Function):
    """Two outputs: sorted values (differentiable) and their int64 indices (not)."""

    @staticmethod
    def forward(ctx, x):
        order = np.argsort(x.numpy(), kind="stable")
        values = minigrad.tensor(x.numpy()[order], dtype=x.dtype, device=x.device)
        indices = minigrad.tensor(order, device=x.device)
        ctx.order = order
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        assert grad_indices.tolist() == [0] * len(ctx.order)  # zeros for the unused output
        out = np.zeros(len(ctx.order))
        out[ctx.order] = grad_values.numpy()
        return minigrad.tensor(out, dtype=grad_values.dtype, device=grad_values.device)


def test_multiple_outputs_and_mark_non_differentiable(device):
    x = f64([3.0, 1.0, 2.0], device)
    values, indices = SortWithIndices.apply(x)
    assert values.requires_grad and not indices.requires_grad and indices.grad_fn is None
    assert values.tolist() == [1.0, 2.0, 3.0] and indices.tolist() == [1, 2, 0]
    (values * f64([1.0, 10.0, 100.0], device, requires_grad=False)).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_non_differentiable_float_output_gets_no_gradient(device):
    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            doubled = x * 2
            ctx.mark_non_differentiable(doubled)
            return x * 1, doubled

        @staticmethod
        def backward(ctx, grad, grad_doubled):
            return grad

    same, doubled = Twice.apply(f64([1.0], device))
    assert same.requires_grad and not doubled.requires_grad


def test_only_some_outputs_used_gets_zeros_for_the_others(device):
    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a * 2 + grad_b * 3

    x = f64([1.0, 2.0], device)
    a, _ = Pair.apply(x)
    a.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_an_input_returned_unchanged_keeps_its_own_history(device):
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = f64([1.0, 2.0], device)
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn.name() == "IdentityBackward"
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


@pytest.mark.parametrize("wrong", [
    (lambda ctx, g: g.sum(), AutogradError, r"gradient of shape \(\) for input 0, expected "
                                            r"shape \(2,\)"),
    (lambda ctx, g: g.reshape(2, 1), AutogradError, r"shape \(2, 1\)"),
    (lambda ctx, g: (g, g), AutogradError, "returned 2 gradients, but forward took 1"),
    (lambda ctx, g: g.numpy(), TypeError, "ndarray as the gradient for input 0"),
])
def test_a_backward_returning_the_wrong_thing_is_a_clear_error(device, wrong):
    rule, error, message = wrong

    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        backward = staticmethod(rule)

    with pytest.raises(error, match=message):
        Broken.apply(f64([1.0, 2.0], device)).sum().backward()


def test_forward_must_return_tensors(device):
    class NotATensor(Function):
        @staticmethod
        def forward(ctx, x):
            return 3.0

    with pytest.raises(TypeError, match="must return Tensors"):
        NotATensor.apply(f64([1.0], device))


def test_saved_tensors_are_freed_after_backward(device):
    x = f64([1.0, 2.0], device)
    y = ScaledCube.apply(x, 1.0)
    node = y.grad_fn
    y.sum().backward()
    with pytest.raises(AutogradError, match="freed"):
        node.saved_tensors


def test_no_reference_cycles_between_outputs_and_their_nodes(device):
    import gc
    import weakref
    gc.collect()
    gc.disable()
    try:
        x = f64([1.0, 2.0], device)
        y = x.exp()  # saves its own output
        probe = weakref.ref(y)
        node = weakref.ref(y.grad_fn)
        del y
        assert probe() is None and node() is None  # freed by reference counting alone
        leaf = weakref.ref(x)
        del x
        assert leaf() is None  # a leaf and its AccumulateGrad do not keep each other alive
    finally:
        gc.enable()


# ---- higher-order gradients ------------------------------------------------------------------

def test_hessian_vector_product_matches_the_analytic_value(device):
    rng = np.random.default_rng(0)
    m = rng.standard_normal((3, 3))
    a_np = m + m.T
    x_np, v_np = rng.standard_normal(3), rng.standard_normal(3)
    x = f64(x_np, device)
    a = f64(a_np, device, requires_grad=False)
    f = 0.5 * (x @ (a @ x)) + (x ** 3).sum()  # H = A + diag(6 x)
    (g,) = minigrad.grad(f, x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), a_np @ x_np + 3 * x_np ** 2)
    assert g.requires_grad
    (hv,) = minigrad.grad(g, x, grad_outputs=f64(v_np, device, requires_grad=False))
    np.testing.assert_allclose(hv.numpy(), a_np @ v_np + 6 * x_np * v_np)
    assert x.grad is None  # grad() never touches .grad


def test_gradient_penalty_matches_the_analytic_value(device):
    """p(x, w) = |d/dx sum(w * x**3)|^2 = 9 sum(w^2 x^4): dp/dw = 18 w x^4, dp/dx = 36 w^2 x^3."""
    x_np, w_np = np.array([0.5, -1.5, 2.0]), np.array([1.0, 0.3, -0.7])
    x, w = f64(x_np, device), f64(w_np, device)
    (gx,) = minigrad.grad((w * x ** 3).sum(), x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    np.testing.assert_allclose(penalty.item(), 9 * np.sum(w_np ** 2 * x_np ** 4))
    np.testing.assert_allclose(w.grad.numpy(), 18 * w_np * x_np ** 4)
    np.testing.assert_allclose(x.grad.numpy(), 36 * w_np ** 2 * x_np ** 3)


def test_backward_with_create_graph_leaves_differentiable_grads(device):
    x = f64([1.0, 2.0], device)
    (x ** 3).sum().backward(create_graph=True)
    first = x.grad
    assert first.requires_grad and first.tolist() == [3.0, 12.0]
    x.grad = None
    first.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_third_derivative(device):
    x = f64(1.5, device)
    (d1,) = minigrad.grad(x ** 4, x, create_graph=True)
    (d2,) = minigrad.grad(d1, x, create_graph=True)
    (d3,) = minigrad.grad(d2, x)
    assert np.isclose(d3.item(), 24 * 1.5)


def test_double_backward_matches_torch_for_a_small_network():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x_np, w_np = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))

    def penalty(lib, grad, x, w):
        (g,) = grad(lib.tanh(x @ w).sum(), x, create_graph=True)
        return ((g ** 2).sum(dim=1) - 1.0).square().mean()

    x, w = f64(x_np), f64(w_np)
    penalty(minigrad, minigrad.grad, x, w).backward()
    tx = torch.tensor(x_np, requires_grad=True)
    tw = torch.tensor(w_np, requires_grad=True)
    penalty(torch, torch.autograd.grad, tx, tw).backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---- minigrad.grad ---------------------------------------------------------------------------

def test_grad_returns_a_tuple_per_input_like_torch(device):
    x, y = f64([1.0, 2.0], device), f64([3.0], device)
    gx, gy = minigrad.grad((x * y).sum(), [x, y])
    assert gx.tolist() == [3.0, 3.0] and gy.tolist() == [3.0]
    assert not gx.requires_grad and x.grad is None and y.grad is None


def test_grad_allow_unused(device):
    x, unused = f64([1.0], device), f64([1.0], device)
    with pytest.raises(AutogradError, match="input 1 .* not used.*allow_unused=True"):
        minigrad.grad((x * 2).sum(), [x, unused])
    gx, gu = minigrad.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_grad_with_several_outputs_and_grad_outputs(device):
    x = f64([1.0, 2.0], device)
    a, b = x * 2, x * x
    (g,) = minigrad.grad([a, b], x, grad_outputs=[f64([1.0, 1.0], device, False),
                                                  f64([0.5, 2.0], device, False)])
    np.testing.assert_allclose(g.numpy(), [2.0 + 1.0, 2.0 + 8.0])
    with pytest.raises(AutogradError, match="2 gradients for 1 outputs"):
        minigrad.grad(x.sum(), x, grad_outputs=[None, None])


def test_grad_with_respect_to_an_intermediate_tensor(device):
    x = f64([1.0, 2.0], device)
    h = x * 3
    (gh,) = minigrad.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])


def test_grad_runs_only_the_part_of_the_graph_it_needs(device):
    class Explodes(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            raise AssertionError("grad() ran a node below the requested input")

    x = f64([1.0, 2.0], device)
    h = Explodes.apply(x) * 2
    (gh,) = minigrad.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [4.0, 8.0])
    # ... even when the upstream graph was already freed by an earlier backward
    upstream = f64([1.0], device) * 2
    upstream.sum().backward(retain_graph=False)
    mid = upstream * 3
    (gm,) = minigrad.grad((mid * mid).sum(), mid)
    np.testing.assert_allclose(gm.numpy(), [12.0])


def test_grad_rejects_inputs_without_grad(device):
    x = f64([1.0], device)
    with pytest.raises(AutogradError, match="input 0 of grad.. does not require grad"):
        minigrad.grad((x * 2).sum(), minigrad.ones(1, device=device))
    with pytest.raises(TypeError, match="not a Tensor"):
        minigrad.grad((x * 2).sum(), [x, 3.0])


# ---- diamonds --------------------------------------------------------------------------------

@given(hnp.arrays(np.float64, st.integers(1, 4), elements=st.floats(-2, 2)))
def test_diamond_graph_sums_every_path(values):
    x = f64(values)
    a = x * 2
    b = a * a          # a used twice in one op
    c = a.exp() + b    # and again on another path
    d = c * x          # x used at both ends
    d.sum().backward()
    # d = x (e^{2x} + 4x^2): d' = e^{2x} + 4x^2 + x (2 e^{2x} + 8x)
    expected = np.exp(2 * values) + 4 * values ** 2 + values * (2 * np.exp(2 * values)
                                                                + 8 * values)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_same_tensor_as_both_operands(device):
    x = f64([3.0], device)
    (x * x).backward()
    assert x.grad.tolist() == [6.0]


# ---- devices ---------------------------------------------------------------------------------

@pytest.fixture
def second_device(monkeypatch):
    """A second device, "fake", whose backend is the cpu kernels under another name."""
    from minigrad.backend import cpu
    module = types.ModuleType("minigrad_test_fake_backend")
    module.__dict__.update({k: v for k, v in vars(cpu).items() if not k.startswith("__")})
    module.name = "fake"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(backend, "_MODULES", dict(backend._MODULES))
    monkeypatch.setattr(backend, "_loaded", dict(backend._loaded))
    backend.register_backend("fake", module.__name__)
    return "fake"


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / b,
    lambda a, b: a @ b, lambda a, b: minigrad.maximum(a, b), lambda a, b: a == b,
    lambda a, b: a < b, lambda a, b: minigrad.where(a > 0, a, b),
    lambda a, b: minigrad.cat([a, b]), lambda a, b: minigrad.stack([a, b]),
], ids=["add", "mul", "sub", "div", "matmul", "maximum", "eq", "lt", "where", "cat", "stack"])
def test_tensors_on_different_devices_in_one_op_raise(second_device, op):
    a = minigrad.ones(2, requires_grad=True)
    b = minigrad.ones(2, device=second_device)
    with pytest.raises(RuntimeError, match="same device") as info:
        op(a, b)
    assert "cpu" in str(info.value) and "fake" in str(info.value)


def test_moving_between_devices_is_differentiable(second_device):
    x = f64([1.0, 2.0])
    y = x.to(second_device)
    assert y.device == "fake" and y.device.index == 0 and y.tolist() == [1.0, 2.0]
    w = f64([3.0, 4.0], second_device)
    (y * w).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [3.0, 4.0]
    assert w.grad.device == "fake"


def test_a_gradient_on_the_wrong_device_is_rejected(second_device):
    x = f64([1.0, 2.0])
    with pytest.raises(AutogradError, match="gradient for output 0 is on fake:0"):
        (x * 2).backward(f64([1.0, 1.0], second_device, requires_grad=False))

    class Misplaced(Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.to(second_device)

    with pytest.raises(AutogradError, match="on fake:0 for input 0, which lives on cpu"):
        Misplaced.apply(x).sum().backward()


def test_inplace_error_class_is_an_autograd_error():
    assert issubclass(InplaceModificationError, AutogradError)
    assert issubclass(AutogradError, RuntimeError) and issubclass(AutogradError, ValueError)
