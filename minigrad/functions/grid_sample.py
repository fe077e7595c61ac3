"""F.grid_sample on kernels: the sampling and its first derivatives (input and grid) run as
one kernel each on every device (`grid_sample2d_*` for 4-D input, `grid_sample3d_*` for 5-D),
with the grid kept on the device.

Second derivatives differentiate the Tensor-op reference (`grid_sample_reference`): the
backward node recomputes the reference's first derivatives under autograd and takes their
vector-Jacobian product, so gradgradcheck holds in the input and the grid (for every mode and
both ranks; PyTorch has no second derivatives here) while a training step only ever runs the
two kernels.
"""
from ..autograd.api import grad as autograd_grad
from ..autograd.function import KernelFunction
from ..autograd.grad_mode import enable_grad
from .grid_sample_reference import grid_sample_reference
from .resample import check_grid_sample_args

_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}


def _kernels_for(kernels, x):
    """The (forward, backward) kernels for x's spatial rank (4-D or 5-D x)."""
    if x.ndim == 5:
        return kernels.grid_sample3d_forward, kernels.grid_sample3d_backward
    return kernels.grid_sample2d_forward, kernels.grid_sample2d_backward


class GridSample(KernelFunction):
    """(N, C, H, W) input sampled at (N, Ho, Wo, 2) grid points -> (N, C, Ho, Wo)."""

    backward_name = "GridSampler2DBackward0"

    @staticmethod
    def forward(ctx, kernels, x, grid, mode, padding_mode, align_corners):
        ctx.save(inputs=(0, 1))
        ctx.options = (mode, padding_mode, align_corners)
        forward, _ = _kernels_for(kernels, x)
        return forward(x, grid, _MODES[mode], _PADDINGS[padding_mode], align_corners)

    @staticmethod
    def backward(ctx, grad):
        x, grid = ctx.saved_tensors
        grad_input, grad_grid = GridSampleBackward.apply(grad, x, grid, *ctx.options)
        return grad_input, grad_grid, None, None, None


class GridSampleBackward(KernelFunction):
    """(grad_input, grad_grid) of GridSample for the output gradient `grad`."""

    @staticmethod
    def forward(ctx, kernels, grad, x, grid, mode, padding_mode, align_corners):
        ctx.save(inputs=(0, 1, 2))
        ctx.options = (mode, padding_mode, align_corners)
        _, backward = _kernels_for(kernels, x)
        return backward(grad, x, grid, _MODES[mode], _PADDINGS[padding_mode], align_corners)

    @staticmethod
    def backward(ctx, grad_grad_input, grad_grad_grid):
        grad, x, grid = (t.detach().requires_grad_() for t in ctx.saved_tensors)
        with enable_grad():
            out = grid_sample_reference(x, grid, *ctx.options)
            first = autograd_grad(out, (x, grid), grad, create_graph=True, allow_unused=True)
            total = 0
            for derivative, weight in zip(first, (grad_grad_input, grad_grad_grid)):
                if derivative is not None and weight is not None:
                    total = total + (derivative * weight).sum()
            if not hasattr(total, "requires_grad") or not total.requires_grad:
                return None, None, None, None, None, None
            second = autograd_grad(total, (grad, x, grid), create_graph=True,
                                   allow_unused=True)
        return (*second, None, None, None)


class GridSample3d(GridSample):
    """(N, C, D, H, W) input sampled at (N, Do, Ho, Wo, 3) grid points -> (N, C, Do, Ho, Wo)."""

    backward_name = "GridSampler3DBackward0"


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample (N, C, H, W) input at the points of grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo), or
    (N, C, D, H, W) input at grid (N, Do, Ho, Wo, 3) -> (N, C, Do, Ho, Wo).

    grid holds (x, y[, z]) in [-1, 1] (-1 the left / top edge: of the corner pixels' centres
    with align_corners=True, of their outer edges otherwise; default False). mode 'bilinear'
    (trilinear on 5-D input), 'nearest' or 'bicubic' (4-D input only, Keys' A = -0.75);
    padding_mode 'zeros', 'border' or 'reflection' for points outside the input.
    Differentiable in input and (bilinear, bicubic) in grid, to second order.
    """
    check_grid_sample_args(input, grid, mode, padding_mode)
    grid = grid.to(dtype=input.dtype)
    function = GridSample3d if input.ndim == 5 else GridSample
    return function.apply(input, grid, mode, padding_mode, bool(align_corners))


__all__ = ["grid_sample"]
