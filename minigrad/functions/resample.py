"""Resampling: F.interpolate in every PyTorch mode (nearest, nearest-exact, linear, bilinear,
bicubic, trilinear, area), grid_sample's argument checks (F.grid_sample runs kernels, see
grid_sample.py; its Tensor-op reference is grid_sample_reference.py) and F.affine_grid.

Bilinear and bicubic run on kernels (interpolate2d.py); trilinear is that kernel over each
depth slice's (H, W), then linear along the depth. Linear interpolation along one dim gathers
each output's two neighbours and weighs them (index_select and Tensor ops, with PyTorch's
source-coordinate rules, differentiable to any order). Area is adaptive average pooling, on
its kernels; nearest-exact is a gather.
"""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import rename_grad_fn
from ..creation import tensor
from ..errors import InputDimsNotImplementedError, ModeNotImplementedError, ShapeError
from ..tensor import Tensor
from .interpolate2d import Resample2d
from .pool import adaptive_avg_pool1d, adaptive_avg_pool2d
from .pool3d import adaptive_avg_pool3d
from .upsample import _output_sizes, interpolate as _nearest_interpolate

# interpolate's modes (besides nearest) -> the spatial dims they take (None: 1 to 3)
_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "area": None,
              "nearest-exact": None}


def _scale(in_size, out_size, align_corners, scale_factor):
    """PyTorch's area_pixel_compute_scale: output step measured in input samples."""
    if align_corners:
        return (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    if scale_factor is not None and scale_factor > 0:
        return 1.0 / scale_factor
    return in_size / out_size


def _linear_taps(in_size, out_size, align_corners, scale_factor, dtype):
    """Linear interpolation along one dim, as PyTorch computes it: for each output sample the
    two input indices (low, low + 1 clamped at the end) and their weights (1 - l, l), with the
    source coordinate and weights in `dtype`'s compute type (float32 below float64)."""
    ft = np.float64 if dtype is dtypes.float64 else np.float32
    if align_corners:
        scale = ft(in_size - 1) / ft(out_size - 1) if out_size > 1 else ft(0)
    elif scale_factor is not None and scale_factor > 0:
        scale = ft(1.0 / scale_factor)
    else:
        scale = ft(in_size) / ft(out_size)
    i = np.arange(out_size, dtype=ft)
    src = i * scale if align_corners else np.maximum(scale * (i + ft(0.5)) - ft(0.5), ft(0))
    low = np.minimum(src.astype(np.int64), in_size - 1)
    high = np.minimum(low + 1, in_size - 1)
    fraction = np.clip(src - low.astype(ft), ft(0), ft(1))
    return low, high, ft(1) - fraction, fraction


def _linear_along(x, dim, out_size, align_corners, scale_factor):
    """x with dim `dim` linearly resampled to `out_size`: w0 * x[low] + w1 * x[high] for each
    output sample, a gather of the two neighbours and a weighted sum, so a NaN or inf input
    reaches only the outputs that read it (a product with a dense weight matrix would spread
    it over a whole row)."""
    in_size = x.shape[dim]
    low, high, w_low, w_high = _linear_taps(in_size, out_size, align_corners, scale_factor,
                                            x.dtype)
    shape = [1] * x.ndim
    shape[dim] = out_size
    device = x.device

    def taps(index, weight):
        return (x.index_select(dim, tensor(index, device=device))
                * tensor(weight.reshape(shape), dtype=x.dtype, device=device))
    return taps(low, w_low) + taps(high, w_high)


def _nearest_exact_index(in_size, out_size, scale_factor):
    """Output i reads input min(floor((i + 0.5) * scale), in - 1), in float32 as PyTorch."""
    scale = np.float32(1.0 / scale_factor) if scale_factor is not None and scale_factor > 0 \
        else np.float32(in_size) / np.float32(out_size)
    src = np.floor((np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def _resample_dim(x, dim, weights):
    """x with dim `dim` replaced by weights (out, in) @ that dim."""
    w = tensor(weights, dtype=x.dtype, device=x.device)
    moved = x.transpose(dim, -1)
    return (moved @ w.transpose(0, 1)).transpose(dim, -1)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (after N, C) of `input` to `size` or by `scale_factor`, as
    PyTorch: mode 'nearest' / 'nearest-exact' / 'area' on 3-D to 5-D input, 'linear' on 3-D,
    'bilinear' and 'bicubic' on 4-D, 'trilinear' on 5-D. align_corners (interpolating modes
    only, default False) maps the corner samples onto each other; otherwise sample centres are
    aligned and a given scale_factor sets the step unless recompute_scale_factor is True."""
    if mode == "nearest":
        return _nearest_interpolate(input, size, scale_factor, mode, align_corners,
                                    recompute_scale_factor, antialias)
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if mode not in _MODES:
        raise ModeNotImplementedError(
            f"interpolate: unknown mode {mode!r}; expected one of 'nearest', "
            f"{', '.join(repr(m) for m in _MODES)}")
    interpolating = mode in ("linear", "bilinear", "bicubic", "trilinear")
    if align_corners is not None and not interpolating:
        raise ValueError("interpolate: align_corners can only be set with the interpolating "
                         "modes (linear, bilinear, bicubic, trilinear)")
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported")
    spatial = _MODES[mode]
    if input.ndim not in (3, 4, 5) or (spatial is not None and input.ndim != spatial + 2):
        wanted = f"a {spatial + 2}-D input" if spatial else "a 3-D, 4-D or 5-D input"
        raise InputDimsNotImplementedError(
            f"interpolate: mode {mode!r} expects {wanted} (N, C, spatial...), "
            f"got shape {tuple(input.shape)}")
    if not input.dtype.is_floating_point and mode != "nearest-exact":
        raise TypeError(f"interpolate: mode {mode!r} needs a floating point input, got "
                        f"{input.dtype}")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    spatial = input.ndim - 2
    if mode == "area":  # PyTorch's area mode is adaptive average pooling
        pool = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[spatial - 1]
        return rename_grad_fn(pool(input, tuple(sizes)), _node_name(mode, spatial))
    if mode == "nearest-exact":  # a gather per dim: exact for every dtype
        out = input
        for d, (in_size, out_size, scale) in enumerate(zip(input.shape[2:], sizes, scales)):
            index = tensor(_nearest_exact_index(in_size, out_size, scale), device=out.device)
            out = out[(slice(None),) * (d + 2) + (index,)]
        out = out if out is not input else input.clone()
        return rename_grad_fn(out, _node_name(mode, spatial))
    align_corners = bool(align_corners)
    if mode == "linear":
        out = _linear_along(input, 2, sizes[0], align_corners, scales[0])
        return rename_grad_fn(out, _node_name(mode, 1))
    # bilinear and bicubic on kernels (interpolate2d.py); trilinear is bilinear over (H, W) of
    # every depth slice, then linear along the depth: PyTorch's nesting of the three weights
    planes = input if spatial == 2 else input.reshape(
        (input.shape[0], input.shape[1] * input.shape[2]) + tuple(input.shape[3:]))
    steps = tuple(_scale(n, o, align_corners, f)
                  for n, o, f in zip(planes.shape[2:], sizes[-2:], scales[-2:]))
    out = Resample2d.apply(planes, tuple(sizes[-2:]), steps, align_corners, mode == "bicubic")
    if spatial == 3:
        out = out.reshape(tuple(input.shape[:3]) + tuple(sizes[-2:]))
        out = _linear_along(out, 2, sizes[0], align_corners, scales[0])
    return rename_grad_fn(out, _node_name(mode, spatial))


def _node_name(mode, spatial):
    """PyTorch's grad_fn name for interpolate's result in `mode` over `spatial` dims."""
    if mode == "area":
        return "SqueezeBackward1" if spatial == 1 else f"AdaptiveAvgPool{spatial}DBackward0"
    kind = {"nearest-exact": "NearestExact", "linear": "Linear", "bilinear": "Bilinear",
            "bicubic": "Bicubic", "trilinear": "Trilinear"}[mode]
    return f"Upsample{kind}{spatial}DBackward0"


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of `interpolate`."""
    warnings.warn("upsample is deprecated; use interpolate instead", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated alias of `interpolate(..., mode='bilinear', align_corners=True)`."""
    warnings.warn("upsample_bilinear is deprecated; use interpolate instead", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- grid_sample and affine_grid -----------------------------------------------------------

def check_grid_sample_args(input, grid, mode, padding_mode):
    """Raise for anything grid_sample cannot take (PyTorch's checks, minigrad's wording)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"grid_sample: mode must be 'bilinear', 'nearest' or 'bicubic', got "
                         f"{mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or "
                         f"'reflection', got {padding_mode!r}")
    for t, name in ((input, "input"), (grid, "grid")):
        if not isinstance(t, Tensor) or not t.dtype.is_floating_point:
            raise TypeError(f"grid_sample: {name} must be a floating point Tensor, got "
                            f"{getattr(t, 'dtype', type(t).__name__)}")
    spatial = input.ndim - 2
    if spatial not in (2, 3) or grid.ndim != input.ndim or grid.shape[-1] != spatial or \
            grid.shape[0] != input.shape[0]:
        raise ShapeError(f"grid_sample: expected input (N, C, H, W) with grid (N, Ho, Wo, 2) "
                         f"or input (N, C, D, H, W) with grid (N, Do, Ho, Wo, 3), one N, got "
                         f"{tuple(input.shape)} and {tuple(grid.shape)}")
    if mode == "bicubic" and spatial == 3:
        raise ShapeError("grid_sample: mode 'bicubic' supports only 4-D input, got 5-D input "
                         f"{tuple(input.shape)}")


def _base_coordinates(size, align_corners):
    """Pixel centres of `size` samples in [-1, 1] coordinates."""
    if size <= 1:
        return np.zeros(max(size, 0))
    steps = np.linspace(-1.0, 1.0, size)
    return steps if align_corners else steps * (size - 1) / size


def affine_grid(theta, size, align_corners=None):
    """Sampling grid for grid_sample from affine matrices: theta (N, 2, 3) and size
    (N, C, H, W) give (N, H, W, 2); theta (N, 3, 4) and size (N, C, D, H, W) give
    (N, D, H, W, 3). Differentiable in theta."""
    if not isinstance(theta, Tensor) or not theta.dtype.is_floating_point:
        raise TypeError(f"affine_grid: theta must be a floating point Tensor, got "
                        f"{getattr(theta, 'dtype', type(theta).__name__)}")
    size = tuple(int(s) for s in size)
    spatial = len(size) - 2
    if spatial not in (2, 3) or tuple(theta.shape) != (size[0], spatial, spatial + 1):
        raise ShapeError(f"affine_grid: expected theta (N, 2, 3) with a 4-D size or (N, 3, 4) "
                         f"with a 5-D size, got theta {tuple(theta.shape)} and size {size}")
    align_corners = bool(align_corners)
    axes = [_base_coordinates(s, align_corners) for s in size[2:]]  # (D,) H, W
    mesh = np.meshgrid(*axes, indexing="ij")
    # homogeneous coordinates ordered (x, y[, z]): x runs along the last dim
    base = np.stack([m.reshape(-1) for m in reversed(mesh)] + [np.ones(mesh[0].size)], axis=1)
    base_t = tensor(base, dtype=theta.dtype, device=theta.device)
    grid = base_t @ theta.transpose(1, 2)  # (N, points, spatial)
    return grid.reshape((size[0],) + size[2:] + (spatial,))


__all__ = ["affine_grid", "check_grid_sample_args", "interpolate",
           "upsample", "upsample_bilinear"]
