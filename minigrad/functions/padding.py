"""F.pad with every PyTorch mode: constant, reflect, replicate and circular, and the padding
layers' functional core.

The non-constant modes pad the last 1, 2 or 3 dims with one kernel on each device
(`pad_modes_forward`): each output element reads the input position its mode maps it to
(reflect: mirrored without repeating the edge; replicate: the edge repeated; circular: wrapped
around). Padding is linear in the input, so its gradient is the adjoint kernel
(`pad_modes_backward`, a gather: deterministic) and the adjoint's gradient is the pad again,
which makes every mode differentiable to any order.
"""
from ..autograd.function import KernelFunction
from ..errors import InputDimsNotImplementedError, ModeNotImplementedError, ShapeError
from ..tensor import Tensor
from .shape import pad as _constant_pad

_MODES = ("constant", "reflect", "replicate", "circular")


def _check_amounts(input, pad, mode):
    dims = len(pad) // 2
    if len(pad) % 2 or not 1 <= dims <= 3:
        raise ShapeError(f"pad: mode {mode!r} pads the last 1, 2 or 3 dims: expected 2, 4 or 6 "
                         f"amounts, got {len(pad)}")
    if input.ndim not in (dims + 1, dims + 2):
        raise InputDimsNotImplementedError(f"pad: {dims}-D {mode} padding expects a "
                                           f"{dims + 1}-D or {dims + 2}-D input (unbatched or "
                                           f"batched), got shape {tuple(input.shape)}")
    for i in range(dims):
        size = input.shape[input.ndim - 1 - i]
        before, after = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (before >= size or after >= size):
            raise ShapeError(f"pad: reflect padding amounts must be smaller than the padded "
                             f"dim: got ({before}, {after}) for dim {input.ndim - 1 - i} of "
                             f"size {size}")
        if mode == "circular" and (before > size or after > size):
            raise ShapeError(f"pad: circular padding amounts may wrap around at most once: got "
                             f"({before}, {after}) for dim {input.ndim - 1 - i} of size {size}")
        if mode == "circular" and size + min(before, 0) + min(after, 0) <= 0 \
                and size + before + after > 0:
            raise ShapeError(f"pad: circular padding of dim {input.ndim - 1 - i} of size {size} "
                             f"by ({before}, {after}) crops every element it would wrap")
        if size == 0 or size + before + after < 0:
            raise ShapeError(f"pad: cannot {mode}-pad dim {input.ndim - 1 - i} of size {size} "
                             f"by ({before}, {after})")


def pad(input, pad, mode="constant", value=None):
    """PyTorch's F.pad: `pad` lists (before, after) amounts from the LAST dim backwards.

    mode "constant" fills with `value` (0 when None) and takes any number of dims; "reflect",
    "replicate" and "circular" pad the last 1-3 dims of an unbatched or batched input, reflect
    by less than the dim's size, circular by at most its size. Negative amounts crop.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    if mode not in _MODES:
        raise ModeNotImplementedError(f"pad: mode must be one of {_MODES}, got {mode!r}")
    amounts = tuple(int(p) for p in pad)
    if mode == "constant":
        return _constant_pad(input, amounts, "constant", 0.0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"pad: a fill value is only meaningful in 'constant' mode, got "
                         f"value={value} with mode={mode!r}")
    _check_amounts(input, amounts, mode)
    return PadModes.apply(input, amounts, mode)


class PadModes(KernelFunction):
    """x (..., *spatial) -> the reflect/replicate/circular pad of its last len(pad) // 2 dims."""

    @staticmethod
    def forward(ctx, kernels, x, pad, mode):
        ctx.options = (tuple(x.shape), pad, mode)
        return kernels.pad_modes_forward(x, pad, mode)

    @staticmethod
    def backward(ctx, grad):
        in_shape, pad, mode = ctx.options
        return PadModesAdjoint.apply(grad, in_shape, pad, mode), None, None


class PadModesAdjoint(KernelFunction):
    """The adjoint of PadModes: grad (..., *padded spatial) -> (*in_shape)."""

    @staticmethod
    def forward(ctx, kernels, grad, in_shape, pad, mode):
        ctx.options = (pad, mode)
        return kernels.pad_modes_backward(grad, in_shape, pad, mode)

    @staticmethod
    def backward(ctx, grad):
        pad, mode = ctx.options
        return PadModes.apply(grad, pad, mode), None, None, None

__all__ = ["pad"]
