"""Empty batches and empty layers, as PyTorch: every model family runs forward and backward
on a batch of 0 images; convolution with no output channels, pooling, linear layers and batch
norm (in training too) on empty inputs give empty results and zero parameter gradients."""
import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.models import get_model

try:
    import torch
except ImportError:
    torch = None


@pytest.fixture
def no_random_init(monkeypatch):
    """Models with zero-filled parameters: random values do not matter for shapes."""
    for name in ("uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_"):
        monkeypatch.setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)


# one builder per family (the smallest), with an input of its kind
MODEL_INPUTS = {
    "small_cnn": (1, 28, 28), "lenet5": (1, 28, 28), "cnn1d": (1, 32), "alexnet": (3, 32, 32),
    "vgg11_bn": (3, 32, 32), "resnet18": (3, 32, 32), "resnet50": (3, 32, 32),
    "googlenet": (3, 32, 32), "xception": (3, 32, 32),
}


# (alexnet's and vgg's classifiers hold 100M+ weights: those two run in training mode only)
CASES = [(name, mode) for name in MODEL_INPUTS for mode in ("train", "eval")
         if mode == "train" or name not in ("alexnet", "vgg11_bn")]


@pytest.mark.parametrize("name, mode", CASES)
def test_every_model_family_runs_on_an_empty_batch(name, mode, no_random_init):
    model = getattr(get_model(name, num_classes=3), mode)()
    x = minigrad.zeros(0, *MODEL_INPUTS[name], requires_grad=True)
    out = model(x)
    out = out[0] if isinstance(out, tuple) else out
    assert tuple(out.shape) == (0, 3)
    out.sum().backward()
    assert tuple(x.grad.shape) == tuple(x.shape)
    for p in model.parameters():
        assert p.grad is not None and not p.grad.numpy().any()


# name -> (layer factory (given nn of minigrad or torch), input shape)
LAYERS = {
    "conv_no_out_channels": (lambda nn: nn.Conv2d(3, 0, 3), (2, 3, 5, 5)),
    "conv_empty_batch": (lambda nn: nn.Conv2d(3, 4, 3), (0, 3, 5, 5)),
    "conv_transpose_empty_batch": (lambda nn: nn.ConvTranspose2d(3, 4, 3), (0, 3, 5, 5)),
    "conv1d_empty_batch": (lambda nn: nn.Conv1d(3, 4, 3), (0, 3, 5)),
    "max_pool": (lambda nn: nn.MaxPool2d(2), (0, 3, 4, 4)),
    "avg_pool": (lambda nn: nn.AvgPool2d(2), (0, 3, 4, 4)),
    "adaptive_avg_pool": (lambda nn: nn.AdaptiveAvgPool2d(1), (0, 3, 4, 4)),
    "linear_empty_batch": (lambda nn: nn.Linear(4, 3), (0, 4)),
    "linear_no_outputs": (lambda nn: nn.Linear(4, 0), (2, 4)),
    "linear_no_inputs": (lambda nn: nn.Linear(0, 3), (2, 0)),
    "batch_norm2d_train": (lambda nn: nn.BatchNorm2d(3), (0, 3, 4, 4)),
    "batch_norm1d_train": (lambda nn: nn.BatchNorm1d(3), (0, 3)),
    "flatten": (lambda nn: nn.Flatten(), (0, 3, 4, 4)),
    "dropout": (lambda nn: nn.Dropout(0.5), (0, 3)),
    "log_softmax": (lambda nn: nn.LogSoftmax(1), (0, 3)),
}
# what PyTorch gives (output shape) where torch is not installed to ask
EXPECTED_SHAPES = {
    "conv_no_out_channels": (2, 0, 3, 3), "conv_empty_batch": (0, 4, 3, 3),
    "conv_transpose_empty_batch": (0, 4, 7, 7), "conv1d_empty_batch": (0, 4, 3),
    "max_pool": (0, 3, 2, 2), "avg_pool": (0, 3, 2, 2), "adaptive_avg_pool": (0, 3, 1, 1),
    "linear_empty_batch": (0, 3), "linear_no_outputs": (2, 0), "linear_no_inputs": (2, 3),
    "batch_norm2d_train": (0, 3, 4, 4), "batch_norm1d_train": (0, 3), "flatten": (0, 48),
    "dropout": (0, 3), "log_softmax": (0, 3),
}


def _run(lib, name):
    """(output, input grad shape, parameter grads, layer) of a layer on its empty input."""
    layer = LAYERS[name][0](lib.nn)
    x = lib.zeros(*LAYERS[name][1], requires_grad=True)
    out = layer(x)
    out.sum().backward()
    grads = [np.asarray(p.grad.tolist()) for p in layer.parameters()]
    return out, tuple(x.grad.shape), grads, layer


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
@pytest.mark.parametrize("name", list(LAYERS))
def test_layers_on_empty_inputs(name):
    out, input_grad_shape, grads, layer = _run(minigrad, name)
    assert tuple(out.shape) == EXPECTED_SHAPES[name]
    assert input_grad_shape == LAYERS[name][1]
    if name == "linear_no_inputs":  # no inputs: the bias alone
        np.testing.assert_allclose(out.numpy(), np.broadcast_to(layer.bias.numpy(), (2, 3)))
        grads = grads[:1]  # (the bias's gradient is the batch size)
    for g in grads:  # a sum over nothing
        assert not g.any()
    if name.startswith("batch_norm"):  # the running statistics are left as they were
        assert layer.running_mean.tolist() == [0.0] * 3
        assert layer.running_var.tolist() == [1.0] * 3


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
@pytest.mark.parametrize("name", [n for n in LAYERS if n != "conv_no_out_channels"])
def test_empty_layer_results_match_torch(name):
    # (torch's cpu convolution refuses a weight with no output channels; an empty result is
    # what the sum over no channels gives, and what minigrad returns)
    ours, our_grad_shape, our_grads, our_layer = _run(minigrad, name)
    theirs, their_grad_shape, their_grads, their_layer = _run(torch, name)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert our_grad_shape == their_grad_shape
    assert [g.shape for g in our_grads] == [g.shape for g in their_grads]
    if name.startswith("batch_norm"):
        assert our_layer.running_var.tolist() == their_layer.running_var.tolist()
        assert int(our_layer.num_batches_tracked) == int(their_layer.num_batches_tracked)


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
def test_conv_with_no_output_channels_on_every_device(device):
    conv = nn.Conv2d(3, 0, 3).to(device)
    x = minigrad.zeros(2, 3, 5, 5, device=device, requires_grad=True)
    out = conv(x)
    assert tuple(out.shape) == (2, 0, 3, 3)
    out.sum().backward()
    assert not x.grad.numpy().any()
    assert tuple(conv.weight.grad.shape) == (0, 3, 3, 3)
