"""The GPU benchmark's cases: minigrad on device "cuda" against PyTorch on its GPU, float32.

Each case makes its inputs once, as numpy arrays, and builds one runner per library over them.
A runner is a zero-argument callable that waits for the GPU, does the measured work, waits
again (kernels run asynchronously: without that wait a timer sees only their launches) and
returns the results, which `problems` checks before anything is timed.
"""
import dataclasses
import math

import numpy as np

import _reference as ref
from _cases import mismatch
from _common import Target
from _training import (LEARNING_RATE, LOSS_RTOL, MOMENTUM, TORCH_BUILDERS, Workload,
                       training_step)

try:
    import torch
except ImportError:
    torch = None

# Width of the small CNN that stands in for LeNet-5 and ResNet-18 in smoke runs.
SMOKE_CNN_WIDTH = 2


def _synced(work, sync):
    def run():
        sync()
        result = work()
        sync()
        return result
    return run


def _minigrad_sync():
    import minigrad
    minigrad.cuda.synchronize()


def _minigrad_runner(work):
    return _synced(work, _minigrad_sync)


def _torch_runner(work):
    return _synced(work, torch.cuda.synchronize)


def to_host(results):
    """numpy copies of a runner's results (minigrad or torch tensors on the GPU)."""
    return [r.detach().cpu().numpy() for r in results]


def _random(rng, shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


class Sgemm:
    """C = A @ B, square float32 matrices: minigrad.matmul against torch.matmul (cuBLAS)."""

    key = "sgemm"
    unit = "TFLOP/s"

    def __init__(self, size):
        self.size = size
        self.title = f"SGEMM {size}x{size}x{size} (matmul)"
        self.target = Target.throughput_share("cuBLAS", 0.5)
        self.work = 2 * size ** 3 / 1e12  # TFLOP per call

    def inputs(self):
        rng = np.random.default_rng(0)
        return [_random(rng, (self.size, self.size)) for _ in range(2)]

    def build(self, library, arrays):
        if library == "minigrad":
            import minigrad
            a, b = (minigrad.tensor(x, device="cuda") for x in arrays)
            return _minigrad_runner(lambda: [minigrad.matmul(a, b)])
        a, b = (torch.from_numpy(x).cuda() for x in arrays)
        return _torch_runner(lambda: [torch.matmul(a, b)])

    def problems(self, arrays, results):
        """{library: what is wrong} for the results that differ from numpy's."""
        reference = [arrays[0] @ arrays[1]]
        return _mismatches(results, reference)


def _mismatches(results, reference):
    found = {lib: mismatch(to_host(r), reference) for lib, r in results.items()}
    return {lib: message for lib, message in found.items() if message}


@dataclasses.dataclass(frozen=True)
class ConvShape:
    """conv2d of N images of C channels, HxW = hw x hw, to O channels with a k x k kernel."""

    key: str
    n: int
    c: int
    o: int
    hw: int
    k: int
    stride: int = 1
    padding: int = 0
    groups: int = 1
    note: str = ""

    def tiny(self):
        """The same kind of convolution (kernel, stride, padding, depthwise or not) on a few
        elements, for smoke runs."""
        channels = 3 if self.groups > 1 else 2
        groups = channels if self.groups > 1 else 1
        out_channels = channels if self.groups > 1 else 3
        return dataclasses.replace(self, n=2, c=channels, o=out_channels, hw=5, groups=groups,
                                   note="")


class Conv:
    """conv2d forward and the gradients w.r.t. input, weight and bias, for a fixed random
    output gradient: minigrad.nn.functional.conv2d + minigrad.grad against
    torch.nn.functional.conv2d + torch.autograd.grad (cuDNN)."""

    unit = "images/s"

    def __init__(self, shape):
        self.shape = s = shape
        self.key = s.key
        kind = "depthwise " if s.groups == s.c and s.groups > 1 else ""
        note = f", {s.note}" if s.note else ""
        self.title = (f"conv2d {kind}{s.k}x{s.k} s{s.stride} p{s.padding} {s.c}->{s.o}, "
                      f"{s.hw}x{s.hw}, N={s.n}{note} (fwd+bwd)")
        self.target = Target.throughput_share("cuDNN", 0.3)
        self.work = s.n
        self.options = dict(stride=s.stride, padding=s.padding, groups=s.groups)

    def inputs(self):
        s = self.shape
        rng = np.random.default_rng(0)
        out_hw = (s.hw + 2 * s.padding - s.k) // s.stride + 1
        fan_in = s.c // s.groups * s.k * s.k
        return [_random(rng, (s.n, s.c, s.hw, s.hw)),
                _random(rng, (s.o, s.c // s.groups, s.k, s.k), fan_in ** -0.5),
                _random(rng, (s.o,)), _random(rng, (s.n, s.o, out_hw, out_hw))]

    def build(self, library, arrays):
        if library == "minigrad":
            import minigrad
            import minigrad.nn.functional as F
            *leaves, grad_out = (minigrad.tensor(a, device="cuda") for a in arrays)
            leaves = [t.requires_grad_() for t in leaves]

            def work():
                out = F.conv2d(*leaves, **self.options)
                return [out, *minigrad.grad(out, leaves, grad_outputs=grad_out)]
            return _minigrad_runner(work)
        *leaves, grad_out = (torch.from_numpy(a).cuda() for a in arrays)
        leaves = [t.requires_grad_() for t in leaves]

        def work():
            out = torch.nn.functional.conv2d(*leaves, **self.options)
            return [out, *torch.autograd.grad(out, leaves, grad_out)]
        return _torch_runner(work)

    def problems(self, arrays, results):
        reference = ref.conv2d_forward_backward(*arrays, **self.options)
        return _mismatches(results, reference)


def _torch_small_cnn(nn, num_classes, in_channels, width):
    """minigrad.models.SmallCNN in torch.nn, same module names."""
    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(in_channels, width, kernel_size=5, padding=2), nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(width, 2 * width, kernel_size=5, padding=2), nn.ReLU(),
                nn.MaxPool2d(2))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(2 * width, num_classes)

        def forward(self, x):
            return self.fc(self.avgpool(self.features(x)).flatten(1))

    return SmallCNN()


_TORCH_MODELS = {**TORCH_BUILDERS, "small_cnn": _torch_small_cnn}


class Training:
    """A full SGD (momentum 0.9) step on one fixed random batch: zero_grad, forward,
    cross_entropy, backward, step. Both libraries train the same net from minigrad's initial
    weights. The runner returns the loss tensor; it never asks for its value (`.item()`)."""

    unit = "images/s"

    def __init__(self, workload, **model_kwargs):
        self.workload = w = workload
        self.model_kwargs = model_kwargs
        self.key = f"train_{w.key}"
        shape = "x".join(map(str, w.input_shape))
        self.title = f"{w.title} training step, batch {w.batch}, {shape}"
        self.target = Target.throughput_share("PyTorch", 0.4)
        self.work = w.batch
        self.minigrad_step = None  # the step without the waits, set by build("minigrad")

    def inputs(self):
        """[images, labels, initial weights (a state_dict of numpy arrays)]."""
        import minigrad
        from minigrad.models import get_model
        w = self.workload
        minigrad.manual_seed(0)
        model = get_model(w.key, w.num_classes, w.input_shape[0], **self.model_kwargs)
        rng = np.random.default_rng(0)
        images = rng.standard_normal((w.batch, *w.input_shape), dtype=np.float32)
        labels = rng.integers(0, w.num_classes, size=w.batch, dtype=np.int64)
        return [images, labels, {k: v.numpy() for k, v in model.state_dict().items()}]

    def build(self, library, arrays):
        images, labels, weights = arrays
        w = self.workload
        if library == "minigrad":
            import minigrad
            import minigrad.optim
            from minigrad.models import get_model
            model = get_model(w.key, w.num_classes, w.input_shape[0], **self.model_kwargs)
            model.load_state_dict(weights)
            model.to("cuda")
            x, y = (minigrad.tensor(a, device="cuda") for a in (images, labels))
            optimizer = minigrad.optim.SGD(model.parameters(), lr=LEARNING_RATE,
                                           momentum=MOMENTUM)
            self.minigrad_step = training_step(model, optimizer, x, y,
                                               minigrad.nn.functional.cross_entropy)
            return _minigrad_runner(lambda: [self.minigrad_step()])
        model = _TORCH_MODELS[w.key](torch.nn, w.num_classes, w.input_shape[0],
                                     **self.model_kwargs)
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
        model.cuda()
        x, y = (torch.from_numpy(a.copy()).cuda() for a in (images, labels))
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        step = training_step(model, optimizer, x, y, torch.nn.functional.cross_entropy)
        return _torch_runner(lambda: [step()])

    def problems(self, arrays, results):
        """The first step's losses (same weights, same batch) must agree; without PyTorch,
        minigrad's must be finite."""
        losses = {lib: float(to_host(r)[0]) for lib, r in results.items()}
        mine = losses.get("minigrad")
        if mine is None:
            return {}
        if "torch" not in losses:
            return {} if math.isfinite(mine) else {"minigrad": f"first-step loss is {mine}"}
        theirs = losses["torch"]
        if abs(mine - theirs) <= LOSS_RTOL * abs(theirs):
            return {}
        return {"minigrad": f"first-step loss {mine:.7f} differs from torch's {theirs:.7f} "
                            f"by more than {LOSS_RTOL:g} relative"}


def count_transfers(step):
    """Host<->device copies (minigrad.cuda.transfer_count) made by one call of the training
    `step`, by the minigrad.cuda.synchronize() after it, and by reading its loss with .item():
    a dict with those three counts."""
    import minigrad
    count = minigrad.cuda.transfer_count
    minigrad.cuda.synchronize()
    before = count()
    loss = step()
    after_step = count()
    minigrad.cuda.synchronize()
    after_sync = count()
    loss.item()
    return {"step": after_step - before, "synchronize": after_sync - after_step,
            "item": count() - after_sync}


CONV_SHAPES = [
    # The CPU benchmark's convolutions (bench/_cases.py) ...
    ConvShape("conv3x3", n=64, c=32, o=64, hw=28, k=3, padding=1),
    ConvShape("conv3x3_deep", n=32, c=64, o=128, hw=14, k=3, padding=1),
    ConvShape("conv_depthwise", n=64, c=64, o=64, hw=28, k=3, padding=1, groups=64),
    ConvShape("conv1x1", n=64, c=64, o=128, hw=28, k=1),
    ConvShape("conv_stride2", n=64, c=32, o=64, hw=28, k=3, stride=2, padding=1),
    # ... and a 3x3 layer of ResNet-18's layer2 on 32x32 images, at a GPU-sized batch.
    ConvShape("conv_resnet", n=128, c=128, o=128, hw=16, k=3, padding=1,
              note="ResNet-18 layer2 at 32x32 input"),
]

TRAIN_WORKLOADS = [
    Workload("lenet5", "LeNet-5", 128, (1, 28, 28), 10),
    Workload("resnet18", "ResNet-18", 128, (3, 32, 32), 10),
]

# LeNet-5 and ResNet-18 take minutes per step in the CUDA simulator: smoke runs train a small
# CNN on a few tiny images instead.
SMOKE_WORKLOAD = Workload("small_cnn", f"small CNN (width {SMOKE_CNN_WIDTH})", 2, (1, 8, 8), 2)


def make_cases(smoke=False):
    """The benchmark's cases, or with `smoke` the same kinds of case on a few elements each."""
    if smoke:
        return [Sgemm(8), *(Conv(s.tiny()) for s in CONV_SHAPES),
                Training(SMOKE_WORKLOAD, width=SMOKE_CNN_WIDTH)]
    return [Sgemm(4096), *(Conv(s) for s in CONV_SHAPES),
            *(Training(w) for w in TRAIN_WORKLOADS)]
