"""PyTorch's module paths under minigrad's name: utils.data, nn.parallel, backends, accelerator.

Each check compares with what the same call gives in PyTorch on a machine without a GPU.
"""
import importlib

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn


def test_import_minigrad_loads_data_and_utils():
    assert isinstance(minigrad.data, type(minigrad))
    assert minigrad.utils.data.DataLoader is minigrad.data.DataLoader


@pytest.mark.parametrize("name", ["Dataset", "DataLoader", "TensorDataset", "random_split",
                                  "Subset", "ConcatDataset", "Sampler", "SequentialSampler",
                                  "RandomSampler", "SubsetRandomSampler",
                                  "WeightedRandomSampler", "BatchSampler", "default_collate",
                                  "default_convert", "IterableDataset", "ChainDataset",
                                  "get_worker_info"])
def test_utils_data_has_torch_names(name):
    torch_data = pytest.importorskip("torch.utils.data")
    assert hasattr(torch_data, name)
    assert getattr(minigrad.utils.data, name) is getattr(minigrad.data, name)


@pytest.mark.parametrize("path, name", [("dataloader", "default_collate"),
                                        ("dataloader", "DataLoader"),
                                        ("dataset", "TensorDataset"),
                                        ("sampler", "BatchSampler")])
def test_utils_data_submodules_import_by_torch_path(path, name):
    module = importlib.import_module(f"minigrad.utils.data.{path}")
    assert getattr(module, name) is getattr(minigrad.data, name)


def test_data_parallel_without_gpu_calls_the_module():
    torch = pytest.importorskip("torch")
    minigrad.manual_seed(0)
    inner = nn.Linear(3, 2)
    model = nn.DataParallel(inner)
    reference = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    assert list(model.state_dict()) == list(reference.state_dict()) == \
        ["module.weight", "module.bias"]
    assert model.module is inner
    x = minigrad.randn(4, 3)
    np.testing.assert_array_equal(model(x).numpy(), inner(x).numpy())
    if not minigrad.cuda.is_available():
        assert model.device_ids == reference.device_ids == []
    assert "(module): Linear(in_features=3, out_features=2, bias=True)" in repr(model)
    assert minigrad.nn.parallel.DataParallel is nn.DataParallel
    with pytest.raises(TypeError, match="expected a Module"):
        nn.DataParallel(lambda x: x)


def test_backends_and_accelerator_match_torch_without_gpu():
    torch = pytest.importorskip("torch")
    cudnn = minigrad.backends.cudnn
    assert cudnn.is_available() is False
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == \
        (torch.backends.cudnn.enabled, torch.backends.cudnn.benchmark,
         torch.backends.cudnn.deterministic)
    cudnn.benchmark = True
    try:
        assert minigrad.backends.cudnn.benchmark is True
    finally:
        cudnn.benchmark = False
    assert minigrad.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert minigrad.accelerator.is_available() == minigrad.cuda.is_available()
    if not minigrad.cuda.is_available():
        assert minigrad.accelerator.current_accelerator() is None
        assert torch.accelerator.current_accelerator() is None
    else:
        assert minigrad.accelerator.current_accelerator() == minigrad.device("cuda")


def test_tensor_device_kind_flags(device):
    t = minigrad.zeros(2, device=device)
    assert t.is_mps is False and t.is_xpu is False
    assert t.is_cuda == (device == "cuda")


def test_generator_seeds_like_torch_generator():
    g = minigrad.Generator()
    assert g.initial_seed() == minigrad.random.DEFAULT_SEED
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    first = g.numpy_generator.random(3)
    g.manual_seed(3)
    np.testing.assert_array_equal(g.numpy_generator.random(3), first)
    state = g.get_state()
    a = g.numpy_generator.random()
    g.set_state(state)
    assert g.numpy_generator.random() == a
    with pytest.raises(TypeError, match="int"):
        g.manual_seed(1.5)
