"""`nn.Module` mechanics: registration, traversal, train/eval, to(), zero_grad, state_dict and
load_state_dict, hooks, apply, reprs, and the containers (Sequential, ModuleList, ModuleDict);
composite networks against PyTorch (state_dict keys, shapes, outputs and gradients)."""
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.nn import Parameter


class Block(nn.Module):
    """A module with a parameter, a persistent and a non-persistent buffer and children."""

    def __init__(self):
        super().__init__()
        self.scale = Parameter(minigrad.ones(3))
        self.register_buffer("count", minigrad.zeros(1, dtype=minigrad.int64))
        self.register_buffer("cache", minigrad.zeros(2), persistent=False)
        self.fc = nn.Linear(3, 2)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x * self.scale))


# ---- registration -----------------------------------------------------------------------------

def test_setattr_registers_parameters_buffers_and_modules():
    m = Block()
    assert list(m._parameters) == ["scale"]
    assert list(m._buffers) == ["count", "cache"]
    assert list(m._modules) == ["fc", "act"]
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc.weight", "fc.bias"]
    assert [n for n, _ in m.named_buffers()] == ["count", "cache"]
    assert list(m.state_dict()) == ["scale", "count", "fc.weight", "fc.bias"]
    assert m.fc.weight is m._modules["fc"]._parameters["weight"]
    m.plain = 3  # ordinary attributes stay ordinary
    assert m.plain == 3 and "plain" not in m._parameters


def test_reassigning_and_deleting_entries():
    m = Block()
    m.fc = None  # a child may be set to None: it is then skipped everywhere
    assert [n for n, _ in m.named_parameters()] == ["scale"]
    m.scale = None
    assert list(m.parameters()) == []
    m.count = minigrad.ones(1, dtype=minigrad.int64)  # a tensor replaces a buffer
    assert m._buffers["count"].item() == 1
    del m.act
    assert "act" not in m._modules
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'act'"):
        m.act


def test_registration_errors_are_clear():
    m = Block()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        m.scale = minigrad.ones(3)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'fc'"):
        m.fc = 3
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'count'"):
        m.count = 3
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", minigrad.zeros(1))
    with pytest.raises(KeyError, match="empty"):
        m.register_parameter("", None)
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        m.register_buffer("forward", minigrad.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None required"):
        m.register_buffer("b", np.zeros(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    frozen = Parameter(minigrad.ones(2), requires_grad=False)
    frozen.add_(minigrad.ones(2, requires_grad=True))  # now the result of an op, not a leaf
    with pytest.raises(ValueError, match="non-leaf"):
        m.register_parameter("p", frozen)


def test_assigning_before_init_raises():
    class Early(nn.Module):
        def __init__(self):
            self.w = Parameter(minigrad.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_missing_forward_raises():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(minigrad.ones(1))


# ---- traversal --------------------------------------------------------------------------------

def test_shared_parameters_and_modules_are_listed_once():
    torch = pytest.importorskip("torch")

    def tied(lib):
        net = lib.Sequential(lib.Linear(4, 4), lib.ReLU(), lib.Linear(4, 4))
        net[2].weight = net[0].weight  # weight tying
        net.add_module("again", net[1])  # the same module under two names
        return net

    ours, theirs = tied(nn), tied(torch.nn)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert len(list(ours.parameters())) == 3
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    full = [n for n, _ in ours.named_parameters(remove_duplicate=False)]
    assert full == [n for n, _ in theirs.named_parameters(remove_duplicate=False)]


def test_parameters_recurse_prefix_and_get_submodule():
    m = Block()
    assert [n for n, _ in m.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in m.named_parameters(prefix="net")][1] == "net.fc.weight"
    assert [type(x).__name__ for x in m.modules()] == ["Block", "Linear", "ReLU"]
    assert list(m.children()) == [m.fc, m.act]
    outer = nn.Sequential(OrderedDict(block=m))
    assert outer.get_submodule("block.fc") is m.fc
    assert outer.get_submodule("") is outer
    with pytest.raises(AttributeError, match="no submodule `nope`"):
        outer.get_submodule("block.nope")


def test_train_eval_propagate():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net[1].train()
    assert [m.training for m in net.modules()] == [False, False, True, True, True]
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")


def test_apply_visits_children_first_and_requires_grad_():
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1)))
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Linear", "Sequential", "Sequential"]
    net.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert all(np.all(m.weight.numpy() == 0) for m in (net[0], net[1][0]))
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())


# ---- devices, dtypes, gradients ---------------------------------------------------------------

def test_to_dtype_keeps_parameter_identity_and_integer_buffers(device):
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    params = list(net.parameters())
    optimizer = optim.SGD(net.parameters(), lr=0.5)
    assert net.to(device, minigrad.float64) is net
    assert [p is q for p, q in zip(params, net.parameters())] == [True] * 4
    assert all(p.dtype is minigrad.float64 and p.device == device for p in net.parameters())
    assert net[1].running_mean.dtype is minigrad.float64
    assert net[1].num_batches_tracked.dtype is minigrad.int64  # only floats are converted
    # the optimizer built before .to() still updates the (same) parameters
    x = minigrad.randn(5, 3, dtype=minigrad.float64, device=device)
    before = net[0].weight.numpy().copy()
    net(x).sum().backward()
    assert net[0].weight.grad.dtype is minigrad.float64
    grad = net[0].weight.grad.numpy()
    optimizer.step()
    np.testing.assert_allclose(net[0].weight.numpy(), before - 0.5 * grad, rtol=1e-12)
    net.float()
    assert all(p.dtype is minigrad.float32 for p in net.parameters())
    assert net[0].weight.grad.dtype is minigrad.float32  # grads are converted too


def test_to_argument_forms():
    net = nn.Linear(2, 2)
    net.to(dtype=minigrad.float64)
    assert net.weight.dtype is minigrad.float64
    net.to(minigrad.zeros(1, dtype=minigrad.float32))  # a tensor's dtype and device
    assert net.weight.dtype is minigrad.float32
    net.to("cpu").double().cpu()
    assert net.weight.dtype is minigrad.float64
    with pytest.raises(TypeError, match="floating point"):
        net.to(minigrad.int64)


def test_zero_grad():
    net = nn.Linear(3, 2)
    net(minigrad.randn(4, 3)).sum().backward()
    grad = net.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.weight.grad is grad and np.all(grad.numpy() == 0)
    net.zero_grad()
    assert net.weight.grad is None and net.bias.grad is None


# ---- state_dict / load_state_dict ------------------------------------------------------------

def test_state_dict_values_are_detached_views():
    net = nn.Linear(2, 2)
    state = net.state_dict()
    assert isinstance(state, OrderedDict)
    assert not state["weight"].requires_grad
    with minigrad.no_grad():
        net.weight.fill_(3.0)
    assert np.all(state["weight"].numpy() == 3.0)  # shares storage, as in PyTorch
    assert net.state_dict(keep_vars=True)["weight"] is net.weight


def test_load_state_dict_copies_and_converts():
    src, dst = Block(), Block()
    state = {k: v.numpy().astype(np.float64) if v.dtype.is_floating_point else v.numpy()
             for k, v in src.state_dict().items()}
    state["count"] = np.array([7])
    result = dst.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    for key, value in dst.state_dict().items():
        np.testing.assert_allclose(value.numpy(), state[key], rtol=1e-6)
    assert dst.fc.weight.dtype is minigrad.float32 and dst.count.dtype is minigrad.int64
    state["fc.weight"][:] = 0  # loading copied the values
    assert not np.all(dst.fc.weight.numpy() == 0)


def test_load_state_dict_strict_errors_list_everything_and_load_nothing():
    net = Block()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    state = {k: np.full(v.shape, 5.0) for k, v in net.state_dict().items()}
    del state["fc.bias"]
    state["extra"] = np.zeros(1)
    state["fc.weight"] = np.zeros((3, 3))
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Block:")
    assert 'Missing key(s) in state_dict: "fc.bias"' in message
    assert 'Unexpected key(s) in state_dict: "extra"' in message
    assert "size mismatch for fc.weight: copying a param with shape (3, 3) from checkpoint, " \
           "the shape in current model is (2, 3)" in message
    for key, value in net.state_dict().items():  # "scale" and "count" were fine, yet untouched
        np.testing.assert_array_equal(value.numpy(), before[key])


def test_load_state_dict_non_strict():
    net = Block()
    result = net.load_state_dict({"scale": np.full(3, 2.0), "extra": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["count", "fc.weight", "fc.bias"]
    assert result.unexpected_keys == ["extra"]
    assert np.all(net.scale.numpy() == 2.0)
    with pytest.raises(RuntimeError, match="size mismatch for scale"):  # shapes always count
        net.load_state_dict({"scale": np.zeros(4)}, strict=False)
    with pytest.raises(RuntimeError, match='parameter named "scale".*received str'):
        net.load_state_dict({"scale": "zeros"}, strict=False)


def test_non_persistent_buffers_are_not_saved_but_move():
    net = Block()
    assert "cache" not in net.state_dict()
    net.double()
    assert net.cache.dtype is minigrad.float64


# ---- hooks ------------------------------------------------------------------------------------

def test_forward_hooks_modify_input_and_output_and_can_be_removed():
    net = nn.Linear(2, 2)
    calls = []
    pre = net.register_forward_pre_hook(lambda m, args: args[0] * 0)
    post = net.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = net(minigrad.randn(3, 2))
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(net.bias.numpy() + 1, (3, 2)),
                               rtol=1e-6)
    assert calls == [(3, 2)]
    pre.remove()
    post.remove()
    x = minigrad.randn(3, 2)
    np.testing.assert_allclose(net(x).numpy(), nn.functional.linear(x, net.weight, net.bias)
                               .numpy(), rtol=1e-6)
    assert calls == [(3, 2)]


def test_hook_order_prepend_kwargs_and_context_manager():
    net = nn.Identity()
    order = []
    net.register_forward_hook(lambda m, a, o: order.append("first"))
    net.register_forward_hook(lambda m, a, o: order.append("prepended"), prepend=True)

    def with_kwargs(module, args, kwargs):
        return (args[0] + 1,), kwargs

    net.register_forward_pre_hook(with_kwargs, with_kwargs=True)
    with net.register_forward_hook(lambda m, a, kw, o: o * 10, with_kwargs=True):
        assert net(minigrad.tensor(1.0)).item() == 20.0
    assert net(minigrad.tensor(1.0)).item() == 2.0
    assert order == ["prepended", "first"] * 2


# ---- repr -------------------------------------------------------------------------------------

def test_repr_layout_matches_pytorch():
    torch = pytest.importorskip("torch")

    def model(lib):
        return lib.Sequential(OrderedDict(
            features=lib.Sequential(lib.Conv2d(3, 8, 3, padding=1), lib.ReLU(inplace=True),
                                    lib.MaxPool2d(2)),
            heads=lib.ModuleList([lib.Linear(8, 2), lib.Linear(8, 2), lib.Identity()]),
            extra=lib.ModuleDict({"bn": lib.BatchNorm1d(8), "drop": lib.Dropout(0.1)}),
            flat=lib.Flatten()))

    assert repr(model(nn)) == repr(model(torch.nn))

    class Custom(nn.Module):
        def extra_repr(self):
            return "first line\nsecond line"

    assert repr(Custom()) == "Custom(\n  first line\n  second line\n)"


# ---- containers -------------------------------------------------------------------------------

def test_sequential_indexing_slicing_and_editing():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3)]
    net = nn.Sequential(*layers)
    assert len(net) == 3 and list(net) == layers
    assert net[-1] is layers[2]
    head = net[1:]
    assert isinstance(head, nn.Sequential) and list(head._modules) == ["1", "2"]
    assert head[0] is layers[1]
    with pytest.raises(IndexError, match="out of range"):
        net[3]
    net.append(nn.Tanh())
    assert list(net._modules) == ["0", "1", "2", "3"]
    del net[1]
    assert list(net._modules) == ["0", "1", "2"] and net[1] is layers[2]
    assert net.insert(0, nn.Identity()) is net
    assert [type(m).__name__ for m in net] == ["Identity", "Linear", "Linear", "Tanh"]
    net[0] = nn.Sigmoid()
    assert isinstance(net[0], nn.Sigmoid)
    named = nn.Sequential(OrderedDict([("enc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["enc.weight", "enc.bias"]
    assert named.act is named[1]


def test_sequential_forward_chains_modules():
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = minigrad.randn(5, 3)
    expected = net[2](net[1](net[0](x)))
    np.testing.assert_allclose(net(x).numpy(), expected.numpy(), rtol=1e-6)


def test_module_list_and_dict():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
    blocks.append(nn.ReLU()).extend([nn.Tanh()])
    blocks.insert(1, nn.Sigmoid())
    assert [type(m).__name__ for m in blocks] == ["Linear", "Sigmoid", "Linear", "ReLU", "Tanh"]
    assert len(list(blocks.parameters())) == 4
    assert isinstance(blocks[1:3], nn.ModuleList) and len(blocks[1:3]) == 2
    assert isinstance(blocks.pop(1), nn.Sigmoid) and list(blocks._modules)[-1] == "3"
    blocks += [nn.Identity()]
    assert len(blocks) == 5
    with pytest.raises(NotImplementedError):
        blocks(minigrad.ones(2))

    table = nn.ModuleDict({"a": nn.Linear(1, 1)})
    table["b"] = nn.ReLU()
    table.update([("c", nn.Tanh())])
    assert list(table) == ["a", "b", "c"] and "b" in table and len(table) == 3
    assert list(table.keys()) == ["a", "b", "c"]
    assert isinstance(table.pop("b"), nn.ReLU)
    assert [k for k, _ in table.items()] == ["a", "c"]
    assert list(table.state_dict()) == ["a.weight", "a.bias"]
    with pytest.raises(ValueError, match="pairs"):
        table.update([nn.ReLU()])


# ---- composite networks against PyTorch -------------------------------------------------------

def lenet(lib):
    """LeNet-5 written once for both libraries (same names and arguments)."""
    class LeNet(lib.Module):
        def __init__(self):
            super().__init__()
            self.features = lib.Sequential(
                lib.Conv2d(1, 6, 5, padding=2), lib.BatchNorm2d(6), lib.ReLU(),
                lib.MaxPool2d(2), lib.Conv2d(6, 16, 5), lib.ReLU(), lib.AvgPool2d(2))
            self.classifier = lib.Sequential(
                lib.Flatten(), lib.Linear(16 * 5 * 5, 120), lib.ReLU(), lib.Dropout(0.5),
                lib.Linear(120, 84), lib.BatchNorm1d(84), lib.Tanh(), lib.Linear(84, 10))

        def forward(self, x):
            return self.classifier(self.features(x))

    return LeNet()


def mlp_with_containers(lib):
    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.blocks = lib.ModuleList([lib.Linear(6, 6) for _ in range(2)])
            self.heads = lib.ModuleDict({"a": lib.Linear(6, 3), "b": lib.Linear(6, 3, bias=False)})
            self.norm = lib.BatchNorm1d(6, affine=False)

        def forward(self, x):
            for block in self.blocks:
                x = lib.functional.gelu(block(x))
            x = self.norm(x)
            return lib.functional.log_softmax(self.heads["a"](x) + self.heads["b"](x), dim=1)

    return Net()


def _copy_torch_weights(theirs, ours):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


# LeNet on cuda is minutes in the simulator and runs only kernels that the mlp case and
# tests/cuda's training step run there too
@pytest.mark.parametrize("build, input_shape", [
    pytest.param(lenet, (4, 1, 28, 28), marks=pytest.mark.cpu_suffices),
    (mlp_with_containers, (5, 6))])
def test_composite_matches_pytorch(device, build, input_shape):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs, ours = build(torch.nn).double(), build(nn).double().to(device)
    ours_state, their_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(their_state)
    assert [tuple(v.shape) for v in ours_state.values()] == \
        [tuple(v.shape) for v in their_state.values()]
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    _copy_torch_weights(theirs, ours)
    x = np.random.default_rng(0).standard_normal(input_shape)
    for mode in ("train", "eval"):
        getattr(theirs, mode)()
        getattr(ours, mode)()
        if mode == "train":  # dropout masks differ between the libraries
            for lib_model in (theirs, ours):
                lib_model.apply(lambda m: m.eval() if type(m).__name__ == "Dropout" else None)
        tx = torch.tensor(x, requires_grad=True)
        mx = minigrad.tensor(x, device=device, dtype=minigrad.float64, requires_grad=True)
        t_out, m_out = theirs(tx), ours(mx)
        np.testing.assert_allclose(m_out.numpy(), t_out.detach().numpy(), rtol=1e-9, atol=1e-9)
        upstream = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
        t_out.backward(torch.tensor(upstream))
        m_out.backward(minigrad.tensor(upstream, device=device, dtype=minigrad.float64))
        np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-9)
        their_params = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad.numpy(), their_params[name].grad.numpy(),
                                       rtol=1e-8, atol=1e-9, err_msg=name)
        theirs.zero_grad()
        ours.zero_grad()
    their_state = theirs.state_dict()  # running statistics were updated the same way
    for key, value in ours.state_dict().items():
        np.testing.assert_allclose(value.numpy(), their_state[key].numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=key)
