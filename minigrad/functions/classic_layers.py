"""Layers of classic published networks, composed of existing Tensor ops (so they run on every
device and differentiate to any order): local response normalisation (AlexNet, GoogLeNet v1),
channel shuffle (ShuffleNet), the bilinear form (`nn.Bilinear`) and pairwise distances within
a set (`pdist`)."""
from ..errors import InvalidArgumentError, ShapeError
from ..tensor import Tensor
from .padding import pad
from .pool import avg_pool2d
from .pool3d import avg_pool3d


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta, on (N, C, *)
    input; the window is centred on each channel and zero-padded at the ends."""
    if not isinstance(input, Tensor) or input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got "
                         f"{getattr(input, 'ndim', type(input).__name__)} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if input.ndim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    return input / (div * alpha + k) ** beta


def channel_shuffle(input, groups):
    """(N, C, *) with the channels, seen as a (groups, C / groups) grid, transposed."""
    if input.ndim < 3:
        raise ShapeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                         f"sizes {tuple(input.shape)}")
    channels = input.shape[1]
    if groups <= 0 or channels % groups:
        raise InvalidArgumentError(f"Number of channels must be divisible by groups. Got "
                                   f"{channels} channels and {groups} groups.")
    n, rest = input.shape[0], tuple(input.shape[2:])
    out = input.reshape(n, groups, channels // groups, *rest).transpose(1, 2)
    return out.reshape(n, channels, *rest)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T W_k x2 + b_k: input1 (*, I1), input2 (*, I2), weight (O, I1, I2), bias (O,)
    -> (*, O)."""
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or \
            input2.shape[-1] != weight.shape[2]:
        raise ShapeError(f"bilinear: expected weight (out, {input1.shape[-1]}, "
                         f"{input2.shape[-1]}), got {tuple(weight.shape)}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise ShapeError(f"bilinear: input1 and input2 must have the same batch dims, got "
                         f"{tuple(input1.shape)} and {tuple(input2.shape)}")
    # (*, I1) @ (O, I1, I2) -> (*, O, I2), then the product with x2 summed over I2
    left = (input1.unsqueeze(-2).unsqueeze(-2) @ weight).squeeze(-2)
    out = (left * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


def pdist(input, p=2.0):
    """The p-norm distances between the rows of (N, M) input, for each pair i < j, in row
    order: (N (N - 1) / 2,)."""
    if input.ndim != 2:
        raise ShapeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    n = input.shape[0]
    rows = [i for i in range(n) for _ in range(i + 1, n)]
    cols = [j for i in range(n) for j in range(i + 1, n)]
    if not rows:
        return input.new_zeros((0,))
    diff = input[rows] - input[cols]
    return diff.norm(p, dim=1)


__all__ = ["bilinear", "channel_shuffle", "local_response_norm", "pdist"]
