"""2-D convolution kernels (cross-correlation, as PyTorch): forward, input and weight gradients.

Layouts are NCHW: x (N, C, H, W), weight (O, C // groups, kh, kw), output (N, O, out_h, out_w).
Geometry arguments are (height, width) pairs of Python ints, padding symmetric; callers validate
them (one-dimensional convolutions call these with H = 1).

Two strategies, chosen per call by the size of one group's weight matrix:
- GEMM: im2col (Numba) turns a chunk of images into a column matrix and BLAS multiplies it by
  each group's weight matrix; for the input gradient BLAS makes columns from the output
  gradient and col2im adds them back into the image. Chunks are sized so the column buffer
  stays in cache. A 1x1 convolution with unit stride and no padding needs no im2col at all:
  each image already is its column matrix. BLAS brings its own threads.
- direct (conv_direct.py): parallel loop nests, for groups with few channels (depthwise).
"""
import numpy as np

from ._parallel import call
from .conv_direct import direct_backward_input, direct_backward_weight, direct_forward
from .conv_im2col import col2im, im2col

# Column buffer size per chunk of images: large enough for efficient GEMMs, small enough to
# stay in the last-level cache.
_CHUNK_BYTES = 2 << 20
# Use the direct kernels when one group's weight matrix (out per group x in per group x kh x kw)
# has at most this many entries: BLAS is slow on such thin matrices.
_DIRECT_MAX_WEIGHTS = 32
# Below this many inner-loop steps a kernel runs on the calling thread alone: waking the
# thread pool costs more than the work (and much more on a busy machine).
_PARALLEL_MIN_WORK = 1 << 16
# The weight gradient's GEMM runs with rows first up to this many output channels per group.
_TRANSPOSED_MAX_OUT = 64


def _launch(kernel, work, *args):
    """kernel(*args), on one thread when `work` (inner-loop steps) is small."""
    call(kernel, work >= _PARALLEL_MIN_WORK, *args)


def _ready(a):
    """`a` as a writeable C-contiguous array (one Numba specialisation per dtype and rank)."""
    if a.flags.c_contiguous and a.flags.writeable:
        return a
    return np.array(a, order="C")


def _out_size(size, kernel, stride, padding, dilation):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _use_direct(weight_shape, groups):
    channels_out, group_in, kh, kw = weight_shape
    return (channels_out // groups) * group_in * kh * kw <= _DIRECT_MAX_WEIGHTS


def _is_pointwise(kernel_hw, stride, padding):
    return tuple(kernel_hw) == (1, 1) and tuple(stride) == (1, 1) and tuple(padding) == (0, 0)


def _geometry(kernel_hw, stride, padding, dilation):
    """The flat argument list the Numba kernels take: kh, kw, sh, sw, ph, pw, dh, dw."""
    return tuple(int(v) for pair in (kernel_hw, stride, padding, dilation) for v in pair)


def _live_taps(size, out_size, kernel, stride, padding, dilation):
    """[first, last] of the kernel taps (along one dim) that meet the input for some output
    position, or None if none does. The others only ever see padding."""
    live = []
    for tap in range(kernel):
        shift = tap * dilation - padding  # input index of output 0
        first = max(0, -(shift // stride))  # first output whose index is >= 0
        if first < out_size and first * stride + shift < size:
            live.append(tap)
    return (live[0], live[-1]) if live else None


def _kept_taps(input_hw, out_hw, kernel_hw, stride, padding, dilation):
    """(rows, cols, padding) to convolve with instead: the inclusive spans of kernel taps that
    meet the input for some output position, and the padding that keeps every output where it
    was; or None when no outer tap only ever meets padding (or cropping does not apply).

    A 3x3 convolution with padding 1 on a 1x1 input is a 1x1 convolution: small feature maps
    at the end of a network (ResNet's last stage on 32x32 images) would otherwise spend most
    of their GEMM work multiplying zeros.
    """
    spans = [_live_taps(input_hw[d], out_hw[d], kernel_hw[d], stride[d], padding[d],
                        dilation[d]) for d in range(2)]
    if any(span is None for span in spans):
        return None
    kept_padding = tuple(padding[d] - spans[d][0] * dilation[d] for d in range(2))
    if all(spans[d] == (0, kernel_hw[d] - 1) for d in range(2)) or min(kept_padding) < 0:
        return None
    return spans[0], spans[1], kept_padding


def _cropped(weight, rows, cols):
    return _ready(weight[:, :, rows[0]:rows[1] + 1, cols[0]:cols[1] + 1])


def _chunks(images, rows, positions, dtype):
    """Yield (n0, cols): consecutive chunks of images with a C-contiguous column buffer
    (rows, chunk size, positions) for each; the buffer is reused between equal-sized chunks."""
    per_image = max(rows * positions * dtype.itemsize, 1)
    chunk = max(1, min(images, _CHUNK_BYTES // per_image))
    buffer = np.empty((rows, chunk, positions), dtype=dtype)
    for n0 in range(0, images, chunk):
        size = min(chunk, images - n0)
        yield n0, buffer if size == chunk else np.empty((rows, size, positions), dtype=dtype)


def _transposed_chunk(a, n0, size):
    """a[n0:n0 + size] of an (N, O, P) array as a C-contiguous (O, size * P) matrix."""
    chunk = a[n0:n0 + size]
    return np.ascontiguousarray(chunk.transpose(1, 0, 2)).reshape(a.shape[1], -1)


def conv2d_forward(x, weight, stride, padding, dilation, groups, bias=None):
    """Cross-correlation of x (N, C, H, W) with weight (O, C // groups, kh, kw), plus bias (O,)
    if given -> (N, O, out_h, out_w)."""
    x, weight = _ready(x), _ready(weight)
    n, channels_out = x.shape[0], weight.shape[0]
    kernel_hw = weight.shape[2:]
    out_hw = tuple(_out_size(x.shape[2 + d], kernel_hw[d], stride[d], padding[d], dilation[d])
                   for d in range(2))
    out = np.empty((n, channels_out) + out_hw, dtype=x.dtype)
    kept = _kept_taps(x.shape[2:], out_hw, kernel_hw, stride, padding, dilation)
    if kept is not None:
        weight, padding = _cropped(weight, *kept[:2]), kept[2]
        kernel_hw = weight.shape[2:]
    geometry = _geometry(kernel_hw, stride, padding, dilation)
    if _use_direct(weight.shape, groups):
        shift = np.zeros(channels_out, x.dtype) if bias is None else _ready(bias)
        _launch(direct_forward, out.size * weight[0].size, x, weight, shift, *geometry[2:],
                int(groups), out)
        return out
    group_out, rows = channels_out // groups, weight[0].size
    positions = out_hw[0] * out_hw[1]
    weights = weight.reshape(groups, group_out, rows)
    result = out.reshape(n, channels_out, positions)
    column = None if bias is None else bias.reshape(channels_out, 1)
    if _is_pointwise(kernel_hw, stride, padding) and out_hw == x.shape[2:]:
        images = x.reshape(n, x.shape[1], positions)
        for g in range(groups):
            np.matmul(weights[g], images[:, g * rows:(g + 1) * rows],
                      out=result[:, g * group_out:(g + 1) * group_out])
        if column is not None:
            result += column
        return out
    for n0, cols in _chunks(n, groups * rows, positions, x.dtype):
        size = cols.shape[1]
        im2col(x, n0, *geometry, out_hw[1], cols)
        for g in range(groups):
            np.matmul(weights[g], cols[g * rows:(g + 1) * rows].transpose(1, 0, 2),
                      out=result[n0:n0 + size, g * group_out:(g + 1) * group_out])
        if column is not None:
            result[n0:n0 + size] += column  # while the chunk is still in cache
    return out


def conv2d_backward_input(grad, weight, input_hw, stride, padding, dilation, groups):
    """The gradient of conv2d with respect to its input (equivalently, the transposed
    convolution of grad): grad (N, O, out_h, out_w), weight (O, C // groups, kh, kw) ->
    (N, C, H, W) with (H, W) = input_hw."""
    grad, weight = _ready(grad), _ready(weight)
    n, channels_out = grad.shape[:2]
    group_in, kernel_hw = weight.shape[1], weight.shape[2:]
    dx = np.empty((n, group_in * groups) + tuple(input_hw), dtype=grad.dtype)
    kept = _kept_taps(input_hw, grad.shape[2:], kernel_hw, stride, padding, dilation)
    if kept is not None:
        weight, padding = _cropped(weight, *kept[:2]), kept[2]
        kernel_hw = weight.shape[2:]
    geometry = _geometry(kernel_hw, stride, padding, dilation)
    if _use_direct(weight.shape, groups):
        _launch(direct_backward_input, grad.size * weight[0].size, grad, weight, *geometry[2:],
                int(groups), dx)
        return dx
    group_out, rows = channels_out // groups, weight[0].size
    positions = grad.shape[2] * grad.shape[3]
    weights_t = weight.reshape(groups, group_out, rows).transpose(0, 2, 1)
    grads = grad.reshape(n, channels_out, positions)
    if _is_pointwise(kernel_hw, stride, padding) and tuple(input_hw) == grad.shape[2:]:
        result = dx.reshape(n, group_in * groups, positions)
        for g in range(groups):
            np.matmul(weights_t[g], grads[:, g * group_out:(g + 1) * group_out],
                      out=result[:, g * rows:(g + 1) * rows])
        return dx
    for n0, cols in _chunks(n, groups * rows, positions, dx.dtype):
        size = cols.shape[1]
        grad_t = _transposed_chunk(grads, n0, size)
        flat = cols.reshape(groups * rows, size * positions)
        for g in range(groups):
            np.matmul(weights_t[g], grad_t[g * group_out:(g + 1) * group_out],
                      out=flat[g * rows:(g + 1) * rows])
        col2im(cols, n0, *geometry, grad.shape[3], dx)
    return dx


def conv2d_backward_weight(x, grad, kernel_hw, stride, padding, dilation, groups):
    """The gradient of conv2d with respect to its weight: x (N, C, H, W), grad
    (N, O, out_h, out_w) -> (O, C // groups, kh, kw). Output positions are those of grad."""
    x, grad = _ready(x), _ready(grad)
    n, channels_in = x.shape[:2]
    channels_out = grad.shape[1]
    kernel_hw = tuple(kernel_hw)
    shape = (channels_out, channels_in // groups) + kernel_hw
    kept = _kept_taps(x.shape[2:], grad.shape[2:], kernel_hw, stride, padding, dilation)
    if kept is not None:  # taps that only meet padding get zero gradient
        (top, bottom), (left, right), kept_padding = kept
        dweight = np.zeros(shape, dtype=x.dtype)
        dweight[:, :, top:bottom + 1, left:right + 1] = conv2d_backward_weight(
            x, grad, (bottom - top + 1, right - left + 1), stride, kept_padding, dilation, groups)
        return dweight
    geometry = _geometry(kernel_hw, stride, padding, dilation)
    if _use_direct(shape, groups):
        dweight = np.empty(shape, dtype=x.dtype)
        _launch(direct_backward_weight, grad.size * shape[1] * kernel_hw[0] * kernel_hw[1], x,
                grad, *geometry[2:], int(groups), dweight)
        return dweight
    group_out, rows = channels_out // groups, channels_in // groups * kernel_hw[0] * kernel_hw[1]
    positions = grad.shape[2] * grad.shape[3]
    grads = grad.reshape(n, channels_out, positions)
    if _is_pointwise(kernel_hw, stride, padding):
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
    transposed = group_out <= _TRANSPOSED_MAX_OUT
    dweight = np.zeros((groups, rows, group_out) if transposed else (groups, group_out, rows),
                       dtype=x.dtype)
    for n0, cols in _chunks(n, groups * rows, positions, x.dtype):
        size = cols.shape[1]
        im2col(x, n0, *geometry, grad.shape[3], cols)
        grad_t = _transposed_chunk(grads, n0, size)
        flat = cols.reshape(groups * rows, size * positions)
        for g in range(groups):
            col_g, grad_g = flat[g * rows:(g + 1) * rows], grad_t[g * group_out:(g + 1) * group_out]
            dweight[g] += col_g @ grad_g.T if transposed else grad_g @ col_g.T
    if transposed:
        dweight = np.ascontiguousarray(dweight.transpose(0, 2, 1))
    return dweight.reshape(shape)
