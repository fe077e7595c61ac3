"""Thresholds of the cpu kernels, in one place (the cpu twin of cuda's `LaunchConfig`).

Every kernel gives correct results for any values here; they only choose between strategies
(threads or not, direct loops or GEMM, chunk sizes) by measured break-even points. Tests move
them with `override(...)` to reach every strategy on tiny shapes.
"""
import dataclasses

from .._scoped_config import ScopedConfig


@dataclasses.dataclass(frozen=True)
class CpuConfig:
    """Strategy thresholds of the cpu backend.

    conv_parallel_min_work: a direct convolution kernel with fewer inner-loop steps runs on
        the calling thread alone (waking the thread pool costs more than the work, and much
        more on a busy machine).
    conv_direct_max_weights: convolutions whose group weight matrix (out per group x in per
        group x kernel taps) has at most this many entries use the direct loop nests, not
        GEMM (BLAS is slow on such thin matrices).
    conv_chunk_bytes: the im2col column buffer per chunk of images: large enough for efficient
        GEMMs, small enough to stay in the last-level cache.
    conv_forward_image_gemm_min_positions: the GEMM forward (and a 1x1 convolution's input
        gradient) multiplies the weights by each image's columns on its own (writing NCHW
        directly) on maps of at least this many output positions; on smaller maps, by a whole
        chunk's columns at once and then copies the product into NCHW order (per image, the
        weight matrix is read for few columns).
        Measured under load, batch 4-32: 16x faster on 2x2 maps (3x3 kernels, 512 channels),
        1.3-4x on 4x4 to 7x7 (3x3 and 1x1 kernels); on 8x8 to 16x16 maps no clear winner.
    conv_transposed_max_out: the weight gradient's GEMM puts rows first up to this many output
        channels per group.
    conv_wide_max_rows: dense (one group) convolutions whose columns have at most
        this many rows (input channels x kernel taps) compute their forward through wide
        columns (conv_wide.py: one contiguous copy per row, the GEMM over the padded width,
        bias and relu in the epilogue) instead of im2col. Measured with
        bench/bench_conv_wide.py --clock cpu (float32, one thread, CPU time, interleaved, on a
        loaded machine), im2col's time over the wide one's at batch 16 / 64 / 256:
        1 -> 6 5x5 pad 2 on 28x28 (25 rows) 1.54 / 1.60 / 1.58, 6 -> 16 5x5 on 14x14 (150)
        1.46 / 1.55 / 1.61, 1 -> 32 3x3 on 28x28 (9) 1.35 / 1.31 / 1.56, 3 -> 64 3x3 pad 1 on
        32x32 (27) 1.69 / 1.66 / 1.66 (with relu fused: 1.5-2.05 throughout), ResNet-18's
        3 -> 64 7x7 stride 2 pad 3 on 224x224 (147 rows, strided: phase planes) 1.14 at batch
        4 (1.19 with relu); 32 -> 64 3x3 on 26x26 (288 rows) was even in earlier runs (5.8
        against 5.6 ms at batch 64).
    conv_wide_per_image_max_out: the wide forward makes one GEMM per image up to this many
        output channels, else one per chunk of images. Per image took 1.6-2.6x less time
        with 6, 16 and 32 output channels (one thread); with 64 (3 -> 64 3x3 on 32x32) both
        took the same time, and one GEMM per chunk makes far fewer (threaded) BLAS calls.
    conv_wide_input_max_rows: ... and their input gradient (unit stride: the GEMM's columns on
        the same wide grid, added back by contiguous runs) up to this many rows. Measured as
        above: 25 rows 1.21 / 1.26 / 1.19, 150 rows 1.17 / 1.17 / 1.22, 27 rows 1.36 / 1.50 /
        1.60, but 1 -> 32 3x3 (9 rows, 32 output channels) 0.89 / 0.91 / 0.98 (a first layer,
        whose input gradient training does not ask for); 16 -> 32 3x3 pad 1 on 16x16 (144
        rows) 1.35 at batch 64; 32 -> 64 3x3 on 26x26 (288) even.
    conv_wide_weight_max_rows: ... and their weight gradient as GEMMs over the same wide columns
        (where the direct one below is not taken) up to this many rows. Measured as above at
        batch 64: 6 -> 16 5x5 on 14x14 (150 rows) 1.19, 3 -> 64 3x3 pad 1 on 32x32 (27) 1.12,
        16 -> 32 3x3 pad 1 on 16x16 (144) 1.20, ResNet's 7x7 stride-2 layer (147, batch 4)
        1.04; 32 -> 64 3x3 on 26x26 (288) 0.97.
    conv_weight_direct_max_weights: dense convolutions with at most this many weights
        (out x in x taps) compute their weight gradient by direct dot products
        (conv_wide.direct_weight_gradient: no columns) instead of im2col + GEMM. Measured as
        above: 1 -> 6 5x5 (150 weights) 2.67 / 2.83 / 2.56, 1 -> 32 3x3 (288) 2.20 / 2.52 /
        1.79; 3 -> 64 3x3 (1,728) and 6 -> 16 5x5 (2,400) were 5-10% slower in earlier runs
        (BLAS is efficient once both sides of the gradient have a few dozen).
    conv_winograd_forward_min_channels, conv_winograd_input_min_channels,
    conv_winograd_weight_min_channels: dense 3x3 stride-1 convolutions (float32 or float64,
        no groups or dilation) with at least this many input and output channels compute
        their forward, input gradient and weight gradient with Winograd F(2x2, 3x3)
        (conv_winograd.py) instead of im2col + GEMM. Winograd rounds differently from a direct
        sum (float32 results differ in the last digits). Off by default (a huge value): in
        bench/results/winograd.md it took 0.80-0.91 of a training step's CPU time on one
        thread with 128, 256 and 256 here, but whole steps with two threads were slower in
        wall time in most runs (its transforms run on one thread and it makes more BLAS calls).
    conv_winograd_gradient_min_map: the two gradients only on maps of at least this many
        positions per image (on 2x2 maps they were no faster; the forward was 3x faster).
    conv_winograd_min_tile_use_percent: ... and only where the positions computed fill at
        least this share of the 2x2 tiles covering them (a 7x7 map fills 49 of 64, and lost).
    conv_winograd_chunk_bytes: Winograd's transformed tiles and their products (input and
        output channels together) per chunk of rows of tiles.
    im2col_run_min_width: output rows at least this wide are copied as runs (zeros, a copy,
        zeros); narrower ones element by element from a table (2x faster at 4x4, 1.4x slower
        at 28x28).
    pool_parallel_min_elements: pooling kernels touching fewer elements run on one thread.
    optim_parallel_min_elements: fused optimizer steps over fewer elements (all the parameters
        of one call together) run on one thread.
    optim_tensors_per_call: parameters one fused optimizer kernel call updates (the kernels
        are compiled for this many, so one compilation per dtype serves every model).
    elementwise_parallel_min_elements: one-pass activation kernels (relu_backward, leaky_relu)
        on smaller maps run on one thread.
    """

    conv_parallel_min_work: int = 1 << 16
    conv_direct_max_weights: int = 32
    conv_chunk_bytes: int = 2 << 20
    conv_forward_image_gemm_min_positions: int = 64
    conv_transposed_max_out: int = 64
    conv_wide_max_rows: int = 150
    conv_wide_per_image_max_out: int = 32
    conv_wide_input_max_rows: int = 150
    conv_wide_weight_max_rows: int = 150
    conv_weight_direct_max_weights: int = 512
    conv_winograd_forward_min_channels: int = 1 << 30
    conv_winograd_input_min_channels: int = 1 << 30
    conv_winograd_weight_min_channels: int = 1 << 30
    conv_winograd_gradient_min_map: int = 16
    conv_winograd_min_tile_use_percent: int = 80
    conv_winograd_chunk_bytes: int = 8 << 20
    im2col_run_min_width: int = 12
    pool_parallel_min_elements: int = 1 << 15
    optim_parallel_min_elements: int = 1 << 16
    optim_tensors_per_call: int = 8
    elementwise_parallel_min_elements: int = 1 << 16

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"CpuConfig.{field.name} must be an int, got {value!r}")
        if self.optim_tensors_per_call < 1:
            raise ValueError(f"CpuConfig.optim_tensors_per_call must be positive, got "
                             f"{self.optim_tensors_per_call}")


_scoped = ScopedConfig(CpuConfig())
get_config = _scoped.get
override = _scoped.override
