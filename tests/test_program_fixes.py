"""Behaviours that real PyTorch programs depend on, each found by running such a program
(tests/programs) under minigrad: checked against PyTorch where it is installed."""
import numpy as np
import pytest

import minigrad
from minigrad.nn import init


@pytest.mark.parametrize("make", [lambda x: x.repeat(2, 1, 1), lambda x: x.repeat(1, 1, 1),
                                  lambda x: x.tile((2, 1)),
                                  lambda x: x.repeat_interleave(2, dim=0)])
def test_repeat_tile_and_repeat_interleave_return_writable_copies(device, make):
    """fast_neural_style: a repeated batch is then divided in place (div_)."""
    x = minigrad.arange(6.0, device=device).reshape(1, 2, 3)
    y = make(x)
    expected = y.cpu().numpy() / 2
    y.div_(2.0)
    np.testing.assert_array_equal(y.cpu().numpy(), expected)
    np.testing.assert_array_equal(x.cpu().numpy(), np.arange(6.0).reshape(1, 2, 3))


@pytest.mark.parametrize("shape, gain", [((6, 3, 3, 3), 2.0), ((3, 8), 1.0), ((5, 5), 0.5)])
def test_orthogonal_init(device, shape, gain):
    """super_resolution: init.orthogonal_(w, init.calculate_gain('relu'))."""
    w = minigrad.empty(*shape, device=device)
    assert init.orthogonal_(w, gain, generator=np.random.default_rng(0)) is w
    flat = w.cpu().numpy().reshape(shape[0], -1).astype(np.float64)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(minigrad.empty(3))


def test_trunc_normal_init_bounds_and_moments(device):
    w = minigrad.empty(200, 100, device=device)
    init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0, generator=np.random.default_rng(0))
    values = w.cpu().numpy()
    assert values.min() >= -0.5 and values.max() <= 1.0
    # the mean of N(0.5, 1) truncated to [-0.5, 1]: 0.5 + (phi(-1) - phi(0.5)) / (Phi(0.5) -
    # Phi(-1))
    assert abs(values.mean() - 0.2945) < 0.01


def test_eye_and_dirac_init_match_torch(device):
    torch = pytest.importorskip("torch")
    w = minigrad.empty(2, 3, device=device)
    np.testing.assert_array_equal(init.eye_(w).cpu().numpy(),
                                  torch.nn.init.eye_(torch.empty(2, 3)).numpy())
    for shape, groups in [((4, 4, 3, 3), 2), ((3, 2, 3), 1), ((2, 3, 1, 3, 3), 1)]:
        w = minigrad.empty(*shape, device=device)
        expected = torch.nn.init.dirac_(torch.empty(shape), groups)
        np.testing.assert_array_equal(init.dirac_(w, groups).cpu().numpy(), expected.numpy())
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(minigrad.empty(3, 3, 3, 3), 2)


def test_a_range_inside_an_index(device):
    """mnist_forward_forward: x_[range(n), y] = x.max()."""
    torch = pytest.importorskip("torch")
    rows = np.array([2, 0, 3])
    ours = minigrad.zeros(3, 4, device=device)
    ours[range(3), minigrad.tensor(rows, device=device)] = 5.0
    theirs = torch.zeros(3, 4)
    theirs[range(3), torch.tensor(rows)] = 5.0
    np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy())
    x = minigrad.arange(10.0, device=device)
    np.testing.assert_array_equal(x[range(2, 8, 2)].cpu().numpy(), [2.0, 4.0, 6.0])


@pytest.mark.parametrize("args", [([0],), ([[1, 2], [3, 4]],), ([True, False],), ([],),
                                  (np.arange(3),), (np.random.default_rng(0).random(2),),
                                  (2, 3), (4,), (), ((2, 0),)])
def test_legacy_tensor_constructor_matches_torch(device, args):
    """char_rnn: loss = torch.Tensor([0]) then loss += a float loss; custom layers:
    nn.Parameter(torch.Tensor(out, in)); RL code: torch.Tensor(numpy float64 observation)."""
    torch = pytest.importorskip("torch")
    theirs = torch.Tensor(*args)
    ours = minigrad.Tensor(*args, device=device)
    assert ours.dtype is minigrad.float32 and ours.device.type == device
    assert tuple(ours.shape) == tuple(theirs.shape)
    if isinstance(args[0] if args else None, (list, np.ndarray)):
        np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy())


def test_legacy_tensor_constructor_edges():
    assert minigrad.Tensor(minigrad.Size([2, 1])).shape == (2, 1)
    assert minigrad.Tensor([1, 2], dtype=minigrad.int64).dtype is minigrad.int64
    kept = minigrad.Tensor(minigrad.tensor([1, 2]))
    assert kept.dtype is minigrad.int64
    with pytest.raises(TypeError, match="data must be a sequence"):
        minigrad.Tensor(1.5)
    with pytest.raises(TypeError, match="sizes"):
        minigrad.Tensor([1], 2)
    loss = minigrad.Tensor([0])
    loss += minigrad.tensor(1.5)
    assert loss.tolist() == [1.5]


def test_equal_matches_torch(device):
    """saving_loading_models: torch.equal(warm-started weight, source weight)."""
    torch = pytest.importorskip("torch")
    cases = [([1.0, 2.0], [1.0, 2.0]), ([1.0, 2.0], [1.0, 3.0]), ([1, 2], [1.0, 2.0]),
             ([1.0, 2.0], [[1.0, 2.0]]), ([float("nan")], [float("nan")]), ([], [])]
    for a, b in cases:
        ours = minigrad.equal(minigrad.tensor(a, device=device), minigrad.tensor(b, device=device))
        assert ours is torch.equal(torch.tensor(a), torch.tensor(b)), (a, b)
    x = minigrad.ones(2, 3, device=device)
    assert x.equal(x.clone()) and not x.equal(minigrad.ones(1, 3, device=device))


def test_normal_forms(device):
    """d2l: torch.normal(0, 0.01, size=(2, 1), requires_grad=True) and normal(mean, std)."""
    gen = np.random.default_rng(0)
    w = minigrad.normal(0, 0.01, size=(200, 50), requires_grad=True, device=device,
                        generator=gen)
    assert w.requires_grad and w.is_leaf and tuple(w.shape) == (200, 50)
    assert w.dtype is minigrad.float32 and abs(float(w.std()) - 0.01) < 0.001
    mean = minigrad.full((300, 40), 3.0, device=device, dtype=minigrad.float64)
    out = minigrad.normal(mean, 2.0, generator=gen)
    assert out.dtype is minigrad.float64 and abs(float(out.mean()) - 3.0) < 0.1
    out = minigrad.normal(1.0, minigrad.full((3, 1), 0.5, device=device))
    assert tuple(out.shape) == (3, 1) and out.device.type == device
    with pytest.raises(TypeError, match="size"):
        minigrad.normal(0.0, 1.0)
    with pytest.raises(ValueError, match="std >= 0"):
        minigrad.normal(0.0, -1.0, size=(2,))


def test_bernoulli_from_probabilities(device):
    p = minigrad.tensor([0.0, 1.0, 0.0, 1.0], device=device)
    np.testing.assert_array_equal(minigrad.bernoulli(p).cpu().numpy(), [0, 1, 0, 1])
    np.testing.assert_array_equal(p.bernoulli(0.0).cpu().numpy(), [0, 0, 0, 0])
    draws = minigrad.full((4000,), 0.25, device=device).bernoulli()
    assert abs(float(draws.mean()) - 0.25) < 0.03


def test_stacking_and_top_level_aliases_match_torch(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    pairs = {"hstack": [(3,), (2,)], "vstack": [(3,), (2, 3)], "dstack": [(2, 2), (2, 2, 1)],
             "column_stack": [(2,), (2, 3)], "row_stack": [(2,), (1, 2)]}
    for name, shapes in pairs.items():
        arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        ours = getattr(minigrad, name)([minigrad.tensor(a, device=device) for a in arrays])
        theirs = getattr(torch, name)([torch.tensor(a) for a in arrays])
        np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy())
    a = rng.standard_normal((2, 3)).astype(np.float32)
    x, y = minigrad.tensor(a, device=device), torch.tensor(a)
    for name in ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
                 "less_equal", "not_equal"]:
        np.testing.assert_array_equal(getattr(minigrad, name)(x, 0.1).cpu().numpy(),
                                      getattr(torch, name)(y, 0.1).numpy())
        np.testing.assert_array_equal(getattr(x, name)(0.1).cpu().numpy(),
                                      getattr(y, name)(0.1).numpy())
    np.testing.assert_array_equal(minigrad.t(x).cpu().numpy(), torch.t(y).numpy())
    np.testing.assert_array_equal(minigrad.concat([x, x]).cpu().numpy(),
                                  torch.concat([y, y]).numpy())
    np.testing.assert_array_equal(x.multiply(2).subtract(1).negative().cpu().numpy(),
                                  y.multiply(2).subtract(1).negative().numpy())
    assert minigrad.numel(x) == torch.numel(y)
    assert (minigrad.pi, minigrad.e, minigrad.inf) == (torch.pi, torch.e, torch.inf)
    assert tuple(x[:1].broadcast_to((4, 3)).shape) == (4, 3)


@pytest.mark.parametrize("name, period", [("StepLR", 1.0), ("StepLR", 1.5),
                                          ("CosineAnnealingLR", 2.5)])
def test_schedulers_take_a_float_period_as_torch(name, period):
    """text_classification: StepLR(optimizer, 1.0, gamma=0.1), as in the tutorial."""
    torch = pytest.importorskip("torch")

    def lrs(lib):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
        sched = getattr(lib.optim.lr_scheduler, name)(opt, period)
        out = []
        for _ in range(6):
            opt.step()
            sched.step()
            out.append(opt.param_groups[0]["lr"])
        return out

    np.testing.assert_allclose(lrs(minigrad), lrs(torch), rtol=1e-12)
    opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="positive number step_size"):
        minigrad.optim.lr_scheduler.StepLR(opt, 0)


def test_more_top_level_names_match_torch(device):
    torch = pytest.importorskip("torch")
    for fn in ("tril_indices", "triu_indices"):
        for args in [(3, 3), (4, 3, 1), (3, 5, -1)]:
            np.testing.assert_array_equal(getattr(minigrad, fn)(*args, device=device).cpu()
                                          .numpy(), getattr(torch, fn)(*args).numpy())
    np.testing.assert_allclose(minigrad.logspace(-1, 2, 4, base=2.0).numpy(),
                               torch.logspace(-1, 2, 4, base=2.0).numpy(), rtol=1e-6)
    a, b = np.array([1, 2]), np.array([3, 4, 5])
    np.testing.assert_array_equal(
        minigrad.cartesian_prod(minigrad.tensor(a, device=device),
                                minigrad.tensor(b, device=device)).cpu().numpy(),
        torch.cartesian_prod(torch.tensor(a), torch.tensor(b)).numpy())
    blocks = [np.ones((2, 2)), np.array([1.0, 2.0, 3.0]), np.array(5.0)]
    np.testing.assert_array_equal(
        minigrad.block_diag(*[minigrad.tensor(x, device=device) for x in blocks]).cpu().numpy(),
        torch.block_diag(*[torch.tensor(x) for x in blocks]).numpy())
    shapes = [t.shape for t in minigrad.broadcast_tensors(minigrad.ones(2, 1, device=device),
                                                          minigrad.ones(3, device=device))]
    assert shapes == [(2, 3), (2, 3)]
    x = minigrad.ones(2, 2, device=device)
    assert minigrad.is_floating_point(x) and not minigrad.is_floating_point(x.long())
    assert minigrad.randint_like(x, 3).dtype is minigrad.float32
    assert minigrad.get_default_dtype() is minigrad.float32
    assert minigrad.clamp_(x, max=0.5) is x and float(x.max()) == 0.5


def test_set_num_threads():
    before = minigrad.get_num_threads()
    try:
        minigrad.set_num_threads(1)
        assert minigrad.get_num_threads() == 1
        minigrad.set_num_threads(1000)  # capped to the pool, as many threads as it has
        assert minigrad.get_num_threads() >= 1
        with pytest.raises(ValueError, match="positive integer"):
            minigrad.set_num_threads(0)
    finally:
        minigrad.set_num_threads(before)


@pytest.mark.parametrize("name, flags", [
    ("SGD", {"foreach": True, "fused": None}), ("Adam", {"foreach": True, "capturable": False}),
    ("AdamW", {"fused": True}), ("RMSprop", {"foreach": True}), ("Adagrad", {"foreach": False}),
    ("Adadelta", {"capturable": True}), ("Adamax", {"foreach": True}),
    ("NAdam", {"foreach": True}), ("RAdam", {"foreach": True})])
def test_optimizers_take_torchs_implementation_switches(name, flags):
    """unet_segmentation: optim.RMSprop(..., foreach=True) as the U-Net training script has it;
    the update is the same as without the switch."""
    def run(**kw):
        p = minigrad.nn.Parameter(minigrad.tensor([1.0, -2.0]))
        opt = getattr(minigrad.optim, name)([p], lr=0.1, **kw)
        for _ in range(3):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        return p.detach().numpy()

    np.testing.assert_array_equal(run(**flags), run())
    with pytest.raises(ValueError, match="differentiable=True is not supported"):
        run(differentiable=True)


def test_a_zero_dim_cpu_tensor_joins_a_tensor_on_another_device(device):
    """As in PyTorch: `returns = torch.tensor(R)` (cpu) times log-probabilities on the device,
    or a 0-d cpu constant in a loss, works on any device and the gradient reaches both."""
    x = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    scale = minigrad.tensor(3.0, requires_grad=True)
    out = x * scale + minigrad.tensor(1.0)
    assert out.device == x.device
    out.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [3.0, 3.0])
    assert scale.grad.device.type == "cpu" and float(scale.grad) == 3.0
    if device != "cpu":
        with pytest.raises(RuntimeError, match="same device"):
            x + minigrad.tensor([1.0, 2.0])


def test_set_default_dtype_matches_torch():
    """Scientific programs start with torch.set_default_dtype(torch.float64)."""
    torch = pytest.importorskip("torch")
    makers = [lambda lib: lib.tensor([1.5]), lambda lib: lib.zeros(2), lambda lib: lib.rand(2),
              lambda lib: lib.arange(0.0, 1.0, 0.5), lambda lib: lib.linspace(0, 1, 3),
              lambda lib: lib.tensor([1, 2]) * 1.5, lambda lib: lib.Tensor([1]),
              lambda lib: lib.nn.Linear(2, 3).weight, lambda lib: lib.full((2,), 1.5)]
    before_ours, before_theirs = minigrad.get_default_dtype(), torch.get_default_dtype()
    try:
        minigrad.set_default_dtype(minigrad.float64)
        torch.set_default_dtype(torch.float64)
        assert minigrad.get_default_dtype() is minigrad.float64
        for make in makers:
            assert make(minigrad).dtype.name == str(make(torch).dtype).split(".")[1]
        with pytest.raises(TypeError, match="floating-point"):
            minigrad.set_default_dtype(minigrad.int64)
    finally:
        minigrad.set_default_dtype(before_ours)
        torch.set_default_dtype(before_theirs)
    assert minigrad.zeros(1).dtype is minigrad.float32


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_take_size_as_a_keyword(device, name):
    """gat: nn.Parameter(torch.empty(size=(in_features, out_features)))."""
    make = getattr(minigrad, name)
    assert tuple(make(size=(2, 3), device=device).shape) == (2, 3)
    assert tuple(make(size=[4], device=device).shape) == (4,)
    assert tuple(make((2, 1), device=device).shape) == (2, 1)
    with pytest.raises(TypeError, match="both"):
        make(2, size=(2,))


def test_parameters_to_vector_and_back_match_torch():
    torch = pytest.importorskip("torch")
    ours = minigrad.nn.Sequential(minigrad.nn.Linear(3, 2), minigrad.nn.Linear(2, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    vec = minigrad.nn.utils.parameters_to_vector(ours.parameters())
    np.testing.assert_array_equal(
        vec.detach().numpy(),
        torch.nn.utils.parameters_to_vector(theirs.parameters()).detach().numpy())
    vec.sum().backward()
    assert all(float(p.grad.sum()) == p.numel() for p in ours.parameters())
    new = np.arange(vec.numel(), dtype=np.float32)
    minigrad.nn.utils.vector_to_parameters(minigrad.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
    with pytest.raises(ValueError, match="expected a 1-d vector of 11 values"):
        minigrad.nn.utils.vector_to_parameters(minigrad.zeros(3), ours.parameters())


def test_compile_returns_the_model_itself():
    model = minigrad.nn.Linear(2, 2)
    assert minigrad.compile(model) is model
    assert minigrad.compile(model, mode="reduce-overhead", fullgraph=True) is model

    @minigrad.compile
    def double(x):
        return 2 * x

    @minigrad.compile(dynamic=True)
    def triple(x):
        return 3 * x

    assert float(double(minigrad.tensor(1.0))) == 2.0
    assert float(triple(minigrad.tensor(1.0))) == 3.0
