"""bench/bench_gpu.py's code paths, run in-process with --smoke (every case on a few elements).

On a machine without a GPU this runs in numba's CUDA simulator, where PyTorch has no GPU: the
tables then have minigrad's columns only.
"""
import contextlib
import io
import re
from pathlib import Path

import pytest

from minigrad.backend.cuda._array import SIMULATOR

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench():
    """The modules bench_gpu and _gpu_cases, imported as the script imports them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        import _gpu_cases
        import bench_gpu
        yield bench_gpu, _gpu_cases


@pytest.fixture(scope="module")
def smoke_output(bench):
    """stdout of one `bench_gpu.py --smoke` run (made once: it takes some seconds)."""
    bench_gpu, _ = bench
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bench_gpu.main(["--smoke"])
    return out.getvalue()


def _table(output, first_header_cell):
    """The markdown table whose header starts with `first_header_cell`: one dict per body row,
    header cell -> cell."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header_cell} |"))

    def cells(line):
        return [cell.strip() for cell in line.strip().strip("|").split("|")]
    header, rows = cells(lines[start]), []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, cells(line))))
    return rows


def test_smoke_run_times_every_case(bench, smoke_output):
    _, cases = bench
    rows = _table(smoke_output, "case")
    keys = [case.key for case in cases.make_cases(smoke=True)]
    assert [row["case"] for row in rows] == [f"`{key}`" for key in keys]
    assert {"sgemm", "conv3x3", "conv_depthwise", "conv_resnet", "train_small_cnn"} <= set(keys)
    libraries = ["minigrad", "torch"] if "torch ms" in rows[0] else ["minigrad"]
    for row in rows:
        for lib in libraries:
            assert float(row[f"{lib} ms"]) > 0
            assert re.fullmatch(r"[\d.,e+-]+ (TFLOP/s|images/s)", row[lib]), row
        assert row["target"].startswith(">= ")
        if "torch" in libraries:
            assert row["met?"] in ("yes", "no")
    assert "Left out of the timing" not in smoke_output  # every result was checked correct


def test_smoke_run_counts_the_training_steps_transfers(smoke_output):
    rows = _table(smoke_output, "model")
    assert len(rows) == 1 and rows[0]["model"].startswith("small CNN")
    counts = {key: int(value) for key, value in rows[0].items() if key != "model"}
    assert counts["loss.item()"] == 1  # .item() copies the loss to the host, once
    assert min(counts.values()) >= 0


@pytest.mark.skipif(not SIMULATOR, reason="on a GPU, PyTorch may use it too")
def test_smoke_run_in_the_simulator_describes_it_and_leaves_torch_out(smoke_output):
    assert "numba's CUDA simulator" in smoke_output
    assert "no torch column" in smoke_output
    assert "| torch ms |" not in smoke_output


@pytest.mark.skipif(not SIMULATOR, reason="only the simulator refuses a full run")
def test_a_full_run_in_the_simulator_is_refused(bench):
    bench_gpu, _ = bench
    with pytest.raises(SystemExit, match="needs an NVIDIA GPU: numba's CUDA simulator is on"):
        bench_gpu.main(["--cases", "sgemm"])


def test_smoke_results_are_never_written(bench, capsys):
    bench_gpu, _ = bench
    with pytest.raises(SystemExit) as exited:
        bench_gpu.main(["--smoke", "--write"])
    assert exited.value.code == 2
    assert "--write records full runs only" in capsys.readouterr().err
