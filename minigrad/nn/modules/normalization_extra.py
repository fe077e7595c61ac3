"""More normalisation layers: `LayerNorm`, `RMSNorm`, `GroupNorm`, `InstanceNorm1d/2d/3d`,
`BatchNorm3d`, and the vector layers `CosineSimilarity` and `PairwiseDistance`.

Parameter and buffer names, shapes, initial values and reprs are PyTorch's, so state_dicts
carry over in both directions.
"""
import warnings

import numpy as np

from ...functions import normalization_extra as N
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import check_tensor, empty_tensor
from .normalization import _BatchNorm
from ...errors import ShapeError


def _as_shape(normalized_shape):
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(n) for n in normalized_shape)


class LayerNorm(Module):
    """`LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True, bias=True)`: normalise
    over the trailing dims `normalized_shape`; weight (ones) and bias (zeros) of that shape."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty_tensor(self.normalized_shape, device, dtype))
            if bias:
                self.bias = Parameter(empty_tensor(self.normalized_shape, device, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        check_tensor(input, self)
        return N.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """`RMSNorm(normalized_shape, eps=None, elementwise_affine=True)`: x / sqrt(mean(x^2) +
    eps) over the trailing dims `normalized_shape`, times weight (ones); eps=None is the
    input dtype's machine epsilon."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty_tensor(self.normalized_shape, device, dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        check_tensor(input, self)
        return N.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """`GroupNorm(num_groups, num_channels, eps=1e-05, affine=True, bias=True)` over (N, C, *)
    input: each sample's channels in num_groups groups, normalised per group; per-channel
    weight (ones) and bias (zeros) of shape (num_channels,)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = Parameter(empty_tensor((num_channels,), device, dtype))
            if bias:
                self.bias = Parameter(empty_tensor((num_channels,), device, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        check_tensor(input, self)
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ShapeError(f"GroupNorm expected input of shape (N, {self.num_channels}, *), "
                             f"got {tuple(input.shape)}")
        return N.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """Shared by InstanceNorm1d/2d/3d: batch norm's parameters and buffers (affine and
    track_running_stats default to False), normalising each sample and channel on its own."""

    spatial_dims = 1

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _check_input(self, input):
        batched = self.spatial_dims + 2
        if input.ndim not in (batched - 1, batched):
            raise ShapeError(f"{type(self).__name__}: expected {batched - 1}D or {batched}D "
                             f"input (got {input.ndim}D input)")
        channels = input.shape[input.ndim - self.spatial_dims - 1]
        if channels != self.num_features:
            message = (f"{type(self).__name__}: expected input's size at dim "
                       f"{input.ndim - self.spatial_dims - 1} to match num_features "
                       f"({self.num_features}), but got: {channels}.")
            if self.affine:
                raise ValueError(message)
            warnings.warn(message + " The running statistics and affine parameters are "
                          "not used with this many channels.", stacklevel=3)

    def forward(self, input):
        check_tensor(input, self)
        self._check_input(input)
        unbatched = input.ndim == self.spatial_dims + 1
        if unbatched:
            input = input.unsqueeze(0)
        out = N.instance_norm(input, self.running_mean, self.running_var, self.weight,
                              self.bias, self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """`InstanceNorm1d(num_features, eps=1e-05, momentum=0.1, affine=False,
    track_running_stats=False)` over (N, C, L) or (C, L) input."""

    spatial_dims = 1


class InstanceNorm2d(_InstanceNorm):
    """`InstanceNorm2d(num_features, eps=1e-05, momentum=0.1, affine=False,
    track_running_stats=False)` over (N, C, H, W) or (C, H, W) input."""

    spatial_dims = 2


class InstanceNorm3d(_InstanceNorm):
    """`InstanceNorm3d(num_features, eps=1e-05, momentum=0.1, affine=False,
    track_running_stats=False)` over (N, C, D, H, W) or (C, D, H, W) input."""

    spatial_dims = 3


class BatchNorm3d(_BatchNorm):
    """`BatchNorm3d(num_features, eps=1e-05, momentum=0.1, affine=True,
    track_running_stats=True, *, bias=True)` over (N, C, D, H, W) input, C = num_features."""

    def _check_input(self, input):
        if input.ndim != 5 or input.shape[1] != self.num_features:
            raise ShapeError(f"BatchNorm3d expected 5-D input (N, {self.num_features}, D, H, W)"
                             f", got shape {tuple(input.shape)}")


class CosineSimilarity(Module):
    """`CosineSimilarity(dim=1, eps=1e-08)`: cosine of the angle between x1 and x2 along
    `dim`."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return N.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """`PairwiseDistance(p=2.0, eps=1e-06, keepdim=False)`: ||x1 - x2 + eps||_p along the
    last dim."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return N.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
