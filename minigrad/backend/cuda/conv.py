"""2-D convolution kernels (cross-correlation, as PyTorch): forward, input and weight gradients.

Layouts are NCHW: x (N, C, H, W), weight (O, C // groups, kh, kw), output (N, O, out_h, out_w).
`geometry` is the 2-d `minigrad.geometry.ConvGeometry` the op built; its flat `window`
(kh, kw, sh, sw, ph, pw, dh, dw) is what the kernels take (one-dimensional convolutions come
with H = 1). Inputs may be any strided views. (The taps that only ever meet padding, which the
cpu backend drops, are computed here as zeros.)

Two strategies, chosen per call by the channels per group:
- GEMM, on the backend's tiled GEMM (batched over groups): im2col (conv_im2col.py) copies a
  chunk of images into a column matrix in device memory, one GEMM per group multiplies it by the
  group's weight matrix over all the chunk's output positions at once and stores the product
  straight into NCHW, adding the bias as it stores (two launches). The input gradient multiplies the
  transposed weights by the output gradient (moved to the same column layout) and col2im gathers
  the columns back into the image. The weight gradient multiplies the output gradient by the
  transposed columns, with the long reduction depth (images x positions) split into slices that
  run as separate GEMM batches (so that a small weight matrix still occupies the whole GPU) and
  are added up afterwards. Chunks bound the column buffer's size. A 1x1 convolution with unit
  stride and no padding needs no im2col for forward and input gradient: each image already is
  its column matrix, and one GEMM batched over images and groups writes NCHW directly (bias
  included).
- direct (conv_direct.py), for groups with few channels (depthwise convolution): one thread per
  output or input element, one block per weight element.

Nothing here copies between host and device.
"""
from . import _copy, conv_direct
from ._array import (buffer, contiguous_strides, element_strides, empty, numel, operand_view,
                     remember_plan, reshaped, view)
from ._launch import get_config
from .conv_im2col import col2im, col2im_launcher, im2col, im2col_launcher, sum_slices
from .linalg import gemm, gemm_plan, run_gemm

# Column buffer per chunk of images: GEMMs over many output positions are efficient; the bound
# keeps large batches of large images from taking a large share of GPU memory.
_CHUNK_BYTES = 256 << 20
# Use the direct kernels when a group has at most this many (output, input) channel pairs: one
# group's weight matrix then has so few rows that GEMM output tiles would stay mostly empty.
_DIRECT_MAX_CHANNEL_PAIRS = 64
# Weight gradient: split the reduction depth into slices until the GEMM has about this many
# blocks, keeping each slice at least _SPLIT_MIN_DEPTH deep and the partial sums under
# _SPLIT_MAX_BYTES.
_SPLIT_BLOCKS = 1024
_SPLIT_MIN_DEPTH = 256
_SPLIT_MAX_BYTES = 64 << 20

_no_bias = {}


def _use_direct(weight_shape, groups):
    channels_out, group_in = weight_shape[:2]
    return (channels_out // groups) * group_in <= _DIRECT_MAX_CHANNEL_PAIRS


def _bias_operand(bias, dtype):
    """(flat bias buffer, whether there is a bias); kernels take an array either way."""
    if bias is not None:
        return buffer(_copy.contiguous(bias)), True
    if dtype not in _no_bias:
        _no_bias[dtype] = empty((1,), dtype)
    return _no_bias[dtype], False


def _chunk_images(images, rows, positions, itemsize):
    """Images per chunk whose (rows, images, positions) column buffer fits _CHUNK_BYTES."""
    per_image = max(rows * positions * itemsize, 1)
    return max(1, min(images, _CHUNK_BYTES // per_image))


def _grouped_planes(a, groups):
    """An (N, C, H, W) array as an (N, groups, C // groups, H * W) view (after a contiguous copy
    if its H and W dims cannot be merged)."""
    n, c, h, w = a.shape
    s = element_strides(a)
    if h > 1 and w > 1 and s[2] != w * s[3]:
        a = _copy.copy(a)
        s = element_strides(a)
    step = s[3] if w > 1 else s[2]
    return view(a, (n, groups, c // groups, h * w), (s[0], s[1] * (c // groups), s[1], step))


def _channel_major(a, n0, images):
    """a[n0:n0 + images] of an (N, C, H, W) array as a new C-contiguous (C, images, H, W)."""
    s = element_strides(a)
    return _copy.copy(view(a, (a.shape[1], images) + tuple(a.shape[2:]),
                           (s[1], s[0], s[2], s[3]), n0 * s[0]))


def _prefix(a, size):
    """The first `size` elements of a flat array."""
    return a if size == a.size else view(a, (size,), (1,))


def _weight_slices(depth, groups, group_out, rows, itemsize):
    """How many equal slices to split a weight-gradient GEMM's depth into (a divisor of it)."""
    config = get_config()
    blocks = groups * -(-group_out // config.gemm_block_m) * -(-rows // config.gemm_block_n)
    most = min(-(-_SPLIT_BLOCKS // blocks), depth // _SPLIT_MIN_DEPTH,
               _SPLIT_MAX_BYTES // (groups * group_out * rows * itemsize))
    for slices in range(max(most, 1), 1, -1):
        if depth % slices == 0:
            return slices
    return 1


def conv2d_forward(x, weight, bias, geometry):
    """Cross-correlation of x (N, C, H, W) with weight (O, C // groups, kh, kw), plus bias (O,)
    if given -> new C-contiguous (N, O, *geometry.output_size)."""
    return conv2d_forward_clamped(x, weight, bias, geometry, relu=False)


def conv2d_forward_clamped(x, weight, bias, geometry, relu):
    """`conv2d_forward`, clamped by relu if `relu` (by the GEMM as it stores; the direct
    kernels leave it to the caller, see conv_relu.py)."""
    config = get_config()
    if config is not _forward_plans[0]:  # (holding the config keeps its id from being reused)
        _forward_plans[:] = (config, {})
    # (the plan holds the geometry, so its id cannot be reused while the entry lives)
    key = (id(geometry), x.shape, element_strides(x), x.dtype, weight.shape, bias is None, relu)
    plan = _forward_plans[1].get(key)
    if plan is None:
        plan = remember_plan(_forward_plans[1], key,
                             _forward_plan(x, weight, bias, geometry, relu))
    if plan[0] is None:  # not one chunk of columns: worked out per call
        return _conv2d_forward(x, weight, bias, geometry, relu)
    (_, dtype, shape, cols_shape, weights_layout, bias_layout, im2col_launch,
     product) = plan
    weights = operand_view(_copy.contiguous(weight), *weights_layout)
    if bias is not None:
        bias = operand_view(_copy.contiguous(bias), *bias_layout)
    cols = empty(cols_shape, dtype)
    im2col_launch(buffer(cols), buffer(x))
    return run_gemm(product, weights, cols, bias, empty(shape, dtype))


_forward_plans = [None, {}]  # [the LaunchConfig, {call layout: _forward_plan} under it]


def _forward_plan(x, weight, bias, geometry, relu):
    """What conv2d_forward_clamped does for one layout of its operands when the GEMM path takes
    the images in one chunk of columns (im2col, then one GEMM storing NCHW, two launches):
    (geometry, dtype, output shape, columns shape, the weights' and the bias's matrix views
    (shape, strides), im2col's launch of (cols, x buffers), the GEMM's plan). Else a tuple
    whose first entry is None (the other paths are worked out per call)."""
    images = x.shape[0]
    input_hw, out_hw, groups = geometry.input_size, geometry.output_size, geometry.groups
    channels_out, group_in, kh, kw = weight.shape
    shape = (images, channels_out) + out_hw
    positions = out_hw[0] * out_hw[1]
    group_out, rows = channels_out // groups, group_in * kh * kw
    if (numel(shape) == 0 or _use_direct(weight.shape, groups)
            or (geometry.is_pointwise and out_hw == input_hw)
            or _chunk_images(images, groups * rows, positions, x.dtype.itemsize) < images):
        return (None,)
    dtype = x.dtype
    weights_layout = ((groups, group_out, rows), (group_out * rows, rows, 1))
    bias_layout = ((groups, group_out), (group_out, 1))
    cols = empty((groups, rows, images * positions), dtype)
    weights = view(empty(weight.shape, dtype), *weights_layout)
    bias_rows = None if bias is None else view(empty((channels_out,), dtype), *bias_layout)
    im2col_launch = im2col_launcher(element_strides(x), images, input_hw, geometry.window,
                                    out_hw, groups * rows * images)
    product = gemm_plan(weights, cols, bias_rows, bias_rows=True, positions=positions,
                        relu=relu)
    return (geometry, dtype, shape, tuple(cols.shape), weights_layout, bias_layout,
            im2col_launch, product)


def _conv2d_forward(x, weight, bias, geometry, relu):
    images = x.shape[0]
    input_hw, out_hw, groups = geometry.input_size, geometry.output_size, geometry.groups
    channels_out, group_in, kh, kw = weight.shape
    window = geometry.window
    shape = (images, channels_out) + out_hw
    if numel(shape) == 0:
        return empty(shape, x.dtype)
    weight = _copy.contiguous(weight)
    bias_buffer, has_bias = _bias_operand(bias, x.dtype)
    positions = out_hw[0] * out_hw[1]
    if _use_direct(weight.shape, groups):
        out = empty(shape, x.dtype)
        conv_direct.forward(out, buffer(x), element_strides(x), weight, bias_buffer, has_bias,
                            groups, input_hw, window)
        return out
    group_out, rows = channels_out // groups, group_in * kh * kw
    weights = operand_view(weight, (groups, group_out, rows), (group_out * rows, rows, 1))
    # the bias per output channel, as the GEMM's (groups, O/g) bias rows
    bias = operand_view(bias_buffer, (groups, group_out), (group_out, 1)) if has_bias else None
    if geometry.is_pointwise and out_hw == input_hw:
        # (groups, O/g, C/g) @ (N, groups, C/g, P) -> (N, groups, O/g, P), which is NCHW; the
        # GEMM adds each output channel's bias as it stores
        return gemm(weights, _grouped_planes(x, groups), bias, bias_rows=True,
                    out=empty(shape, x.dtype), relu=relu)
    x_buffer, x_strides = buffer(x), element_strides(x)
    chunk = _chunk_images(images, groups * rows, positions, x.dtype.itemsize)
    if chunk >= images:  # one chunk: the GEMM makes the output (two launches in all)
        cols = empty((groups, rows, images * positions), x.dtype)
        im2col(buffer(cols), x_buffer, x_strides, 0, images, input_hw, window, out_hw)
        return gemm(weights, cols, bias, bias_rows=True, positions=positions,
                    out=empty(shape, x.dtype), relu=relu)
    cols = empty((groups * rows * chunk * positions,), x.dtype)
    out = empty(shape, x.dtype)
    out_buffer = buffer(out)
    for n0 in range(0, images, chunk):
        size = min(chunk, images - n0)
        columns = _prefix(cols, groups * rows * size * positions)
        im2col(columns, x_buffer, x_strides, n0, size, input_hw, window, out_hw)
        # the GEMM stores the chunk's images straight into their place in the output, NCHW
        target = view(out_buffer, (size, channels_out, positions),
                      (channels_out * positions, positions, 1), n0 * channels_out * positions)
        gemm(weights, reshaped(columns, (groups, rows, size * positions)), bias,
             bias_rows=True, positions=positions, out=target, relu=relu)
    return out


def conv2d_backward_input(grad, weight, geometry):
    """The gradient of conv2d with respect to its input (equivalently, the transposed
    convolution of grad): grad (N, O, *geometry.output_size), weight (O, C // groups, kh, kw)
    -> new C-contiguous (N, C, *geometry.input_size)."""
    plan = _layout_plan(_input_plans, _backward_input_plan, geometry, grad, weight)
    if plan[0] is None:  # not one chunk of columns: worked out per call
        return _conv2d_backward_input(grad, weight, geometry)
    _, dtype, shape, grad_t_shape, weights_layout, columns_shape, copy_grad, product, \
        launch_col2im = plan
    weights_t = operand_view(_copy.contiguous(weight), *weights_layout)
    grad_t = empty(grad_t_shape, dtype)  # grad as (O, N, out_h, out_w): the GEMM's columns
    copy_grad(buffer(grad_t), 0, buffer(grad), 0)
    # the plan reads grad_t as (groups, O/g, N * positions), C-contiguous: its own buffer
    columns = run_gemm(product, weights_t, grad_t, None, empty(columns_shape, dtype))
    dx = empty(shape, dtype)
    launch_col2im(buffer(dx), buffer(columns))
    return dx


_input_plans = [None, {}]  # [the LaunchConfig, {call layout: _backward_input_plan} under it]
_weight_plans = [None, {}]  # [the LaunchConfig, {call layout: _backward_weight_plan} under it]


def _layout_plan(plans, make, geometry, a, b):
    """`make(a, b, geometry)`, remembered in `plans` per launch configuration, per the layouts
    of `a` and `b` (shapes, strides, dtypes) and per `geometry` (the plan holds the geometry,
    so its id cannot be reused while the entry lives)."""
    config = get_config()
    if config is not plans[0]:  # (holding the config keeps its id from being reused)
        plans[:] = (config, {})
    key = (id(geometry), a.shape, element_strides(a), a.dtype, b.shape, element_strides(b),
           b.dtype)
    plan = plans[1].get(key)
    if plan is None:
        plan = remember_plan(plans[1], key, make(a, b, geometry))
    return plan


def _channel_major_strides(shape, strides):
    """(shape, strides) of an (N, C, H, W) array of these element strides read as
    (C, N, H, W)."""
    return (shape[1], shape[0]) + tuple(shape[2:]), (strides[1], strides[0]) + tuple(strides[2:])


def _backward_input_plan(grad, weight, geometry):
    """What conv2d_backward_input does for one layout of its operands when the GEMM path
    takes the images in one chunk (grad moved channel-major, one GEMM into columns, col2im:
    three launches): (geometry, dtype, dx shape, grad_t shape, the transposed weights' view
    (shape, strides), columns shape, grad_t's copy, the GEMM's plan, col2im's launch). Else a
    tuple whose first entry is None (the other paths are worked out per call)."""
    images, channels_out = grad.shape[:2]
    input_hw, out_hw, groups = geometry.input_size, geometry.output_size, geometry.groups
    group_in, kh, kw = weight.shape[1:]
    channels_in = group_in * groups
    shape = (images, channels_in) + input_hw
    group_out, rows = channels_out // groups, group_in * kh * kw
    positions = out_hw[0] * out_hw[1]
    if (numel(shape) == 0 or grad.size == 0 or _use_direct(weight.shape, groups)
            or (geometry.is_pointwise and input_hw == out_hw)
            or _chunk_images(images, groups * rows, positions, grad.dtype.itemsize) < images):
        return (None,)
    dtype = grad.dtype
    weights_layout = ((groups, rows, group_out), (group_out * rows, 1, rows))
    grad_t_shape, source_strides = _channel_major_strides(grad.shape, element_strides(grad))
    copy_grad = _copy.copy_launcher(grad_t_shape, contiguous_strides(grad_t_shape),
                                    source_strides)
    weights_t = view(empty(weight.shape, dtype), *weights_layout)
    grad_t = reshaped(empty(grad_t_shape, dtype), (groups, group_out, images * positions))
    columns_shape = (groups, rows, images * positions)
    product = gemm_plan(weights_t, grad_t)
    launch_col2im = col2im_launcher(images, channels_in, input_hw, geometry.window, out_hw,
                                    dtype)
    return (geometry, dtype, shape, grad_t_shape, weights_layout, columns_shape, copy_grad,
            product, launch_col2im)


def _conv2d_backward_input(grad, weight, geometry):
    images, channels_out = grad.shape[:2]
    input_hw, out_hw, groups = geometry.input_size, geometry.output_size, geometry.groups
    group_in, kh, kw = weight.shape[1:]
    channels_in = group_in * groups
    shape = (images, channels_in) + input_hw
    window = geometry.window
    if numel(shape) == 0:
        return empty(shape, grad.dtype)
    if grad.size == 0:
        dx = empty(shape, grad.dtype)
        _copy.fill(dx, 0)
        return dx
    weight = _copy.contiguous(weight)
    if _use_direct(weight.shape, groups):
        dx = empty(shape, grad.dtype)
        conv_direct.backward_input(dx, buffer(grad), element_strides(grad), weight, groups,
                                   window, out_hw)
        return dx
    group_out, rows = channels_out // groups, group_in * kh * kw
    positions = out_hw[0] * out_hw[1]
    weights_t = operand_view(weight, (groups, rows, group_out), (group_out * rows, 1, rows))
    if geometry.is_pointwise and input_hw == out_hw:
        # (groups, C/g, O/g) @ (N, groups, O/g, P) -> (N, groups, C/g, P), which is NCHW
        return gemm(weights_t, _grouped_planes(grad, groups), out=empty(shape, grad.dtype))
    dx = empty(shape, grad.dtype)
    dx_buffer = buffer(dx)
    chunk = _chunk_images(images, groups * rows, positions, grad.dtype.itemsize)
    for n0 in range(0, images, chunk):
        size = min(chunk, images - n0)
        grad_t = reshaped(_channel_major(grad, n0, size), (groups, group_out, size * positions))
        columns = gemm(weights_t, grad_t)  # (groups, rows, size * positions)
        col2im(dx_buffer, buffer(columns), n0, size, channels_in, input_hw, window, out_hw)
    return dx


def conv2d_backward_weight(x, grad, geometry):
    """The gradient of conv2d with respect to its weight: x (N, C, *geometry.input_size), grad
    (N, O, *geometry.output_size) -> new C-contiguous (O, C // groups, *geometry.kernel_size)."""
    plan = _layout_plan(_weight_plans, _backward_weight_plan, geometry, grad, x)
    if plan[0] is None:  # not one chunk of columns: worked out per call
        return _conv2d_backward_weight(x, grad, geometry)
    _, dtype, shape, cols_shape, grad_t_shape, partial_shape, launch_im2col, copy_grad, \
        product, slices = plan
    cols = empty(cols_shape, dtype)
    launch_im2col(buffer(cols), buffer(x))
    grad_t = empty(grad_t_shape, dtype)  # grad as (O, N, out_h, out_w)
    copy_grad(buffer(grad_t), 0, buffer(grad), 0)
    dweight = empty(shape, dtype)
    if slices == 1:  # the GEMM's (1, groups, O/g, rows) product is dweight's layout
        return run_gemm(product, grad_t, cols, None, dweight)
    # the plan reads grad_t and cols through the slices' strides: their own buffers
    partial = run_gemm(product, grad_t, cols, None, empty(partial_shape, dtype))
    sum_slices(buffer(dweight), buffer(partial), slices, False)
    return dweight


def _backward_weight_plan(grad, x, geometry):
    """What conv2d_backward_weight does for one layout of its operands when the GEMM path
    takes the images in one chunk (im2col, grad moved channel-major, one GEMM over slices of
    the depth, their sum: four launches, three with one slice): (geometry, dtype, dweight
    shape, cols shape, grad_t shape, partial products' shape, im2col's launch, grad_t's copy,
    the GEMM's plan, slices). Else a tuple whose first entry is None."""
    images, channels_in = x.shape[:2]
    input_hw, out_hw, groups = geometry.input_size, geometry.output_size, geometry.groups
    channels_out = grad.shape[1]
    kh, kw = geometry.kernel_size
    group_in = channels_in // groups
    shape = (channels_out, group_in, kh, kw)
    group_out, rows = channels_out // groups, group_in * kh * kw
    positions = out_hw[0] * out_hw[1]
    if (numel(shape) == 0 or grad.size == 0 or _use_direct(shape, groups)
            or _chunk_images(images, groups * rows, positions, x.dtype.itemsize) < images):
        return (None,)
    dtype = x.dtype
    depth = images * positions
    cols_shape = (groups * rows * depth,)
    launch_im2col = im2col_launcher(element_strides(x), images, input_hw, geometry.window,
                                    out_hw, groups * rows * images)
    grad_t_shape, source_strides = _channel_major_strides(grad.shape, element_strides(grad))
    copy_grad = _copy.copy_launcher(grad_t_shape, contiguous_strides(grad_t_shape),
                                    source_strides)
    slices = _weight_slices(depth, groups, group_out, rows, dtype.itemsize)
    part = depth // slices
    # slice s of group g: grad_t[g's rows, s * part:(s + 1) * part] @ its columns, transposed
    a = view(empty(grad_t_shape, dtype), (slices, groups, group_out, part),
             (part, group_out * depth, depth, 1))
    b = view(empty(cols_shape, dtype), (slices, groups, part, rows),
             (part, rows * depth, 1, depth))
    product = gemm_plan(a, b)
    partial_shape = (slices, groups, group_out, rows)
    return (geometry, dtype, shape, cols_shape, grad_t_shape, partial_shape, launch_im2col,
            copy_grad, product, slices)


def _conv2d_backward_weight(x, grad, geometry):
    images, channels_in = x.shape[:2]
    input_hw, out_hw, groups = geometry.input_size, geometry.output_size, geometry.groups
    channels_out = grad.shape[1]
    kh, kw = geometry.kernel_size
    group_in = channels_in // groups
    dweight = empty((channels_out, group_in, kh, kw), x.dtype)
    if dweight.size == 0:
        return dweight
    if grad.size == 0:
        _copy.fill(dweight, 0)
        return dweight
    window = geometry.window
    if _use_direct(dweight.shape, groups):
        conv_direct.backward_weight(dweight, buffer(x), element_strides(x), buffer(grad),
                                    element_strides(grad), groups, input_hw, window,
                                    (images,) + out_hw)
        return dweight
    group_out, rows = channels_out // groups, group_in * kh * kw
    positions = out_hw[0] * out_hw[1]
    x_buffer, x_strides, dweight_buffer = buffer(x), element_strides(x), buffer(dweight)
    chunk = _chunk_images(images, groups * rows, positions, x.dtype.itemsize)
    cols = empty((groups * rows * chunk * positions,), x.dtype)
    for n0 in range(0, images, chunk):
        size = min(chunk, images - n0)
        depth = size * positions
        columns = _prefix(cols, groups * rows * depth)
        im2col(columns, x_buffer, x_strides, n0, size, input_hw, window, out_hw)
        grad_t = _channel_major(grad, n0, size)
        slices = _weight_slices(depth, groups, group_out, rows, x.dtype.itemsize)
        part = depth // slices
        # slice s of group g: grad_t[g's rows, s * part:(s + 1) * part] @ its columns, transposed
        a = view(grad_t, (slices, groups, group_out, part), (part, group_out * depth, depth, 1))
        b = view(columns, (slices, groups, part, rows), (part, rows * depth, 1, depth))
        partial = gemm(a, b)  # (slices, groups, group_out, rows)
        sum_slices(dweight_buffer, buffer(partial), slices, n0 > 0)
    return dweight
