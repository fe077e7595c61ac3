"""A static report of the cuda kernels, made without a GPU: registers, spills, shared memory
and theoretical occupancy of every kernel a training step launches, for a chosen GPU.

    pip install -e ".[cuda]"                 # numba-cuda and NVIDIA's compiler wheels (ptxas)
    python bench/gpu_static.py               # compute capability 9.0 (H100/H200), a table
    python bench/gpu_static.py --cc 8.0      # A100
    python bench/gpu_static.py --write       # also writes bench/results/gpu-static.md

How: a child process runs training steps of LeNet-5's layer kinds and of a conv-BN-ReLU
block (SGD with momentum, Adam), a matmul and a convolution on the GEMM path, at tiny sizes,
in numba's CUDA simulator, and records every kernel launched with the numba types of its
arguments. This process
compiles each of those specialisations to PTX for the chosen compute capability
(`numba.cuda.compile_ptx`, no driver needed), assembles it with `ptxas -v`, and
reads what ptxas reports. Occupancy assumes the backend's default launch (256 threads per
block) and the limits of the GPU generation (65,536 registers and 2,048 threads per SM, at
most 32 blocks; shared memory 228 KiB on cc 9.0, 164 KiB on 8.0). "FFMA share" is the
fraction of fused multiply-adds among the PTX instructions of a kernel's innermost loop body:
the SGEMM target is that most of its inner loop is FFMA.
"""
import argparse
import glob
import importlib
import marshal
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results", "gpu-static.md")
THREADS_PER_BLOCK = 256
SHARED_PER_SM = {(9, 0): 228 * 1024, (8, 0): 164 * 1024, (8, 6): 100 * 1024,
                 (8, 9): 100 * 1024, (7, 5): 64 * 1024, (7, 0): 96 * 1024}


def record_launches(path):
    """(Runs under the simulator.) Pickle [(module, kernel name, argument types)] of every
    distinct kernel specialisation a few training steps launch."""
    import numba
    import numpy as np

    import minigrad
    from minigrad import nn, optim
    from minigrad.backend.cuda import _launch

    seen = {}

    def typeof(arg):
        return numba.typeof(getattr(arg, "_ary", arg))

    original = _launch.launch

    def recording_launch(kernel, grid, block, *args):
        fn = getattr(kernel, "py_func", None) or getattr(kernel, "fn", None)
        # a kernel made by a factory (the GEMM, one per tiling) is kept as its code and the
        # constants it closes over, so that the compiling process can rebuild it
        cells = tuple(c.cell_contents for c in fn.__closure__ or ())
        key = (fn.__module__, fn.__qualname__, marshal.dumps(fn.__code__) if cells else None,
               cells, tuple(typeof(a) for a in args))
        seen.setdefault(key, None)
        return original(kernel, grid, block, *args)

    import warnings
    warnings.simplefilter("ignore")  # the simulator's numpy scalars warn on wrapping arithmetic
    for name, module in list(sys.modules.items()):  # every module that imported launch
        if name.startswith("minigrad.backend.cuda") and \
                getattr(module, "launch", None) is original:
            module.launch = recording_launch
    # tiny launches keep the simulator quick; the GEMM keeps its default tiling, which is
    # compiled into the kernel (one simulated block of its threads per call)
    tiny = dict(threads_per_block=4, max_blocks=2, reduce_threads=4, reduce_serial_len=3,
                rng_blocks=2)
    with _launch.override(**tiny):
        minigrad.manual_seed(0)
        # LeNet-5's layer kinds and a conv-BN-ReLU block, at sizes the simulator runs quickly:
        # the kernels and their operand types are those of the full-size step
        lenet_like = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Tanh(), nn.AvgPool2d(2),
                                   nn.Flatten(), nn.Linear(2 * 2 * 2, 4), nn.ReLU(),
                                   nn.Dropout(0.5), nn.Linear(4, 3))
        conv_bn = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                                nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 2 * 2, 3))
        for model, shape, make in ((lenet_like, (2, 1, 6, 6), lambda ps: optim.SGD(
                ps, lr=0.1, momentum=0.9)), (conv_bn, (2, 2, 4, 4), optim.Adam)):
            model.to("cuda")
            opt = make(model.parameters())
            x = minigrad.randn(*shape).to("cuda")
            y = minigrad.tensor(np.array([0, 2])).to("cuda")
            for _ in range(2):  # the second step uses the optimizer state the first made
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
        a = minigrad.randn(5, 6, device="cuda")
        (a @ minigrad.randn(6, 7, device="cuda")).sum().item()
        # a convolution with enough channels for the im2col + GEMM path (the LeNet-like and
        # conv-BN nets above are small enough for the direct kernels): its forward GEMM
        # stores NCHW and adds the bias per channel, its gradients are plain GEMMs
        conv = nn.Conv2d(2, 40, 3).to("cuda")
        conv(minigrad.randn(1, 2, 4, 4, device="cuda")).sum().backward()
    with open(path, "wb") as f:
        pickle.dump(list(seen), f)


def _stub_compute_capability(cc):
    """compile_ptx asks the current device for its compute capability when a kernel calls
    device functions; without a GPU there is none, so every numba.cuda module that looks it
    up is given a stand-in device of capability `cc`."""
    import numba.cuda.dispatcher  # noqa: F401  (loads the modules that look it up)
    device = type("Device", (), {"compute_capability": cc})()
    for name, module in list(sys.modules.items()):
        if name.startswith(("numba.cuda", "numba_cuda")) and \
                hasattr(module, "get_current_device"):
            module.get_current_device = lambda: device


def ptxas_path():
    found = glob.glob(os.path.join(sys.prefix, "lib", "python*", "site-packages", "nvidia",
                                   "cuda_nvcc", "bin", "ptxas"))
    return found[0] if found else shutil.which("ptxas")


def inner_loop_ffma_share(ptx):
    """FFMA share of the innermost loop body: the PTX block between the last loop label and
    the branch back to it."""
    labels = list(re.finditer(r"^\$(L__BB\d+_\d+):", ptx, re.M))
    best = None
    for m in labels:
        back = re.search(rf"bra(\.uni)?\s+\${m.group(1)};", ptx[m.end():])
        if back is None:
            continue
        body = ptx[m.end():m.end() + back.start()]
        lines = [ln.strip() for ln in body.splitlines()
                 if ln.strip() and not ln.strip().startswith(("$", "//", "{", "}", "."))]
        fma = sum(ln.startswith("fma.rn.f32") for ln in lines)
        if fma and (best is None or fma / len(lines) > best[0]):
            best = (fma / len(lines), fma, len(lines))
    return best


def analyse(records, cc):
    from numba import cuda

    from minigrad.backend.cuda._launch import LaunchConfig
    _stub_compute_capability(cc)
    ptxas = ptxas_path()
    if ptxas is None:
        raise SystemExit("ptxas not found: pip install -e '.[cuda]' (NVIDIA's nvcc wheel)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for module_name, qualname, code, cells, argtypes in records:
            module = importlib.import_module(module_name)
            name = qualname.rsplit(".", 1)[-1]
            if code is None:
                fn = getattr(module, qualname).py_func
            else:
                fn = types.FunctionType(marshal.loads(code), vars(module), name, None,
                                        tuple(types.CellType(v) for v in cells))
            ptx, _ = cuda.compile_ptx(fn, argtypes, cc=cc)
            src = os.path.join(tmp, f"{name}.ptx")
            with open(src, "w") as f:
                f.write(ptx)
            out = subprocess.run([ptxas, f"-arch=sm_{cc[0]}{cc[1]}", "-v", src, "-o",
                                  os.devnull], capture_output=True, text=True)
            text = out.stdout + out.stderr
            regs = int(re.search(r"Used (\d+) registers", text).group(1))
            smem = sum(int(v) for v in re.findall(r"(\d+) bytes smem", text))
            spills = sum(int(v) for v in re.findall(r"(\d+) bytes spill (?:stores|loads)",
                                                     text))
            threads = THREADS_PER_BLOCK
            if cells and "gemm" in qualname:  # (block_m, block_n, ..., thread_m, thread_n)
                config = LaunchConfig()
                threads = (config.gemm_block_m // config.gemm_thread_m) * \
                    (config.gemm_block_n // config.gemm_thread_n)
            if cells and "gemm" in qualname:
                name = f"{name} ({gemm_variant(fn)})"
            rows.append((module_name.rsplit(".", 1)[1], name, argtypes, regs, smem, spills,
                         occupancy(regs, smem, cc, threads), inner_loop_ffma_share(ptx)
                         if "gemm" in qualname else None))
    return rows


def gemm_variant(fn):
    """The compile-time choices of one GEMM kernel, in words: operand layouts and epilogue."""
    from minigrad.backend.cuda import linalg
    choice = dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__)))
    words = ["A " + ("k-fast" if choice.get("a_k_fast") else "m-fast"),
             "B " + ("k-fast" if choice.get("b_k_fast") else "n-fast")]
    bias = choice.get("bias_mode")
    if bias == linalg.BIAS_COLUMNS:
        words.append("bias per column")
    elif bias == linalg.BIAS_ROWS:
        words.append("bias per row")
    if choice.get("split_columns"):
        words.append("NCHW store")
    if choice.get("relu"):
        words.append("relu")
    return ", ".join(words)


def occupancy(regs, smem, cc, threads=THREADS_PER_BLOCK):
    """Theoretical occupancy (resident threads / 2,048) at `threads` per block."""
    per_warp = -(-max(regs, 1) * 32 // 256) * 256  # registers are allocated per warp, by 256
    by_regs = 65536 // (per_warp * (threads // 32))
    by_smem = SHARED_PER_SM.get(cc, 96 * 1024) // smem if smem else 32
    blocks = max(0, min(32, 2048 // threads, by_regs, by_smem))
    return blocks * threads / 2048


def table(rows, cc):
    lines = [f"Compute capability {cc[0]}.{cc[1]}; occupancy at {THREADS_PER_BLOCK} threads per "
             "block (the GEMM at its own block size).", "",
             "| file | kernel | array types | registers | shared bytes | spill bytes | "
             "occupancy | inner-loop FFMA share |", "|---|---|---|---|---|---|---|---|"]
    for module, name, argtypes, regs, smem, spills, occ, ffma in sorted(
            rows, key=lambda r: (r[0], r[1])):
        kinds = ", ".join(sorted({"generator state" if "Record" in str(t.dtype)
                                  else str(t.dtype) for t in argtypes if hasattr(t, "dtype")}))
        share = "" if ffma is None else f"{ffma[0]:.0%} ({ffma[1]} of {ffma[2]})"
        lines.append(f"| {module} | {name} | {kinds} | {regs} | {smem} | {spills} | "
                     f"{occ:.0%} | {share} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cc", default="9.0", help="compute capability (default 9.0)")
    parser.add_argument("--write", action="store_true", help="also write " + RESULTS)
    args = parser.parse_args()
    cc = tuple(int(v) for v in args.cc.split("."))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "launches.pkl")
        env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1",
                   PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        subprocess.run([sys.executable, __file__, "--record", path], env=env, check=True)
        with open(path, "rb") as f:
            records = pickle.load(f)
    text = table(analyse(records, cc), cc)
    print(text)
    if args.write:
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "w") as f:
            f.write("# Static report of the cuda kernels\n\nMade without a GPU by "
                    "`python bench/gpu_static.py --write`.\n\n" + text + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--record":
        sys.path.insert(0, ROOT)
        record_launches(sys.argv[2])
    else:
        main()
