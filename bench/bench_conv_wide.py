"""The wide-grid kernels (conv_wide.py) against im2col + GEMM, per small-channel layer, in one
process.

    python bench/bench_conv_wide.py                   # markdown table of median ms per call
    python bench/bench_conv_wide.py --batch 128       # another batch size
    python bench/bench_conv_wide.py --clock cpu       # one thread, its CPU time (busy machine)
    python bench/bench_conv_wide.py --layers 'lenet*' # a subset (--list shows the keys)

For the first layers of LeNet-5, the MNIST example net, a CIFAR net and ResNet-18 at 224,
float32, the forward (plain and fused with relu, bias included), the input gradient and the
weight gradient are timed twice: by the cpu backend's dispatch with the CpuConfig thresholds
of the wide kernels lowered so that im2col + GEMM computes them, and by the default dispatch.
The two variants alternate in blocks, round after round, the order reversed every other
round, and the median call of each is reported (with the fastest in brackets), so that a busy
spell of the machine hits both alike. Results are checked against each other first. Layers
the default dispatch does not send to the wide kernels time the same code twice (the table
says which).

`--clock cpu` runs on one thread and times the thread's CPU time: on a machine busy with other
work, wall time mostly measures how often the scheduler lets the threads run.
"""
import argparse
import fnmatch
import os
import sys
import time

from _common import interleaved_times, limit_threads, settle_blas_environment

# (key, channels in, channels out, side, kernel, padding, stride)
LAYERS = (
    ("lenet-1-6-28", 1, 6, 28, 5, 2, 1),
    ("lenet-6-16-14", 6, 16, 14, 5, 0, 1),
    ("mnist-1-32-28", 1, 32, 28, 3, 0, 1),
    ("mnist-32-64-26", 32, 64, 26, 3, 0, 1),
    ("cifar-3-64-32", 3, 64, 32, 3, 1, 1),
    ("resnet-3-64-224-s2", 3, 64, 224, 7, 3, 2),  # time with --batch 4
)
KERNELS = ("forward", "forward+relu", "input", "weight")
IM2COL = {"conv_wide_max_rows": -1, "conv_wide_input_max_rows": -1,
          "conv_wide_weight_max_rows": -1, "conv_weight_direct_max_weights": -1}


def _runners(kernel, batch, channels_in, channels_out, side, size, padding, stride):
    import numpy as np

    from minigrad.backend.cpu import _config, conv, conv_relu
    from minigrad.geometry import ConvGeometry

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, channels_in, side, side), dtype=np.float32)
    w = rng.standard_normal((channels_out, channels_in, size, size), dtype=np.float32)
    bias = rng.standard_normal(channels_out, dtype=np.float32)
    geometry = ConvGeometry.of((side, side), (size, size), (stride, stride), (padding, padding),
                               (1, 1), 1)
    grad = rng.standard_normal((batch, channels_out) + geometry.output_size, dtype=np.float32)
    call = {"forward": lambda: conv.conv2d_forward(x, w, bias, geometry),
            "forward+relu": lambda: conv_relu.conv2d_relu_forward(x, w, bias, geometry),
            "input": lambda: conv.conv2d_backward_input(grad, w, geometry),
            "weight": lambda: conv.conv2d_backward_weight(x, grad, geometry)}[kernel]

    def im2col():
        with _config.override(**IM2COL):
            return call()

    expected, got = im2col(), call()
    scale = np.abs(expected).max()
    if not np.allclose(got, expected, rtol=0, atol=1e-5 * scale):
        raise AssertionError(f"{kernel}: the two paths disagree by "
                             f"{np.abs(got - expected).max() / scale:.2e} of the largest value")
    return {"im2col": im2col, "default": call}


def _wide_taken(kernel, channels_in, channels_out, size, stride):
    from minigrad.backend.cpu import _config
    config = _config.get_config()
    if kernel == "weight":
        return (channels_out * channels_in * size * size <= config.conv_weight_direct_max_weights
                or channels_in * size * size <= config.conv_wide_weight_max_rows)
    if kernel == "input":
        return stride == 1 and channels_in * size * size <= config.conv_wide_input_max_rows
    return channels_in * size * size <= config.conv_wide_max_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per variant")
    parser.add_argument("--layers", default="*")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join(layer[0] for layer in LAYERS))
        return
    threads = 1 if args.clock == "cpu" else args.threads
    os.environ["NUMBA_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(threads)
    settle_blas_environment(keep=False)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    limit_threads(threads)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    print(f"float32, batch {args.batch}, {threads} thread(s), {args.clock} clock; "
          f"median ms per call (fastest)\n")
    print("| layer | kernel | im2col + GEMM | default | im2col / default | default path |")
    print("|---|---|---|---|---|---|")
    for key, channels_in, channels_out, side, size, padding, stride in LAYERS:
        if not fnmatch.fnmatch(key, args.layers):
            continue
        for kernel in KERNELS:
            runners = _runners(kernel, args.batch, channels_in, channels_out, side, size,
                               padding, stride)
            times = interleaved_times(runners, clock, args.rounds, args.budget)
            (old, old_min), (new, new_min) = times["im2col"], times["default"]
            wide = _wide_taken(kernel, channels_in, channels_out, size, stride)
            path = "wide" if wide else "im2col"
            print(f"| {key} | {kernel} | {old:.3f} ({old_min:.3f}) | {new:.3f} ({new_min:.3f}) "
                  f"| {old / new:.2f} | {path} |", flush=True)


if __name__ == "__main__":
    main()
