"""The layers of `minigrad.nn` against PyTorch: with PyTorch's weights copied in, outputs, input
gradients and parameter gradients must match (train and eval where they differ); plus reprs,
BatchNorm's running statistics, dropout, shape errors and constructor checks."""
import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn

torch = pytest.importorskip("torch")


def _ours(array, device, requires_grad=False):
    return minigrad.tensor(array, dtype=minigrad.float64, device=device,
                           requires_grad=requires_grad)


def _pair(make, device):
    """The same layer built by both libraries, in float64, PyTorch's weights copied to ours."""
    torch.manual_seed(0)
    theirs = make(torch.nn).double()
    ours = make(nn).double().to(device)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return theirs, ours


def _forward_backward(theirs, ours, x, device, atol=1e-10):
    """Run both on x; compare outputs, then input and parameter gradients for one random
    upstream gradient."""
    tx = torch.tensor(x, requires_grad=True)
    mx = _ours(x, device, requires_grad=True)
    t_out, m_out = theirs(tx), ours(mx)
    assert tuple(m_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(m_out.numpy(), t_out.detach().numpy(), rtol=1e-9, atol=atol)
    upstream = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(upstream))
    m_out.backward(_ours(upstream, device))
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=atol)
    their_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(param.grad.numpy(), their_params[name].grad.numpy(),
                                   rtol=1e-9, atol=atol, err_msg=name)


LAYERS = [
    ("linear", lambda lib: lib.Linear(4, 3), (5, 4)),
    ("linear-3d-no-bias", lambda lib: lib.Linear(4, 3, bias=False), (2, 3, 4)),
    ("linear-1d", lambda lib: lib.Linear(4, 2), (4,)),
    ("identity", lambda lib: lib.Identity(7, unused=True), (2, 3)),
    ("conv1d", lambda lib: lib.Conv1d(2, 4, 3, stride=2, padding=1), (2, 2, 9)),
    ("conv1d-groups-same", lambda lib: lib.Conv1d(4, 2, 3, padding="same", dilation=2,
                                                  groups=2, bias=False), (2, 4, 7)),
    ("conv1d-unbatched", lambda lib: lib.Conv1d(2, 3, 2), (2, 5)),
    ("conv2d", lambda lib: lib.Conv2d(3, 4, 3, padding=1), (2, 3, 5, 5)),
    ("conv2d-mixed", lambda lib: lib.Conv2d(4, 6, (3, 2), stride=(2, 1), padding="valid",
                                            dilation=(1, 2), groups=2), (2, 4, 7, 7)),
    ("conv2d-unbatched", lambda lib: lib.Conv2d(2, 3, 3, padding="same"), (2, 4, 4)),
    ("conv-transpose2d", lambda lib: lib.ConvTranspose2d(4, 2, 3, stride=2, padding=1,
                                                         output_padding=1), (2, 4, 3, 3)),
    ("conv-transpose2d-groups", lambda lib: lib.ConvTranspose2d(4, 6, 2, groups=2, dilation=2,
                                                                bias=False), (1, 4, 3, 4)),
    ("max-pool1d", lambda lib: lib.MaxPool1d(3, 2, padding=1), (2, 3, 9)),
    ("max-pool2d", lambda lib: lib.MaxPool2d(2), (2, 3, 6, 6)),
    ("max-pool2d-ceil", lambda lib: lib.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
     (1, 2, 6, 6)),
    ("avg-pool1d", lambda lib: lib.AvgPool1d(3, 2, 1), (2, 3, 8)),
    ("avg-pool2d", lambda lib: lib.AvgPool2d(2), (2, 3, 6, 6)),
    ("avg-pool2d-no-pad-count", lambda lib: lib.AvgPool2d(3, 2, 1, count_include_pad=False),
     (1, 2, 5, 5)),
    ("adaptive-avg-pool2d", lambda lib: lib.AdaptiveAvgPool2d((2, 3)), (2, 3, 5, 7)),
    ("adaptive-avg-pool2d-1", lambda lib: lib.AdaptiveAvgPool2d(1), (2, 3, 4, 4)),
    ("relu", lambda lib: lib.ReLU(), (3, 4)),
    ("leaky-relu", lambda lib: lib.LeakyReLU(0.2), (3, 4)),
    ("elu", lambda lib: lib.ELU(0.5), (3, 4)),
    ("gelu", lambda lib: lib.GELU(), (3, 4)),
    ("gelu-tanh", lambda lib: lib.GELU("tanh"), (3, 4)),
    ("sigmoid", lambda lib: lib.Sigmoid(), (3, 4)),
    ("tanh", lambda lib: lib.Tanh(), (3, 4)),
    ("softmax", lambda lib: lib.Softmax(dim=1), (3, 4)),
    ("log-softmax", lambda lib: lib.LogSoftmax(dim=-1), (2, 3, 4)),
    ("flatten", lambda lib: lib.Flatten(), (2, 3, 2, 2)),
    ("flatten-range", lambda lib: lib.Flatten(0, 1), (2, 3, 2)),
    ("upsample-scale", lambda lib: lib.Upsample(scale_factor=2), (1, 2, 3, 3)),
    ("upsample-size", lambda lib: lib.Upsample(size=(5, 4)), (1, 2, 3, 3)),
    ("batch-norm1d", lambda lib: lib.BatchNorm1d(3), (4, 3)),
    ("batch-norm1d-3d", lambda lib: lib.BatchNorm1d(3, momentum=None), (4, 3, 5)),
    ("batch-norm2d", lambda lib: lib.BatchNorm2d(3, eps=1e-3), (4, 3, 2, 2)),
    ("batch-norm2d-no-affine", lambda lib: lib.BatchNorm2d(3, affine=False), (2, 3, 2, 3)),
    ("batch-norm2d-no-bias", lambda lib: lib.BatchNorm2d(3, bias=False), (2, 3, 2, 3)),
    ("batch-norm2d-untracked", lambda lib: lib.BatchNorm2d(3, track_running_stats=False),
     (2, 3, 2, 3)),
    ("dropout", lambda lib: lib.Dropout(0.3), (3, 4)),
    ("dropout2d", lambda lib: lib.Dropout2d(0.3), (2, 3, 2, 2)),
]


@pytest.mark.parametrize("make, shape", [pytest.param(m, s, id=i) for i, m, s in LAYERS])
def test_layer_matches_pytorch(device, make, shape):
    theirs, ours = _pair(make, device)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape)
    randomness = isinstance(ours, (nn.Dropout, nn.Dropout2d))
    if not randomness:  # dropout masks come from different generators: eval only
        _forward_backward(theirs, ours, x, device)
        theirs.zero_grad()
        ours.zero_grad()
    theirs.eval()
    ours.eval()
    _forward_backward(theirs, ours, x + 0.5, device)
    their_state = theirs.state_dict()
    for key, value in ours.state_dict().items():  # e.g. BatchNorm's running statistics
        np.testing.assert_allclose(value.numpy(), their_state[key].numpy(), rtol=1e-12,
                                   err_msg=key)


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batch_norm_running_statistics_over_several_batches(device, momentum):
    theirs, ours = _pair(lambda lib: lib.BatchNorm2d(2, momentum=momentum), device)
    rng = np.random.default_rng(0)
    for step in range(3):
        x = rng.standard_normal((3, 2, 2, 2)) * (step + 1) + step
        theirs(torch.tensor(x))
        ours(_ours(x, device))
    assert ours.num_batches_tracked.item() == 3
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(ours, name).numpy(),
                                   getattr(theirs, name).numpy(), rtol=1e-12)
    ours.eval()
    before = ours.running_mean.numpy().copy()
    ours(_ours(rng.standard_normal((3, 2, 2, 2)), device))
    np.testing.assert_array_equal(ours.running_mean.numpy(), before)  # eval: no update
    assert ours.num_batches_tracked.item() == 3


def test_batch_norm_reset_and_dtype_arguments():
    bn = nn.BatchNorm1d(2, dtype=minigrad.float64)
    assert bn.weight.dtype is minigrad.float64 and bn.running_var.dtype is minigrad.float64
    assert bn.num_batches_tracked.dtype is minigrad.int64
    bn(minigrad.randn(4, 2, dtype=minigrad.float64))
    bn.reset_running_stats()
    assert np.all(bn.running_mean.numpy() == 0) and np.all(bn.running_var.numpy() == 1)
    assert bn.num_batches_tracked.item() == 0
    assert nn.Linear(2, 3, dtype=minigrad.float64).weight.dtype is minigrad.float64
    assert nn.Conv2d(1, 1, 1, dtype=minigrad.float64).bias.dtype is minigrad.float64


@pytest.mark.cpu_suffices  # the modules call F.dropout*, whose cuda cases test_dropout runs
def test_dropout_in_training_and_eval(device):
    x = minigrad.ones(200, 100, device=device)
    drop = nn.Dropout(0.25)
    out = drop(x).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.02  # ~7 standard deviations for 20000 samples
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    drop.eval()
    assert drop(x) is x

    drop2d = nn.Dropout2d(0.5)
    out = drop2d(minigrad.ones(8, 50, 3, 3, device=device)).numpy()
    per_channel = out.reshape(8, 50, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))  # whole channels
    assert 0.35 < (per_channel[..., 0] == 0).mean() < 0.65
    drop2d.eval()
    x4 = minigrad.ones(2, 3, 2, 2, device=device)
    assert drop2d(x4) is x4


def test_inplace_activation_and_dropout_write_into_the_input():
    x = minigrad.tensor([-1.0, 2.0])
    assert nn.ReLU(inplace=True)(x) is x
    assert x.tolist() == [0.0, 2.0]
    y = minigrad.ones(50)
    nn.Dropout(0.5, inplace=True)(y)
    assert set(np.unique(y.numpy())) <= {0.0, 2.0} and (y.numpy() == 0).any()


def test_conv_transpose2d_output_size_matches_pytorch(device):
    theirs, ours = _pair(lambda lib: lib.ConvTranspose2d(2, 3, 3, stride=2, padding=1), device)
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4))
    for size in ([8, 8], (1, 3, 7, 8)):
        expected = theirs(torch.tensor(x), output_size=size).detach().numpy()
        out = ours(_ours(x, device), output_size=size)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="valid sizes range from 7 to 8"):
        ours(_ours(x, device), output_size=(9, 9))


LOSSES = [
    ("mse", lambda lib, T: lib.MSELoss(), "real"),
    ("mse-sum", lambda lib, T: lib.MSELoss(reduction="sum"), "real"),
    ("l1-none", lambda lib, T: lib.L1Loss(reduction="none"), "real"),
    ("bce", lambda lib, T: lib.BCELoss(weight=T([0.5, 1.0, 2.0])), "probability"),
    ("bce-logits", lambda lib, T: lib.BCEWithLogitsLoss(pos_weight=T([1.0, 3.0, 0.5])),
     "probability"),
    ("nll", lambda lib, T: lib.NLLLoss(weight=T([1.0, 2.0, 0.5]), ignore_index=1), "class"),
    ("cross-entropy", lambda lib, T: lib.CrossEntropyLoss(label_smoothing=0.1), "class"),
    ("cross-entropy-weighted-sum", lambda lib, T: lib.CrossEntropyLoss(
        weight=T([0.2, 1.0, 3.0]), reduction="sum"), "class"),
]


@pytest.mark.parametrize("make, target_kind", [pytest.param(m, k, id=i) for i, m, k in LOSSES])
def test_loss_module_matches_pytorch(device, make, target_kind):
    theirs = make(torch.nn, lambda v: torch.tensor(v, dtype=torch.float64))
    ours = make(nn, lambda v: _ours(v, device))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    if target_kind == "class":
        target = rng.integers(0, 3, size=4)
        t_target = torch.tensor(target)
        m_target = minigrad.tensor(target, dtype=minigrad.int64, device=device)
    else:
        target = rng.uniform(size=(4, 3)) if target_kind == "probability" else \
            rng.standard_normal((4, 3))
        t_target, m_target = torch.tensor(target), _ours(target, device)
    if isinstance(ours, nn.BCELoss):
        x = 1 / (1 + np.exp(-x))  # probabilities
    if isinstance(ours, nn.NLLLoss):
        x = x - np.log(np.exp(x).sum(1, keepdims=True))  # log-probabilities
    tx, mx = torch.tensor(x, requires_grad=True), _ours(x, device, requires_grad=True)
    t_loss, m_loss = theirs(tx, t_target), ours(mx, m_target)
    np.testing.assert_allclose(m_loss.numpy(), t_loss.detach().numpy(), rtol=1e-10)
    t_loss.sum().backward()
    m_loss.sum().backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_loss_weights_are_buffers_and_legacy_reduction():
    loss = nn.CrossEntropyLoss(weight=minigrad.ones(3))
    assert list(loss.state_dict()) == ["weight"]
    loss.double()
    assert loss.weight.dtype is minigrad.float64
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.raises(ValueError, match="reduction"):
        nn.L1Loss(reduction="average")


# ---- input shape errors and constructor checks ------------------------------------------------

def test_linear_wrong_input_shape():
    with pytest.raises(ValueError) as info:
        nn.Linear(400, 120)(minigrad.zeros(128, 300))
    assert str(info.value) == "Linear expected input with last dimension 400, got shape " \
                              "(128, 300)"
    with pytest.raises(ValueError, match="last dimension 2, got shape \\(\\)"):
        nn.Linear(2, 1)(minigrad.tensor(1.0))
    with pytest.raises(TypeError, match="Linear expects a Tensor input, got ndarray"):
        nn.Linear(2, 1)(np.zeros(2))
    with pytest.raises(TypeError, match="BatchNorm1d expects a Tensor input, got list"):
        nn.BatchNorm1d(2)([[1.0, 2.0]])


@pytest.mark.parametrize("layer, shape, message", [
    (lambda: nn.Conv2d(3, 8, 3), (2, 4, 8, 8),
     "Conv2d expected input of shape (N, 3, H, W) or (3, H, W), got shape (2, 4, 8, 8)"),
    (lambda: nn.Conv2d(3, 8, 3), (3, 8),
     "Conv2d expected input of shape (N, 3, H, W) or (3, H, W), got shape (3, 8)"),
    (lambda: nn.Conv1d(2, 8, 3), (1, 2, 3, 4),
     "Conv1d expected input of shape (N, 2, L) or (2, L), got shape (1, 2, 3, 4)"),
    (lambda: nn.ConvTranspose2d(2, 8, 3), (1, 3, 4, 4),
     "ConvTranspose2d expected input of shape (N, 2, H, W) or (2, H, W), got shape "
     "(1, 3, 4, 4)"),
    (lambda: nn.BatchNorm2d(3), (4, 3, 5),
     "BatchNorm2d expected 4-D input (N, 3, H, W), got shape (4, 3, 5)"),
    (lambda: nn.BatchNorm2d(3), (4, 2, 5, 5),
     "BatchNorm2d expected 4-D input (N, 3, H, W), got shape (4, 2, 5, 5)"),
    (lambda: nn.BatchNorm1d(3), (4, 5),
     "BatchNorm1d expected 2-D (N, 3) or 3-D (N, 3, L) input, got shape (4, 5)"),
])
def test_wrong_input_shapes_name_expected_and_actual(layer, shape, message):
    with pytest.raises(ValueError) as info:
        layer()(minigrad.zeros(*shape))
    assert str(info.value) == message


def test_constructor_checks():
    with pytest.raises(ValueError, match="only padding_mode='zeros' is supported"):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv1d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(4, 4, 3, groups=0)
    with pytest.raises(ValueError, match="strided convolutions"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.Conv1d(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="padding strings are not supported"):
        nn.ConvTranspose2d(1, 1, 3, padding="same")
    with pytest.raises(ValueError, match="kernel_size must be an int or a sequence of 2"):
        nn.Conv2d(1, 1, (3, 3, 3))
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="unknown mode 'cubic'"):
        nn.Upsample(scale_factor=2, mode="cubic")(minigrad.randn(1, 1, 2, 2))


def test_softmax_without_dim_warns_like_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.nn.Softmax()(torch.tensor(x)).numpy()
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(_ours(x, "cpu"))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


def test_layers_work_in_float32_by_default(device):
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.GELU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(2, 3)).to(device)
    out = net(minigrad.randn(4, 1, 4, 4, device=device))
    assert out.dtype is minigrad.float32 and tuple(out.shape) == (4, 3)
    out.sum().backward()
    assert all(p.grad is not None and p.grad.dtype is minigrad.float32
               for p in net.parameters())
    assert math.isfinite(out.sum().item())
