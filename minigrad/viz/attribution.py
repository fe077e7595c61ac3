"""Which input pixels a classifier's score depends on: vanilla gradients, SmoothGrad, Grad-CAM
and occlusion.

Every function takes `model` (inputs (N, C, ...) -> scores (N, classes)), a batch `x` and
`target`: one class for the whole batch (an int) or one per sample (a sequence of N ints).
They use the model as it is: call `model.eval()` first so that dropout and batch norm behave
as at test time. Results are numpy arrays; parameters' `.grad` are left untouched.
"""
import numpy as np

from ..autograd import grad, no_grad
from ..tensor import Tensor
from ._image import heatmap_grid, resize_bilinear, write_png
from .filters import capture_output


def _check_input(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: x must be a Tensor (N, C, ...), got {type(x).__name__}")
    if x.ndim < 3 or not x.is_floating_point():
        raise ValueError(f"{name}: x must be a floating-point batch (N, C, ...) with at least "
                         f"one spatial dimension, got {x.dtype} of shape {tuple(x.shape)}")


def _targets(target, count, num_classes, name):
    """`target` as an int64 array of `count` class indices in [0, num_classes)."""
    if isinstance(target, Tensor):
        target = target.cpu().numpy()
    array = np.asarray(target)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name}: target must be an int or a sequence of ints, got {target!r}")
    if array.ndim == 0:
        array = np.full(count, int(array))
    if array.shape != (count,):
        raise ValueError(f"{name}: target must be one int or {count} ints (one per sample), "
                         f"got shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise IndexError(f"{name}: target classes must be in [0, {num_classes}), got "
                         f"{array.tolist()}")
    return array.astype(np.int64)


def _check_scores(scores, count, name):
    if not isinstance(scores, Tensor) or scores.ndim != 2 or scores.shape[0] != count:
        shape = tuple(scores.shape) if isinstance(scores, Tensor) else type(scores).__name__
        raise ValueError(f"{name}: the model must return scores (N, classes) for N = {count} "
                         f"inputs, got {shape}")


def target_score(scores, target, name):
    """The sum over the batch of each sample's score for its target class: a scalar whose
    gradient with respect to sample i's input is d scores[i, target[i]] / d x[i]."""
    _check_scores(scores, len(target), name)
    mask = np.zeros(tuple(scores.shape), dtype=np.float64)
    mask[np.arange(len(target)), target] = 1.0
    return (scores * Tensor(mask, dtype=scores.dtype, device=scores.device)).sum()


def input_gradient(model, x, target, name="input_gradient"):
    """d score[target] / d x for each sample: a numpy array shaped like `x`."""
    _check_input(x, name)
    x = x.detach().requires_grad_(True)
    scores = model(x)
    _check_scores(scores, x.shape[0], name)
    classes = _targets(target, x.shape[0], scores.shape[1], name)
    (gradient,) = grad(target_score(scores, classes, name), x)
    return gradient.cpu().numpy()


def save_heatmaps(path, maps, nrow=None, scale=4):
    """Write (N, H, W) maps as one grid PNG, each map scaled to [0, 1] on its own."""
    maps = np.asarray(maps)
    if maps.ndim == 2:  # 1-D inputs: one strip per sample
        maps = maps[:, None, :]
    write_png(path, heatmap_grid(maps, "inferno", nrow=nrow), scale=scale)


def saliency(model, x, target, path=None):
    """Vanilla-gradient saliency (Simonyan et al., 2014): the largest absolute gradient of the
    target score over the input channels, max_c |d score[target] / d x[:, c]|.

    x (N, C, H, W) -> (N, H, W) (or (N, C, L) -> (N, L)). Given `path`, also writes the maps
    as a grid PNG.
    """
    maps = np.abs(input_gradient(model, x, target, "saliency")).max(axis=1)
    if path is not None:
        save_heatmaps(path, maps)
    return maps


def smoothgrad(model, x, target, noise_level=0.15, samples=25, seed=0, path=None):
    """SmoothGrad (Smilkov et al., 2017): the saliency map averaged over `samples` copies of
    the input with Gaussian noise added, of standard deviation `noise_level` times each
    sample's value range (max - min). The noise comes from a numpy generator seeded with
    `seed`, so the result is reproducible. Same shapes as `saliency`.
    """
    _check_input(x, "smoothgrad")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"smoothgrad: samples must be a positive int, got {samples!r}")
    if not noise_level >= 0:
        raise ValueError(f"smoothgrad: noise_level must be >= 0, got {noise_level!r}")
    values = x.detach().cpu().numpy()
    axes = tuple(range(1, values.ndim))
    sigma = noise_level * (values.max(axis=axes, keepdims=True) -
                           values.min(axis=axes, keepdims=True))
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(samples):
        noisy = values + sigma * rng.standard_normal(values.shape)
        noisy = Tensor(noisy, dtype=x.dtype, device=x.device)
        total = total + np.abs(input_gradient(model, noisy, target, "smoothgrad")).max(axis=1)
    maps = total / samples
    if path is not None:
        save_heatmaps(path, maps)
    return maps


def grad_cam(model, layer, x, target, upsample=False, path=None):
    """Grad-CAM (Selvaraju et al., 2017) at `layer` (a submodule, or its dotted name, whose
    output is (N, K, h, w)): ReLU(sum_k alpha_k A_k), where A_k is the layer's k-th activation
    map and alpha_k the spatial mean of d score[target] / d A_k. Unnormalised.

    The activations come from a forward hook on the layer, and their gradient from
    `minigrad.grad`, which differentiates with respect to any tensor of the graph.
    Returns (N, h, w); with `upsample=True`, (N, H, W) at the input's size (bilinear). Given
    `path`, also writes the maps (at the input's size) as a grid PNG.
    """
    _check_input(x, "grad_cam")
    # An input that requires grad makes the activations require it even in a frozen model.
    scores, activations = capture_output(model, layer, x.detach().requires_grad_(True))
    if not isinstance(activations, Tensor) or activations.ndim != 4:
        shape = tuple(activations.shape) if isinstance(activations, Tensor) else \
            type(activations).__name__
        raise ValueError(f"grad_cam: the layer must output feature maps (N, K, h, w), got "
                         f"{shape}")
    if not activations.requires_grad:
        raise ValueError("grad_cam: the layer's output does not require grad (was the model "
                         "run under no_grad?)")
    _check_scores(scores, x.shape[0], "grad_cam")
    classes = _targets(target, x.shape[0], scores.shape[1], "grad_cam")
    (gradient,) = grad(target_score(scores, classes, "grad_cam"), activations)
    weights = gradient.cpu().numpy().mean(axis=(2, 3), keepdims=True)
    maps = np.maximum((weights * activations.detach().cpu().numpy()).sum(axis=1), 0)
    if upsample or path is not None:
        resized = resize_bilinear(maps, tuple(x.shape[-2:]))
        if path is not None:
            save_heatmaps(path, resized)
        if upsample:
            return resized
    return maps


def occlusion(model, x, target, window, stride=1, baseline=0.0, batch_size=64, path=None):
    """Occlusion sensitivity (Zeiler and Fergus, 2014): the drop in the target score when a
    `window` (kh, kw) patch of every channel is replaced by `baseline`, for each position of
    the patch sliding over the input with `stride`.

    x (N, C, H, W) -> (N, (H - kh) // sh + 1, (W - kw) // sw + 1): entry [n, i, j] is
    score(x[n]) - score(x[n] with the patch at (i * sh, j * sw) occluded), so positive values
    mark regions the score relies on. Occluded copies run through the model `batch_size` at a
    time, without gradients. Given `path`, also writes the maps as a grid PNG.
    """
    _check_input(x, "occlusion")
    if x.ndim != 4:
        raise ValueError(f"occlusion: x must be images (N, C, H, W), got shape "
                         f"{tuple(x.shape)}")
    (kh, kw), (sh, sw) = _pair(window, "window"), _pair(stride, "stride")
    height, width = x.shape[-2:]
    if kh > height or kw > width:
        raise ValueError(f"occlusion: window {(kh, kw)} is larger than the input "
                         f"{(height, width)}")
    values = x.detach().cpu().numpy()
    rows, cols = (height - kh) // sh + 1, (width - kw) // sw + 1
    drops = np.empty((x.shape[0], rows, cols))
    with no_grad():
        base_scores = model(x.detach())
        _check_scores(base_scores, x.shape[0], "occlusion")
        classes = _targets(target, x.shape[0], base_scores.shape[1], "occlusion")
        base = base_scores.cpu().numpy()[np.arange(x.shape[0]), classes]
        positions = [(i, j) for i in range(rows) for j in range(cols)]
        for n in range(x.shape[0]):
            for start in range(0, len(positions), batch_size):
                chunk = positions[start:start + batch_size]
                copies = np.repeat(values[n:n + 1], len(chunk), axis=0)
                for c, (i, j) in enumerate(chunk):
                    copies[c, :, i * sh:i * sh + kh, j * sw:j * sw + kw] = baseline
                scores = model(Tensor(copies, dtype=x.dtype, device=x.device)).cpu().numpy()
                for c, (i, j) in enumerate(chunk):
                    drops[n, i, j] = base[n] - scores[c, classes[n]]
    if path is not None:
        save_heatmaps(path, drops)
    return drops


def _pair(value, name):
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer))
                             or v < 1 for v in pair):
        raise ValueError(f"occlusion: {name} must be a positive int or a pair of them, got "
                         f"{value!r}")
    return int(pair[0]), int(pair[1])
