"""2-D convolution kernels (cross-correlation, as PyTorch): forward, input and weight gradients.

Layouts are NCHW: x (N, C, H, W), weight (O, C // groups, kh, kw), output (N, O, out_h, out_w).
`geometry` is the 2-d `minigrad.geometry.ConvGeometry` the op built (sizes, padding, groups,
the taps that only ever meet padding); one-dimensional convolutions come with H = 1.

Two strategies, chosen per call by the size of one group's weight matrix:
- GEMM: im2col (Numba) turns a chunk of images into a column matrix and BLAS multiplies it by
  each group's weight matrix; for the input gradient BLAS makes columns from the output
  gradient and col2im adds them back into the image. Chunks are sized so the column buffer
  stays in cache. A 1x1 convolution with unit stride and no padding needs no im2col at all:
  each image already is its column matrix. BLAS brings its own threads.
- direct (conv_direct.py): parallel loop nests, for groups with few channels (depthwise).
Dense convolutions with few input channels (a network's first layers, LeNet's) take
the wide-grid kernels of conv_wide.py instead: GEMMs over columns copied (and added back) in
whole rows, bias and relu in the forward's epilogue; for the fewest weights, the weight
gradient as direct dot products.
Dense 3x3 stride-1 convolutions with enough channels can take Winograd F(2x2, 3x3) instead
(conv_winograd.py), each kernel from its own threshold in CpuConfig (off by default).
"""
import numpy as np

from . import conv_direct, conv_wide, conv_winograd
from ._config import get_config
from ._parallel import call, ready
from .conv_im2col import col2im, column_chunks, im2col


def _launch_direct(kernel, work, *args):
    """A direct kernel, on one thread when `work` (inner-loop steps) is small."""
    call(kernel, work >= get_config().conv_parallel_min_work, *args)


def _use_direct(weight_shape, groups):
    channels_out, group_in, kh, kw = weight_shape
    return (channels_out // groups) * group_in * kh * kw <= get_config().conv_direct_max_weights


def _use_winograd(weight_shape, dtype, geometry, min_channels, tiled_size, min_map=0):
    """Winograd for a dense 3x3 stride-1 convolution with at least `min_channels` input and
    output channels, computing at least `min_map` positions per image, whose 2x2 tiles over
    `tiled_size` (the positions computed) are used enough."""
    if not conv_winograd.applies(geometry, dtype) or min(weight_shape[:2]) < min_channels:
        return False
    height, width = tiled_size
    tiled = 4 * ((height + 1) // 2) * ((width + 1) // 2)
    return height * width >= min_map and \
        100 * height * width >= get_config().conv_winograd_min_tile_use_percent * tiled


def _use_wide(geometry, dtype, size, limit, applies=conv_wide.applies):
    """The wide-grid kernels (conv_wide.py) for a dense float convolution they apply to whose
    `size` (the count a CpuConfig threshold bounds) is at most `limit`."""
    return size <= limit and dtype in (np.float32, np.float64) and applies(geometry)


def _cropped(weight, spans):
    (top, bottom), (left, right) = spans
    return ready(weight[:, :, top:bottom + 1, left:right + 1])


def _transposed_chunk(a, n0, size):
    """a[n0:n0 + size] of an (N, O, P) array as a C-contiguous (O, size * P) matrix."""
    chunk = a[n0:n0 + size]
    return np.ascontiguousarray(chunk.transpose(1, 0, 2)).reshape(a.shape[1], -1)


def _store_chunk(target, product):
    """The inverse of _transposed_chunk: a (K, size * P) product written into target, a
    (size, K, P) block of images."""
    size, k, positions = target.shape
    target[...] = product.reshape(k, size, positions).transpose(1, 0, 2)


def conv2d_forward(x, weight, bias, geometry):
    """Cross-correlation of x (N, C, H, W) with weight (O, C // groups, kh, kw), plus bias (O,)
    if given -> (N, O, *geometry.output_size)."""
    return forward_maybe_clamped(x, weight, bias, geometry, relu=False)[0]


def forward_maybe_clamped(x, weight, bias, geometry, relu):
    """(out, clamped): conv2d_forward's result, and whether it is already clamped by relu
    (`relu` asked for it and the strategy taken has a fused epilogue) or still needs it."""
    x, weight = ready(x), ready(weight)
    n, channels_out = x.shape[0], weight.shape[0]
    groups, out_hw = geometry.groups, geometry.output_size
    out = np.empty((n, channels_out) + out_hw, dtype=x.dtype)
    if geometry.kept_taps is not None:
        spans, geometry = geometry.kept_taps
        weight = _cropped(weight, spans)
    if _use_winograd(weight.shape, x.dtype, geometry,
                     get_config().conv_winograd_forward_min_channels, out_hw):
        conv_winograd.forward(out, x, weight, None if bias is None else ready(bias),
                              geometry.padding)
        return out, False
    if _use_direct(weight.shape, groups):
        shift = np.zeros(channels_out, x.dtype) if bias is None else ready(bias)
        _launch_direct(conv_direct.forward, out.size * weight[0].size, out, x, weight, shift,
                       geometry.window, groups)
        return out, False
    if _use_wide(geometry, x.dtype, np.prod(weight.shape[1:]), get_config().conv_wide_max_rows):
        conv_wide.forward(out, x, weight, None if bias is None else ready(bias), geometry, relu)
        return out, relu
    group_out, rows = channels_out // groups, weight[0].size
    positions = out_hw[0] * out_hw[1]
    weights = weight.reshape(groups, group_out, rows)
    result = out.reshape(n, channels_out, positions)
    column = None if bias is None else bias.reshape(channels_out, 1)
    # On small maps one GEMM per chunk of images (their columns side by side, then one copy
    # into NCHW order) instead of one per image: per image, BLAS reads the whole weight matrix
    # for a handful of columns (512 -> 512 channels on 2x2 maps at batch 32: 16 ms, not 250).
    one_gemm = positions < get_config().conv_forward_image_gemm_min_positions
    if geometry.is_pointwise and out_hw == x.shape[2:]:
        images = x.reshape(n, x.shape[1], positions)
        side_by_side = _transposed_chunk(images, 0, n) if one_gemm else None  # (C, n * P)
        for g in range(groups):
            target = result[:, g * group_out:(g + 1) * group_out]
            if one_gemm:  # as below: one GEMM, not one per image, on small maps
                _store_chunk(target, weights[g] @ side_by_side[g * rows:(g + 1) * rows])
            else:
                np.matmul(weights[g], images[:, g * rows:(g + 1) * rows], out=target)
        if column is not None:
            result += column
        return out, False
    product = None  # the chunk's (group_out, size * positions) product, one buffer for all
    for n0, cols in column_chunks(n, groups * rows, positions, x.dtype):
        size = cols.shape[1]
        im2col(cols, x, n0, geometry.window, out_hw[1])
        for g in range(groups):
            target = result[n0:n0 + size, g * group_out:(g + 1) * group_out]
            if not one_gemm:
                np.matmul(weights[g], cols[g * rows:(g + 1) * rows].transpose(1, 0, 2),
                          out=target)
                continue
            if product is None or product.shape[1] != size * positions:
                product = np.empty((group_out, size * positions), dtype=x.dtype)
            np.matmul(weights[g], cols[g * rows:(g + 1) * rows].reshape(rows, -1),
                      out=product)
            _store_chunk(target, product)
        if column is not None:
            result[n0:n0 + size] += column  # while the chunk is still in cache
    return out, False


def conv2d_backward_input(grad, weight, geometry):
    """The gradient of conv2d with respect to its input (equivalently, the transposed
    convolution of grad): grad (N, O, *geometry.output_size), weight (O, C // groups, kh, kw)
    -> (N, C, *geometry.input_size)."""
    grad, weight = ready(grad), ready(weight)
    n, channels_out = grad.shape[:2]
    groups, input_hw = geometry.groups, geometry.input_size
    dx = np.empty((n, weight.shape[1] * groups) + input_hw, dtype=grad.dtype)
    if geometry.kept_taps is not None:
        spans, geometry = geometry.kept_taps
        weight = _cropped(weight, spans)
    group_in = weight.shape[1]
    if _use_winograd(weight.shape, grad.dtype, geometry,
                     get_config().conv_winograd_input_min_channels, input_hw,
                     get_config().conv_winograd_gradient_min_map):
        conv_winograd.backward_input(dx, grad, weight, geometry.padding)
        return dx
    if _use_direct(weight.shape, groups):
        _launch_direct(conv_direct.backward_input, grad.size * weight[0].size, dx, grad,
                       weight, geometry.window, groups)
        return dx
    if _use_wide(geometry, grad.dtype, np.prod(weight.shape[1:]),
                 get_config().conv_wide_input_max_rows, conv_wide.applies_to_input_gradient):
        return conv_wide.backward_input(dx, grad, weight, geometry)
    group_out, rows = channels_out // groups, weight[0].size
    positions = grad.shape[2] * grad.shape[3]
    weights_t = weight.reshape(groups, group_out, rows).transpose(0, 2, 1)
    grads = grad.reshape(n, channels_out, positions)
    if geometry.is_pointwise and input_hw == grad.shape[2:]:
        result = dx.reshape(n, group_in * groups, positions)
        # one GEMM on small maps, as in the forward
        one_gemm = positions < get_config().conv_forward_image_gemm_min_positions
        side_by_side = _transposed_chunk(grads, 0, n) if one_gemm else None  # (O, n * P)
        for g in range(groups):
            target = result[:, g * rows:(g + 1) * rows]
            if one_gemm:
                _store_chunk(target,
                             weights_t[g] @ side_by_side[g * group_out:(g + 1) * group_out])
            else:
                np.matmul(weights_t[g], grads[:, g * group_out:(g + 1) * group_out],
                          out=target)
        return dx
    for n0, cols in column_chunks(n, groups * rows, positions, dx.dtype):
        size = cols.shape[1]
        grad_t = _transposed_chunk(grads, n0, size)
        flat = cols.reshape(groups * rows, size * positions)
        for g in range(groups):
            np.matmul(weights_t[g], grad_t[g * group_out:(g + 1) * group_out],
                      out=flat[g * rows:(g + 1) * rows])
        col2im(dx, cols, n0, geometry.window, grad.shape[3])
    return dx


def conv2d_backward_weight(x, grad, geometry):
    """The gradient of conv2d with respect to its weight: x (N, C, *geometry.input_size),
    grad (N, O, *geometry.output_size) -> (O, C // groups, *geometry.kernel_size)."""
    x, grad = ready(x), ready(grad)
    n, channels_in = x.shape[:2]
    channels_out, groups = grad.shape[1], geometry.groups
    kernel_hw = geometry.kernel_size
    shape = (channels_out, channels_in // groups) + kernel_hw
    if geometry.kept_taps is not None:  # taps that only meet padding get zero gradient
        ((top, bottom), (left, right)), cropped = geometry.kept_taps
        dweight = np.zeros(shape, dtype=x.dtype)
        dweight[:, :, top:bottom + 1, left:right + 1] = conv2d_backward_weight(x, grad, cropped)
        return dweight
    if _use_winograd(shape, x.dtype, geometry, get_config().conv_winograd_weight_min_channels,
                     grad.shape[2:], get_config().conv_winograd_gradient_min_map):
        dweight = np.empty(shape, dtype=x.dtype)
        conv_winograd.backward_weight(dweight, x, grad, geometry.padding)
        return dweight
    if _use_wide(geometry, x.dtype, np.prod(shape),
                 get_config().conv_weight_direct_max_weights):
        dweight = np.empty(shape, dtype=x.dtype)
        _launch_direct(conv_wide.direct_weight_gradient, grad.size * dweight[0].size, dweight,
                       x, grad, geometry.window)
        return dweight
    if _use_wide(geometry, x.dtype, np.prod(shape[1:]), get_config().conv_wide_weight_max_rows):
        return conv_wide.backward_weight(x, grad, geometry)
    if _use_direct(shape, groups):
        dweight = np.empty(shape, dtype=x.dtype)
        _launch_direct(conv_direct.backward_weight, grad.size * dweight[0].size, dweight, x,
                       grad, geometry.window, groups)
        return dweight
    group_out, rows = channels_out // groups, channels_in // groups * kernel_hw[0] * kernel_hw[1]
    positions = grad.shape[2] * grad.shape[3]
    grads = grad.reshape(n, channels_out, positions)
    if geometry.is_pointwise:
        # rows and columns beyond grad's (an input larger than grad's) never meet a weight
        images = np.ascontiguousarray(x[:, :, :grad.shape[2], :grad.shape[3]])
        images = images.reshape(n, channels_in, positions)
        dweight = np.empty((groups, group_out, rows), dtype=x.dtype)
        # Per image products summed (a temporary of n x out x in) where the channels are few
        # next to the positions, else one GEMM over images moved side by side (a copy of
        # both operands): a 512-channel layer on 1x1 maps took 15 ms the first way, 1 the other.
        if group_out * rows <= positions * (group_out + rows):
            for g in range(groups):
                dweight[g] = np.matmul(grads[:, g * group_out:(g + 1) * group_out],
                                       images[:, g * rows:(g + 1) * rows].transpose(0, 2, 1)
                                       ).sum(0)
        else:
            grad_t, image_t = _transposed_chunk(grads, 0, n), _transposed_chunk(images, 0, n)
            for g in range(groups):
                dweight[g] = grad_t[g * group_out:(g + 1) * group_out] @ \
                    image_t[g * rows:(g + 1) * rows].T
        return dweight.reshape(shape)
    # With few output channels BLAS is faster with the long side (rows) first, so the gradient
    # is accumulated transposed, (rows, out per group), and transposed once at the end; with
    # many, that final strided copy costs more than it saves (512 x 4608: 12 ms of 25).
    transposed = group_out <= get_config().conv_transposed_max_out
    dweight = np.empty((groups, rows, group_out) if transposed else (groups, group_out, rows),
                       dtype=x.dtype)
    partial = None  # the later chunks' products, one buffer for all of them
    for n0, cols in column_chunks(n, groups * rows, positions, x.dtype):
        size = cols.shape[1]
        im2col(cols, x, n0, geometry.window, grad.shape[3])
        grad_t = _transposed_chunk(grads, n0, size)
        flat = cols.reshape(groups * rows, size * positions)
        for g in range(groups):
            col_g, grad_g = flat[g * rows:(g + 1) * rows], grad_t[g * group_out:(g + 1) * group_out]
            a, b = (col_g, grad_g.T) if transposed else (grad_g, col_g.T)
            if n0 == 0:  # the first chunk's product is written in place: no zeros, no temporary
                np.matmul(a, b, out=dweight[g])
                continue
            partial = np.empty_like(dweight[g]) if partial is None else partial
            dweight[g] += np.matmul(a, b, out=partial)
    if transposed:
        dweight = np.ascontiguousarray(dweight.transpose(0, 2, 1))
    return dweight.reshape(shape)
