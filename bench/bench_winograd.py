"""Winograd F(2x2, 3x3) against the GEMM (im2col) path, per 3x3 layer shape, in one process.

    python bench/bench_winograd.py                    # markdown table of median ms per call
    python bench/bench_winograd.py --budget 1         # seconds of timed calls per variant
    python bench/bench_winograd.py --layers 'vgg*'    # a subset (--list shows the keys)
    python bench/bench_winograd.py --clock cpu        # one thread, its CPU time (busy machine)
    python bench/bench_winograd.py --steps            # whole training steps instead

For each dense 3x3 stride-1 layer of VGG-11-BN on CIFAR (batch 32) and ResNet-18 (batch 4 at
224x224, batch 32 at 32x32), float32, each of the three kernels (forward, input gradient,
weight gradient) is timed twice: by the cpu backend's dispatch with Winograd switched off
(the im2col + BLAS path) and with it forced on. The two variants alternate in blocks, round
after round, and the median call of each is reported, so that a busy spell of the machine
hits both alike. Both variants' results are checked against each other first. With
`--steps`, the variants are whole float32 training steps of the users'-way workloads (VGG-11-BN
CIFAR batch 32, ResNet-18 at 224 batch 4 and at 32 batch 32): Winograd off, against Winograd
by the thresholds measured per layer (MEASURED below; Winograd is off by default).

`--clock cpu` runs every library on one thread and times the thread's CPU time: on a machine
busy with other work, wall time mostly measures how often the scheduler lets the threads run,
while CPU time still tells which kernel does less work.
"""
import argparse
import fnmatch
import os
import sys
import time

from _common import interleaved_times, limit_threads, machine_description

# (key, batch, channels in, channels out, side): the stride-1 3x3 layers of each network
LAYERS = (
    ("vgg-3-64-32", 32, 3, 64, 32),
    ("vgg-64-128-16", 32, 64, 128, 16),
    ("vgg-128-256-8", 32, 128, 256, 8),
    ("vgg-256-256-8", 32, 256, 256, 8),
    ("vgg-256-512-4", 32, 256, 512, 4),
    ("vgg-512-512-4", 32, 512, 512, 4),
    ("vgg-512-512-2", 32, 512, 512, 2),
    ("r224-64-56", 4, 64, 64, 56),
    ("r224-128-28", 4, 128, 128, 28),
    ("r224-256-14", 4, 256, 256, 14),
    ("r224-512-7", 4, 512, 512, 7),
    ("r32-64-8", 32, 64, 64, 8),
    ("r32-128-4", 32, 128, 128, 4),
    ("r32-256-2", 32, 256, 256, 2),
)
KERNELS = ("forward", "input", "weight")
CHANNELS = ("conv_winograd_forward_min_channels", "conv_winograd_input_min_channels",
            "conv_winograd_weight_min_channels")
OFF = {name: 1 << 30 for name in CHANNELS}
ON = dict({name: 0 for name in CHANNELS}, conv_winograd_min_tile_use_percent=0)
# the per-kernel thresholds chosen from the per-layer table (bench/results/winograd.md)
MEASURED = {"conv_winograd_forward_min_channels": 128,
            "conv_winograd_input_min_channels": 256,
            "conv_winograd_weight_min_channels": 256}
THRESHOLD = {"forward": "conv_winograd_forward_min_channels",
             "input": "conv_winograd_input_min_channels",
             "weight": "conv_winograd_weight_min_channels"}


def _measured_choice(kernel, channels_in, channels_out, side):
    """Which path the dispatch takes for this kernel under the MEASURED thresholds."""
    import dataclasses

    from minigrad.backend.cpu import _config
    config = dataclasses.replace(_config.get_config(), **MEASURED)
    tiles = 4 * ((side + 1) // 2) ** 2
    channels = min(channels_in, channels_out)
    min_map = 0 if kernel == "forward" else config.conv_winograd_gradient_min_map
    winograd = (channels >= getattr(config, THRESHOLD[kernel])
                and side * side >= min_map
                and 100 * side * side >= config.conv_winograd_min_tile_use_percent * tiles)
    return "Winograd" if winograd else "GEMM"


def _runners(kernel, batch, channels_in, channels_out, side, chunk_bytes):
    import numpy as np

    from minigrad.backend.cpu import _config, conv
    from minigrad.geometry import ConvGeometry

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, channels_in, side, side), dtype=np.float32)
    w = rng.standard_normal((channels_out, channels_in, 3, 3), dtype=np.float32)
    grad = rng.standard_normal((batch, channels_out, side, side), dtype=np.float32)
    geometry = ConvGeometry.of((side, side), (3, 3), (1, 1), (1, 1), (1, 1), 1)
    call = {"forward": lambda: conv.conv2d_forward(x, w, None, geometry),
            "input": lambda: conv.conv2d_backward_input(grad, w, geometry),
            "weight": lambda: conv.conv2d_backward_weight(x, grad, geometry)}[kernel]

    def under(changes):
        def run():
            with _config.override(**changes):
                return call()
        return run

    gemm, winograd = under(OFF), under(dict(ON, conv_winograd_chunk_bytes=chunk_bytes))
    expected, got = gemm(), winograd()
    scale = np.abs(expected).max()
    if not np.allclose(got, expected, rtol=0, atol=1e-4 * scale):
        raise AssertionError(f"{kernel}: Winograd and GEMM disagree by "
                             f"{np.abs(got - expected).max() / scale:.2e} of the largest value")
    return {"gemm": gemm, "winograd": winograd}


STEP_WORKLOADS = ("vgg-cifar-b32", "resnet18-224-b4", "resnet18-32-b32")


def _step_runners(key):
    import types

    import numpy as np

    import minigrad
    from _users_workloads import WORKLOADS, make_step
    from minigrad.backend.cpu import _config

    minigrad.manual_seed(0)
    lib = types.SimpleNamespace(nn=minigrad.nn, optim=minigrad.optim, tensor=minigrad.tensor)
    step = make_step(lib, {w.key: w for w in WORKLOADS}[key], np.random.default_rng(0))

    def gemm():
        with _config.override(**OFF):
            return step()

    def winograd():
        with _config.override(**MEASURED):
            return step()
    return {"gemm": gemm, "winograd": winograd}


def interleaved_medians(runners, clock, rounds, budget_s):
    """Median ms per call of each runner (`_common.interleaved_times`)."""
    return {name: median for name, (median, _) in
            interleaved_times(runners, clock, rounds, budget_s).items()}


def _steps(args, clock):
    print("| workload | Winograd off ms | thresholds ms | thresholds / off |")
    print("|---|---:|---:|---:|")
    for key in STEP_WORKLOADS:
        if not any(fnmatch.fnmatch(key, p) for p in args.layers.split(",")):
            continue
        ms = interleaved_medians(_step_runners(key), clock, args.rounds, args.budget)
        print(f"| {key} | {ms['gemm']:.1f} | {ms['winograd']:.1f} | "
              f"{ms['winograd'] / ms['gemm']:.2f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="*", help="comma-separated key patterns")
    parser.add_argument("--kernels", default=",".join(KERNELS))
    parser.add_argument("--budget", type=float, default=1.0,
                        help="seconds of timed calls per variant and kernel")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--chunk-mib", type=float, default=8,
                        help="Winograd's chunk size (CpuConfig.conv_winograd_chunk_bytes)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall time with --threads threads, or one thread's CPU time")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--steps", action="store_true",
                        help="time whole training steps, Winograd off against the defaults")
    args = parser.parse_args()
    if args.list:
        print("\n".join([key for key, *_ in LAYERS] + list(STEP_WORKLOADS)))
        return
    patterns = args.layers.split(",")
    kernels = args.kernels.split(",")
    load = os.getloadavg()
    threads = limit_threads(1 if args.clock == "cpu" else args.threads)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    if args.steps:
        _steps(args, clock)
        print()
        print(f"- Clock: {args.clock}; {args.rounds} alternating rounds")
        print(machine_description(threads, load, "passive"))
        return
    print("| layer | N, C -> O, side | kernel | GEMM ms | Winograd ms | Winograd / GEMM "
          "| thresholds |")
    print("|---|---|---|---:|---:|---:|---|")
    for key, batch, channels_in, channels_out, side in LAYERS:
        if not any(fnmatch.fnmatch(key, p) for p in patterns):
            continue
        for kernel in kernels:
            runners = _runners(kernel, batch, channels_in, channels_out, side,
                               int(args.chunk_mib * (1 << 20)))
            ms = interleaved_medians(runners, clock, args.rounds, args.budget)
            print(f"| {key} | {batch}, {channels_in} -> {channels_out}, {side} | {kernel} | "
                  f"{ms['gemm']:.2f} | {ms['winograd']:.2f} | "
                  f"{ms['winograd'] / ms['gemm']:.2f} | "
                  f"{_measured_choice(kernel, channels_in, channels_out, side)} |", flush=True)
    print()
    print(f"- Clock: {args.clock}; {args.rounds} alternating rounds")
    print(machine_description(threads, load, "passive"))


if __name__ == "__main__":
    sys.exit(main())
