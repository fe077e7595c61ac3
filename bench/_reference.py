"""Plain numpy implementations the benchmark measures against (forward + backward).

Convolution is im2col + one (batched over groups) BLAS matmul, with col2im by strided adds for
the input gradient; pooling reshapes each 2x2 window into its own axes. These are the textbook
ways to write the ops in numpy, not tuned kernels. Layout is NCHW throughout.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_forward_backward(x, weight, bias, grad_out, stride, padding, groups):
    """Returns (out, grad_x, grad_weight, grad_bias) of conv2d for the given grad_out.

    x (n, c, h, w); weight (o, c // groups, kh, kw); bias (o,); grad_out (n, o, oh, ow).
    """
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    k = cg * kh * kw
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    oh, ow = windows.shape[2], windows.shape[3]
    m = n * oh * ow
    # cols[g, row, (ci, i, j)]: one row per output pixel, one column per weight of group g
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(m, groups, k).transpose(1, 0, 2)
    w_groups = weight.reshape(groups, o // groups, k)

    out = cols @ w_groups.transpose(0, 2, 1)                      # (g, m, o // g)
    out = out.transpose(1, 0, 2).reshape(n, oh, ow, o) + bias
    out = np.ascontiguousarray(out.transpose(0, 3, 1, 2))

    go = grad_out.transpose(0, 2, 3, 1).reshape(m, groups, o // groups).transpose(1, 0, 2)
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    grad_weight = (go.transpose(0, 2, 1) @ cols).reshape(o, cg, kh, kw)
    grad_cols = (go @ w_groups).transpose(1, 0, 2).reshape(n, oh, ow, c, kh, kw)
    grad_xp = np.zeros_like(xp)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i, i + stride * (oh - 1) + 1, stride)
            columns = slice(j, j + stride * (ow - 1) + 1, stride)
            grad_xp[:, :, rows, columns] += grad_cols[..., i, j].transpose(0, 3, 1, 2)
    grad_x = grad_xp[:, :, padding:padding + h, padding:padding + w]
    return out, grad_x, grad_weight, grad_bias


def _windows(x):
    """(n, c, h, w) -> (n, c, h/2, 2, w/2, 2): each 2x2 pooling window on axes 3 and 5."""
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2)


def max_pool2d_2x2_forward_backward(x, grad_out):
    """Returns (out, grad_x); the gradient goes to every maximum of a window (random inputs
    have no ties, where PyTorch would pick one)."""
    windows = _windows(x)
    out = windows.max(axis=(3, 5))
    is_max = windows == out[:, :, :, None, :, None]
    grad_x = (is_max * grad_out[:, :, :, None, :, None]).reshape(x.shape)
    return out, grad_x


def avg_pool2d_2x2_forward_backward(x, grad_out):
    """Returns (out, grad_x)."""
    windows = _windows(x)
    out = windows.mean(axis=(3, 5))
    share = np.broadcast_to(grad_out[:, :, :, None, :, None] * x.dtype.type(0.25),
                            windows.shape)
    return out, share.reshape(x.shape)


def linear_forward_backward(x, weight, bias, grad_out):
    """Returns (out, grad_x, grad_weight, grad_bias) of x @ weight.T + bias."""
    out = x @ weight.T + bias
    return out, grad_out @ weight, grad_out.T @ x, grad_out.sum(axis=0)
