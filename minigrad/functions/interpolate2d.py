"""Bilinear and bicubic interpolation of (N, C, H, W) tensors on kernels
(`resample2d_forward` / `resample2d_backward` on every device), as F.interpolate's 'bilinear'
and 'bicubic' modes run them.

Resampling is linear in the input, so its gradient is the adjoint map applied to the incoming
gradient, and the adjoint's gradient is the map again: each Function's backward applies the
other, which makes the gradients exact to any order.
"""
from ..autograd.function import KernelFunction


class Resample2d(KernelFunction):
    """x (N, C, H, W) -> (N, C, *out_size); `scales` (h, w) as PyTorch computes them."""

    @staticmethod
    def forward(ctx, kernels, x, out_size, scales, align_corners, cubic):
        ctx.options = (tuple(x.shape[2:]), tuple(out_size), scales, align_corners, cubic)
        return kernels.resample2d_forward(x, out_size, scales, align_corners, cubic)

    @staticmethod
    def backward(ctx, grad):
        in_size, out_size, scales, align_corners, cubic = ctx.options
        return Resample2dAdjoint.apply(grad, in_size, scales, align_corners, cubic), None, \
            None, None, None


class Resample2dAdjoint(KernelFunction):
    """The adjoint of Resample2d: grad (N, C, *out_size) -> (N, C, *in_size)."""

    @staticmethod
    def forward(ctx, kernels, grad, in_size, scales, align_corners, cubic):
        ctx.options = (tuple(grad.shape[2:]), scales, align_corners, cubic)
        return kernels.resample2d_backward(grad, in_size, scales, align_corners, cubic)

    @staticmethod
    def backward(ctx, grad):
        out_size, scales, align_corners, cubic = ctx.options
        return Resample2d.apply(grad, out_size, scales, align_corners, cubic), None, None, \
            None, None


__all__ = ["Resample2d", "Resample2dAdjoint"]
