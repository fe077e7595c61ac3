"""Keywords PyTorch programs pass: load(weights_only=, map_location=), requires_grad= and
generator= on factories, axis=/keepdims=, grad(only_inputs=), models' weights=/pretrained=."""
import numpy as np
import pytest

import minigrad
from minigrad import models, nn

torch = pytest.importorskip("torch")


# ---- load ----------------------------------------------------------------------------------

def _checkpoint(tmp_path):
    path = tmp_path / "ckpt.mg"
    minigrad.save({"w": minigrad.ones(2, requires_grad=True), "n": 3}, path)
    return path


def test_load_accepts_weights_only_and_device_map_locations(tmp_path):
    path = _checkpoint(tmp_path)
    for weights_only in (True, False):
        state = minigrad.load(path, weights_only=weights_only)
        assert state["n"] == 3 and state["w"].requires_grad
    for location in ("cpu", minigrad.device("cpu"), {"cuda:0": "cpu"}, {"cpu": "cpu"}):
        assert minigrad.load(path, map_location=location)["w"].device == minigrad.device("cpu")
    with pytest.raises(TypeError, match="weights_only"):
        minigrad.load(path, weights_only="yes")


def test_load_callable_map_location_gets_tensor_and_saved_device(tmp_path):
    path = _checkpoint(tmp_path)
    seen = []

    def keep(storage, location):
        seen.append((tuple(storage.shape), location))
        return storage
    assert minigrad.load(path, map_location=keep)["w"].tolist() == [1.0, 1.0]
    assert seen == [((2,), "cpu")]
    # torch's idiom `lambda storage, loc: storage` means "load onto the cpu"
    state = minigrad.load(path, map_location=lambda storage, loc: storage)
    assert state["w"].device == minigrad.device("cpu")
    assert minigrad.load(path, map_location=lambda s, loc: None)["w"].device.type == "cpu"
    with pytest.raises(TypeError, match="must return a Tensor or None"):
        minigrad.load(path, map_location=lambda s, loc: 3)


def test_saving_a_whole_module_says_how_to_save_a_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"save\(model.state_dict\(\), path\).*load_state_dict"):
        minigrad.save(nn.Linear(2, 2), tmp_path / "m.mg")
    optimizer = minigrad.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(TypeError, match="SGD is not saved"):
        minigrad.save({"opt": optimizer}, tmp_path / "o.mg")


# ---- factories -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [("eye", (3,)), ("linspace", (0, 1, 5)),
                                        ("arange", (0.0, 3.0)), ("full", ((2,), 1.5)),
                                        ("zeros", (2,)), ("ones", (2,)), ("rand", (2,)),
                                        ("randn", (2,)), ("empty", (2,)), ("tensor", ([1.0],))])
def test_factories_take_requires_grad_like_torch(name, args):
    ours = getattr(minigrad, name)(*args, requires_grad=True)
    theirs = getattr(torch, name)(*args, requires_grad=True)
    assert ours.requires_grad and theirs.requires_grad and ours.is_leaf
    assert tuple(ours.shape) == tuple(theirs.shape)


def test_integer_factories_refuse_requires_grad_like_torch():
    for make in (lambda m: m.randint(0, 5, (2,), requires_grad=True),
                 lambda m: m.randperm(3, requires_grad=True),
                 lambda m: m.arange(3, requires_grad=True)):
        with pytest.raises(RuntimeError, match="floating point"):
            make(torch)
        with pytest.raises(TypeError, match="floating point"):
            make(minigrad)
    t = minigrad.randint(0, 5, (3,), dtype=minigrad.float32, requires_grad=True)
    assert t.requires_grad and t.dtype == minigrad.float32


def test_random_factories_take_a_generator():
    def draw(seed):
        g = minigrad.Generator().manual_seed(seed)
        return [minigrad.rand(3, generator=g), minigrad.randn(3, generator=g),
                minigrad.randint(0, 9, (3,), generator=g), minigrad.randperm(5, generator=g)]
    for a, b in zip(draw(4), draw(4)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(draw(4)[1].numpy(), draw(5)[1].numpy())


# ---- axis= / keepdims= ----------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda m, x: x.sum(axis=0), lambda m, x: m.sum(x, axis=1, keepdims=True),
    lambda m, x: x.mean(axis=0, keepdims=True), lambda m, x: x.amax(axis=1),
    lambda m, x: x.max(axis=1)[0], lambda m, x: x.min(axis=0).indices,
    lambda m, x: x.argmax(axis=1), lambda m, x: x.std(axis=0), lambda m, x: x.var(axis=1),
    lambda m, x: m.cat([x, x], axis=1), lambda m, x: m.stack([x, x], axis=0),
    lambda m, x: x.unsqueeze(axis=0), lambda m, x: x[:1].squeeze(axis=0),
    lambda m, x: m.mean(x, axis=(0, 1)), lambda m, x: (x > 2).any(axis=0),
])
def test_numpy_keyword_aliases_match_torch(call):
    values = np.arange(6.0).reshape(2, 3)
    ours = call(minigrad, minigrad.tensor(values))
    theirs = call(torch, torch.tensor(values))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_dim_and_its_alias_together_is_an_error():
    with pytest.raises(TypeError, match="both 'dim' and its alias 'axis'"):
        minigrad.ones(2).sum(dim=0, axis=0)
    with pytest.raises(TypeError):
        minigrad.ones(2).sum(axes=0)


# ---- autograd.grad(only_inputs=) ------------------------------------------------------------

def test_grad_accepts_only_inputs():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (g,) = minigrad.autograd.grad((x * x).sum(), x, only_inputs=True)
    assert g.tolist() == [2.0, 4.0] and x.grad is None
    with pytest.warns(UserWarning, match="only_inputs"):
        minigrad.autograd.grad((x * x).sum(), [x], None, None, False, False)


# ---- models --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", models.list_models())
def test_every_zoo_model_refuses_named_pretrained_weights(name):
    builder = getattr(models, name)
    with pytest.raises(ValueError, match="no pretrained weights"):
        builder(pretrained=True)
    with pytest.raises(ValueError, match="downloads no pretrained weights"):
        builder(weights="IMAGENET1K_V1")


@pytest.mark.parametrize("name", ["small_cnn", "lenet5", "resnet18"])
def test_zoo_models_take_weights_none_and_pretrained_false(name):
    builder = getattr(models, name)
    minigrad.manual_seed(0)
    a = builder(weights=None, progress=False, num_classes=2)
    minigrad.manual_seed(0)
    b = builder(pretrained=False, num_classes=2)
    for (key, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=key)


def test_weights_path_loads_a_minigrad_checkpoint(tmp_path):
    minigrad.manual_seed(0)
    model = models.resnet18(num_classes=3, in_channels=1)
    path = tmp_path / "resnet.mg"
    minigrad.save(model.state_dict(), path)
    minigrad.manual_seed(1)
    loaded = models.resnet18(weights=path, num_classes=3, in_channels=1)
    np.testing.assert_array_equal(loaded.fc.weight.numpy(), model.fc.weight.numpy())
    assert models.get_model("resnet18", num_classes=3, in_channels=1, weights=str(path))


# ---- more calls training scripts make ----------------------------------------------------

def test_to_and_cuda_take_non_blocking_like_torch():
    x, tx = minigrad.ones(2), torch.ones(2)
    for args, kwargs in [(("cpu",), {"non_blocking": True}), (("cpu", torch.float64, True), {}),
                         ((torch.float64, False, True), {})]:
        ours_args = tuple(minigrad.float64 if a is torch.float64 else a for a in args)
        ours, theirs = x.to(*ours_args, **kwargs), tx.to(*args, **kwargs)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    copied = x.to(minigrad.float32, False, True)
    assert copied is not x and copied.tolist() == x.tolist()
    with pytest.raises(TypeError, match="at most two flags"):
        x.to(True, True, True)


def test_as_tensor_shares_memory_where_torch_does():
    a = np.zeros(3)
    ours, theirs = minigrad.as_tensor(a), torch.as_tensor(a)
    a[0] = 7.0
    assert ours[0].item() == theirs[0].item() == 7.0
    converted = minigrad.as_tensor(a, dtype=minigrad.float32)
    a[1] = 5.0
    assert converted[1].item() == 0.0 and converted.dtype == minigrad.float32
    t = minigrad.ones(2)
    assert minigrad.as_tensor(t) is t and torch.as_tensor(tx := torch.ones(2)) is tx
    assert minigrad.as_tensor([1, 2]).tolist() == [1, 2]
    assert minigrad.as_tensor(t, dtype=minigrad.float64).dtype == minigrad.float64


def test_inference_mode_turns_recording_off_like_torch():
    x = minigrad.ones(2, requires_grad=True)
    tx = torch.ones(2, requires_grad=True)
    with minigrad.inference_mode(), torch.inference_mode():
        assert not (x * 2).requires_grad and not (tx * 2).requires_grad
    with minigrad.inference_mode(False), torch.inference_mode(False):
        assert (x * 2).requires_grad and (tx * 2).requires_grad

    @minigrad.inference_mode
    def bare():
        return (x * 2).requires_grad

    @minigrad.inference_mode()
    def called():
        return (x * 2).requires_grad
    assert not bare() and not called() and minigrad.is_grad_enabled()
    with minigrad.no_grad(), torch.no_grad():  # inference_mode(False) turns grad mode on
        assert minigrad.inference_mode(False)(lambda: (x * 2).requires_grad)()
        assert torch.inference_mode(False)(lambda: (tx * 2).requires_grad)()
    assert not minigrad.is_inference_mode_enabled()
    with minigrad.inference_mode():
        assert minigrad.is_inference_mode_enabled()
        with minigrad.inference_mode(False):
            assert not minigrad.is_inference_mode_enabled() and minigrad.is_grad_enabled()


def test_cuda_manual_seed_all_is_accepted_everywhere():
    minigrad.cuda.manual_seed_all(0)
    torch.cuda.manual_seed_all(0)
    with pytest.raises(TypeError, match="int"):
        minigrad.cuda.manual_seed_all(0.5)
