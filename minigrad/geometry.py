"""Convolution and pooling geometry, decided once above the backends and handed to kernels.

`functions/conv.py` and `functions/pool.py` check their arguments and build one frozen
`ConvGeometry` / `PoolGeometry` per call; it is kept on ctx for backward and every kernel of
the op (forward, adjoints, on every device) reads the same object. Kernels compute, they do not
decide: output sizes, paddings, dropped taps and average-pooling divisors live here.

Geometries are N-dimensional (one entry per spatial dim). The window rules at the end are
scalar functions, so the cuda backend compiles the very same rule into its kernels.
"""
import functools
from dataclasses import dataclass

import numpy as np


def conv_output_size(size, kernel, stride, padding, dilation):
    """Output positions along one dim of a convolution (PyTorch's formula)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pooled_size(size, kernel, stride, padding, dilation, ceil_mode):
    """Output positions along one dim of max/avg pooling: ceil_mode rounds up, but the last
    window must start inside the input or the left padding (PyTorch's rule)."""
    span = dilation * (kernel - 1) + 1
    out = (size + 2 * padding - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


@dataclass(frozen=True)
class ConvGeometry:
    """One convolution x (N, C, *input_size) * weight (O, C // groups, *kernel_size) ->
    (N, O, *output_size), with symmetric zero `padding`.

    `output_size` is usually `conv_output_size` per dim; it may be smaller (the gradients of a
    transposed convolution whose output_padding added positions no window reads), and then
    only the first `output_size` positions are computed.
    """

    input_size: tuple
    output_size: tuple
    kernel_size: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int

    @classmethod
    def of(cls, input_size, kernel_size, stride, padding, dilation, groups, output_size=None):
        if output_size is None:
            output_size = tuple(conv_output_size(*dims) for dims in
                                zip(input_size, kernel_size, stride, padding, dilation))
        return cls(tuple(input_size), tuple(output_size), tuple(kernel_size), tuple(stride),
                   tuple(padding), tuple(dilation), int(groups))

    @property
    def ndim(self):
        return len(self.kernel_size)

    @property
    def window(self):
        """(k..., s..., p..., d...): the flat int tuple the kernels take, e.g. for 2-d
        (kh, kw, sh, sw, ph, pw, dh, dw)."""
        return self.kernel_size + self.stride + self.padding + self.dilation

    @property
    def is_pointwise(self):
        """A 1x1 kernel with unit stride and no padding: each image is its column matrix."""
        return all(k == 1 for k in self.kernel_size) and all(s == 1 for s in self.stride) \
            and not any(self.padding)

    @functools.cached_property
    def kept_taps(self):
        """((first, last) per dim, the geometry to convolve with instead) when some outer
        kernel taps only ever meet padding, else None.

        A 3x3 convolution with padding 1 on a 1x1 input is a 1x1 convolution: small feature
        maps at the end of a network would otherwise spend most of their work multiplying
        zeros. The cropped geometry keeps every output position where it was; the dropped taps'
        weight gradient is zero.
        """
        spans = [_live_taps(*dims) for dims in zip(self.input_size, self.output_size,
                                                  self.kernel_size, self.stride, self.padding,
                                                  self.dilation)]
        if any(span is None for span in spans):
            return None
        padding = tuple(p - first * d for p, (first, _), d in
                        zip(self.padding, spans, self.dilation))
        if all(span == (0, k - 1) for span, k in zip(spans, self.kernel_size)) or \
                min(padding) < 0:
            return None
        kernel = tuple(last - first + 1 for first, last in spans)
        cropped = ConvGeometry(self.input_size, self.output_size, kernel, self.stride, padding,
                               self.dilation, self.groups)
        return tuple(spans), cropped


def _live_taps(size, out_size, kernel, stride, padding, dilation):
    """[first, last] of the kernel taps along one dim that meet the input for some output
    position, or None if none does."""
    live = []
    for tap in range(kernel):
        shift = tap * dilation - padding  # input index of output 0
        first = max(0, -(shift // stride))  # first output whose index is >= 0
        if first < out_size and first * stride + shift < size:
            live.append(tap)
    return (live[0], live[-1]) if live else None


@dataclass(frozen=True)
class PoolGeometry:
    """Windows over x (N, C, *input_size) -> (N, C, *output_size).

    Max and average pooling: window o along a dim starts at o * stride - padding and has
    `kernel_size` taps `dilation` apart (padding: -inf for max, zeros for average). Average
    pooling divides by `divisor_override` if set, else by the window's size counting padding
    (`count_include_pad`) or not. Adaptive pooling (`adaptive`) uses PyTorch's adaptive windows
    and ignores the other fields.
    """

    input_size: tuple
    output_size: tuple
    kernel_size: tuple = ()
    stride: tuple = ()
    padding: tuple = ()
    dilation: tuple = ()
    count_include_pad: bool = True
    divisor_override: int = 0  # 0: none
    adaptive: bool = False

    @classmethod
    def adaptive_of(cls, input_size, output_size):
        n = len(input_size)
        return cls(tuple(input_size), tuple(output_size), (1,) * n, (1,) * n, (0,) * n,
                   (1,) * n, False, 0, True)

    @property
    def ndim(self):
        return len(self.input_size)

    @property
    def window(self):
        """(k..., s..., p..., d...): the flat int tuple the kernels take."""
        return self.kernel_size + self.stride + self.padding + self.dilation

    def mean_windows(self, axis):
        """(start, stop, divisor) numpy arrays of the average/adaptive windows along `axis`:
        window o averages [start[o], stop[o]); the product of the divisors of a window's
        axes is its divisor (divisor_override, when set, is carried by axis 0)."""
        if self.adaptive:
            return _adaptive_table(self.input_size[axis], self.output_size[axis])
        start, stop, divisor = _average_table(self.input_size[axis], self.output_size[axis],
                                              self.kernel_size[axis], self.stride[axis],
                                              self.padding[axis], self.count_include_pad)
        if self.divisor_override:
            divisor = np.full(len(divisor), float(self.divisor_override if axis == 0 else 1))
        return start, stop, divisor


# ---- window rules: scalar functions, compiled by the cuda backend into its kernels -----------

def average_window(o, in_size, kernel, stride, pad, include_pad):
    """(start, stop, divisor) of average-pooling window o along one dim. PyTorch's rule: a
    window counts the padding it covers but never reaches beyond the padding (the ceil_mode
    overhang)."""
    start = o * stride - pad
    stop = start + kernel
    if stop > in_size + pad:
        stop = in_size + pad
    padded = stop - start
    if start < 0:
        start = 0
    if stop > in_size:
        stop = in_size
    if include_pad:
        return start, stop, padded
    return start, stop, stop - start


def adaptive_window(o, in_size, out_size):
    """(start, stop, divisor) of adaptive window o: [floor(o * in / out),
    ceil((o + 1) * in / out))."""
    start = o * in_size // out_size
    stop = ((o + 1) * in_size + out_size - 1) // out_size
    return start, stop, stop - start


@functools.lru_cache(maxsize=256)
def _average_table(in_size, out_size, kernel, stride, pad, include_pad):
    return _table([average_window(o, in_size, kernel, stride, pad, include_pad)
                   for o in range(out_size)])


@functools.lru_cache(maxsize=256)
def _adaptive_table(in_size, out_size):
    return _table([adaptive_window(o, in_size, out_size) for o in range(out_size)])


def _table(windows):
    starts, stops, divisors = zip(*windows) if windows else ((), (), ())
    table = (np.array(starts, np.int64), np.array(stops, np.int64),
             np.array(divisors, np.float64))
    for array in table:
        array.flags.writeable = False  # shared by every call with this geometry
    return table
