"""`guided_backprop`: the input gradient with only positive signals let back through ReLUs."""
from ..nn import ReLU
from ._image import normalize, tile, write_png
from .attribution import input_gradient


def _positive_only(module, grad_input, grad_output):
    """A full backward hook for a ReLU: its ordinary gradient (grad_output where the input was
    positive) with the negative entries zeroed too."""
    return tuple(None if g is None else g.clamp(min=0) for g in grad_input)


def guided_backprop(model, x, target, path=None):
    """Guided backpropagation (Springenberg et al., 2015): d score[target] / d x computed with
    every `nn.ReLU` module of `model` passing back only positive gradients, at positions where
    its input was positive. A full backward hook on each ReLU module does it, for this call
    only; ReLUs applied as functions (`F.relu`) inside a forward are not seen, so a model
    without ReLU modules raises ValueError.

    x (N, C, H, W) -> a numpy array of the same shape. Given `path`, also writes the maps as a
    grid PNG, each scaled to [0, 1] on its own (RGB for 3 channels, grey otherwise, the
    channels' mean).
    """
    relus = [module for module in model.modules() if isinstance(module, ReLU)]
    if not relus:
        raise ValueError("guided_backprop: the model has no nn.ReLU modules to guide (ReLUs "
                         "called as functions cannot be hooked)")
    handles = [relu.register_full_backward_hook(_positive_only) for relu in relus]
    try:
        gradient = input_gradient(model, x, target, "guided_backprop")
    finally:
        for handle in handles:
            handle.remove()
    if path is not None:
        if gradient.ndim != 4:
            raise ValueError(f"guided_backprop can draw images (N, C, H, W), got shape "
                             f"{gradient.shape}")
        shown = gradient.transpose(0, 2, 3, 1) if gradient.shape[1] == 3 else \
            gradient.mean(axis=1)
        axes = tuple(range(1, shown.ndim))
        write_png(path, tile(normalize(shown, axes=axes)), scale=4)
    return gradient
