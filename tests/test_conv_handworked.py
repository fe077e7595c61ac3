"""Convolutions worked out by hand: every expected number below is computed in the comments."""
import numpy as np

import minigrad
from minigrad.functions.conv import conv1d, conv2d, conv_transpose1d
from minigrad.testing import assert_close


def _t(values, device, requires_grad=False):
    return minigrad.tensor(values, dtype=minigrad.float64, device=device,
                           requires_grad=requires_grad)


def test_1d_sliding_dot_product(device):
    # (g * f)[n] = sum_i g[n + i] f[i] with g = [1, 2, 3, 4, 5], f = [2, -1, 0.5]:
    #   n = 0: 2*1 - 1*2 + 0.5*3 = 1.5
    #   n = 1: 2*2 - 1*3 + 0.5*4 = 3.0
    #   n = 2: 2*3 - 1*4 + 0.5*5 = 4.5
    g = _t([[[1, 2, 3, 4, 5]]], device)
    f = _t([[[2, -1, 0.5]]], device)
    assert_close(conv1d(g, f), [[[1.5, 3.0, 4.5]]])
    # padding 1 reads zeros beyond both ends, g -> [0, 1, 2, 3, 4, 5, 0]:
    #   n = -1: 2*0 - 1*1 + 0.5*2 = 0.0      n = 3: 2*4 - 1*5 + 0.5*0 = 3.0
    assert_close(conv1d(g, f, padding=1), [[[0.0, 1.5, 3.0, 4.5, 3.0]]])
    # stride 2 keeps every other of those windows; a bias of 10 is added to each
    assert_close(conv1d(g, f, _t([10], device), stride=2, padding=1), [[[10.0, 13.0, 13.0]]])
    # dilation 2 spaces the taps: (g * f)[n] = 2 g[n] - g[n + 2] + 0.5 g[n + 4] = 2 - 3 + 2.5
    assert_close(conv1d(g, f, dilation=2), [[[1.5]]])


def test_1d_transposed_convolution_spreads_each_input(device):
    # each input element adds itself times the kernel [1, 10] into the output at stride 2:
    #   x = [1, 2, 3] -> [1, 10, 0, 0, 0, 0] + [0, 0, 2, 20, 0, 0] + [0, 0, 0, 0, 3, 30]
    x = _t([[[1, 2, 3]]], device)
    w = _t([[[1, 10]]], device)
    assert_close(conv_transpose1d(x, w, stride=2), [[[1, 10, 2, 20, 3, 30]]])


def test_sobel_filter_finds_the_edge_of_a_step(device):
    # a 4 x 5 image, dark (0) in its first two columns and bright (1) after them
    image = _t([[[[0, 0, 1, 1, 1]] * 4]], device)
    sobel_x = _t([[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]], device)
    # every row of the image is the same, so a window at column x gives
    #   (-1 - 2 - 1) * image[x] + (1 + 2 + 1) * image[x + 2] = 4 * (image[x + 2] - image[x]):
    #   x = 0: 4 * (1 - 0) = 4,   x = 1: 4 * (1 - 0) = 4,   x = 2: 4 * (1 - 1) = 0
    assert_close(conv2d(image, sobel_x), [[[[4, 4, 0], [4, 4, 0]]]])
    # the vertical filter sees no change down the columns
    sobel_y = sobel_x.permute(0, 1, 3, 2)
    assert_close(conv2d(image, sobel_y), np.zeros((1, 1, 2, 3)))
    # with "same" padding (one zero all around) a window centred on column c sees
    #   D[c] = image[c + 1] - image[c - 1] = [0 - 0, 1 - 0, 1 - 0, 1 - 1, 0 - 1] = [0, 1, 1, 0, -1]
    # in each of its rows, weighted 1, 2, 1 from top to bottom; the top and bottom output rows
    # have a zero row in place of one weight-1 row, so they get 3 * D, the middle rows 4 * D
    expected_same = [[0, 3, 3, 0, -3], [0, 4, 4, 0, -4], [0, 4, 4, 0, -4], [0, 3, 3, 0, -3]]
    assert_close(conv2d(image, sobel_x, padding="same"), [[expected_same]])


def test_weight_gradient_is_input_correlated_with_output_gradient(device):
    # x (3 x 3), a 2 x 2 kernel: the output is 2 x 2, out[y, x] = sum_ij w[i, j] x[y + i, x + j]
    x = _t([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]], device, requires_grad=True)
    w = _t([[[[1, 2], [3, 4]]]], device, requires_grad=True)
    grad_out = _t([[[[1, 0], [0, 2]]]], device)
    conv2d(x, w).backward(grad_out)
    # dL/dw[i, j] = sum_yx grad_out[y, x] x[y + i, x + j] = 1 * x[i, j] + 2 * x[1 + i, 1 + j]:
    #   w[0, 0]: 1 + 2*5 = 11   w[0, 1]: 2 + 2*6 = 14
    #   w[1, 0]: 4 + 2*8 = 20   w[1, 1]: 5 + 2*9 = 23
    assert_close(w.grad, [[[[11, 14], [20, 23]]]])
    # ... which is the input correlated with the output gradient as a kernel
    assert_close(w.grad, conv2d(x.detach(), grad_out))
    # dL/dx scatters each output gradient through the kernel: 1 * w at (0, 0) plus 2 * w at
    # (1, 1) -> [[1, 2, 0], [3, 4 + 2, 4], [0, 6, 8]]
    assert_close(x.grad, [[[[1, 2, 0], [3, 6, 4], [0, 6, 8]]]])
