"""Seeing inside CNNs: filters, feature maps, attribution maps, autograd graphs, curves.

    from minigrad import viz
    viz.filter_grid(model.features[0].weight, path="filters.png")
    viz.grad_cam(model, "features.3", images, target=labels, upsample=True)

Every function returns numpy arrays and, given `path`, also writes a PNG. Writing PNGs needs
Pillow, colour maps and curves need matplotlib (`pip install minigrad[viz]`); both are
imported only when a picture is written.
"""
from .attribution import grad_cam, occlusion, saliency, smoothgrad
from .filters import feature_maps, filter_grid
from .graph import to_dot
from .guided import guided_backprop
from .history import plot_history, read_history

__all__ = ["feature_maps", "filter_grid", "grad_cam", "guided_backprop", "occlusion",
           "plot_history", "read_history", "saliency", "smoothgrad", "to_dot"]
