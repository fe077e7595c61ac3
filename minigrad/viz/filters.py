"""`filter_grid` and `feature_maps`: what a convolution layer has learned and what it sees."""

from ..autograd import no_grad
from ..nn import Module
from ._image import as_numpy, heatmap_grid, normalize, tile, write_png


def filter_grid(weight, path=None, nrow=None, padding=1, scale=8):
    """A convolution layer's filters tiled into one image, each filter scaled to [0, 1] on its
    own (its smallest weight black, its largest white).

    `weight` is a Conv2d weight (out, in, kh, kw), a Conv1d weight (out, in, k) (shown as
    1 x k strips), a Tensor, Parameter or array, or the conv layer itself. With 3 input
    channels each filter is one RGB tile; otherwise each (filter, input channel) pair is a grey
    tile, one row of `in` tiles per filter (`nrow` defaults to `in`, or about square when
    in == 1). Returns the grid as a float array (H, W) or (H, W, 3) in [0, 1]; given `path`,
    also writes it as a PNG with every weight enlarged to `scale` x `scale` pixels.
    """
    if isinstance(weight, Module):
        if not hasattr(weight, "weight"):
            raise TypeError(f"filter_grid: {type(weight).__name__} has no weight to show")
        weight = weight.weight
    filters = as_numpy(weight)
    if filters.ndim == 3:
        filters = filters[:, :, None, :]
    if filters.ndim != 4 or 0 in filters.shape:
        raise ValueError(f"filter_grid expects a conv weight (out, in, kh, kw) or (out, in, k) "
                         f"with no empty dimension, got shape {tuple(as_numpy(weight).shape)}")
    out_channels, in_channels = filters.shape[:2]
    filters = normalize(filters, axes=(1, 2, 3))
    if in_channels == 3:
        tiles = filters.transpose(0, 2, 3, 1)
    else:
        tiles = filters.reshape(out_channels * in_channels, *filters.shape[2:])
        if nrow is None and in_channels > 1:
            nrow = in_channels
    grid = tile(tiles, nrow=nrow, padding=padding)
    if path is not None:
        write_png(path, grid, scale=scale)
    return grid


def _resolve_layer(model, layer):
    if isinstance(layer, str):
        try:
            return model.get_submodule(layer)
        except AttributeError as err:
            raise ValueError(f"the model has no submodule {layer!r}: {err}") from None
    if not isinstance(layer, Module):
        raise TypeError(f"layer must be a Module or the dotted name of a submodule, got "
                        f"{type(layer).__name__}")
    if not any(m is layer for m in model.modules()):
        raise ValueError(f"the layer {type(layer).__name__} is not a submodule of the model")
    return layer


def capture_output(model, layer, x):
    """Run `model(x)` with a forward hook on `layer` (a submodule or its dotted name); returns
    (model output, the layer's output Tensor). The hook is removed again, even on errors. A
    layer that runs more than once keeps its last output; one that never runs raises."""
    layer = _resolve_layer(model, layer)
    captured = []

    def keep(module, inputs, output):
        captured[:] = [output]

    with layer.register_forward_hook(keep):
        result = model(x)
    if not captured:
        raise ValueError(f"the layer {type(layer).__name__} did not run during the forward "
                         f"pass")
    return result, captured[0]


def feature_maps(model, layer, x, path=None, sample=0, nrow=None, scale=4):
    """The activations of `layer` (a submodule of `model`, or its dotted name such as
    "features.3") for the input `x`, caught by a forward hook, without recording gradients.

    Returns them as a numpy array of the layer's output shape, e.g. (N, C, H, W). Given
    `path`, also writes the C maps of sample `sample` as a grid PNG, each map scaled to [0, 1]
    on its own (1-D maps (N, C, L) are shown as 1 x L strips).
    """
    with no_grad():
        _, output = capture_output(model, layer, x)
    maps = output.detach().cpu().numpy()
    if path is not None:
        if maps.ndim not in (3, 4):
            raise ValueError(f"feature_maps can draw (N, C, L) or (N, C, H, W) activations, "
                             f"got shape {maps.shape}")
        if not -maps.shape[0] <= sample < maps.shape[0]:
            raise IndexError(f"sample {sample} is out of range for {maps.shape[0]} inputs")
        chosen = maps[sample] if maps.ndim == 4 else maps[sample][:, None, :]
        write_png(path, heatmap_grid(chosen, "viridis", nrow=nrow), scale=scale)
    return maps
