"""`UpsamplingBilinear2d` and `UpsamplingNearest2d`, and the padding layers: `ZeroPad1d/2d/3d`,
`ConstantPad1d/2d/3d`, `ReflectionPad1d/2d/3d`, `ReplicationPad1d/2d/3d`,
`CircularPad1d/2d/3d`."""
from ...functions.padding import pad
from ..module import Module
from ..._args import sequence_length
from .upsample import Upsample


class UpsamplingBilinear2d(Upsample):
    """`UpsamplingBilinear2d(size=None, scale_factor=None)`: bilinear resizing of (N, C, H, W)
    input with align_corners=True."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class UpsamplingNearest2d(Upsample):
    """`UpsamplingNearest2d(size=None, scale_factor=None)`: nearest-neighbour resizing of
    (N, C, H, W) input."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class _PadNd(Module):
    """A padding layer over the last `_dims` dims: `padding` is an int (every side) or a tuple
    of 2 * _dims amounts (before, after), last dim first, as F.pad."""

    _dims = 1
    _mode = "constant"

    def __init__(self, padding, value=0.0):
        super().__init__()
        self.padding = sequence_length(padding, 2 * self._dims, "padding", type(self).__name__)
        self.value = value

    def forward(self, input):
        if self._mode == "constant":
            return pad(input, self.padding, "constant", self.value)
        return pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding, value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_PadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)


def _layer(base, dims, mode, name, what):
    doc = f"`{name}(padding)`: {what} padding of the last {dims} dim(s) (see F.pad)."
    return type(name, (base,), {"_dims": dims, "_mode": mode, "__doc__": doc,
                                "__module__": __name__})


ZeroPad1d = _layer(_ZeroPadNd, 1, "constant", "ZeroPad1d", "zero")
ZeroPad2d = _layer(_ZeroPadNd, 2, "constant", "ZeroPad2d", "zero")
ZeroPad3d = _layer(_ZeroPadNd, 3, "constant", "ZeroPad3d", "zero")
ConstantPad1d = _layer(_ConstantPadNd, 1, "constant", "ConstantPad1d", "constant-value")
ConstantPad2d = _layer(_ConstantPadNd, 2, "constant", "ConstantPad2d", "constant-value")
ConstantPad3d = _layer(_ConstantPadNd, 3, "constant", "ConstantPad3d", "constant-value")
ReflectionPad1d = _layer(_PadNd, 1, "reflect", "ReflectionPad1d", "reflection")
ReflectionPad2d = _layer(_PadNd, 2, "reflect", "ReflectionPad2d", "reflection")
ReflectionPad3d = _layer(_PadNd, 3, "reflect", "ReflectionPad3d", "reflection")
ReplicationPad1d = _layer(_PadNd, 1, "replicate", "ReplicationPad1d", "edge-replicating")
ReplicationPad2d = _layer(_PadNd, 2, "replicate", "ReplicationPad2d", "edge-replicating")
ReplicationPad3d = _layer(_PadNd, 3, "replicate", "ReplicationPad3d", "edge-replicating")
CircularPad1d = _layer(_PadNd, 1, "circular", "CircularPad1d", "circular (wrap-around)")
CircularPad2d = _layer(_PadNd, 2, "circular", "CircularPad2d", "circular (wrap-around)")
CircularPad3d = _layer(_PadNd, 3, "circular", "CircularPad3d", "circular (wrap-around)")
